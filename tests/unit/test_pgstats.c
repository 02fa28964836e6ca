/*
 * test_pgstats.c — the server-statistics monitor.
 *
 * Without a server: the version plan for PostgreSQL 12 to 17 (which views
 * and columns each needs), the delta arithmetic, the hit ratio, the order
 * of the top statements, and the reports of a made-up monitor.
 *
 * With SDB_PGSTATS_DSN set (tests/integration/it_pgstats.sh sets it to a
 * database of the test cluster), live checks against that server: WAL,
 * buffers written and a requested checkpoint during a write load; a lock
 * wait seen in the wait profile and in pg_locks; pg_stat_statements either
 * reported as not preloaded, or (SDB_PGSTATS_PGSS=1, a cluster that
 * preloads it and has the extension) a statement run N times with
 * calls == N.  Without the variable the live checks are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>

#include "pgstats.h"
#include "util.h"

/* ---------------------------------------------------------------------------
 * The version plan
 * ------------------------------------------------------------------------- */

static bool has(const char *sql, const char *s)
{
    return strstr(sql, s) != NULL;
}

static void test_plan_12(void **state)
{
    (void)state;
    sdb_pgstats_plan p = sdb_pgstats_plan_for(120016);
    assert_true(p.supported);
    assert_true(p.tested);
    assert_false(p.wal_view);
    assert_false(p.checkpointer_view);
    assert_false(p.backend_writes_io);
    assert_false(p.pgss_exec_time);
    assert_false(p.pgss_toplevel);
    assert_string_equal(p.pgss_total_col, "total_time");
    assert_string_equal(p.wal_source, "pg_current_wal_lsn");
    assert_string_equal(p.checkpoint_source, "pg_stat_bgwriter");
    assert_true(has(p.snapshot_sql, "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"));
    assert_true(has(p.snapshot_sql, "pg_is_in_recovery()"));
    assert_false(has(p.snapshot_sql, "pg_stat_wal "));
    assert_true(has(p.snapshot_sql, "b.checkpoints_timed, b.checkpoints_req"));
    assert_true(has(p.snapshot_sql, "b.buffers_backend"));
    assert_false(has(p.snapshot_sql, "pg_stat_checkpointer"));
    assert_false(has(p.snapshot_sql, "pg_stat_io"));
}

static void test_plan_13(void **state)
{
    (void)state;
    sdb_pgstats_plan p = sdb_pgstats_plan_for(130012);
    assert_true(p.supported);
    assert_false(p.wal_view);   /* pg_stat_wal came in 14 */
    assert_true(p.pgss_exec_time);
    assert_false(p.pgss_toplevel);
    assert_string_equal(p.pgss_total_col, "total_exec_time");
    assert_true(has(p.snapshot_sql, "pg_current_wal_lsn()"));
    assert_true(has(p.snapshot_sql, "b.checkpoints_req"));
}

/* 14, 15 and 16 read the same views */
static void check_plan_14_to_16(int v)
{
    sdb_pgstats_plan p = sdb_pgstats_plan_for(v);
    assert_true(p.supported);
    assert_true(p.tested);
    assert_true(p.wal_view);
    assert_false(p.checkpointer_view);
    assert_false(p.backend_writes_io);
    assert_true(p.pgss_toplevel);
    assert_string_equal(p.pgss_total_col, "total_exec_time");
    assert_string_equal(p.wal_source, "pg_stat_wal");
    assert_string_equal(p.checkpoint_source, "pg_stat_bgwriter");
    assert_string_equal(p.backend_writes_source, "pg_stat_bgwriter");
    assert_true(has(p.snapshot_sql, "w.wal_records, w.wal_fpi, w.wal_bytes"));
    assert_true(has(p.snapshot_sql, "CROSS JOIN pg_stat_wal w"));
    /* the WAL position too: it has no flush lag, for the interval rates */
    assert_true(has(p.snapshot_sql, "pg_current_wal_lsn()"));
    assert_true(has(p.snapshot_sql, "b.checkpoints_timed, b.checkpoints_req, "
                                    "b.checkpoint_write_time, b.checkpoint_sync_time, "
                                    "b.buffers_checkpoint, b.buffers_clean, b.buffers_backend"));
    assert_false(has(p.snapshot_sql, "pg_stat_checkpointer"));
}

