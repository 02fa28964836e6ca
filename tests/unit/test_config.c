/* test_config.c — cmocka tests for config.c: defaults, YAML keys, flags,
 * precedence, durations, diagnostics (with their line:column) and --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* ---------------------------------------------------------------------- */
/* A fake workload with three mixes; the first is the default.            */

static const sdb_mix_def fake_mixes[] = {
    { "alpha_mixed", "reads and writes", NULL, 0 },
    { "alpha_read", "reads only", NULL, 0 },
    { "alpha_write", "", NULL, 0 },
};

static const sdb_workload_def fake = {
    .abi_version = SDB_ABI_VERSION,
    .name = "fake",
    .version = "1.2",
    .description = "a workload for tests",
    .author = "",
    .source = "fake.swl",
    .mixes = fake_mixes,
    .nmixes = 3,
};

#define DATA(file) SDB_TEST_DATA "/" file
#define NARGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The result of one parse or load into a fresh config: return code,
 * everything written to err, and the config (freed by result_free). */
typedef struct result {
    int rc;
    char *out;
    sdb_config cfg;
} result;

/* Parses args (the program name is prepended) into a fresh config. */
static result parse_args(int argc, const char *const *args)
{
    /* argv is char **: the arguments are copied into writable storage */
    char storage[4096], *argv[40];
    size_t used = 0;
    assert_true(argc < 39);
    for (int i = -1; i < argc; i++) {
        const char *a = i < 0 ? "stormdb-fake" : args[i];
        size_t n = strlen(a) + 1;
        assert_true(used + n <= sizeof storage);
        argv[i + 1] = memcpy(storage + used, a, n);
        used += n;
    }
    argv[argc + 1] = NULL;
    result r;
    size_t len;
    sdb_config_init(&r.cfg);
    FILE *err = open_memstream(&r.out, &len);
    assert_non_null(err);
    r.rc = sdb_config_parse(&r.cfg, argc + 1, argv, &fake, err);
    fclose(err);
    return r;
}

/* Loads one YAML file into a fresh config. */
static result load_file(const char *path)
{
    result r;
    size_t len;
    sdb_config_init(&r.cfg);
    FILE *err = open_memstream(&r.out, &len);
    assert_non_null(err);
    r.rc = sdb_config_load_yaml(&r.cfg, path, err);
    fclose(err);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    sdb_config_free(&r->cfg);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find\n  [%s]\nin\n  [%s]", needle, haystack);
}

/* Parses args and checks the return code and that the messages contain
 * `message` (NULL: that there are none). */
static void expect_parse(int argc, const char *const *args, int rc, const char *message)
{
    result r = parse_args(argc, args);
    if (r.rc != rc)
        fail_msg("%s...: rc %d, expected %d; messages:\n%s", argc ? args[0] : "",
                 r.rc, rc, r.out);
    if (message)
        assert_contains(r.out, message);
    else
        assert_string_equal(r.out, "");
    result_free(&r);
}

/* ---------------------------------------------------------------------- */

/* Checks the database fields of c (NULL: unset) and their source. */
static void expect_db(const sdb_config *c, const char *host, const char *port,
                      const char *dbname, const char *user, const char *password,
                      const char *sslmode, sdb_source source)
{
    const char *got[] = { c->host, c->port, c->dbname, c->user, c->password, c->sslmode };
    const char *want[] = { host, port, dbname, user, password, sslmode };
    for (int i = 0; i < NARGS(got); i++) {
        if (want[i] == NULL)
            assert_null(got[i]);
        else if (got[i] == NULL || strcmp(got[i], want[i]) != 0)
            fail_msg("database field %d: got '%s', expected '%s'", i,
                     got[i] ? got[i] : "(null)", want[i]);
    }
    assert_int_equal(c->db_source, source);
}

static void test_defaults(void **state)
{
    (void)state;
    result r = parse_args(0, NULL);
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    expect_db(c, NULL, NULL, NULL, NULL, NULL, NULL, SDB_SRC_DEFAULT);
    assert_null(c->config_path);
    assert_null(c->workload);
    assert_int_equal(c->scale, 1);
    assert_false(c->scale_set);
    assert_true(c->duration_s == 30.0);
    assert_int_equal(c->workers, 4);
    assert_int_equal(c->connections, 4);
    assert_false(c->connections_set);
    assert_int_equal(c->threads, 0);
    assert_true(c->summary_interval_s == 10.0);
    assert_false(c->no_summary);
    assert_false(c->seed_set);
    assert_false(c->setup || c->rebuild || c->cleanup || c->embedded || c->keep_embedded);
    assert_false(c->help || c->version || c->list);
    assert_null(c->json_path);
    result_free(&r);
    sdb_config_free(&r.cfg);              /* freeing twice is allowed */
}

