/* test_config.c — cmocka tests for config.c: defaults, YAML keys, flags,
 * precedence, durations, diagnostics (with their line:column) and --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn.h"
#include "util.h"

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

/* The example config of the original's README loads without a warning
 * (database.type: postgres is the one type there is). */
static void test_yaml_original_example(void **state)
{
    (void)state;
    const char *args[] = { "-c", DATA("original_readme.yaml") };
    result r = parse_args(NARGS(args), args);
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
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
    /* the keys added for the whole original configuration */
    { "var_unset.yaml", 2, "3:13",
      "error: environment variable 'SDB_TEST_UNSET_VAR' is not set (used by 'host'); set "
      "it, or give a default: ${SDB_TEST_UNSET_VAR:-VALUE}" },
    { "var_bad_ref.yaml", 2, "2:9",
      "error: invalid reference '${1BAD}' in the value of 'host': expected ${NAME} or "
      "${NAME:-default}" },
    { "var_bad_ref.yaml", 2, "3:11", "error: unterminated '${' in the value of 'dbname' "
      "(write $$ for a literal '$')" },
    { "bad_url.yaml", 2, "2:8", "error: invalid value for 'database.url': expected a libpq "
      "connection string or URI (invalid connection option \"bogus_keyword\")" },
    { "bad_url_uri.yaml", 2, "2:8", "error: invalid value for 'database.url'" },
    { "bad_connection_mode.yaml", 2, "1:18", "error: invalid value 'pooled' for "
      "'connection_mode': expected one of persistent, transient, mixed" },
    { "bad_query_timeout.yaml", 2, "2:18", "error: invalid value '600h' for "
      "'database.query_timeout': expected a duration of at most 24 days" },
    { "bad_bool.yaml", 2, "1:19", "error: invalid value 'sometimes' for 'collect_pg_stats': "
      "expected true or false" },
    { "bad_type.yaml", 2, "2:9", "error: invalid value 'mysql' for 'database.type': "
      "expected postgres (stormdb drives PostgreSQL only)" },
    { "bad_loading_mode.yaml", 2, "2:9", "error: invalid value 'magic' for "
      "'data_loading.mode': expected one of generate, sql, dump" },
    { "data_loading_scalar.yaml", 2, "1:15", "error: 'data_loading' expects a mapping" },
    { "bad_max_connections.yaml", 2, "2:20", "error: invalid value '0' for "
      "'database.max_connections': expected an integer from 1 to 10000" },
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

static void test_connections_default_and_pooled(void **state)
{
    (void)state;
    const char *only_workers[] = { "--workers", "12" };
    result r = parse_args(NARGS(only_workers), only_workers);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 12);
    result_free(&r);

    /* fewer connections than workers: the sessions share them (pooled) */
    const char *fewer[] = { "--workers", "8", "--connections", "4" };
    r = parse_args(NARGS(fewer), fewer);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 4);
    result_free(&r);
    const char *from_file[] = { "-c", DATA("connections_below_workers.yaml") };
    r = parse_args(NARGS(from_file), from_file);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 4);
    result_free(&r);
    /* more connections than workers are accepted as given (a pool maximum) */
    const char *more[] = { "--workers", "3", "--connections", "9" };
    r = parse_args(NARGS(more), more);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cfg.connections, 9);
    result_free(&r);

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
    const char *args[] = { "--connections=9", "--worke=9" };
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
/* The whole original configuration                                       */

/* Every key added takes effect in its field; none warns but the ones the
 * engine does not use yet. */
