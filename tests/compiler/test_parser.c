/* test_parser.c — the parse driver and grammar: trees, syntax errors,
 * recovery, running twice in one process, allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

/* One parse of a string, with the diagnostics captured. */
typedef struct run {
    arena *a;
    diag_ctx d;
    ast_file *f;
    char *msgs;
    size_t msgs_len;
    FILE *out;
} run;

static void parse_str(run *r, const char *src, long fail_after)
{
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    assert_non_null(r->a);
    if (fail_after >= 0)
        arena_fail_after(r->a, fail_after);
    r->out = open_memstream(&r->msgs, &r->msgs_len);
    assert_non_null(r->out);
    diag_init(&r->d, "t.swl", src, (uint32_t)strlen(src), r->out);
    r->f = parse_file(r->a, &r->d, src, (uint32_t)strlen(src));
    fflush(r->out);
}

static void run_free(run *r)
{
    fclose(r->out);
    free(r->msgs);
    diag_fini(&r->d);
    arena_free(r->a);
}

static const char *kv =
    "workload kv { version \"1\"; scale_query: SELECT 1; }\n"
    "schema { CREATE TABLE kv (k int); CREATE INDEX ON kv (k) }\n"
    "load kv rows 10 * scale { k = row; }\n"
    "statement get: SELECT $1;\n"
    "transaction t weight 2 { let k = 1 + 2 * 3; begin; get(k); commit; }\n"
    "mix m \"d\" { t: 1; }\n";

static void test_tree(void **state)
{
    (void)state;
    run r;
    parse_str(&r, kv, -1);
    assert_int_equal(r.d.errors, 0);
    assert_non_null(r.f);
    assert_int_equal(r.f->workloads.count, 1);
    assert_int_equal(r.f->statements.count, 1);
    assert_int_equal(r.f->txs.count, 1);
    ast_sql *s = r.f->schema.head;
    assert_non_null(s);
    assert_non_null(s->next);
    assert_memory_equal(kv + s->next->off, "CREATE INDEX ON kv (k)", s->next->len);
    ast_stmt *b = r.f->txs.head->body;
    assert_int_equal(b->kind, ST_LET);
    /* 1 + 2 * 3: multiplication binds tighter */
    assert_int_equal(b->value->kind, EX_BINARY);
    assert_int_equal(b->value->op, TK_PLUS);
    assert_int_equal(b->value->rhs->op, TK_STAR);
    assert_int_equal(b->next->kind, ST_BEGIN);
    assert_int_equal(b->next->next->kind, ST_EXEC);
    assert_int_equal(b->next->next->nargs, 1);
    assert_non_null(r.f->mixes.head->description.s);
    assert_string_equal(r.f->mixes.head->description.s, "d");
    run_free(&r);
}

static void test_precedence_and_unary(void **state)
{
    (void)state;
    run r;
    parse_str(&r, "transaction t { let x = -a - b / c % d; }", -1);
    assert_int_equal(r.d.errors, 0);
    ast_expr *e = r.f->txs.head->body->value;
    assert_int_equal(e->op, TK_MINUS);
    assert_int_equal(e->lhs->kind, EX_NEG);
    assert_int_equal(e->rhs->op, TK_PERCENT);
    assert_int_equal(e->rhs->lhs->op, TK_SLASH);
    run_free(&r);
    /* or < and < not < comparison < || < + - < * / % < unary */
    parse_str(&r, "transaction t { let x = not a < b || c + d * e and f or g; }", -1);
    assert_int_equal(r.d.errors, 0);
    e = r.f->txs.head->body->value;
    assert_int_equal(e->op, TK_OR);
    assert_int_equal(e->lhs->op, TK_AND);
    assert_int_equal(e->lhs->lhs->kind, EX_NOT);
    ast_expr *cmp = e->lhs->lhs->lhs;
    assert_int_equal(cmp->op, TK_LT);
    assert_int_equal(cmp->rhs->op, TK_CONCAT);
    assert_int_equal(cmp->rhs->rhs->op, TK_PLUS);
    assert_int_equal(cmp->rhs->rhs->rhs->op, TK_STAR);
    run_free(&r);
}

static void test_syntax_error_location(void **state)
{
    (void)state;
    run r;
    parse_str(&r, "workload w { }\ntransaction t {\n    begin\n    commit;\n}\n", -1);
    assert_int_equal(r.d.errors, 1);
    assert_non_null(strstr(r.msgs, "t.swl:4:5: error: syntax error: unexpected 'commit'; expected ';'"));
    assert_non_null(strstr(r.msgs, "    commit;\n    ^\n"));
    run_free(&r);
}