static void test_plan_14(void **state)
{
    (void)state;
    check_plan_14_to_16(140010);
}

static void test_plan_15(void **state)
{
    (void)state;
    check_plan_14_to_16(150018);
}

static void test_plan_16(void **state)
{
    (void)state;
    check_plan_14_to_16(160004);
}

static void test_plan_17(void **state)
{
    (void)state;
    sdb_pgstats_plan p = sdb_pgstats_plan_for(170002);
    assert_true(p.supported);
    assert_true(p.tested);
    assert_true(p.wal_view);
    assert_true(p.checkpointer_view);
    assert_true(p.backend_writes_io);
    assert_string_equal(p.checkpoint_source, "pg_stat_checkpointer");
    assert_string_equal(p.backend_writes_source, "pg_stat_io");
    assert_true(has(p.snapshot_sql, "c.num_timed, c.num_requested, c.write_time, c.sync_time, "
                                    "c.buffers_written, b.buffers_clean"));
    assert_true(has(p.snapshot_sql, "CROSS JOIN pg_stat_checkpointer c"));
    assert_true(has(p.snapshot_sql, "FROM pg_stat_io WHERE backend_type = 'client backend'"));
    /* gone from pg_stat_bgwriter in 17 */
    assert_false(has(p.snapshot_sql, "checkpoints_timed"));
    assert_false(has(p.snapshot_sql, "buffers_backend"));
    assert_false(has(p.snapshot_sql, "buffers_checkpoint"));
}

static void test_plan_edges(void **state)
{
    (void)state;
    sdb_pgstats_plan p = sdb_pgstats_plan_for(110022);
    assert_false(p.supported);
    p = sdb_pgstats_plan_for(180000);
    assert_true(p.supported);
    assert_false(p.tested);
    assert_true(p.checkpointer_view);
    assert_ptr_equal(p.snapshot_sql, sdb_pgstats_plan_for(170000).snapshot_sql);
    /* every plan's snapshot excludes the monitor and is marked as its own */
    int versions[] = {120000, 130000, 140000, 150000, 160000, 170000};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        p = sdb_pgstats_plan_for(versions[i]);
        assert_true(has(p.snapshot_sql, "pid <> $1"));
        assert_int_equal(strncmp(p.snapshot_sql, SDB_PGSTATS_MARK, strlen(SDB_PGSTATS_MARK)), 0);
        assert_true(has(p.snapshot_sql, "WHERE d.datname = current_database()"));
    }
}

/* ---------------------------------------------------------------------------
 * Arithmetic
 * ------------------------------------------------------------------------- */

static void test_delta(void **state)
{
    (void)state;
    int64_t before[SDB_PGS_NCOUNTERS], after[SDB_PGS_NCOUNTERS], d[SDB_PGS_NCOUNTERS];
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++) {
        before[i] = 100 + i;
        after[i] = 1000 + 2 * i;
    }
    assert_false(sdb_pgstats_delta(after, before, d));
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++)
        assert_int_equal(d[i], 900 + i);
    /* not available on this version: NA on either side stays NA */
    before[SDB_PGS_WAL_RECORDS] = SDB_PGSTATS_NA;
    after[SDB_PGS_WAL_FPI] = SDB_PGSTATS_NA;
    assert_false(sdb_pgstats_delta(after, before, d));
    assert_int_equal(d[SDB_PGS_WAL_RECORDS], SDB_PGSTATS_NA);
    assert_int_equal(d[SDB_PGS_WAL_FPI], SDB_PGSTATS_NA);
    assert_int_equal(d[SDB_PGS_WAL_BYTES], 900 + SDB_PGS_WAL_BYTES);
    /* a reset during the interval: the count since the reset */
    before[SDB_PGS_BLKS_HIT] = 5000;
    after[SDB_PGS_BLKS_HIT] = 42;
    assert_true(sdb_pgstats_delta(after, before, d));
    assert_int_equal(d[SDB_PGS_BLKS_HIT], 42);
    /* no change */
    assert_false(sdb_pgstats_delta(before, before, d));
    assert_int_equal(d[SDB_PGS_XACT_COMMIT], 0);
}