static void test_yaml_every_key(void **state)
{
    (void)state;
    result r = load_file(DATA("full.yaml"));
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    expect_db(c, "db.example.com", "6543", "bench", "alice", "s3cret", "require",
              SDB_SRC_FILE);
    assert_string_equal(c->workload, "alpha_read");
    assert_int_equal(c->scale, 1000);
    assert_true(c->scale_set);
    assert_true(c->duration_s == 5400.0);
    assert_int_equal(c->workers, 16);
    assert_int_equal(c->connections, 32);
    assert_true(c->connections_set);
    assert_true(c->summary_interval_s == 0.5);
    result_free(&r);
}

/* An empty file, a file of comments, and null values set nothing. */
static void test_yaml_empty_and_nulls(void **state)
{
    (void)state;
    const char *files[] = { DATA("empty.yaml"), DATA("comments_only.yaml"),
                            DATA("nulls.yaml") };
    for (int i = 0; i < NARGS(files); i++) {
        result r = load_file(files[i]);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.out, "");
        assert_int_equal(r.cfg.workers, 4);
        expect_db(&r.cfg, NULL, NULL, NULL, NULL, NULL, NULL, SDB_SRC_DEFAULT);
        result_free(&r);
    }
}

/* The example config of the original's README loads, with one warning. */
static void test_yaml_original_example(void **state)
{
    (void)state;
    const char *args[] = { "-c", DATA("original_readme.yaml") };
    result r = parse_args(NARGS(args), args);
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_contains(r.out, "original_readme.yaml:2:3: warning: 'database.type' is "
                           "not supported yet; ignored");
    assert_null(strstr(r.out, "yourpassword"));
    expect_db(c, "localhost", "5432", "postgres", "postgres", "yourpassword", "disable",
              SDB_SRC_FILE);
    assert_string_equal(c->workload, "alpha_mixed");
    assert_int_equal(c->workers, 4);
    assert_int_equal(c->connections, 8);
    assert_true(c->duration_s == 30.0);
    result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* The corpus of files with problems: each gives a located message.      */

typedef struct yaml_case {
    const char *file;
    int rc;
    const char *where;       /* "LINE:COL" */
    const char *message;     /* expected after "FILE:LINE:COL: " */
} yaml_case;

static const yaml_case yaml_cases[] = {
    { "bad_workers_type.yaml", 2, "2:10",
      "error: invalid value 'many' for 'workers': expected an integer from 1 to 10000" },
    { "bad_port.yaml", 2, "3:9",
      "error: invalid value '70000' for 'database.port': expected an integer from 1 to 65535" },
    { "bad_duration.yaml", 2, "1:11",
      "error: invalid value '5 parsecs' for 'duration': expected a duration such as 90s" },
    { "bad_sslmode.yaml", 2, "2:12",
      "error: invalid value 'sometimes' for 'database.sslmode': expected one of disable, "
      "allow, prefer, require, verify-ca, verify-full" },
    { "workers_zero.yaml", 2, "1:10",
      "error: invalid value '0' for 'workers': expected an integer from 1 to 10000" },
    { "scale_zero.yaml", 2, "1:8", "error: invalid value '0' for 'scale': expected an integer from 1" },
    { "mapping_for_scalar.yaml", 2, "1:1",
      "error: 'workers' expects an integer from 1 to 10000, not a mapping" },
    { "sequence_for_scalar.yaml", 2, "1:1", "error: 'duration' expects a duration" },
    { "database_scalar.yaml", 2, "1:11", "error: 'database' expects a mapping" },
    { "top_scalar.yaml", 2, "1:1", "error: the top level must be a mapping" },
    { "duplicate.yaml", 2, "3:1", "error: duplicate key 'workers' (first given at line 1)" },
    { "two_documents.yaml", 2, "3:1", "error: more than one YAML document" },
    { "syntax_error.yaml", 2, "3:6", "error: invalid YAML: did not find expected ',' or ']'" },
    { "tabs.yaml", 2, "2:1", "error: invalid YAML: found character that cannot start any token" },
    { "unknown_key.yaml", 0, "2:1", "warning: unknown key 'wrkers' (did you mean 'workers'?)" },
    { "unknown_key.yaml", 0, "4:3",
      "warning: unknown key 'database.hots' (did you mean 'database.host'?)" },
    { "unknown_key.yaml", 0, "5:1", "warning: unknown key 'frobnicate'\n" },
    { "unsupported.yaml", 0, "2:1", "warning: 'collect_pg_stats' is not supported yet; ignored" },
    { "unsupported.yaml", 0, "3:1", "warning: 'progressive' is not supported yet; ignored" },
    { "unsupported.yaml", 0, "7:3", "warning: 'database.type' is not supported yet; ignored" },
};

static void test_yaml_diagnostics(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(yaml_cases); i++) {
        const yaml_case *t = &yaml_cases[i];
        char path[512], expected[1024];
        snprintf(path, sizeof path, "%s/%s", SDB_TEST_DATA, t->file);
        snprintf(expected, sizeof expected, "%s:%s: %s", path, t->where, t->message);
        result r = load_file(path);
        if (r.rc != t->rc)
            fail_msg("%s: rc %d, expected %d; output:\n%s", t->file, r.rc, t->rc, r.out);
        assert_contains(r.out, expected);
        result_free(&r);
    }
}