static void test_recovery(void **state)
{
    (void)state;
    run r;
    parse_str(&r, "transaction a { let = 1; }\nstatement s SELECT 1;\nstatement ok: SELECT 2;\n"
                  "mix m { a 1; }\n", -1);
    assert_int_equal(r.d.errors, 3);
    assert_int_equal(r.f->statements.count, 1);   /* the good item after the errors */
    run_free(&r);
}

/* deck, limit, probe, nurand_load and headline are keywords only where the
 * grammar takes them; a probe after a broken item is parsed again. */
static void test_contextual_keywords(void **state)
{
    (void)state;
    run r;
    parse_str(&r, "workload w { nurand_load: SELECT 1; headline limit \"tpmC\"; }\n"
                  "transaction limit isolation read committed limit p90 5s {\n"
                  "    let deck = 1; let probe = deck; headline(probe);\n}\n"
                  "mix deck \"d\" deck { limit: 1; }\n"
                  "probe headline: SELECT 2;\n", -1);
    assert_int_equal(r.d.errors, 0);
    const ast_tx *tx = r.f->txs.head;
    assert_non_null(tx);
    assert_int_equal(tx->opts->next->kind, TO_LIMIT);
    assert_int_equal(tx->opts->next->words[0].len, 3);
    assert_int_equal(tx->body->next->next->kind, ST_EXEC);
    assert_true(r.f->mixes.head && r.f->mixes.head->deck);
    assert_int_equal(r.f->probes.count, 1);
    const ast_witem *w = r.f->workloads.head->items;
    assert_int_equal(w->kind, WI_NURAND_LOAD);
    assert_int_equal(w->next->kind, WI_HEADLINE);
    run_free(&r);

    parse_str(&r, "statement s SELECT 1;\nprobe p: SELECT 1;\n", -1);
    assert_int_equal(r.d.errors, 1);
    assert_int_equal(r.f->probes.count, 1);
    run_free(&r);
}

static void test_twice_in_process(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        run r;
        parse_str(&r, "transaction a { let = 1; }", -1);
        assert_int_equal(r.d.errors, 1);
        run_free(&r);
        parse_str(&r, kv, -1);
        assert_int_equal(r.d.errors, 0);
        run_free(&r);
    }
}

static void test_nesting_caps(void **state)
{
    (void)state;
    char src[2048];
    size_t n = (size_t)snprintf(src, sizeof src, "transaction t { let x = ");
    for (int i = 0; i < 500; i++)
        src[n++] = '(';
    strcpy(src + n, "1");
    run r;
    parse_str(&r, src, -1);
    assert_int_equal(r.d.errors, 1);
    assert_non_null(strstr(r.msgs, "nested too deeply (more than 64 levels)"));
    run_free(&r);
    n = (size_t)snprintf(src, sizeof src, "transaction t { let x = ");
    for (int i = 0; i < 600; i++)
        src[n++] = '-';
    strcpy(src + n, "1; }");
    parse_str(&r, src, -1);
    assert_true(r.d.errors >= 1);
    run_free(&r);
}

static void test_allocation_failure(void **state)
{
    (void)state;
    for (long k = 0; k < 60; k++) {
        run r;
        parse_str(&r, kv, k);
        /* either it fits, or out of memory is reported and NULL returned */
        if (!r.f)
            assert_non_null(strstr(r.msgs, "out of memory"));
        run_free(&r);
    }
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    static const char *inputs[] = {
        "", "}", "{{{{", "workload", "statement x:", "schema {", "after load {", "\"",
        "load t rows 1 { a = 1", "mix m { t: -; }", "transaction t { x(,); }", "$$ $1 ;;;",
        "workload w { scale_query: ; }", "workload w { nurand_load: ; headline ; }",
        "probe", "probe p", "probe p \"d\":", "mix m deck", "transaction t limit p90 {", "transaction t { let x = 1 +; }",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        run r;
        parse_str(&r, inputs[i], -1);
        run_free(&r);
    }
    /* pseudo-random bytes, including NUL (parse_file takes a length) */
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        char buf[257];
        for (int i = 0; i < 256; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = "{}();:=+-*/%\"' \n$abcl0_\x80\0"[(x >> 16) % 26];
        }
        buf[256] = '\0';
        arena *a = arena_new();
        diag_ctx d;
        diag_init(&d, "f.swl", buf, 256, NULL);
        parse_file(a, &d, buf, 256);
        diag_fini(&d);
        arena_free(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_precedence_and_unary),
        cmocka_unit_test(test_syntax_error_location),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_contextual_keywords),
        cmocka_unit_test(test_twice_in_process),
        cmocka_unit_test(test_nesting_caps),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