static void test_yaml_new_keys(void **state)
{
    (void)state;
    result r = load_file(DATA("every_new_key.yaml"));
    const sdb_config *c = &r.cfg;
    assert_int_equal(r.rc, 0);
    assert_string_equal(c->host, "db.example.com");
    assert_string_equal(c->sslmode, "verify-full");
    assert_string_equal(c->sslcert, "/certs/client.crt");
    assert_string_equal(c->sslkey, "/certs/client.key");
    assert_string_equal(c->sslrootcert, "/certs/ca.crt");
    assert_string_equal(c->sslpassword, "keyPassphrase9");
    assert_non_null(c->url);
    assert_non_null(c->url_opts);
    assert_true(c->connect_timeout_s == 4.5);
    assert_true(c->query_timeout_s == 2.0);
    assert_int_equal(c->max_connections, 100);
    assert_int_equal(c->max_idle_connections, 25);
    assert_true(c->conn_max_lifetime_s == 3600.0);
    assert_true(c->conn_max_idle_time_s == 900.0);
    assert_string_equal(c->mode, "read");
    assert_true(c->collect_pg_stats);
    assert_true(c->pg_stats_statements);
    assert_int_equal(c->connection_mode, SDB_CONNECTION_TRANSIENT);
    assert_int_equal(c->db_source, SDB_SRC_FILE);
    /* accepted but not used yet: one warning each, at the key
     * (connection_mode, line 21, takes effect: no warning) */
    const char *pending[] = { "13:3: warning: 'database.max_connections'",
                              "14:3: warning: 'database.max_idle_connections'",
                              "15:3: warning: 'database.connection_max_lifetime'",
                              "16:3: warning: 'database.connection_max_idle_time'",
                              "18:1: warning: 'mode'" };
    for (int i = 0; i < NARGS(pending); i++)
        assert_contains(r.out, pending[i]);
    int lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, NARGS(pending));
    assert_null(strstr(r.out, "sslcert"));
    assert_null(strstr(r.out, "keyPassphrase9"));
    result_free(&r);
}

/* Every key of the original README is accepted: each one not built is
 * reported once, located, and nothing is an error or "unknown". */
static void test_yaml_every_readme_key(void **state)
{
    (void)state;
    result r = load_file(DATA("readme_keys.yaml"));
    assert_int_equal(r.rc, 0);
    assert_null(strstr(r.out, "unknown key"));
    assert_null(strstr(r.out, "error"));
    const char *warned[] = {
        "5:3: warning: 'database.production_data_forbidden' is not supported yet; ignored",
        "6:3: warning: 'database.require_test_suffix'", "9:1: warning: 'mode'",
        "19:1: warning: 'idle_timeout'",
        "20:1: warning: 'max_lifetime'", "21:1: warning: 'batch_size'",
        "22:1: warning: 'think_time'", "23:1: warning: 'plugins'",
        "30:3: warning: 'data_loading.batch_size'",
        "31:3: warning: 'data_loading.max_memory_mb'", "32:1: warning: 'metrics'",
        "37:1: warning: 'results_backend'",
        "39:1: warning: 'test_metadata'", "41:1: warning: 'data_generation'",
        "43:1: warning: 'query_optimization'", "45:1: warning: 'security'",
        "47:1: warning: 'logging'", "49:1: warning: 'audit'",
    };
    for (int i = 0; i < NARGS(warned); i++)
        assert_contains(r.out, warned[i]);
    /* the ones that work took effect */
    assert_int_equal(r.cfg.connections, 16);        /* top level after database's */
    assert_true(r.cfg.connect_timeout_s == 30.0);   /* top-level alias */
    assert_true(r.cfg.conn_max_idle_time_s == 600.0);
    assert_true(r.cfg.conn_max_lifetime_s == 3600.0);
    assert_int_equal(r.cfg.nsettings, 1);
    result_free(&r);
}