/* A value error shows the source line and a caret under the column. */
static void test_yaml_source_line_and_caret(void **state)
{
    (void)state;
    result r = load_file(DATA("bad_port.yaml"));
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "\n    port: 70000\n          ^\n");
    result_free(&r);
}

/* Warnings do not stop the load: the supported keys still apply. */
static void test_yaml_warnings_keep_values(void **state)
{
    (void)state;
    result r = load_file(DATA("unknown_key.yaml"));
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.workers, 2);
    assert_null(r.cfg.host);
    result_free(&r);
}

static void test_yaml_missing_file(void **state)
{
    (void)state;
    result r = load_file(DATA("no_such_file.yaml"));
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "no_such_file.yaml: error: cannot open config file: "
                           "No such file or directory");
    result_free(&r);
    r = load_file(SDB_TEST_DATA);        /* a directory */
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "error: cannot read config file");
    result_free(&r);

    const char *args[] = { "--config", DATA("no_such_file.yaml") };
    expect_parse(NARGS(args), args, 2, "cannot open config file");
}

/* ---------------------------------------------------------------------- */
/* Flags                                                                    */

static void test_flags_set_fields(void **state)
{
    (void)state;
    const char *args[] = {
        "--host", "h1", "--port", "6000", "--dbname", "d1", "-u", "u1",
        "-p", "pw1", "--sslmode", "verify-full", "-w", "alpha_write",
        "--workers", "3", "--connections", "5", "--threads", "2", "-d", "1m30s",
        "--scale", "42", "-s", "2s", "--seed", "18446744073709551615",
        "--json", "out.json", "--setup", "-r", "--cleanup", "--embedded",
        "--keep-embedded",
    };
    result r = parse_args(NARGS(args), args);
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    expect_db(c, "h1", "6000", "d1", "u1", "pw1", "verify-full", SDB_SRC_FLAG);
    assert_string_equal(c->workload, "alpha_write");
    assert_int_equal(c->workers, 3);
    assert_int_equal(c->connections, 5);
    assert_int_equal(c->threads, 2);
    assert_true(c->duration_s == 90.0);
    assert_int_equal(c->scale, 42);
    assert_true(c->scale_set);
    assert_true(c->summary_interval_s == 2.0);
    assert_true(c->seed == UINT64_MAX);
    assert_true(c->seed_set);
    assert_string_equal(c->json_path, "out.json");
    assert_true(c->setup && c->rebuild && c->cleanup && c->embedded && c->keep_embedded);
    assert_false(c->help || c->version || c->list);
    result_free(&r);
}

/* Flags win over the file wherever they appear relative to -c; what the
 * flags leave alone comes from the file. */
