/*
 * test_report.c — the reports of a made-up open-loop run: the JSON states
 * the load model, service time, schedule lag, skipped arrivals, the
 * per-thread and per-session breakdowns and the evaluated thresholds; the
 * console names the load model and summarizes the sessions in one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "report.h"
#include "stats.h"
#include "threshold.h"
#include "worker.h"

static int tx_none(sdb_ctx *c, void *frame, int pc)
{
    (void)c;
    (void)frame;
    (void)pc;
    return 0;
}

static const sdb_stmt_def stmts[] = {
    {"one", "SELECT 1", 0, SDB_QUERY_SELECT, "t:1:1"},
};
static const sdb_tx_def txs[] = {
    {"a", 1, 0, tx_none, "t:2:1", 1, 0, 0, NULL, NULL},
    {"b", 1, 0, tx_none, "t:3:1", 1, 0, 0, NULL, NULL},
};
static const double weights[] = {1, 1};
static const sdb_mix_def mixes[] = {{"ab", "", weights, 0}};
static const sdb_workload_def wl = {
    .abi_version = SDB_ABI_VERSION, .name = "rep", .version = "", .description = "",
    .author = "", .source = "t", .stmts = stmts, .nstmts = 1, .txs = txs, .ntxs = 2,
    .mixes = mixes, .nmixes = 1,
};

#define MS INT64_C(1000000)

typedef struct fixture {
    sdb_config cfg;
    sdb_run_result r;
    sdb_threshold th[3];
    sdb_report_info ri;
} fixture;

/* A 10 s run at 100 tps over 2 threads of 2 and 1 sessions: transaction
 * a completes 6 times (latency = lag + service), b fails once; 3 arrivals
 * were skipped. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->cfg.workers = 3;
    f->cfg.connections = 3;
    f->cfg.duration_s = 10;
    sdb_run_result *r = &f->r;
    assert_true(sdb_stats_init(&r->stats, 2, 0, 1));
    r->elapsed_ns = INT64_C(10000000000);
    r->rate_tps = 100;
    r->latency_limit_ns = 50 * MS;
    r->threads = 2;
    r->nworkers = 3;
    r->thread_stats = calloc(2, sizeof *r->thread_stats);
    r->workers = calloc(3, sizeof *r->workers);
    assert_non_null(r->thread_stats);
    assert_non_null(r->workers);
    r->thread_stats[0].sessions = 2;
    r->thread_stats[1].sessions = 1;
    for (int i = 0; i < 2; i++)
        assert_non_null(r->thread_stats[i].latency = sdb_hist_new());
    /* worker w (0..2) completes w + 1 transactions of 10 * (w + 1) ms */
    for (int w = 0; w < 3; w++) {
        int th = w < 2 ? 0 : 1;
        for (int k = 0; k <= w; k++) {
            int64_t lat = 10 * (w + 1) * MS, lag = 2 * MS;
            r->stats.tx[0].ok++;
            sdb_hist_record(r->stats.tx[0].latency, lat);
            sdb_hist_record(r->stats.latency, lat);
            sdb_hist_record(r->stats.service_time, lat - lag);
            sdb_hist_record(r->stats.schedule_lag, lag);
            sdb_hist_record(r->thread_stats[th].latency, lat);
            sdb_unit_done(&r->workers[w], false, lat);
        }
        sdb_unit_merge(&r->thread_stats[th].u, &r->workers[w]);
    }
    r->stats.tx[1].failed = 1;
    r->workers[2].failed = 1;
    r->thread_stats[1].u.failed = 1;
    r->stats.skipped = 3;
    r->stats.not_started = 2;
    const char *texts[] = {"p99<25ms", "b.error_rate<10%", "tps>1"};
    char err[256];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sdb_threshold_parse(texts[i], &wl, &f->th[i], err, sizeof err), 0);
        sdb_threshold_eval(&f->th[i], &r->stats, 10);
    }
    f->ri = (sdb_report_info){
        .w = &wl, .cfg = &f->cfg, .mix = 0, .scale = 1, .threads = 2, .seed = 7,
        .target = "host=x", .server_version = "15.0", .thresholds = f->th, .nthresholds = 3,
    };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sdb_run_result_free(&f->r);
    free(f);
    return 0;
}

static json_t *get(json_t *root, const char *path)
{
    json_t *v = root;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = strtok(buf, "."); p && v; p = strtok(NULL, "."))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(p)) : json_object_get(v, p);
    if (!v)
        fail_msg("no value at %s", path);
    return v;
}

static double num(json_t *root, const char *path)
{
    return json_number_value(get(root, path));
}

static const char *str(json_t *root, const char *path)
{
    json_t *v = get(root, path);
    return json_is_string(v) ? json_string_value(v) : "(not a string)";
}