/* ${VAR}, ${VAR:-default} (also for a set but empty VAR) and $$. */
static void test_yaml_variables(void **state)
{
    (void)state;
    setenv("SDB_TEST_HOST", "h1.example", 1);
    setenv("SDB_TEST_PW", "envPw$x", 1);
    setenv("SDB_TEST_EMPTY", "", 1);
    unsetenv("SDB_TEST_UNSET_PORT");
    result r = load_file(DATA("vars.yaml"));
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.cfg.host, "h1.example");
    assert_string_equal(r.cfg.port, "6432");
    assert_string_equal(r.cfg.dbname, "db_h1.example_x");
    assert_string_equal(r.cfg.password, "envPw$x");   /* a value's '$' is not re-expanded */
    assert_string_equal(r.cfg.workload, "alpha_write");
    assert_int_equal(r.cfg.nsettings, 1);
    assert_string_equal(r.cfg.settings[0].value, "$5 and $7");
    result_free(&r);
    unsetenv("SDB_TEST_HOST");
    unsetenv("SDB_TEST_PW");
    unsetenv("SDB_TEST_EMPTY");
    /* unset without a default: the error names the variable, nothing applies */
    r = load_file(DATA("var_unset.yaml"));
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "'SDB_TEST_UNSET_VAR' is not set");
    assert_contains(r.out, "\n    host: \"db-${SDB_TEST_UNSET_VAR}\"\n              ^\n");
    assert_int_equal(r.cfg.workers, 4);
    result_free(&r);
}

/* Saves and clears the variables that feed the database fields. */
static const char *const db_env_vars[] = {
    "STORMDB_DB_HOST", "STORMDB_DB_PORT", "STORMDB_DB_NAME", "STORMDB_DB_USER",
    "STORMDB_DB_PASSWORD", "STORMDB_DB_SSLMODE", "PGHOST", "PGPORT", "PGDATABASE",
    "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGOPTIONS", "PGCONNECT_TIMEOUT",
};

static void clear_db_env(void)
{
    for (int i = 0; i < NARGS(db_env_vars); i++)
        unsetenv(db_env_vars[i]);
}

/* flags > STORMDB_DB_* > file > PG* (libpq) > defaults, field by field. */
static void test_precedence_sources(void **state)
{
    (void)state;
    clear_db_env();
    const char *file_only[] = { "-c", DATA("full.yaml") };
    const char *file_flag[] = { "-c", DATA("full.yaml"), "--host", "flaghost", "-u", "flaguser" };

    /* file alone */
    result r = parse_args(NARGS(file_only), file_only);
    assert_int_equal(r.rc, 0);
    expect_db(&r.cfg, "db.example.com", "6543", "bench", "alice", "s3cret", "require",
              SDB_SRC_FILE);
    result_free(&r);

    /* STORMDB_DB_* over the file */
    setenv("STORMDB_DB_HOST", "envhost", 1);
    setenv("STORMDB_DB_PORT", "7000", 1);
    setenv("STORMDB_DB_NAME", "envdb", 1);
    setenv("STORMDB_DB_USER", "envuser", 1);
    setenv("STORMDB_DB_PASSWORD", "envpass", 1);
    setenv("STORMDB_DB_SSLMODE", "verify-ca", 1);
    r = parse_args(NARGS(file_only), file_only);
    assert_int_equal(r.rc, 0);
    expect_db(&r.cfg, "envhost", "7000", "envdb", "envuser", "envpass", "verify-ca",
              SDB_SRC_ENV);
    result_free(&r);

    /* flags over STORMDB_DB_* */
    r = parse_args(NARGS(file_flag), file_flag);
    assert_int_equal(r.rc, 0);
    expect_db(&r.cfg, "flaghost", "7000", "envdb", "flaguser", "envpass", "verify-ca",
              SDB_SRC_FLAG);
    result_free(&r);

    /* a bad STORMDB_DB_* value is a configuration error */
    setenv("STORMDB_DB_PORT", "99999", 1);
    setenv("STORMDB_DB_SSLMODE", "maybe", 1);
    r = parse_args(NARGS(file_only), file_only);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "stormdb-fake: error: invalid value '99999' for STORMDB_DB_PORT: "
                           "expected an integer from 1 to 65535");
    assert_contains(r.out, "invalid value 'maybe' for STORMDB_DB_SSLMODE");
    result_free(&r);
    clear_db_env();

    /* an empty STORMDB_DB_* counts as unset; PG* are libpq's: not copied,
     * so the fields stay unset and are not passed to libpq */
    setenv("STORMDB_DB_HOST", "", 1);
    setenv("PGHOST", "pghost", 1);
    setenv("PGPORT", "5999", 1);
    r = parse_args(0, NULL);
    assert_int_equal(r.rc, 0);
    expect_db(&r.cfg, NULL, NULL, NULL, NULL, NULL, NULL, SDB_SRC_DEFAULT);
    sdb_conninfo ci;
    sdb_conninfo_build(&ci, &r.cfg, "fake", NULL, 0, NULL, NULL);
    for (int i = 0; ci.keys[i]; i++) {
        assert_string_not_equal(ci.keys[i], "host");
        assert_string_not_equal(ci.keys[i], "port");
    }
    result_free(&r);
    /* ... but the file beats them */
    r = parse_args(NARGS(file_only), file_only);
    sdb_conninfo_build(&ci, &r.cfg, "fake", NULL, 0, NULL, NULL);
    PGconn *conn = PQconnectStartParams(ci.keys, ci.values, 0);
    assert_non_null(conn);
    assert_string_equal(PQhost(conn), "db.example.com");   /* not PGHOST */
    assert_string_equal(PQport(conn), "6543");
    PQfinish(conn);
    result_free(&r);
    /* and libpq applies PG* to what nothing set */
    r = parse_args(0, NULL);
    sdb_conninfo_build(&ci, &r.cfg, "fake", NULL, 0, NULL, NULL);
    conn = PQconnectStartParams(ci.keys, ci.values, 0);
    assert_non_null(conn);
    assert_string_equal(PQhost(conn), "pghost");
    assert_string_equal(PQport(conn), "5999");
    PQfinish(conn);
    result_free(&r);
    clear_db_env();
}