static void test_flags_override_file(void **state)
{
    (void)state;
    const char *before[] = { "--workers", "10", "--host", "flaghost", "-d", "45s",
                             "-c", DATA("precedence.yaml") };
    const char *after[] = { "-c", DATA("precedence.yaml"), "--workers", "10",
                            "--host", "flaghost", "-d", "45s" };
    const char *const *orders[] = { before, after };
    for (int i = 0; i < 2; i++) {
        result r = parse_args(NARGS(before), orders[i]);
        const sdb_config *c = &r.cfg;
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.out, "");
        assert_int_equal(c->workers, 10);          /* flag */
        assert_true(c->duration_s == 45.0);        /* flag */
        assert_int_equal(c->connections, 12);      /* file */
        /* host from the flag, port and dbname from the file */
        expect_db(c, "flaghost", "5433", "filedb", NULL, NULL, NULL, SDB_SRC_FLAG);
        assert_string_equal(c->workload, "alpha_write");
        assert_int_equal(c->scale, 7);
        assert_true(c->summary_interval_s == 5.0);
        assert_string_equal(c->config_path, DATA("precedence.yaml"));
        result_free(&r);
    }
}

static void test_connections_default_and_minimum(void **state)
{
    (void)state;
    const char *only_workers[] = { "--workers", "12" };
    result r = parse_args(NARGS(only_workers), only_workers);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 12);
    result_free(&r);

    const char *fewer[] = { "--workers", "8", "--connections", "4" };
    expect_parse(NARGS(fewer), fewer, 2,
                 "stormdb-fake: error: connections (4) must be at least workers (8)");
    const char *from_file[] = { "-c", DATA("connections_below_workers.yaml") };
    expect_parse(NARGS(from_file), from_file, 2,
                 "connections (4) must be at least workers (8)");

    /* a flag can repair the file */
    const char *repaired[] = { "-c", DATA("connections_below_workers.yaml"),
                               "--connections", "8" };
    r = parse_args(NARGS(repaired), repaired);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 8);
    result_free(&r);
}

static void test_no_summary(void **state)
{
    (void)state;
    const char *flag[] = { "-s", "3s", "--no-summary" };
    const char *zero[] = { "--summary-interval", "0" };
    const char *const *cases[] = { flag, zero };
    const int nargs[] = { NARGS(flag), NARGS(zero) };
    for (int i = 0; i < 2; i++) {
        result r = parse_args(nargs[i], cases[i]);
        assert_int_equal(r.rc, 0);
        assert_true(r.cfg.no_summary);
        assert_true(r.cfg.summary_interval_s == 0.0);
        result_free(&r);
    }
}

typedef struct flag_case {
    const char *flag;
    const char *value;
    const char *message;     /* expected substring */
} flag_case;

static const flag_case bad_flags[] = {
    { "--workers", "8x", "invalid value '8x' for --workers: expected an integer from 1 to 10000" },
    { "--workers", "99999999999999999999", "invalid value '99999999999999999999' for --workers" },
    { "--workers", "0", "invalid value '0' for --workers" },
    { "--workers", "-3", "invalid value '-3' for --workers" },
    { "--workers", "", "invalid value '' for --workers" },
    { "--workers", " 8", "invalid value ' 8' for --workers" },
    { "--workers", "1_000", "invalid value '1_000' for --workers" },
    { "--connections", "10001", "invalid value '10001' for --connections" },
    { "--threads", "x", "invalid value 'x' for --threads: expected an integer from 0 to 1024" },
    { "--port", "0", "invalid value '0' for --port: expected an integer from 1 to 65535" },
    { "--port", "65536", "invalid value '65536' for --port" },
    { "--scale", "0", "invalid value '0' for --scale: expected an integer from 1" },
    { "--seed", "-1", "invalid value '-1' for --seed: expected an integer from 0 to "
                      "18446744073709551615" },
    { "--seed", "18446744073709551616", "invalid value '18446744073709551616' for --seed" },
    { "-d", "0", "invalid value '0' for --duration: expected a duration" },
    { "--duration", "5 parsecs", "invalid value '5 parsecs' for --duration" },
    { "-s", "-1s", "invalid value '-1s' for --summary-interval" },
    { "--sslmode", "bogus", "invalid value 'bogus' for --sslmode: expected one of disable" },
};

static void test_flags_reject_bad_values(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(bad_flags); i++) {
        const char *args[] = { bad_flags[i].flag, bad_flags[i].value };
        char expected[256];
        snprintf(expected, sizeof expected, "stormdb-fake: error: %s", bad_flags[i].message);
        expect_parse(2, args, 2, expected);
    }
}

typedef struct usage_case {
    const char *args[3];
    int nargs;
    const char *message;
} usage_case;

