/* test_params.c — cmocka tests for params.c: typed parsing of parameter
 * values, precedence (default < workload_config < --set), located errors,
 * the "parameters:" line, and the NURand constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "params.h"

/* ---------------------------------------------------------------------- */
/* A fake workload with one parameter of each type.                        */

static const sdb_mix_def fake_mixes[] = { { "p_mixed", "", NULL, 0 } };

static const sdb_param_def fake_params[] = {
    { "rows", SDB_T_INT, "1000", "p.swl:2:1" },
    { "ratio", SDB_T_FLOAT, "0.5", "p.swl:3:1" },
    { "label", SDB_T_STRING, "none", "p.swl:4:1" },
    { "fast", SDB_T_BOOL, "false", "p.swl:5:1" },
};

static const sdb_workload_def fake = {
    .abi_version = SDB_ABI_VERSION,
    .name = "p",
    .source = "p.swl",
    .mixes = fake_mixes,
    .nmixes = 1,
    .params = fake_params,
    .nparams = 4,
};

#define DATA(file) SDB_TEST_DATA "/" file
#define NARGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum { ROWS, RATIO, LABEL, FAST };

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find\n  [%s]\nin\n  [%s]", needle, haystack);
}

/* ---------------------------------------------------------------------- */
/* Typed parsing                                                            */

typedef struct good_case {
    sdb_type type;
    const char *text;
    int64_t i;          /* int, bool */
    double f;           /* float */
} good_case;

static const good_case good[] = {
    { SDB_T_INT, "0", 0, 0 },
    { SDB_T_INT, "-5", -5, 0 },
    { SDB_T_INT, "+7", 7, 0 },
    { SDB_T_INT, "1_000", 1000, 0 },
    { SDB_T_INT, "9223372036854775807", INT64_MAX, 0 },
    { SDB_T_INT, "-9223372036854775808", INT64_MIN, 0 },
    { SDB_T_FLOAT, "1.5", 0, 1.5 },
    { SDB_T_FLOAT, "-2e-3", 0, -2e-3 },
    { SDB_T_FLOAT, "7", 0, 7.0 },
    { SDB_T_FLOAT, ".5", 0, 0.5 },
    { SDB_T_FLOAT, "5.", 0, 5.0 },
    { SDB_T_FLOAT, "2.5E+4", 0, 25000.0 },
    { SDB_T_BOOL, "true", 1, 0 },
    { SDB_T_BOOL, "FALSE", 0, 0 },
    { SDB_T_BOOL, "On", 1, 0 },
    { SDB_T_BOOL, "off", 0, 0 },
    { SDB_T_BOOL, "yes", 1, 0 },
    { SDB_T_BOOL, "NO", 0, 0 },
    { SDB_T_BOOL, "1", 1, 0 },
    { SDB_T_BOOL, "0", 0, 0 },
};

static void test_parse_good(void **state)
{
    (void)state;
    for (int k = 0; k < NARGS(good); k++) {
        sdb_value v;
        const char *expects = NULL;
        if (sdb_params_parse(good[k].type, good[k].text, &v, &expects) != 0)
            fail_msg("'%s' rejected as %s", good[k].text, sdb_params_type_name(good[k].type));
        assert_int_equal(v.type, good[k].type);
        if (good[k].type == SDB_T_FLOAT) {
            if (v.f != good[k].f)
                fail_msg("'%s' gave %.17g", good[k].text, v.f);
        } else if (v.i != good[k].i) {
            fail_msg("'%s' gave %lld", good[k].text, (long long)v.i);
        }
    }
}

typedef struct bad_case {
    sdb_type type;
    const char *text;
    const char *expects;    /* substring of the phrase */
} bad_case;

static const bad_case bad[] = {
    { SDB_T_INT, "", "an integer from -9223372036854775808 to 9223372036854775807" },
    { SDB_T_INT, " 1", "an integer" },
    { SDB_T_INT, "1 ", "an integer" },
    { SDB_T_INT, "1x", "an integer" },
    { SDB_T_INT, "9223372036854775808", "an integer" },
    { SDB_T_INT, "-9223372036854775809", "an integer" },
    { SDB_T_INT, "0x10", "an integer" },
    { SDB_T_INT, "1.0", "an integer" },
    { SDB_T_INT, "_1", "an integer" },
    { SDB_T_INT, "1_", "an integer" },
    { SDB_T_INT, "-", "an integer" },
    { SDB_T_FLOAT, "", "a finite decimal number" },
    { SDB_T_FLOAT, "nan", "a finite decimal number" },
    { SDB_T_FLOAT, "inf", "a finite decimal number" },
    { SDB_T_FLOAT, "0x1p3", "a finite decimal number" },
    { SDB_T_FLOAT, "1e", "a finite decimal number" },
    { SDB_T_FLOAT, "1e400", "a finite decimal number" },
    { SDB_T_FLOAT, " 1", "a finite decimal number" },
    { SDB_T_FLOAT, ".", "a finite decimal number" },
    { SDB_T_FLOAT, "1.5x", "a finite decimal number" },
    { SDB_T_BOOL, "2", "true, false, on, off, yes, no, 1 or 0" },
    { SDB_T_BOOL, "tru", "true, false" },
    { SDB_T_BOOL, "", "true, false" },
};