/* The value libpq gets for keyword from ci (the last one given), or NULL. */
static const char *ci_value(const sdb_conninfo *ci, const char *keyword)
{
    const char *v = NULL;
    for (int i = 0; ci->keys[i]; i++)
        if (strcmp(ci->keys[i], keyword) == 0)
            v = ci->values[i];
    return v;
}

/* database.* reaches libpq: the url first, every set field after it
 * (overriding), TLS files unchanged, the timeouts. */
static void test_conninfo_from_config(void **state)
{
    (void)state;
    clear_db_env();
    result r = load_file(DATA("every_new_key.yaml"));
    assert_int_equal(r.rc, 0);
    sdb_conninfo ci;
    sdb_conninfo_build(&ci, &r.cfg, "fake", NULL, 0, NULL, NULL);
    assert_string_equal(ci_value(&ci, "host"), "db.example.com");   /* field over url */
    assert_string_equal(ci_value(&ci, "port"), "7777");             /* from the url */
    assert_string_equal(ci_value(&ci, "dbname"), "urldb");
    assert_string_equal(ci_value(&ci, "user"), "urluser");
    assert_string_equal(ci_value(&ci, "password"), "urlS3cret");
    assert_string_equal(ci_value(&ci, "sslmode"), "verify-full");
    assert_string_equal(ci_value(&ci, "sslcert"), "/certs/client.crt");
    assert_string_equal(ci_value(&ci, "sslkey"), "/certs/client.key");
    assert_string_equal(ci_value(&ci, "sslrootcert"), "/certs/ca.crt");
    assert_string_equal(ci_value(&ci, "sslpassword"), "keyPassphrase9");
    assert_string_equal(ci_value(&ci, "connect_timeout"), "5");     /* 4.5 s rounded up */
    assert_string_equal(ci_value(&ci, "options"), "-c work_mem=8MB -c statement_timeout=2000");
    assert_string_equal(ci_value(&ci, "application_name"), "stormdb-fake");
    /* libpq accepts every keyword we pass */
    PGconn *conn = PQconnectStartParams(ci.keys, ci.values, 0);
    assert_non_null(conn);
    assert_string_equal(PQhost(conn), "db.example.com");
    PQfinish(conn);
    result_free(&r);

    /* defaults: connect_timeout 30, no options; $PGOPTIONS kept with a
     * query timeout */
    sdb_config c;
    sdb_config_init(&c);
    sdb_conninfo_build(&ci, &c, "fake", NULL, 0, NULL, NULL);
    assert_string_equal(ci_value(&ci, "connect_timeout"), "30");
    assert_null(ci_value(&ci, "options"));
    assert_null(ci_value(&ci, "host"));
    setenv("PGOPTIONS", "-c search_path=bench", 1);
    c.query_timeout_s = 0.0004;                      /* rounded up to 1 ms */
    c.connect_timeout_s = 1;                         /* libpq's minimum is 2 */
    sdb_conninfo_build(&ci, &c, "fake", NULL, 0, NULL, NULL);
    assert_string_equal(ci_value(&ci, "options"), "-c search_path=bench -c statement_timeout=1");
    assert_string_equal(ci_value(&ci, "connect_timeout"), "2");
    unsetenv("PGOPTIONS");
    /* PGCONNECT_TIMEOUT is respected when the config sets none */
    c.connect_timeout_s = 0;
    setenv("PGCONNECT_TIMEOUT", "7", 1);
    sdb_conninfo_build(&ci, &c, "fake", NULL, 0, NULL, NULL);
    assert_null(ci_value(&ci, "connect_timeout"));
    unsetenv("PGCONNECT_TIMEOUT");
    sdb_config_free(&c);
}