static const usage_case usage_errors[] = {
    { { "--bogus" }, 1, "stormdb-fake: error: unrecognized option '--bogus'" },
    { { "--bogus=3" }, 1, "unrecognized option '--bogus'" },
    { { "-x" }, 1, "stormdb-fake: error: invalid option '-x'" },
    { { "--workers" }, 1, "stormdb-fake: error: option '--workers' requires an argument" },
    { { "-d" }, 1, "stormdb-fake: error: option '-d' requires an argument" },
    { { "--setup=yes" }, 1, "stormdb-fake: error: option '--setup' doesn't allow an argument" },
    { { "--work", "3" }, 2, "stormdb-fake: error: option '--work' is ambiguous" },
    { { "stray" }, 1, "stormdb-fake: error: unexpected argument 'stray'" },
    { { "--workers", "4", "stray" }, 3, "unexpected argument 'stray'" },
    { { "--", "stray" }, 2, "unexpected argument 'stray'" },
};

static void test_usage_errors(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(usage_errors); i++) {
        const usage_case *t = &usage_errors[i];
        expect_parse(t->nargs, t->args, 2, t->message);
        expect_parse(t->nargs, t->args, 2, "\nTry 'stormdb-fake --help'.\n");
    }
}

/* Unique prefixes of long options are accepted, as in GNU tools. */
static void test_long_option_prefix(void **state)
{
    (void)state;
    const char *args[] = { "--conn=9", "--workers=9" };
    result r = parse_args(NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 9);
    result_free(&r);
}

static void test_workload_must_be_a_mix(void **state)
{
    (void)state;
    const char *bad[] = { "--workload", "nope" };
    expect_parse(NARGS(bad), bad, 2,
                 "stormdb-fake: error: unknown workload type 'nope' for --workload; "
                 "valid types: alpha_mixed, alpha_read, alpha_write\n");
    const char *typo[] = { "-w", "alpha_raed" };
    expect_parse(NARGS(typo), typo, 2, "(did you mean 'alpha_read'?)");
    /* from the file: located at the value */
    const char *file[] = { "-c", DATA("bad_workload.yaml") };
    expect_parse(NARGS(file), file, 2,
                 "bad_workload.yaml:1:11: error: unknown workload type 'alpha_reed' "
                 "for 'workload' (did you mean 'alpha_read'?)");

    /* ... and a flag can repair it */
    const char *fixed[] = { "-c", DATA("bad_workload.yaml"), "-w", "alpha_mixed" };
    result r = parse_args(NARGS(fixed), fixed);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.cfg.workload, "alpha_mixed");
    assert_null(r.cfg.workload_where);
    result_free(&r);
}

/* --help, --version and --list set their field and return 0 without
 * reading the file or checking the other values. */
static void test_help_version_list(void **state)
{
    (void)state;
    const char *cases[][3] = {
        { "--help", "-c", DATA("no_such_file.yaml") },
        { "-h", "--workers", "junk" },
        { "-V", "--workers", "1" },
        { "--version", "-d", "1s" },
        { "--list", "-w", "nope" },
    };
    for (int i = 0; i < NARGS(cases); i++) {
        result r = parse_args(3, cases[i]);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.out, "");
        assert_true(r.cfg.help == (i < 2));
        assert_true(r.cfg.version == (i == 2 || i == 3));
        assert_true(r.cfg.list == (i == 4));
        result_free(&r);
    }
}

/* Repeated parses in one process do not leak getopt state. */
static void test_parse_is_repeatable(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        const char *bad[] = { "-rx" };
        expect_parse(1, bad, 2, "invalid option '-x'");
        const char *good[] = { "-r", "--workers", "7" };
        result r = parse_args(NARGS(good), good);
        assert_int_equal(r.rc, 0);
        assert_true(r.cfg.rebuild);
        assert_int_equal(r.cfg.workers, 7);
        result_free(&r);
    }
}

/* The password never appears in messages: not for a bad password value,
 * not on a source line shared with another bad value. */
