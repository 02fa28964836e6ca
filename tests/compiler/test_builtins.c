/* test_builtins.c — date/timestamp literal conversion, duration literals,
 * the builtin table, -Werror and list files, in process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtins.h"
#include "driver.h"

static void test_dates(void **state)
{
    (void)state;
    static const struct { const char *text; int64_t days; } ok[] = {
        {"1970-01-01", 0}, {"1970-01-02", 1}, {"1969-12-31", -1}, {"2000-02-29", 11016},
        {"2024-01-31", 19753}, {"0001-01-01", -719162}, {"9999-12-31", 2932896},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t d = 42;
        assert_true(builtin_parse_date(ok[i].text, (uint32_t)strlen(ok[i].text), &d));
        assert_int_equal(d, ok[i].days);
    }
    static const char *const bad[] = {"", "2024-1-01", "2023-02-29", "1900-02-29", "2024-13-01",
                                      "2024-00-10", "2024-04-31", "0000-01-01", "2024-01-01x",
                                      "2024/01/01", "2024-01-01 00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t d;
        assert_false(builtin_parse_date(bad[i], (uint32_t)strlen(bad[i]), &d));
    }
}

static void test_timestamps(void **state)
{
    (void)state;
    static const struct { const char *text; int64_t us; } ok[] = {
        {"1970-01-01 00:00:00", 0},
        {"1970-01-01", 0},
        {"1970-01-01T00:00:01", 1000000},
        {"1970-01-01 00:01", 60000000},
        {"2024-01-31 12:00:00", INT64_C(1706702400000000)},
        {"1970-01-01 00:00:00.5", 500000},
        {"1970-01-01 00:00:00.000001", 1},
        {"1969-12-31 23:59:59", -1000000},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t us = 42;
        assert_true(builtin_parse_timestamp(ok[i].text, (uint32_t)strlen(ok[i].text), &us));
        assert_int_equal(us, ok[i].us);
    }
    static const char *const bad[] = {"1970-01-01 24:00:00", "1970-01-01 00:60", "1970-01-01 00:00:60",
                                      "1970-01-01 0:00", "1970-01-01 00:00:00.", "1970-01-01X00:00",
                                      "1970-01-01 00:00:00.1234567", "1970-01-01 00:00:00 UTC"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us;
        assert_false(builtin_parse_timestamp(bad[i], (uint32_t)strlen(bad[i]), &us));
    }
}

/* Compiles src with options; returns the status, C (caller frees) and messages. */
static int compile(const driver_opts *o, const char *src, char **c, char **msgs)
{
    size_t mlen, clen;
    FILE *out = open_memstream(msgs, &mlen);
    assert_non_null(out);
    *c = NULL;
    int st = driver_compile_opts(o, src, (uint32_t)strlen(src), "x.swl", "x.swl", "x.c", out, c, &clen);
    fclose(out);
    return st;
}

static void test_durations(void **state)
{
    (void)state;
    char *c, *msgs;
    int st = compile(NULL, "workload w { } statement s: SELECT $1;\n"
                           "transaction t { s(500ms); s(12s); s(1.5m); s(2h); s(1_000ms); s(1e3ms); }\n",
                     &c, &msgs);
    assert_int_equal(st, DRIVER_OK);
    static const char *const want[] = {"sdb_bind_float(c, 0, 0.5);", "sdb_bind_float(c, 0, 12.0);",
                                       "sdb_bind_float(c, 0, 90.0);", "sdb_bind_float(c, 0, 7200.0);",
                                       "sdb_bind_float(c, 0, 1.0);"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(c, want[i]))
            fail_msg("generated C lacks: %s", want[i]);
    free(c);
    free(msgs);
    st = compile(NULL, "workload w { } statement s: SELECT $1;\ntransaction t { s(12sec); s(1..2); }\n",
                 &c, &msgs);
    assert_int_equal(st, DRIVER_SWL_ERROR);
    assert_non_null(strstr(msgs, "x.swl:2:19: error: malformed number '12sec'"));
    free(msgs);
}

static void test_table(void **state)
{
    (void)state;
    const builtin_def *g = builtin_find("nurand", 6);
    assert_non_null(g);
    assert_int_equal(g->min_args, 3);
    assert_string_equal(g->cfn, "sdb_gen_nurand");
    assert_null(builtin_find("nurandx", 7));
    /* every table entry is named in builtin_names() and has consistent arities */
    const char *names = builtin_names();
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, ",");
        const builtin_def *d = builtin_find(p, (uint32_t)n);
        if (!d)
            fail_msg("builtin_names() lists '%.*s' but the table does not", (int)n, p);
        assert_true(d->min_args <= d->max_args);
        assert_int_equal((int)strlen(d->args), d->max_args);
        p += n;
        p += strspn(p, ", ");
    }
}

static void test_werror_and_files(void **state)
{
    (void)state;
    const char *src = "workload w { } list l = [\"a\"]; statement s: SELECT 1; transaction t { s(); }\n";
    char *c, *msgs;
    driver_opts werror = {false, NULL, true};
    assert_int_equal(compile(NULL, src, &c, &msgs), DRIVER_OK);
    assert_non_null(strstr(msgs, "x.swl:1:21: warning: list 'l' is never used"));
    free(c);
    free(msgs);
    assert_int_equal(compile(&werror, src, &c, &msgs), DRIVER_SWL_ERROR);
    assert_non_null(strstr(msgs, "1 warning treated as errors (-Werror)"));
    free(msgs);

    /* a list file is read relative to base_dir, blank lines skipped */
    char dir[] = "/tmp/swlc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/w.txt", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("one\n\ntwo\r\n", fp);
    fclose(fp);
    const char *lsrc = "workload w { } list l = file \"w.txt\"; statement s: SELECT $1;\n"
                       "transaction t { s(choose(l)); }\n";
    driver_opts files = {true, dir, false};
    assert_int_equal(compile(&files, lsrc, &c, &msgs), DRIVER_OK);
    assert_non_null(strstr(c, "{ \"one\", 3 },\n    { \"two\", 3 },\n};"));
    free(c);
    free(msgs);
    driver_opts nofiles = {false, NULL, false};
    assert_int_equal(compile(&nofiles, lsrc, &c, &msgs), DRIVER_SWL_ERROR);
    assert_non_null(strstr(msgs, "x.swl:1:30: error: list files cannot be read"));
    free(msgs);
    unlink(path);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("\n\n", fp);
    fclose(fp);
    assert_int_equal(compile(&files, lsrc, &c, &msgs), DRIVER_SWL_ERROR);
    assert_non_null(strstr(msgs, "has no items"));
    free(msgs);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_werror_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