/* --print-config: every key with its value and source; secrets masked. */
static void test_print_config(void **state)
{
    (void)state;
    clear_db_env();
    setenv("STORMDB_DB_USER", "envuser", 1);
    setenv("PGPORT", "5999", 1);
    const char *args[] = { "-c", DATA("every_new_key.yaml"), "--workers", "7",
                           "-p", "flagPw1", "--print-config" };
    result r = parse_args(NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.print_config);
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    sdb_config_print(&r.cfg, &fake, out);
    fclose(out);
    const char *lines[] = {
        "  host: db.example.com            # file ", "every_new_key.yaml:5\n",
        "  port: 7777                      # database.url\n",
        "  username: envuser               # env STORMDB_DB_USER\n",
        "  password: \"********\"            # flag --password\n",
        "  sslpassword: \"********\"         # file ",
        "  url: postgresql://urluser:********@urlhost:7777/urldb?connect_timeout=9&",
        "  query_timeout: 2s               # file ",
        "workers: 7                        # flag --workers\n",
        "workload: alpha_read              # file ",
        "scale: 1                          # default\n",
        "connection_mode: transient        # file ",
    };
    for (int i = 0; i < NARGS(lines); i++)
        assert_contains(text, lines[i]);
    const char *secrets[] = { "flagPw1", "urlS3cret", "keyPassphrase9" };
    for (int i = 0; i < NARGS(secrets); i++) {
        assert_null(strstr(text, secrets[i]));
        assert_null(strstr(r.out, secrets[i]));
    }
    free(text);
    result_free(&r);

    /* PG* shown as libpq's */
    r = parse_args(0, NULL);
    out = open_memstream(&text, &len);
    sdb_config_print(&r.cfg, &fake, out);
    fclose(out);
    assert_contains(text, "  port: 5999                      # env PGPORT (libpq)\n");
    assert_contains(text, "workload: alpha_mixed             # default (the first type)\n");
    free(text);
    result_free(&r);
    clear_db_env();
    sdb_set_secret(NULL);
}

/* The scrubber masks every secret registered, the url's included. */
static void test_secrets_scrubbed(void **state)
{
    (void)state;
    sdb_set_secret(NULL);
    result r = load_file(DATA("every_new_key.yaml"));
    sdb_config_register_secrets(&r.cfg);
    sdb_set_secret("filePw");                     /* adds, as main does */
    char out[256];
    sdb_scrub(out, sizeof out, "a urlS3cret b keyPassphrase9 c filePw d");
    assert_string_equal(out, "a ******** b ******** c ******** d");
    result_free(&r);
    /* a url libpq cannot parse: its password is masked in the message */
    r = load_file(DATA("bad_url.yaml"));
    assert_int_equal(r.rc, 2);
    assert_null(strstr(r.out, "UrlPw7"));
    sdb_scrub(out, sizeof out, "password=UrlPw7");
    assert_string_equal(out, "password=********");
    result_free(&r);
    r = load_file(DATA("bad_url_uri.yaml"));
    assert_int_equal(r.rc, 2);
    assert_null(strstr(r.out, "UriPw8"));
    result_free(&r);
    sdb_set_secret(NULL);                         /* clears all */
    sdb_scrub(out, sizeof out, "filePw");
    assert_string_equal(out, "filePw");
}

