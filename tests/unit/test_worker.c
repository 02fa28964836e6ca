/*
 * test_worker.c — the engine's connection handling against a real server
 * (an embedded cluster): dedicated, pooled (fewer connections than
 * sessions), transient and mixed connection modes.  Each transaction
 * records the backend PID that ran it, so the test can count the
 * connections the server really saw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "conn.h"
#include "embedded.h"
#include "stats.h"
#include "stormdb.h"
#include "worker.h"

static sdb_embedded *cluster;
static sdb_conninfo ci;
static PGconn *control;

static int tx_log(sdb_ctx *c, void *frame, int pc)
{
    (void)frame;
    switch (pc) {
    case 0:
        sdb_exec(c, 0, 0);
        return 1;
    default:
        return 0;
    }
}

static const sdb_stmt_def stmts[] = {
    {"log", "INSERT INTO wt_log VALUES (pg_backend_pid())", 0, SDB_QUERY_INSERT, "t:1:1"},
};
static const sdb_tx_def txs[] = {
    {"log", 1, 1, tx_log, "t:2:1", 1, 0, 0, NULL, NULL},
};
static const double weights[] = {1};
static const sdb_mix_def mixes[] = {{"all", "", weights, 0}};
static const sdb_workload_def wl = {
    .abi_version = SDB_ABI_VERSION, .name = "wt", .version = "", .description = "",
    .author = "", .source = "t", .stmts = stmts, .nstmts = 1, .txs = txs, .ntxs = 1,
    .mixes = mixes, .nmixes = 1,
};

static long long query_int(const char *sql)
{
    PGresult *res = PQexec(control, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long long v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static int setup_cluster(void **state)
{
    (void)state;
    char err[1024];
    sdb_embedded_opts o = {0};
    cluster = sdb_embedded_start(&o, err, sizeof err);
    if (!cluster) {
        fprintf(stderr, "cannot start a cluster: %s\n", err);
        return -1;
    }
    sdb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    sdb_conninfo_build(&ci, &cfg, "wt", sdb_embedded_socket_dir(cluster),
                       sdb_embedded_port(cluster), sdb_embedded_user(cluster),
                       sdb_embedded_dbname(cluster));
    control = sdb_connect(&ci, err, sizeof err);
    if (!control)
        return -1;
    PQclear(PQexec(control, "CREATE TABLE wt_log (pid int)"));
    return 0;
}

static int teardown_cluster(void **state)
{
    (void)state;
    PQfinish(control);
    sdb_embedded_stop(cluster, false);
    return 0;
}

/* Runs 1 s with the given sessions, connections, threads and mode. */
static void run(int workers, int connections, int threads, sdb_conn_mode mode,
                sdb_run_result *r)
{
    PQclear(PQexec(control, "TRUNCATE wt_log"));
    sdb_run_opts o = {
        .w = &wl, .conninfo = &ci, .mix = 0, .workers = workers, .threads = threads,
        .connections = connections, .conn_mode = mode, .scale = 1, .seed = 1,
        .duration_s = 1.0, .summary_interval_s = 0,
    };
    assert_int_equal(sdb_run_execute(&o, r), 0);
    assert_string_equal(r->error, "");
    assert_int_equal(sdb_stats_failed(&r->stats), 0);
    assert_true(sdb_stats_ok(&r->stats) > 50);
    /* every committed transaction left exactly one row */
    assert_int_equal(query_int("SELECT count(*) FROM wt_log"), sdb_stats_ok(&r->stats));
}

static void test_dedicated(void **state)
{
    (void)state;
    sdb_run_result r;
    run(4, 4, 2, SDB_CONN_PERSISTENT, &r);
    assert_int_equal(query_int("SELECT count(DISTINCT pid) FROM wt_log"), 4);
    assert_int_equal(r.stats.connects, 0);
    assert_int_equal(r.stats.conn_waits, 0);
    sdb_run_result_free(&r);
}

static void test_pooled(void **state)
{
    (void)state;
    sdb_run_result r;
    run(8, 2, 2, SDB_CONN_PERSISTENT, &r);
    /* 8 sessions shared 2 connections, and some had to wait for one */
    assert_int_equal(query_int("SELECT count(DISTINCT pid) FROM wt_log"), 2);
    assert_true(r.stats.conn_waits > 0);
    assert_int_equal(sdb_hist_count(r.stats.conn_wait), r.stats.conn_waits);
    sdb_run_result_free(&r);
}

static void test_pooled_one_thread(void **state)
{
    (void)state;
    sdb_run_result r;
    run(5, 3, 4, SDB_CONN_PERSISTENT, &r);
    assert_true(query_int("SELECT count(DISTINCT pid) FROM wt_log") <= 3);
    sdb_run_result_free(&r);
}