static void test_password_never_printed(void **state)
{
    (void)state;
    const char *files[] = { DATA("bad_password_type.yaml"), DATA("password_same_line.yaml") };
    for (int i = 0; i < NARGS(files); i++) {
        const char *args[] = { "-c", files[i], "-p", "flagsecret", "--workers", "x" };
        result r = parse_args(NARGS(args), args);
        assert_int_equal(r.rc, 2);
        assert_contains(r.out, "error:");
        assert_null(strstr(r.out, "hunter2secret"));
        assert_null(strstr(r.out, "flagsecret"));
        result_free(&r);
    }
    result r = load_file(DATA("bad_password_type.yaml"));
    assert_contains(r.out, "bad_password_type.yaml:2:3: error: 'database.password' "
                           "expects a string, not a sequence");
    result_free(&r);
    r = load_file(DATA("password_same_line.yaml"));
    assert_contains(r.out, "invalid value '99999' for 'database.port'");
    result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* Workload parameters, --check, --load-threads                            */

/* Checks setting i of c. */
static void expect_setting(const sdb_config *c, int i, const char *name, const char *value,
                           sdb_source source, const char *name_where, const char *where)
{
    assert_true(i < c->nsettings);
    const sdb_setting *st = &c->settings[i];
    assert_string_equal(st->name, name);
    assert_string_equal(st->value, value);
    assert_int_equal(st->source, source);
    if (name_where == NULL) {
        assert_null(st->name_where);
        assert_null(st->where);
    } else {
        assert_non_null(st->name_where);
        assert_non_null(st->where);
        assert_contains(st->name_where, name_where);
        assert_contains(st->where, where);
    }
}

/* workload_config keys are collected as text with their locations, in file
 * order, then the --set / -D flags in command-line order. */
static void test_settings_collected(void **state)
{
    (void)state;
    const char *args[] = { "-D", "rows=9", "-c", DATA("workload_config.yaml"),
                           "--set", "label=a=b", "--set=fast=", "-Dratio=1" };
    result r = parse_args(NARGS(args), args);
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_int_equal(c->workers, 2);
    assert_int_equal(c->nsettings, 8);
    expect_setting(c, 0, "rows", "500", SDB_SRC_FILE, "workload_config.yaml:3:3",
                   "workload_config.yaml:3:9");
    expect_setting(c, 1, "ratio", "0.25", SDB_SRC_FILE, ".yaml:4:3", ".yaml:4:10");
    expect_setting(c, 2, "label", "from file", SDB_SRC_FILE, ".yaml:5:3", ".yaml:5:10");
    expect_setting(c, 3, "fast", "yes", SDB_SRC_FILE, ".yaml:6:3", ".yaml:6:9");
    expect_setting(c, 4, "rows", "9", SDB_SRC_FLAG, NULL, NULL);
    expect_setting(c, 5, "label", "a=b", SDB_SRC_FLAG, NULL, NULL);
    expect_setting(c, 6, "fast", "", SDB_SRC_FLAG, NULL, NULL);
    expect_setting(c, 7, "ratio", "1", SDB_SRC_FLAG, NULL, NULL);
    result_free(&r);

    /* a quoted value keeps '#'; a null value is skipped (default kept) */
    r = load_file(DATA("workload_config_bad.yaml"));
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.nsettings, 2);
    expect_setting(&r.cfg, 0, "rows", "lots", SDB_SRC_FILE, ":2:3", ":2:9");
    expect_setting(&r.cfg, 1, "label", "quoted # not a comment", SDB_SRC_FILE, ":3:3",
                   ":3:10");
    result_free(&r);
}

static const yaml_case settings_cases[] = {
    { "workload_config_sequence.yaml", 2, "2:3",
      "error: 'workload_config.ratio' expects a scalar value (a number, true/false or a "
      "string), not a sequence" },
    { "workload_config_scalar.yaml", 2, "1:18",
      "error: 'workload_config' expects a mapping of the workload's parameters" },
    { "workload_config_duplicate.yaml", 2, "3:3",
      "error: duplicate key 'workload_config.rows' (first given at line 2)" },
};

static void test_settings_yaml_errors(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(settings_cases); i++) {
        const yaml_case *t = &settings_cases[i];
        char path[512], expected[1024];
        snprintf(path, sizeof path, "%s/%s", SDB_TEST_DATA, t->file);
        result r = load_file(path);
        snprintf(expected, sizeof expected, "%s:%s: %s", path, t->where, t->message);
        if (r.rc != t->rc)
            fail_msg("%s: rc %d, expected %d; messages:\n%s", t->file, r.rc, t->rc, r.out);
        assert_contains(r.out, expected);
        result_free(&r);
    }
}

static const flag_case bad_setting_flags[] = {
    { "--set", "rows", "invalid value 'rows' for --set: expected NAME=VALUE" },
    { "--set", "=5", "invalid value '=5' for --set: expected NAME=VALUE" },
    { "-D", "", "invalid value '' for --set: expected NAME=VALUE" },
    { "--load-threads", "-1", "invalid value '-1' for --load-threads: expected an integer "
                              "from 0 to 1024" },
    { "--load-threads", "1025", "invalid value '1025' for --load-threads" },
};