/* --force, --print-config; the original's monitoring flags warn. */
static void test_new_flags(void **state)
{
    (void)state;
    const char *args[] = { "--force", "--rebuild", "--collect-pg-stats",
                           "--pg-stat-statements", "--progressive" };
    result r = parse_args(NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.force);
    assert_true(r.cfg.rebuild);
    assert_false(r.cfg.print_config);
    assert_true(r.cfg.collect_pg_stats);
    assert_true(r.cfg.pg_stats_statements);
    assert_null(strstr(r.out, "--collect-pg-stats"));
    assert_null(strstr(r.out, "--pg-stat-statements"));
    assert_true(r.cfg.progressive.enabled);
    assert_null(strstr(r.out, "--progressive"));
    result_free(&r);
}

/* The open-loop, threshold and output keys and flags. */
static void test_rate_threshold_keys(void **state)
{
    (void)state;
    const char *args[] = { "--rate", "250.5", "--latency-limit", "20", "--abort-on-fail",
                           "--hdr-log", "l.hlog", "--prometheus-port", "0",
                           "--threshold", "p99<5ms" };
    result r = parse_args(NARGS(args), args);
    assert_int_equal(r.rc, 0);
    assert_true(r.cfg.rate_tps == 250.5);
    assert_true(fabs(r.cfg.latency_limit_s - 0.020) < 1e-12);
    assert_true(r.cfg.abort_on_fail);
    assert_string_equal(r.cfg.hdr_log_path, "l.hlog");
    assert_int_equal(r.cfg.prometheus_port, 0);
    assert_int_equal(r.cfg.nthresholds, 1);
    assert_null(r.cfg.thresholds_where[0]);
    result_free(&r);

    const char *unit[] = { "--rate", "10", "--latency-limit", "500us" };
    r = parse_args(NARGS(unit), unit);
    assert_int_equal(r.rc, 0);
    assert_true(fabs(r.cfg.latency_limit_s - 0.0005) < 1e-12);
    assert_int_equal(r.cfg.prometheus_port, -1);
    result_free(&r);

    const char *no_rate[] = { "--latency-limit", "5" };
    expect_parse(NARGS(no_rate), no_rate, 2, "--latency-limit (latency_limit) needs --rate");
    const char *bad_rate[] = { "--rate", "0" };
    expect_parse(NARGS(bad_rate), bad_rate, 2, "invalid value '0' for --rate");
    const char *nan_rate[] = { "--rate", "nan" };
    expect_parse(NARGS(nan_rate), nan_rate, 2, "invalid value 'nan' for --rate");
    const char *bad_port[] = { "--prometheus-port", "70000" };
    expect_parse(NARGS(bad_port), bad_port, 2, "invalid value '70000' for --prometheus-port");

    const char *yaml = "rate: 40\nlatency_limit: 1s\nabort_on_fail: true\nhdr_log: h.log\n"
                       "prometheus_port: 9187\nthresholds:\n  - p99<5ms\n  - tps>10\n";
    size_t len;
    sdb_config_init(&r.cfg);
    FILE *err = open_memstream(&r.out, &len);
    r.rc = sdb_config_load_yaml_text(&r.cfg, "t.yaml", yaml, strlen(yaml), err);
    fclose(err);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_true(r.cfg.rate_tps == 40 && r.cfg.latency_limit_s == 1.0 && r.cfg.abort_on_fail);
    assert_int_equal(r.cfg.prometheus_port, 9187);
    assert_int_equal(r.cfg.nthresholds, 2);
    assert_string_equal(r.cfg.thresholds[1], "tps>10");
    assert_string_equal(r.cfg.thresholds_where[1], "t.yaml:8:5");
    result_free(&r);
}