static void test_hit_ratio(void **state)
{
    (void)state;
    assert_true(sdb_pgstats_hit_ratio(100, 0) == 100.0);   /* no reads */
    assert_true(sdb_pgstats_hit_ratio(0, 0) == -1.0);      /* no block access */
    assert_true(sdb_pgstats_hit_ratio(0, 10) == 0.0);
    assert_true(sdb_pgstats_hit_ratio(90, 10) == 90.0);
    assert_true(sdb_pgstats_hit_ratio(SDB_PGSTATS_NA, 10) == -1.0);
    assert_true(sdb_pgstats_hit_ratio(10, SDB_PGSTATS_NA) == -1.0);
}

static void test_top_statements(void **state)
{
    (void)state;
    sdb_pgstats_stmt before[] = {
        {.queryid = 4, .calls = 9, .total_ms = 90, .rows = 9, .query = "four"},
        {.queryid = 1, .calls = 10, .total_ms = 100, .rows = 10, .query = "one"},
        {.queryid = 2, .calls = 5, .total_ms = 50, .rows = 5, .query = "two"},
        {.queryid = -7, .calls = 1, .total_ms = 1, .rows = 0, .query = "gone"},
    };
    sdb_pgstats_stmt after[] = {
        {.queryid = 1, .calls = 15, .total_ms = 160, .rows = 25, .query = "one"},
        {.queryid = 2, .calls = 5, .total_ms = 50, .rows = 5, .query = "two"},   /* idle */
        {.queryid = 3, .calls = 7, .total_ms = 70, .rows = 7, .query = "three"}, /* new */
        {.queryid = 4, .calls = 3, .total_ms = 3, .rows = 1, .query = "four"},   /* evicted, back */
        {.queryid = 5, .calls = 2, .total_ms = 60, .rows = 0, .query = "five"},  /* = 1's time */
        {.queryid = 6, .calls = 5, .total_ms = 60, .rows = 0, .query = "six"},
        {.queryid = -3, .calls = 5, .total_ms = 60, .rows = 0, .query = "minus"},
    };
    sdb_pgstats_stmt out[7];
    size_t n = sdb_pgstats_stmt_delta(before, 4, after, 7, out);
    assert_int_equal(n, 6);
    /* by total time, then calls, then queryid */
    int64_t want[] = {3, -3, 1, 6, 5, 4};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].queryid, want[i]);
    assert_int_equal(out[0].calls, 7);
    assert_true(out[0].total_ms == 70.0);
    assert_int_equal(out[2].calls, 5);     /* 15 - 10 */
    assert_true(out[2].total_ms == 60.0);
    assert_int_equal(out[2].rows, 15);
    assert_string_equal(out[2].query, "one");
    assert_int_equal(out[5].calls, 3);     /* fewer than before: counted from 0 */
    /* nothing before */
    n = sdb_pgstats_stmt_delta(NULL, 0, after, 2, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].queryid, 1);
}

/* ---------------------------------------------------------------------------
 * Reports of a made-up monitor
 * ------------------------------------------------------------------------- */

static char *capture_console(const sdb_pgstats *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    sdb_pgstats_console(f, p);
    fclose(f);
    return buf;
}