static void test_transient(void **state)
{
    (void)state;
    sdb_run_result r;
    run(2, 2, 1, SDB_CONN_TRANSIENT, &r);
    int64_t ok = sdb_stats_ok(&r.stats);
    /* a new backend for every transaction */
    assert_int_equal(query_int("SELECT count(DISTINCT pid) FROM wt_log"), ok);
    assert_int_equal(r.stats.connects, ok);
    assert_int_equal(sdb_hist_count(r.stats.connect_time), ok);
    assert_int_equal(r.stats.mode_done[1], ok);
    assert_int_equal(r.stats.mode_done[0], 0);
    sdb_run_result_free(&r);
}

static void test_mixed(void **state)
{
    (void)state;
    sdb_run_result r;
    run(2, 2, 1, SDB_CONN_MIXED, &r);
    int64_t ok = sdb_stats_ok(&r.stats);
    int64_t transient = r.stats.mode_done[1], persistent = r.stats.mode_done[0];
    assert_int_equal(transient + persistent, ok);
    /* every other transaction of a session is transient */
    assert_true(transient >= persistent - 2 && transient <= persistent + 2);
    /* the persistent ones ran on the 2 sessions' own connections */
    assert_int_equal(query_int("SELECT count(DISTINCT pid) FROM wt_log"), transient + 2);
    sdb_run_result_free(&r);
}

/* Runs 2 s open loop at rate_tps; nothing may fail, every completed
 * transaction left its row, and latency, service time and lag cover the
 * same transactions. */
static void run_rate(int workers, int connections, sdb_conn_mode mode, double rate_tps,
                     sdb_run_result *r)
{
    PQclear(PQexec(control, "TRUNCATE wt_log"));
    sdb_run_opts o = {
        .w = &wl, .conninfo = &ci, .mix = 0, .workers = workers, .threads = 2,
        .connections = connections, .conn_mode = mode, .scale = 1, .seed = 1,
        .duration_s = 2.0, .summary_interval_s = 0, .rate_tps = rate_tps,
    };
    assert_int_equal(sdb_run_execute(&o, r), 0);
    assert_string_equal(r->error, "");
    assert_true(r->rate_tps == rate_tps);
    assert_int_equal(sdb_stats_failed(&r->stats), 0);
    int64_t ok = sdb_stats_ok(&r->stats);
    assert_int_equal(query_int("SELECT count(*) FROM wt_log"), ok);
    assert_int_equal(sdb_hist_count(r->stats.service_time), ok);
    assert_int_equal(sdb_hist_count(r->stats.schedule_lag), ok);
    /* Poisson arrivals over 2 s: within 25% of the rate (about 4 sd at 100/s) */
    double tps = (double)ok / ((double)r->elapsed_ns / 1e9);
    if (tps < rate_tps * 0.75 || tps > rate_tps * 1.25)
        fail_msg("%.1f tps at --rate %.0f", tps, rate_tps);
    /* latency = lag + service, transaction by transaction */
    double diff = sdb_hist_mean(r->stats.latency) -
                  (sdb_hist_mean(r->stats.service_time) + sdb_hist_mean(r->stats.schedule_lag));
    assert_true(diff < 1000 && diff > -1000);   /* ns: sums are exact */
    /* the breakdown adds up */
    int64_t wsum = 0;
    for (int i = 0; i < r->nworkers; i++)
        wsum += r->workers[i].committed;
    assert_int_equal(r->nworkers, workers);
    assert_int_equal(wsum, ok);
    assert_int_equal(r->thread_stats[0].u.committed + r->thread_stats[1].u.committed, ok);
    assert_int_equal(sdb_hist_count(r->thread_stats[0].latency), r->thread_stats[0].u.committed);
}

static void test_rate_pooled(void **state)
{
    (void)state;
    sdb_run_result r;
    run_rate(6, 2, SDB_CONN_PERSISTENT, 200, &r);
    assert_int_equal(query_int("SELECT count(DISTINCT pid) FROM wt_log"), 2);
    sdb_run_result_free(&r);
}

/* A new connection per transaction: its set-up is part of the service
 * time (and so of the latency). */
static void test_rate_transient(void **state)
{
    (void)state;
    sdb_run_result r;
    run_rate(4, 4, SDB_CONN_TRANSIENT, 30, &r);
    assert_int_equal(r.stats.connects, sdb_stats_ok(&r.stats));
    assert_true(sdb_hist_mean(r.stats.service_time) >= sdb_hist_mean(r.stats.connect_time));
    sdb_run_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dedicated),
        cmocka_unit_test(test_pooled),
        cmocka_unit_test(test_pooled_one_thread),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_rate_pooled),
        cmocka_unit_test(test_rate_transient),
    };
    return cmocka_run_group_tests(tests, setup_cluster, teardown_cluster);
}