/* Loads text as a config file; returns the result (messages in r.out). */
static result load_text(const char *text, size_t n)
{
    result r;
    size_t len;
    sdb_config_init(&r.cfg);
    FILE *err = open_memstream(&r.out, &len);
    assert_non_null(err);
    r.rc = sdb_config_load_yaml_text(&r.cfg, "h.yaml", text, n, err);
    fclose(err);
    return r;
}

/* Hostile files: deep nesting, huge numbers, NUL bytes, invalid UTF-8,
 * megabyte names and values.  Each is refused with a located message of
 * bounded size, quickly (deep flow nesting costs libyaml time per level). */
static void test_hostile_yaml(void **state)
{
    (void)state;
    size_t big = (size_t)1 << 20;
    char *buf = malloc(2 * big + 64);
    assert_non_null(buf);

    int n = sprintf(buf, "workers: ");
    memset(buf + n, '[', 100000);
    memset(buf + n + 100000, ']', 100000);
    result r = load_text(buf, (size_t)n + 200000);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "h.yaml:1:");
    assert_contains(r.out, "nested more than 64 deep");
    result_free(&r);

    const char *huge = "workers: 99999999999999999999999999999\nscale: -9223372036854775809\n"
                       "duration: 1e308h\nrate: 1e400\n";
    r = load_text(huge, strlen(huge));
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "h.yaml:1:10: error: invalid value");
    assert_contains(r.out, "h.yaml:2:8: error: invalid value");
    assert_contains(r.out, "h.yaml:3:11: error: invalid value");
    assert_contains(r.out, "h.yaml:4:7: error: invalid value");
    result_free(&r);

    const char nul[] = "workers: 4\0\nworkload: x\n";
    r = load_text(nul, sizeof nul - 1);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "h.yaml:1:");
    result_free(&r);

    const char utf8[] = "workload: \xff\xfe\xc3\x28\n";
    r = load_text(utf8, sizeof utf8 - 1);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "invalid YAML");
    result_free(&r);

    /* a megabyte key, a megabyte value, a megabyte variable name */
    n = sprintf(buf, "workload_config:\n  ");
    memset(buf + n, 'k', big);
    n += (int)big;
    n += sprintf(buf + n, ": 1\n");
    r = load_text(buf, (size_t)n);
    assert_int_equal(r.rc, 2);
    assert_true(strlen(r.out) < 2000);
    result_free(&r);

    n = sprintf(buf, "workload: ");
    memset(buf + n, 'v', big);
    n += (int)big;
    buf[n++] = '\n';
    r = load_text(buf, (size_t)n);
    assert_int_equal(r.rc, 0);   /* the type is checked against the workload later */
    assert_int_equal((int)strlen(r.cfg.workload), (int)big);
    result_free(&r);

    n = sprintf(buf, "workload: ${");
    memset(buf + n, 'A', big);
    n += (int)big;
    n += sprintf(buf + n, "}\n");
    r = load_text(buf, (size_t)n);
    assert_int_equal(r.rc, 2);
    assert_contains(r.out, "is not set");
    assert_true(strlen(r.out) < 2000);
    result_free(&r);
    free(buf);
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
    clear_db_env();             /* the caller's STORMDB_DB_* and PG* must not leak in */
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
        cmocka_unit_test(test_connections_default_and_pooled),
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
        cmocka_unit_test(test_yaml_new_keys),
        cmocka_unit_test(test_yaml_every_readme_key),
        cmocka_unit_test(test_yaml_variables),
        cmocka_unit_test(test_precedence_sources),
        cmocka_unit_test(test_conninfo_from_config),
        cmocka_unit_test(test_print_config),
        cmocka_unit_test(test_secrets_scrubbed),
        cmocka_unit_test(test_new_flags),
        cmocka_unit_test(test_rate_threshold_keys),
        cmocka_unit_test(test_hostile_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
