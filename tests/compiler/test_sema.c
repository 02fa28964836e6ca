/* test_sema.c — whole compilations in process: checks, statement kinds,
 * the generated C's contract, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver.h"
#include "sema.h"

/* Compiles src; returns the status, the C in *c (caller frees) and the
 * diagnostics in *msgs (caller frees). */
static int compile(const char *src, char **c, char **msgs)
{
    size_t mlen, clen;
    FILE *out = open_memstream(msgs, &mlen);
    assert_non_null(out);
    *c = NULL;
    int st = driver_compile(src, (uint32_t)strlen(src), "dir/x.swl", "x.swl", "x.c", out, c, &clen);
    fclose(out);
    return st;
}

static void test_statement_kinds(void **state)
{
    (void)state;
    static const struct { const char *sql, *kind; } cases[] = {
        {"select 1", "SDB_QUERY_SELECT"},
        {"(SELECT 1)", "SDB_QUERY_SELECT"},
        {"insert into t values (1)", "SDB_QUERY_INSERT"},
        {"Update t set a = 1", "SDB_QUERY_UPDATE"},
        {"DELETE FROM t", "SDB_QUERY_DELETE"},
        {"WITH a AS (SELECT 1), b AS (DELETE FROM t RETURNING *) UPDATE t SET x = 1", "SDB_QUERY_UPDATE"},
        {"WITH RECURSIVE r AS MATERIALIZED (INSERT INTO t VALUES (1)) SELECT * FROM r", "SDB_QUERY_SELECT"},
        {"/* c */ VACUUM", "SDB_QUERY_OTHER"},
        {"MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "SDB_QUERY_OTHER"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].sql;
        assert_string_equal(sema_statement_kind(s, (uint32_t)strlen(s), 0, (uint32_t)strlen(s)),
                            cases[i].kind);
    }
}

static void test_generated_contract(void **state)
{
    (void)state;
    char *c, *msgs;
    int st = compile("workload kv { }\n"
                     "schema { CREATE TABLE kv (k int, v text); }\n"
                     "load kv rows 2 * scale { k = row; v = random_string(1, k); }\n"
                     "statement get_v: SELECT v FROM kv WHERE k = $1;\n"
                     "transaction look_up weight 2 {\n  let k = uniform(1, 10) / 2;\n  get_v(k);\n}\n",
                     &c, &msgs);
    assert_int_equal(st, DRIVER_OK);
    assert_string_equal(msgs, "");
    static const char *const want[] = {
        "edit x.swl, not this file",
        "static int tx_look_up(sdb_ctx *c, void *frame, int pc)",
        "struct frame_look_up {",
        "    int64_t v_k;",
        "#line 6 \"x.swl\"",
        "sdb_div_i64(c, sdb_gen_uniform(c, INT64_C(1), INT64_C(10), \"x.swl:6:11\"), INT64_C(2), \"x.swl:6:26\")",
        "sdb_exec(c, stmt_get_v, 1);\n    return 1;\n",
        "    case 1:\n        goto resume_1;\n",
        "    const int64_t col_k = c->row;",
        "sdb_copy_str(b, sdb_gen_string(c, INT64_C(1), col_k, \"x.swl:3:39\"));",
        "{ \"kv\", \"k, v\", 2, rows_kv, row_kv, \"x.swl:3:1\" }",
        "{ \"look_up\", 2, sizeof(struct frame_look_up), tx_look_up,\n      \"x.swl:5:1\", 1, 0.0, 0.0, NULL, NULL },",
        "static const double mix_kv[] = { 2 };",
        ".scale_query = NULL,",
        "return sdb_main(argc, argv, &workload);",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(c, want[i]))
            fail_msg("generated C lacks: %s\n----\n%s", want[i], c);
    assert_null(strstr(c, "dir/"));   /* no directory in the output */
    free(c);
    free(msgs);
}

static void test_errors_counted(void **state)
{
    (void)state;
    char *c, *msgs;
    int st = compile("workload w { }\ntransaction t { let a = x; let b = y; gett(); }\n", &c, &msgs);
    assert_int_equal(st, DRIVER_SWL_ERROR);
    assert_null(c);
    assert_non_null(strstr(msgs, "dir/x.swl:2:25: error: unknown name 'x'"));
    assert_non_null(strstr(msgs, "dir/x.swl:2:36: error: unknown name 'y'"));
    assert_non_null(strstr(msgs, "dir/x.swl:2:39: error: unknown statement 'gett'"));
    assert_non_null(strstr(msgs, "3 errors generated."));
    free(msgs);
}

static void test_deterministic(void **state)
{
    (void)state;
    const char *src = "workload w { description \"d\"; } statement s: SELECT $1;\n"
                      "transaction t { s(1.5); } mix a { t: 0.1; } mix b \"x\" { t: 3; }\n";
    char *c1, *c2, *m1, *m2;
    assert_int_equal(compile(src, &c1, &m1), DRIVER_OK);
    assert_int_equal(compile(src, &c2, &m2), DRIVER_OK);
    assert_string_equal(c1, c2);
    assert_non_null(strstr(c1, "static const double mix_a[] = { 0.1 };"));
    free(c1), free(c2), free(m1), free(m2);
}

/* The ABI 3 fields: deck mixes, limits, probes, nurand_load, headline,
 * nurand_c(). */
static void test_tpcc_fields(void **state)
{
    (void)state;
    char *c, *msgs;
    int st = compile("workload w { nurand_load: SELECT 1, 2, 3; headline no \"tpmC\"; }\n"
                     "statement s: SELECT $1;\n"
                     "transaction pay { s(1); }\n"
                     "transaction no limit 99.9% 1500ms { s(nurand_c(8191)); }\n"
                     "mix m deck { no: 10; pay: 1; }\n"
                     "probe orders \"d\": SELECT 1;\n", &c, &msgs);
    assert_int_equal(st, DRIVER_OK);
    static const char *const want[] = {
        "\"x.swl:3:1\", 1, 0.0, 0.0, NULL, NULL },",
        "\"x.swl:4:1\", 1, 99.9, 1.5, NULL, NULL },",
        "sdb_bind_int(c, 0, (c->nurand_c ? c->nurand_c[2] : 0));",
        "static const double mix_m[] = { 1, 10 };",
        "{ \"m\", \"\", mix_m, 1 },",
        "static const sdb_probe_def probes[] = {\n    {\n        \"orders\",\n        \"d\",\n"
        "        \"SELECT 1\",\n        \"x.swl:6:19\",\n        0\n    },\n};",
        "static const sdb_sql nurand_load = {\n    \"SELECT 1, 2, 3\",",
        ".abi_version = 8,",
        ".probes = probes,\n    .nprobes = 1,\n    .nurand_load = &nurand_load,\n",
        "static const int headline_txs[] = { 1 };",
        "    .headline_txs = headline_txs,\n    .nheadline_txs = 1,\n    .headline_name = \"tpmC\",",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(c, want[i]))
            fail_msg("generated C lacks: %s", want[i]);
    free(c);
    free(msgs);

    st = compile("workload w { } transaction t { }\n", &c, &msgs);
    assert_int_equal(st, DRIVER_OK);
    assert_non_null(strstr(c, "every transaction by its own weight\", mix_w, 0 },"));
    assert_non_null(strstr(c, ".probes = NULL,\n    .nprobes = 0,\n    .nurand_load = NULL,\n"
                              "    .headline_txs = NULL,\n    .nheadline_txs = 0,\n    .headline_name = NULL,"));
    free(c);
    free(msgs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_kinds),
        cmocka_unit_test(test_generated_contract),
        cmocka_unit_test(test_errors_counted),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_tpcc_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
