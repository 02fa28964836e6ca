/* test_lexer.c — the .swl lexer and the embedded-SQL scanner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lex.h"

/* Kinds of all tokens of s, up to max; returns the count. */
static int kinds(const char *s, int *out, int max)
{
    uint32_t len = (uint32_t)strlen(s), pos = 0;
    int n = 0;
    while (n < max) {
        lex_token t = lex_next(s, len, pos);
        out[n++] = t.kind;
        if (t.kind == LEX_EOF)
            break;
        pos = t.off + t.len;
    }
    return n;
}

static void test_keywords_and_punctuation(void **state)
{
    (void)state;
    int k[16];
    int n = kinds("transaction t weight 2 { let x = -1.5e3; } -- c\n/* c */ %", k, 16);
    int want[] = {TK_TRANSACTION, TK_IDENT, TK_WEIGHT, TK_INT, TK_LBRACE, TK_LET, TK_IDENT,
                  TK_ASSIGN, TK_MINUS, TK_FLOAT, TK_SEMI, TK_RBRACE, TK_PERCENT, LEX_EOF};
    assert_int_equal(n, 14);
    assert_memory_equal(k, want, sizeof want);
}

static void test_numbers(void **state)
{
    (void)state;
    lex_token t = lex_next("100_000", 7, 0);
    assert_int_equal(t.kind, TK_INT);
    assert_int_equal(t.len, 7);
    assert_int_equal(t.err, LEX_OK);
    t = lex_next("12abc", 5, 0);
    assert_int_equal(t.err, LEX_E_BAD_NUMBER);
    assert_int_equal(t.len, 5);
    t = lex_next("1_", 2, 0);
    assert_int_equal(t.err, LEX_E_BAD_NUMBER);
    t = lex_next("2.5E+4", 6, 0);
    assert_int_equal(t.kind, TK_FLOAT);
    assert_int_equal(t.len, 6);
}

static void test_strings(void **state)
{
    (void)state;
    const char *s = "\"a\\\"b\\n\"";
    lex_token t = lex_next(s, (uint32_t)strlen(s), 0);
    assert_int_equal(t.kind, TK_STRING);
    assert_int_equal(t.err, LEX_OK);
    char buf[16];
    uint32_t n;
    assert_true(lex_string_value(s, t, buf, &n) < 0);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "a\"b\n", 4);
    t = lex_next("\"open\nx", 7, 0);
    assert_int_equal(t.err, LEX_E_UNTERMINATED_STRING);
    assert_int_equal(t.len, 5);
    t = lex_next("\"\\q\"", 4, 0);
    assert_int_equal(lex_string_value("\"\\q\"", t, buf, &n), 1);
}

static void test_errors_and_eof(void **state)
{
    (void)state;
    lex_token t = lex_next("/* never closed", 15, 0);
    assert_int_equal(t.kind, LEX_EOF);
    assert_int_equal(t.err, LEX_E_UNTERMINATED_COMMENT);
    char nul[4] = {'a', '\0', 'b', '\0'};
    t = lex_next(nul, 3, 1);
    assert_int_equal(t.kind, LEX_ILLEGAL);
    assert_int_equal(t.off, 1);
    t = lex_next(nul, 3, 2);
    assert_int_equal(t.kind, TK_IDENT);
    t = lex_next("\xc3\xa9\xff x", 5, 0);
    assert_int_equal(t.kind, LEX_ILLEGAL);
    assert_int_equal(t.len, 3);
}

static void test_long_identifier(void **state)
{
    (void)state;
    size_t len = 1u << 20;
    char *s = malloc(len + 1);
    assert_non_null(s);
    memset(s, 'a', len);
    s[len] = '\0';
    lex_token t = lex_next(s, (uint32_t)len, 0);
    assert_int_equal(t.kind, TK_IDENT);
    assert_int_equal(t.len, len);
    assert_int_equal(t.err, LEX_E_LONG_IDENT);
    free(s);
}

/* The SQL command at the start of s. */
static lex_sql_cmd cmd(const char *s, bool in_block)
{
    return lex_sql_command(s, (uint32_t)strlen(s), 0, in_block);
}

static void test_sql_command_end(void **state)
{
    (void)state;
    const char *s1 = "  SELECT ';', \"a;\", $$;$$, $t$ ; $t$, (1;2) -- ;\n ; rest";
    lex_sql_cmd c = cmd(s1, false);
    assert_int_equal(c.end, LEX_SQL_END_SEMI);
    assert_int_equal(c.off, 2);
    assert_int_equal(c.err, LEX_OK);
    assert_int_equal(c.off + c.len, (uint32_t)(strstr(s1, ") --") - s1) + 1);
    assert_int_equal(c.end_off, (uint32_t)(strstr(s1, " ; rest") - s1) + 1);
    c = cmd("E'\\';' ; x", false);
    assert_int_equal(c.end, LEX_SQL_END_SEMI);
    assert_int_equal(c.len, 6);
    c = cmd("a } b; c", true);
    assert_int_equal(c.end, LEX_SQL_END_RBRACE);
    assert_int_equal(c.len, 1);
    c = cmd("a /* /* } */ } */ b }", true);
    assert_int_equal(c.end, LEX_SQL_END_RBRACE);
    assert_int_equal(c.end_off, 20);
}

static void test_sql_unterminated(void **state)
{
    (void)state;
    lex_sql_cmd c = cmd("SELECT 'abc;", false);
    assert_int_equal(c.end, LEX_SQL_END_EOF);
    assert_int_equal(c.err, LEX_E_SQL_STRING);
    assert_int_equal(c.err_off, 7);
    c = cmd("SELECT $q$ x; $r$", false);
    assert_int_equal(c.err, LEX_E_SQL_DOLLAR);
    c = cmd("SELECT \"x", false);
    assert_int_equal(c.err, LEX_E_SQL_QUOTED_IDENT);
    c = cmd("SELECT /* x", false);
    assert_int_equal(c.err, LEX_E_SQL_COMMENT);
    c = cmd("   ", false);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.end, LEX_SQL_END_EOF);
}

static void test_sql_params(void **state)
{
    (void)state;
    const char *s = "x$1 $12 '$3' $a$ $4 $a$";
    lex_sql_token t = lex_sql_next(s, (uint32_t)strlen(s), 0);
    assert_int_equal(t.kind, LEX_SQL_WORD);   /* x$1 is one identifier */
    t = lex_sql_next(s, (uint32_t)strlen(s), t.off + t.len);
    assert_int_equal(t.kind, LEX_SQL_PARAM);
    assert_int_equal(t.len, 3);
    t = lex_sql_next(s, (uint32_t)strlen(s), t.off + t.len);
    assert_int_equal(t.kind, LEX_SQL_STRING);
    t = lex_sql_next(s, (uint32_t)strlen(s), t.off + t.len);
    assert_int_equal(t.kind, LEX_SQL_STRING);
    t = lex_sql_next(s, (uint32_t)strlen(s), t.off + t.len);
    assert_int_equal(t.kind, LEX_SQL_EOF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_and_punctuation),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_errors_and_eof),
        cmocka_unit_test(test_long_identifier),
        cmocka_unit_test(test_sql_command_end),
        cmocka_unit_test(test_sql_unterminated),
        cmocka_unit_test(test_sql_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