static void test_reports(void **state)
{
    (void)state;
    sdb_pgstats *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->plan = sdb_pgstats_plan_for(130005);
    snprintf(p->server_version, sizeof p->server_version, "13.5");
    p->max_connections = 100;
    p->sample_ms = 100;
    p->have_after = true;
    p->run_s = 10;
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++)
        p->run[i] = 10;
    p->run[SDB_PGS_WAL_RECORDS] = p->run[SDB_PGS_WAL_FPI] = SDB_PGSTATS_NA;
    p->run[SDB_PGS_WAL_BYTES] = 10 * 1024 * 1024;
    p->run[SDB_PGS_BLKS_READ] = 0;
    p->run[SDB_PGS_CKPT_WRITE_US] = 2500;
    p->wait_ticks = 4;
    p->wait_backend_samples = 8;
    p->nwaits = 2;
    snprintf(p->waits[0].type, sizeof p->waits[0].type, "CPU");
    snprintf(p->waits[0].event, sizeof p->waits[0].event, "CPU");
    p->waits[0].samples = 2;
    snprintf(p->waits[1].type, sizeof p->waits[1].type, "Lock");
    snprintf(p->waits[1].event, sizeof p->waits[1].event, "transactionid");
    p->waits[1].samples = 6;
    p->pgss_status = SDB_PGSS_NOT_PRELOADED;
    snprintf(p->pgss_message, sizeof p->pgss_message, "not in shared_preload_libraries");
    sdb_pgstats_row row = {.t_s = 5, .length_s = 5, .hit_ratio_pct = -1, .wal_bytes_per_s = 2048,
                           .ntop = 1};
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++)
        row.d[i] = 1;
    row.d[SDB_PGS_WAL_BYTES] = 10240;
    row.d[SDB_PGS_WAL_LSN_BYTES] = SDB_PGSTATS_NA;   /* a standby: pg_stat_wal's bytes */
    snprintf(row.top[0].name, sizeof row.top[0].name, "Lock:transactionid");
    row.top[0].samples = 6;
    p->rows = &row;
    p->nrows = 1;

    json_t *j = sdb_pgstats_json(p);
    assert_non_null(j);
    json_t *run = json_object_get(j, "run");
    assert_int_equal(json_integer_value(json_object_get(run, "wal_bytes")), 10 * 1024 * 1024);
    assert_true(json_is_null(json_object_get(run, "wal_records")));   /* 13: no pg_stat_wal */
    assert_true(json_real_value(json_object_get(run, "hit_ratio_pct")) == 100.0);
    assert_true(json_real_value(json_object_get(run, "checkpoint_write_ms")) == 2.5);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "sources"), "wal")),
                        "pg_current_wal_lsn");
    json_t *iv = json_array_get(json_object_get(j, "intervals"), 0);
    assert_true(json_is_null(json_object_get(iv, "hit_ratio_pct")));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(iv, "top_waits"), 0),
                                          "event")),
        "Lock:transactionid");
    json_t *ev0 = json_array_get(json_object_get(json_object_get(j, "wait_events"), "events"), 0);
    assert_string_equal(json_string_value(json_object_get(ev0, "type")), "Lock");
    assert_true(json_real_value(json_object_get(ev0, "pct")) == 75.0);
    json_t *st = json_object_get(j, "statements");
    assert_string_equal(json_string_value(json_object_get(st, "status")), "not_preloaded");
    json_decref(j);

    char *text = capture_console(p);
    assert_non_null(strstr(text, "hit ratio 100.00%"));
    assert_non_null(strstr(text, "WAL             10.0 MB (1.0 MB/s)\n"));
    assert_non_null(strstr(text, "Lock:transactionid 75.0%, CPU 25.0%"));
    assert_non_null(strstr(text, "not available: not in shared_preload_libraries"));
    free(text);

    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    sdb_pgstats_csv_header(f);
    fputc('\n', f);
    sdb_pgstats_csv_fields(f, &row);
    fputc('\n', f);
    sdb_pgstats_csv_fields(f, NULL);
    fclose(f);
    assert_string_equal(csv, ",pg_wal_bytes,pg_wal_bytes_per_s,pg_hit_ratio_pct,pg_xact_commit,"
                             "pg_conn_active,pg_lock_waiters,pg_wait1,pg_wait1_samples,pg_wait2,"
                             "pg_wait2_samples,pg_wait3,pg_wait3_samples\n"
                             ",10240,2048,,1,0,0,Lock:transactionid,6,,,,\n"
                             ",,,,,,,,,,,,");
    free(csv);
    free(p);
}

/* ---------------------------------------------------------------------------
 * Live checks (SDB_PGSTATS_DSN)
 * ------------------------------------------------------------------------- */

static PQconninfoOption *dsn_opts;
static sdb_conninfo live_ci;
static const char *live_dsn;

static int live_setup(void **state)
{
    (void)state;
    live_dsn = getenv("SDB_PGSTATS_DSN");
    if (!live_dsn || !*live_dsn)
        return 0;
    char *err = NULL;
    dsn_opts = PQconninfoParse(live_dsn, &err);
    if (!dsn_opts) {
        fprintf(stderr, "SDB_PGSTATS_DSN: %s\n", err ? err : "out of memory");
        PQfreemem(err);
        return -1;
    }
    int n = 0;
    for (PQconninfoOption *o = dsn_opts; o->keyword && n < SDB_CONN_MAXKEYS; o++)
        if (o->val && *o->val) {
            live_ci.keys[n] = o->keyword;
            live_ci.values[n++] = o->val;
        }
    live_ci.keys[n] = live_ci.values[n] = NULL;
    return 0;
}