static void test_parse_bad(void **state)
{
    (void)state;
    for (int k = 0; k < NARGS(bad); k++) {
        sdb_value v = { .type = SDB_T_INT, .i = 42 };
        const char *expects = NULL;
        if (sdb_params_parse(bad[k].type, bad[k].text, &v, &expects) != -1)
            fail_msg("'%s' accepted as %s", bad[k].text, sdb_params_type_name(bad[k].type));
        assert_int_equal(v.i, 42);            /* untouched */
        assert_non_null(expects);
        assert_contains(expects, bad[k].expects);
    }
}

/* Strings are taken as they are, the empty string included. */
static void test_parse_string(void **state)
{
    (void)state;
    const char *texts[] = { "", " spaced ", "1", "ünïcode" };
    for (int k = 0; k < NARGS(texts); k++) {
        sdb_value v;
        const char *expects;
        assert_int_equal(sdb_params_parse(SDB_T_STRING, texts[k], &v, &expects), 0);
        assert_ptr_equal(v.s.ptr, texts[k]);
        assert_int_equal(v.s.len, strlen(texts[k]));
    }
}

/* ---------------------------------------------------------------------- */
/* Resolving: a config parsed from arguments, then sdb_params_resolve.     */

typedef struct resolved {
    int rc;             /* of config parse, else of resolve */
    char *out;          /* every message */
    sdb_config cfg;
    sdb_params p;
} resolved;

static resolved resolve_args(const sdb_workload_def *w, int argc, const char *const *args)
{
    char storage[4096], *argv[40];
    size_t used = 0;
    assert_true(argc < 39);
    for (int i = -1; i < argc; i++) {
        const char *a = i < 0 ? "stormdb-p" : args[i];
        size_t n = strlen(a) + 1;
        assert_true(used + n <= sizeof storage);
        argv[i + 1] = memcpy(storage + used, a, n);
        used += n;
    }
    argv[argc + 1] = NULL;
    resolved r;
    size_t len;
    memset(&r.p, 0, sizeof r.p);
    sdb_config_init(&r.cfg);
    FILE *err = open_memstream(&r.out, &len);
    assert_non_null(err);
    r.rc = sdb_config_parse(&r.cfg, argc + 1, argv, w, err);
    if (r.rc == 0)
        r.rc = sdb_params_resolve(&r.p, w, &r.cfg, "stormdb-p", err);
    fclose(err);
    return r;
}

static void resolved_free(resolved *r)
{
    free(r->out);
    sdb_params_free(&r->p);
    sdb_params_free(&r->p);                /* twice is allowed */
    sdb_config_free(&r->cfg);
}

static void test_defaults(void **state)
{
    (void)state;
    resolved r = resolve_args(&fake, 0, NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_int_equal(r.p.n, 4);
    assert_int_equal(r.p.values[ROWS].type, SDB_T_INT);
    assert_int_equal(r.p.values[ROWS].i, 1000);
    assert_true(r.p.values[RATIO].f == 0.5);
    assert_int_equal(r.p.values[LABEL].s.len, 4);
    assert_memory_equal(r.p.values[LABEL].s.ptr, "none", 4);
    assert_int_equal(r.p.values[FAST].i, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.p.source[i], SDB_SRC_DEFAULT);
        assert_null(r.p.where[i]);
    }
    resolved_free(&r);
}

/* default < workload_config < --set; -D is --set; the last flag wins; flags
 * win whether they come before or after -c. */