static void test_settings_flag_errors(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(bad_setting_flags); i++) {
        const char *args[] = { bad_setting_flags[i].flag, bad_setting_flags[i].value };
        char expected[256];
        snprintf(expected, sizeof expected, "stormdb-fake: error: %s",
                 bad_setting_flags[i].message);
        expect_parse(2, args, 2, expected);
    }
}

/* --check, --no-run and --load-threads set their fields; only -d/--duration on the
 * command line sets duration_flag (a file's duration does not). */
static void test_check_and_duration_flag(void **state)
{
    (void)state;
    const char *none[] = { "--check", "-c", DATA("full.yaml") };
    result r = parse_args(NARGS(none), none);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.check);
    assert_true(r.cfg.duration_s == 5400.0);
    assert_false(r.cfg.duration_flag);
    assert_int_equal(r.cfg.load_threads, 0);
    result_free(&r);

    const char *with[] = { "--check", "-d", "5s", "--load-threads", "3", "--no-run" };
    r = parse_args(NARGS(with), with);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.check);
    assert_true(r.cfg.no_run);
    assert_true(r.cfg.duration_flag);
    assert_int_equal(r.cfg.load_threads, 3);
    result_free(&r);

    r = parse_args(0, NULL);
    assert_false(r.cfg.check);
    assert_false(r.cfg.no_run);
    assert_false(r.cfg.duration_flag);
    assert_int_equal(r.cfg.nsettings, 0);
    result_free(&r);
}

/* --set is not an ambiguous prefix of --setup, and --setup still works. */
static void test_set_and_setup(void **state)
{
    (void)state;
    const char *args[] = { "--setup", "--set", "a=1" };
    result r = parse_args(NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.setup);
    assert_int_equal(r.cfg.nsettings, 1);
    result_free(&r);
    const char *amb[] = { "--se", "a=1" };
    expect_parse(NARGS(amb), amb, 2, "option '--se' is ambiguous");
}

/* ---------------------------------------------------------------------- */
/* Durations                                                               */

static const struct { const char *text; double seconds; } good_durations[] = {
    { "90", 90.0 }, { "90s", 90.0 }, { "1.5m", 90.0 }, { "2h", 7200.0 },
    { "1h30m", 5400.0 }, { "500ms", 0.5 }, { "1m30s", 90.0 }, { "0", 0.0 },
    { "0s", 0.0 }, { ".5s", 0.5 }, { "2.", 2.0 }, { "250us", 0.00025 },
    { "1000ns", 0.000001 }, { "30m1h", 5400.0 }, { "87600h", 315360000.0 },
};

static const char *const bad_durations[] = {
    "", "-5s", "5x", "1h-3m", "s", "h1", "5 s", " 5s", "5s ", "1..5s", "1e3s",
    "nan", "inf", "infs", "0x10s", "+5s", "87700h", "9999999999999999999999h",
    "1h30", "5S", "1d",
};

static void test_durations(void **state)
{
    (void)state;
    for (int i = 0; i < NARGS(good_durations); i++) {
        double s = -1.0;
        if (sdb_parse_duration(good_durations[i].text, &s) != 0)
            fail_msg("'%s' rejected", good_durations[i].text);
        if (s < good_durations[i].seconds * (1 - 1e-12)
            || s > good_durations[i].seconds * (1 + 1e-12))
            fail_msg("'%s' gave %.9g, expected %.9g", good_durations[i].text, s,
                     good_durations[i].seconds);
    }
    for (int i = 0; i < NARGS(bad_durations); i++) {
        double s = 123.0;
        if (sdb_parse_duration(bad_durations[i], &s) != -1)
            fail_msg("'%s' accepted as %g", bad_durations[i], s);
        assert_true(s == 123.0);
    }
    double s;
    assert_int_equal(sdb_parse_duration(NULL, &s), -1);
}

/* ---------------------------------------------------------------------- */
/* Database configured?                                                     */

static const char *const pg_vars[] = {
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"
};