static int live_teardown(void **state)
{
    (void)state;
    PQconninfoFree(dsn_opts);
    return 0;
}

/* The live checks run only with SDB_PGSTATS_DSN; with SDB_PGSTATS_PGSS=1
 * only the statements check runs (that cluster is for it). */
static void need_live(bool statements_check)
{
    if (!live_dsn || !*live_dsn)
        skip();
    const char *pgss = getenv("SDB_PGSTATS_PGSS");
    if (pgss && strcmp(pgss, "1") == 0 && !statements_check)
        skip();
}

static PGconn *live_connect(void)
{
    PGconn *c = PQconnectdb(live_dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void print_cost(const char *what, const sdb_pgstats *p)
{
    print_message("monitor cost (%s): %lld queries, %.1f ms in all (max %.2f ms); sampler %lld "
                  "polls, %.3f ms each; %zu interval rows\n",
                  what, (long long)p->queries, (double)p->query_ns / 1e6,
                  (double)p->query_max_ns / 1e6, (long long)p->sampler_queries,
                  p->sampler_queries ? (double)p->sampler_ns / 1e6 / (double)p->sampler_queries
                                     : 0.0,
                  p->nrows);
}

/* A write load on its own connection: 100-row inserts, each its own
 * transaction, for at least `ms` milliseconds. */
typedef struct write_load {
    int ms;
    int statements;
} write_load;

static void *write_main(void *arg)
{
    write_load *wl = arg;
    PGconn *c = PQconnectdb(live_dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return NULL;
    }
    int64_t end = sdb_now_ns() + (int64_t)wl->ms * 1000000;
    for (int i = 0; sdb_now_ns() < end; i++) {
        char from[16];
        snprintf(from, sizeof from, "%d", i * 100);
        const char *params[1] = {from};
        PGresult *res = PQexecParams(c,
                                     "INSERT INTO pgs_w SELECT g, repeat('x', 200) FROM "
                                     "generate_series($1::int, $1::int + 99) g",
                                     1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            wl->statements++;
        PQclear(res);
    }
    PQfinish(c);   /* its statistics are published when the backend exits */
    return NULL;
}

static void test_live_write_checkpoint(void **state)
{
    (void)state;
    need_live(false);
    PGconn *c = live_connect();
    exec_ok(c, "DROP TABLE IF EXISTS pgs_w");
    exec_ok(c, "CREATE TABLE pgs_w (id int PRIMARY KEY, v text)");
    const char *tables[] = {"pgs_w", "no_such_table"};
    sdb_pgstats_opts o = {.ci = &live_ci, .tables = tables, .ntables = 2, .sample_ms = 50};
    char err[256] = "";
    sdb_pgstats *p = sdb_pgstats_start(&o, err, sizeof err);
    if (!p)
        fail_msg("start: %s", err);
    assert_int_equal(p->plan.version_num / 10000, 15);
    assert_true(p->max_connections > 0);

    write_load wl = {.ms = 1500};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, write_main, &wl), 0);
    for (int i = 0; i < 3; i++) {   /* the summary intervals */
        sleep_ms(400);
        assert_true(sdb_pgstats_sample(p));
    }
    pthread_join(t, NULL);
    assert_true(wl.statements > 10);
    exec_ok(c, "CHECKPOINT");   /* requested, and writes the new pages */
    assert_true(sdb_pgstats_stop(p));
    print_cost("1.5 s write load, 50 ms polls, 3 samples", p);
    for (size_t i = 0; i < p->nrows; i++)
        print_message("row %zu: t %.2f s, WAL %lld bytes, commits %lld\n", i, p->rows[i].t_s,
                      (long long)p->rows[i].d[SDB_PGS_WAL_LSN_BYTES],
                      (long long)p->rows[i].d[SDB_PGS_XACT_COMMIT]);

    const int64_t *r = p->run;
    assert_true(r[SDB_PGS_WAL_BYTES] > 100 * 200 * wl.statements / 2);
    assert_true(r[SDB_PGS_WAL_RECORDS] >= 100 * wl.statements);
    assert_true(r[SDB_PGS_CKPT_REQUESTED] >= 1);
    assert_true(r[SDB_PGS_BUF_CHECKPOINT] > 0);
    assert_true(r[SDB_PGS_XACT_COMMIT] >= wl.statements);
    assert_true(r[SDB_PGS_TUP_INSERTED] >= 100 * (int64_t)wl.statements);
    assert_true(p->nrows >= 3);
    assert_true(p->rows[0].d[SDB_PGS_WAL_LSN_BYTES] > 0);
    assert_true(p->rows[0].wal_bytes_per_s > 0);
    assert_true(p->wait_ticks >= 10);
    assert_true(p->wait_backend_samples > 0);   /* the writer was seen active */
    assert_true(p->peak_conn_in_db >= 2);       /* c and the writer */
    /* the tables */
    assert_true(p->tables[0].found);
    assert_int_equal(p->tables[0].n_tup_ins, 100 * (int64_t)wl.statements);
    assert_true(p->tables[0].table_bytes_after > p->tables[0].table_bytes_before);
    assert_true(p->tables[0].index_bytes_after > p->tables[0].index_bytes_before);
    assert_false(p->tables[1].found);

    json_t *j = sdb_pgstats_json(p);
    assert_non_null(j);
    json_t *run = json_object_get(j, "run");
    assert_true(json_integer_value(json_object_get(run, "wal_bytes")) > 0);
    assert_true(json_integer_value(json_object_get(run, "checkpoints_requested")) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "sources"),
                                                          "checkpoints")),
                        "pg_stat_bgwriter");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "settings"),
                                                          "fsync")),
                        "off");
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "tables"), 1),
                                             "autovacuum")));
    json_decref(j);
    char *text = capture_console(p);
    print_message("%s", text);
    assert_non_null(strstr(text, "requested"));
    free(text);
    sdb_pgstats_free(p);
    exec_ok(c, "DROP TABLE pgs_w");
    PQfinish(c);
}