static void test_precedence(void **state)
{
    (void)state;
    const char *file_only[] = { "-c", DATA("workload_config.yaml") };
    resolved r = resolve_args(&fake, NARGS(file_only), file_only);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_int_equal(r.p.values[ROWS].i, 500);
    assert_true(r.p.values[RATIO].f == 0.25);
    assert_string_equal(r.p.text[LABEL], "from file");
    assert_int_equal(r.p.values[LABEL].s.len, 9);
    assert_int_equal(r.p.values[FAST].i, 1);
    assert_int_equal(r.p.source[ROWS], SDB_SRC_FILE);
    assert_non_null(r.p.where[ROWS]);
    assert_contains(r.p.where[ROWS], "workload_config.yaml:3:9");
    resolved_free(&r);

    const char *before[] = { "--set", "rows=7", "-D", "label=flag", "-c",
                             DATA("workload_config.yaml"), "-D", "rows=8" };
    const char *after[] = { "-c", DATA("workload_config.yaml"), "--set", "rows=7",
                            "-D", "label=flag", "-D", "rows=8" };
    const char *const *orders[] = { before, after };
    for (int k = 0; k < 2; k++) {
        r = resolve_args(&fake, NARGS(before), orders[k]);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.p.values[ROWS].i, 8);            /* the last flag */
        assert_int_equal(r.p.source[ROWS], SDB_SRC_FLAG);
        assert_null(r.p.where[ROWS]);
        assert_string_equal(r.p.text[LABEL], "flag");
        assert_int_equal(r.p.source[LABEL], SDB_SRC_FLAG);
        assert_true(r.p.values[RATIO].f == 0.25);           /* the file */
        assert_int_equal(r.p.source[RATIO], SDB_SRC_FILE);
        resolved_free(&r);
    }

    /* a value may hold '=' and be empty */
    const char *eq[] = { "--set", "label=a=b", "-D", "rows=-3" };
    r = resolve_args(&fake, NARGS(eq), eq);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.text[LABEL], "a=b");
    assert_int_equal(r.p.values[ROWS].i, -3);
    resolved_free(&r);
    const char *empty[] = { "--set", "label=" };
    r = resolve_args(&fake, NARGS(empty), empty);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.p.values[LABEL].s.len, 0);
    resolved_free(&r);
}

typedef struct error_case {
    const char *args[4];
    int nargs;
    const char *message;
} error_case;

static const error_case errors[] = {
    { { "--set", "rowz=5" }, 2,
      "stormdb-p: error: unknown parameter 'rowz' for --set (did you mean 'rows'?); "
      "workload p has parameters: rows (int), ratio (float), label (string), fast (bool)\n" },
    { { "-D", "zzzzzz=1" }, 2, "unknown parameter 'zzzzzz' for --set; workload p has" },
    { { "--set", "rows=lots" }, 2,
      "stormdb-p: error: invalid value 'lots' for --set rows (a parameter of type int): "
      "expected an integer from -9223372036854775808 to 9223372036854775807\n" },
    { { "--set", "rows=9223372036854775808" }, 2, "invalid value '9223372036854775808'" },
    { { "--set", "ratio=fast" }, 2, "for --set ratio (a parameter of type float)" },
    { { "--set", "fast=maybe" }, 2, "expected true, false, on, off, yes, no, 1 or 0" },
    { { "-c", DATA("workload_config_unknown.yaml") }, 2,
      "workload_config_unknown.yaml:3:3: error: unknown parameter 'rowz' in "
      "workload_config (did you mean 'rows'?); workload p has parameters: rows (int)" },
    { { "-c", DATA("workload_config_bad.yaml") }, 2,
      "workload_config_bad.yaml:2:9: error: invalid value 'lots' for "
      "workload_config.rows (a parameter of type int)" },
    /* a flag does not repair a bad file value: every error is reported */
    { { "-c", DATA("workload_config_bad.yaml"), "-D", "rows=1" }, 4,
      "workload_config_bad.yaml:2:9: error: invalid value 'lots'" },
    { { "--set", "rows=1", "-D", "nope=2" }, 4, "unknown parameter 'nope'" },
};

static void test_errors(void **state)
{
    (void)state;
    for (int k = 0; k < NARGS(errors); k++) {
        resolved r = resolve_args(&fake, errors[k].nargs, errors[k].args);
        if (r.rc != 2)
            fail_msg("case %d: rc %d, messages:\n%s", k, r.rc, r.out);
        assert_contains(r.out, errors[k].message);
        assert_int_equal(r.p.n, 0);                          /* emptied */
        resolved_free(&r);
    }
}

/* Every bad setting is reported, not only the first. */
static void test_every_error_reported(void **state)
{
    (void)state;
    const char *args[] = { "-D", "a=1", "-D", "rows=x", "-D", "b=2" };
    resolved r = resolve_args(&fake, NARGS(args), args);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "unknown parameter 'a'");
    assert_contains(r.out, "invalid value 'x'");
    assert_contains(r.out, "unknown parameter 'b'");
    resolved_free(&r);
}