/* The fixture's JSON report, written to a temporary file and read back. */
static json_t *report_json(fixture *f)
{
    char path[] = "/tmp/sdb_test_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(sdb_report_json(path, &f->ri, &f->r), 0);
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    unlink(path);
    assert_non_null(root);
    return root;
}

static void test_json(void **state)
{
    fixture *f = *state;
    json_t *root = report_json(f);

    assert_string_equal(str(root, "run.load_model"), "open");
    assert_string_equal(str(root, "run.latency_measured_from"), "intended_start");
    assert_true(num(root, "run.rate_tps") == 100);
    assert_true(num(root, "run.latency_limit_ms") == 50);
    assert_int_equal((int)num(root, "performance.skipped"), 3);
    assert_int_equal((int)num(root, "performance.not_started"), 2);
    assert_int_equal((int)num(root, "service_time.count"), 6);
    assert_true(num(root, "schedule_lag.max_ms") > 1.98 && num(root, "schedule_lag.max_ms") < 2.02);
    assert_true(num(root, "service_time.max_ms") > 27.9 && num(root, "service_time.max_ms") < 28.1);

    /* threads: thread 1 has worker 3 (3 completed, 1 failed) */
    assert_int_equal(json_array_size(get(root, "threads")), 2);
    assert_int_equal((int)num(root, "threads.0.sessions"), 2);
    assert_int_equal((int)num(root, "threads.0.committed"), 3);
    assert_int_equal((int)num(root, "threads.1.transactions"), 4);
    assert_int_equal((int)num(root, "threads.1.failed"), 1);
    assert_int_equal((int)num(root, "threads.1.latency.count"), 3);
    /* workers: one per session, with its thread */
    assert_int_equal(json_array_size(get(root, "workers")), 3);
    assert_int_equal((int)num(root, "workers.1.worker"), 2);
    assert_int_equal((int)num(root, "workers.1.thread"), 0);
    assert_int_equal((int)num(root, "workers.2.thread"), 1);
    assert_int_equal((int)num(root, "workers.1.committed"), 2);
    assert_true(num(root, "workers.1.mean_ms") > 19.99 && num(root, "workers.1.mean_ms") < 20.01);
    assert_true(num(root, "workers.2.max_ms") > 29.99 && num(root, "workers.2.max_ms") < 30.01);

    /* thresholds: p99 = 30 ms fails 25 ms; b's error rate 100% fails;
     * tps 0.6 fails > 1 */
    assert_int_equal(json_array_size(get(root, "thresholds")), 3);
    assert_string_equal(str(root, "thresholds.0.expression"), "p99<25ms");
    assert_true(json_is_null(get(root, "thresholds.0.transaction")));
    assert_string_equal(str(root, "thresholds.0.metric"), "p99");
    assert_string_equal(str(root, "thresholds.0.op"), "<");
    assert_string_equal(str(root, "thresholds.0.unit"), "ms");
    assert_true(num(root, "thresholds.0.limit") == 25);
    assert_true(num(root, "thresholds.0.value") > 29.9 && num(root, "thresholds.0.value") < 30.4);
    assert_true(json_is_false(get(root, "thresholds.0.pass")));
    assert_string_equal(str(root, "thresholds.1.transaction"), "b");
    assert_string_equal(str(root, "thresholds.1.unit"), "percent");
    assert_true(num(root, "thresholds.1.value") == 100);
    assert_true(num(root, "thresholds.1.limit") == 10);
    assert_string_equal(str(root, "thresholds.2.unit"), "tps");
    assert_true(num(root, "thresholds.2.value") > 0.59 && num(root, "thresholds.2.value") < 0.61);
    assert_true(json_is_false(get(root, "thresholds.2.pass")));
    json_decref(root);
}

static void test_json_closed(void **state)
{
    fixture *f = *state;
    f->r.rate_tps = 0;
    f->r.latency_limit_ns = 0;
    f->ri.nthresholds = 0;
    json_t *root = report_json(f);
    assert_string_equal(str(root, "run.load_model"), "closed");
    assert_string_equal(str(root, "run.latency_measured_from"), "start");
    assert_true(json_is_null(get(root, "run.rate_tps")));
    assert_true(json_is_null(get(root, "run.latency_limit_ms")));
    assert_int_equal(json_array_size(get(root, "thresholds")), 0);
    json_decref(root);
}

static void test_console(void **state)
{
    fixture *f = *state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    sdb_report_console(out, &f->ri, &f->r);
    fclose(out);
    assert_non_null(strstr(text, "open loop at 100 tps (Poisson), latency limit 50 ms"));
    assert_non_null(strstr(text, "from the intended start"));
    assert_non_null(strstr(text, "Service time"));
    assert_non_null(strstr(text, "Schedule lag"));
    assert_non_null(strstr(text, "3 skipped"));
    assert_non_null(strstr(text, "2 not started"));
    /* transactions per session: 1, 2, 4 */
    assert_non_null(strstr(text, "3 sessions: transactions per session min 1, median 2, max 4"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