static void test_live_lock_waits(void **state)
{
    (void)state;
    need_live(false);
    PGconn *a = live_connect(), *b = live_connect();
    exec_ok(a, "DROP TABLE IF EXISTS pgs_l");
    exec_ok(a, "CREATE TABLE pgs_l (id int PRIMARY KEY, v int)");
    exec_ok(a, "INSERT INTO pgs_l VALUES (1, 0)");
    const char *tables[] = {"pgs_l"};
    sdb_pgstats_opts o = {.ci = &live_ci, .tables = tables, .ntables = 1, .sample_ms = 50,
                          .statements = true};
    char err[256] = "";
    sdb_pgstats *p = sdb_pgstats_start(&o, err, sizeof err);
    if (!p)
        fail_msg("start: %s", err);
    /* this cluster does not preload pg_stat_statements: said, and the run goes on */
    assert_int_equal(p->pgss_status, SDB_PGSS_NOT_PRELOADED);
    assert_non_null(strstr(p->pgss_message, "shared_preload_libraries"));

    exec_ok(a, "BEGIN");
    exec_ok(a, "UPDATE pgs_l SET v = v + 1 WHERE id = 1");
    assert_int_equal(PQsendQuery(b, "UPDATE pgs_l SET v = v + 10 WHERE id = 1"), 1);
    sleep_ms(600);   /* b waits for a's transaction */
    assert_true(sdb_pgstats_sample(p));
    exec_ok(a, "COMMIT");
    PGresult *res;
    while ((res = PQgetResult(b)) != NULL) {
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        PQclear(res);
    }
    assert_true(sdb_pgstats_stop(p));
    print_cost("0.6 s lock wait, 50 ms polls", p);

    assert_true(p->lock_samples_with_waiters >= 3);
    assert_int_equal(p->lock_max_waiters, 1);
    assert_true(p->nlocks >= 1);
    assert_string_equal(p->locks[0].locktype, "transactionid");
    assert_string_equal(p->locks[0].mode, "ShareLock");
    sdb_pgstats_wait w[SDB_PGSTATS_MAX_WAITS];
    int n = sdb_pgstats_wait_profile(p, w);
    assert_true(n >= 1);
    assert_string_equal(w[0].type, "Lock");   /* b waited the whole time */
    assert_string_equal(w[0].event, "transactionid");
    assert_true(p->rows[0].lock_waiter_samples >= 3);
    assert_string_equal(p->rows[0].top[0].name, "Lock:transactionid");
    json_t *j = sdb_pgstats_json(p);
    json_t *lw = json_object_get(j, "lock_waits");
    assert_true(json_integer_value(json_object_get(lw, "polls_with_waiters")) >= 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(lw,
                                                                                        "by_lock"),
                                                                         0),
                                                          "locktype")),
                        "transactionid");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "statements"),
                                                          "status")),
                        "not_preloaded");
    json_decref(j);
    sdb_pgstats_free(p);
    exec_ok(a, "DROP TABLE pgs_l");
    PQfinish(a);
    PQfinish(b);
}