static void test_db_configured(void **state)
{
    (void)state;
    char *saved[NARGS(pg_vars)];
    for (int i = 0; i < NARGS(pg_vars); i++) {
        const char *v = getenv(pg_vars[i]);
        saved[i] = v ? strdup(v) : NULL;
        unsetenv(pg_vars[i]);
    }

    sdb_config c;
    sdb_config_init(&c);
    assert_false(sdb_config_db_configured(&c));
    for (int i = 0; i < NARGS(pg_vars); i++) {
        setenv(pg_vars[i], "x", 1);
        assert_true(sdb_config_db_configured(&c));
        setenv(pg_vars[i], "", 1);              /* empty counts as unset */
        assert_false(sdb_config_db_configured(&c));
        unsetenv(pg_vars[i]);
    }
    sdb_config_free(&c);

    const char *flag[] = { "--dbname", "bench" };
    result by_flag = parse_args(NARGS(flag), flag);
    result by_file = load_file(DATA("bad_port.yaml"));     /* host set before the error */
    result type_only = load_file(DATA("unsupported.yaml")); /* database.type alone */
    assert_true(sdb_config_db_configured(&by_flag.cfg));
    assert_true(sdb_config_db_configured(&by_file.cfg));
    assert_false(sdb_config_db_configured(&type_only.cfg));
    result_free(&by_flag);
    result_free(&by_file);
    result_free(&type_only);

    for (int i = 0; i < NARGS(pg_vars); i++) {
        if (saved[i])
            setenv(pg_vars[i], saved[i], 1);
        free(saved[i]);
    }
}

/* ---------------------------------------------------------------------- */
/* --help                                                                   */

static void test_usage_text(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    sdb_config_usage(&fake, "./whatever", out);
    fclose(out);
    assert_true(strncmp(text, "stormdb-fake 1.2 - a workload for tests\n", 40) == 0);
    assert_contains(text, "Usage: stormdb-fake [OPTIONS]\n");
    const char *must[] = {
        "\nConnection", "\nWorkload:", "\nRun:", "\nSetup:", "\nOutput:", "\nMisc:",
        "-c, --config FILE", "-d, --duration D", "-w, --workload TYPE", "--workers N",
        "--connections N", "--threads N", "--host HOST", "--port PORT",
        "--dbname NAME", "-u, --username USER", "-p, --password PASSWORD",
        "--sslmode MODE", "--setup", "-r, --rebuild", "--cleanup", "--scale N",
        "-s, --summary-interval D", "--no-summary", "--seed N", "--json FILE",
        "--embedded", "--keep-embedded", "--list", "-h, --help", "-V, --version",
        "(default: alpha_mixed)", "(default: 30s)", "(default: 4)", "(default: 10s)",
        "\nWorkload types:\n", "  alpha_mixed  reads and writes (default)\n",
        "  alpha_read   reads only\n", "  alpha_write  \n",
        "PGHOST", "(as --embedded does)", "-D, --set NAME=VALUE", "--check",
        "--load-threads N", "--no-run", "workload_config",
    };
    for (int i = 0; i < NARGS(must); i++)
        assert_contains(text, must[i]);
    assert_null(strstr(text, "whatever"));
    /* lines fit in 80 columns */
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        if (nl - line > 79)
            fail_msg("line too long: %.*s", (int)(nl - line), line);
        line = nl + 1;
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_yaml_every_key),
        cmocka_unit_test(test_yaml_empty_and_nulls),
        cmocka_unit_test(test_yaml_original_example),
        cmocka_unit_test(test_yaml_diagnostics),
        cmocka_unit_test(test_yaml_source_line_and_caret),
        cmocka_unit_test(test_yaml_warnings_keep_values),
        cmocka_unit_test(test_yaml_missing_file),
        cmocka_unit_test(test_flags_set_fields),
        cmocka_unit_test(test_flags_override_file),
        cmocka_unit_test(test_connections_default_and_minimum),
        cmocka_unit_test(test_no_summary),
        cmocka_unit_test(test_flags_reject_bad_values),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_long_option_prefix),
        cmocka_unit_test(test_workload_must_be_a_mix),
        cmocka_unit_test(test_help_version_list),
        cmocka_unit_test(test_parse_is_repeatable),
        cmocka_unit_test(test_password_never_printed),
        cmocka_unit_test(test_settings_collected),
        cmocka_unit_test(test_settings_yaml_errors),
        cmocka_unit_test(test_settings_flag_errors),
        cmocka_unit_test(test_check_and_duration_flag),
        cmocka_unit_test(test_set_and_setup),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_db_configured),
        cmocka_unit_test(test_usage_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