/* A workload without parameters says so. */
static void test_no_parameters(void **state)
{
    (void)state;
    sdb_workload_def none = fake;
    none.params = NULL;
    none.nparams = 0;
    const char *args[] = { "--set", "x=1" };
    resolved r = resolve_args(&none, NARGS(args), args);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "unknown parameter 'x' for --set; workload p has no parameters\n");
    resolved_free(&r);
    r = resolve_args(&none, 0, NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.p.n, 0);
    resolved_free(&r);
}

/* A default that does not parse is the compiler's bug: an internal error. */
static void test_bad_default(void **state)
{
    (void)state;
    static const sdb_param_def broken[] = { { "n", SDB_T_INT, "four", "b.swl:1:1" } };
    sdb_workload_def w = fake;
    w.params = broken;
    w.nparams = 1;
    resolved r = resolve_args(&w, 0, NULL);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "internal error: b.swl:1:1: the default 'four' of parameter 'n'");
    resolved_free(&r);
}

static void test_describe(void **state)
{
    (void)state;
    const char *args[] = { "-c", DATA("workload_config.yaml"), "-D", "rows=4",
                           "--set", "ratio=0.1" };
    resolved r = resolve_args(&fake, NARGS(args), args);
    assert_int_equal(r.rc, 0);
    char line[256];
    sdb_params_describe(&r.p, &fake, line, sizeof line);
    assert_string_equal(line, "rows=4 (--set), ratio=0.1 (--set), label=\"from file\" "
                              "(workload_config), fast=true (workload_config)");
    char small[20];
    sdb_params_describe(&r.p, &fake, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small + sizeof small - 4, "...");
    resolved_free(&r);

    r = resolve_args(&fake, 0, NULL);
    sdb_params_describe(&r.p, &fake, line, sizeof line);
    assert_string_equal(line, "rows=1000 (default), ratio=0.5 (default), "
                              "label=\"none\" (default), fast=false (default)");
    resolved_free(&r);
}

/* Canonical texts: shortest exact float, true/false for bools. */
static void test_canonical_text(void **state)
{
    (void)state;
    const char *args[] = { "-D", "ratio=0.1e1", "-D", "fast=ON", "-D", "rows=+1_0" };
    resolved r = resolve_args(&fake, NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.text[RATIO], "1");
    assert_string_equal(r.p.text[FAST], "true");
    assert_string_equal(r.p.text[ROWS], "10");
    resolved_free(&r);
    const char *third[] = { "-D", "ratio=0.3333333333333333" };
    r = resolve_args(&fake, NARGS(third), third);
    assert_int_equal(r.rc, 0);
    assert_true(strtod(r.p.text[RATIO], NULL) == r.p.values[RATIO].f);
    resolved_free(&r);
}

/* --help lists the parameters with their types and defaults. */
static void test_usage_lists_parameters(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    sdb_config_usage(&fake, "stormdb-p", out);
    fclose(out);
    assert_contains(text, "\nParameters (--set NAME=VALUE):\n"
                          "  rows   int     default: 1000\n"
                          "  ratio  float   default: 0.5\n"
                          "  label  string  default: none\n"
                          "  fast   bool    default: false\n");
    free(text);
}

/* ---------------------------------------------------------------------- */
/* NURand constants                                                         */

static void test_nurand(void **state)
{
    (void)state;
    int64_t seen_low = 0, seen_high = 0;
    for (uint64_t seed = 0; seed < 20000; seed++) {
        int64_t load[3], run[3];
        sdb_params_nurand(seed, load, run);
        const int64_t a[3] = { 255, 1023, 8191 };
        for (int i = 0; i < 3; i++) {
            assert_in_range(load[i], 0, a[i]);
            assert_in_range(run[i], 0, a[i]);
        }
        int64_t delta = llabs(run[0] - load[0]);
        if (delta < 65 || delta > 119 || delta == 96 || delta == 112)
            fail_msg("seed %llu: C-Load %lld, C-Run %lld (delta %lld)",
                     (unsigned long long)seed, (long long)load[0], (long long)run[0],
                     (long long)delta);
        if (load[0] == 0)
            seen_low++;
        if (load[0] == 255)
            seen_high++;
        int64_t again_load[3], again_run[3];
        sdb_params_nurand(seed, again_load, again_run);
        assert_memory_equal(load, again_load, sizeof load);
        assert_memory_equal(run, again_run, sizeof run);
    }
    /* both ends of [0, 255] occur (the rule holds there too) */
    assert_true(seen_low > 0 && seen_high > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_string),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_every_error_reported),
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_bad_default),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_usage_lists_parameters),
        cmocka_unit_test(test_nurand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