static void test_live_statements(void **state)
{
    (void)state;
    need_live(true);
    const char *pgss = getenv("SDB_PGSTATS_PGSS");
    if (!pgss || strcmp(pgss, "1") != 0)
        skip();   /* needs the cluster that preloads pg_stat_statements */
    sdb_pgstats_opts o = {.ci = &live_ci, .sample_ms = 20, .statements = true,
                          .top_statements = 50};
    char err[256] = "";
    sdb_pgstats *p = sdb_pgstats_start(&o, err, sizeof err);
    if (!p)
        fail_msg("start: %s", err);
    assert_int_equal(p->pgss_status, SDB_PGSS_OK);
    PGconn *c = live_connect();
    enum { N = 37 };
    for (int i = 0; i < N; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        const char *params[1] = {v};
        PGresult *res = PQexecParams(c, "SELECT $1::int * 7 AS pgs_marker_q", 1, NULL, params,
                                     NULL, NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        PQclear(res);
    }
    PQfinish(c);
    sleep_ms(200);   /* let the sampler poll a few times */
    assert_true(sdb_pgstats_stop(p));
    print_cost("pg_stat_statements, 20 ms polls", p);
    assert_true(p->sampler_queries > 3);
    bool found = false;
    for (size_t i = 0; i < p->ntop; i++) {
        /* the monitor's own queries are never among them */
        assert_null(strstr(p->top[i].query, "stormdb-monitor"));
        assert_null(strstr(p->top[i].query, "pg_stat_activity"));
        if (strstr(p->top[i].query, "pgs_marker_q")) {
            found = true;
            assert_int_equal(p->top[i].calls, N);
            assert_int_equal(p->top[i].rows, N);
        }
    }
    assert_true(found);
    json_t *j = sdb_pgstats_json(p);
    json_t *st = json_object_get(j, "statements");
    assert_string_equal(json_string_value(json_object_get(st, "status")), "ok");
    assert_true(json_array_size(json_object_get(st, "top")) >= 1);
    json_decref(j);
    char *text = capture_console(p);
    print_message("%s", text);
    assert_non_null(strstr(text, "pgs_marker_q"));
    free(text);
    sdb_pgstats_free(p);
}

/* A server that is not there: start fails with a message, nothing leaks. */
static void test_start_fails(void **state)
{
    (void)state;
    sdb_conninfo ci = {.keys = {"host", "port", "connect_timeout", NULL},
                       .values = {"/nonexistent-dir", "1", "2", NULL}};
    sdb_pgstats_opts o = {.ci = &ci, .sample_ms = 10};
    char err[256] = "";
    assert_null(sdb_pgstats_start(&o, err, sizeof err));
    assert_true(err[0] != '\0');
    sdb_pgstats_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_12),
        cmocka_unit_test(test_plan_13),
        cmocka_unit_test(test_plan_14),
        cmocka_unit_test(test_plan_15),
        cmocka_unit_test(test_plan_16),
        cmocka_unit_test(test_plan_17),
        cmocka_unit_test(test_plan_edges),
        cmocka_unit_test(test_delta),
        cmocka_unit_test(test_hit_ratio),
        cmocka_unit_test(test_top_statements),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_start_fails),
        cmocka_unit_test(test_live_write_checkpoint),
        cmocka_unit_test(test_live_lock_waits),
        cmocka_unit_test(test_live_statements),
    };
    return cmocka_run_group_tests(tests, live_setup, live_teardown);
}
