/* setup.c — see setup.h. */
#include "setup.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copybuf.h"
#include "util.h"

int sdb_exec_sql(PGconn *conn, const sdb_sql *cmd)
{
    PGresult *res = PQexec(conn, cmd->sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        PQclear(res);
        return 0;
    }
    char msg[512];
    sdb_conn_error(conn, res, msg, sizeof msg);
    PQclear(res);
    sdb_error("%s: %s", cmd->where, msg);
    return 1;
}

/* Runs a query with one text parameter; returns the result or NULL after
 * printing an error. */
static PGresult *query1(PGconn *conn, const char *sql, const char *param)
{
    const char *values[1] = {param};
    PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[512];
        sdb_conn_error(conn, res, msg, sizeof msg);
        sdb_error("%s", msg);
        PQclear(res);
        return NULL;
    }
    return res;
}

static bool table_exists(PGconn *conn, const char *table, bool *exists)
{
    PGresult *res = query1(conn, "SELECT to_regclass($1) IS NOT NULL", table);
    if (!res)
        return false;
    *exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return true;
}

int sdb_tables_inspect(PGconn *conn, const sdb_workload_def *w, sdb_tables_state *st)
{
    memset(st, 0, sizeof *st);
    st->loaded = true;
    size_t used = 0;
    for (int i = 0; i < w->ntables; i++) {
        bool ex;
        if (!table_exists(conn, w->tables[i], &ex))
            return 1;
        if (ex) {
            st->existing++;
            continue;
        }
        st->loaded = false;
        int n = snprintf(st->missing + used, sizeof st->missing - used, "%s%s",
                         used ? ", " : "", w->tables[i]);
        if (n > 0 && (size_t)n < sizeof st->missing - used)
            used += (size_t)n;
    }
    if (!st->loaded)
        return 0;
    for (int i = 0; i < w->nloads; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM %s)", w->loads[i].table);
        PGresult *res = query1(conn, sql, NULL);
        if (!res)
            return 1;
        if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
            st->loaded = false;
        PQclear(res);
    }
    return 0;
}

int sdb_tables_drop(PGconn *conn, const sdb_workload_def *w)
{
    if (w->ntables == 0)
        return 0;
    size_t len = 32;
    for (int i = 0; i < w->ntables; i++)
        len += strlen(w->tables[i]) + 2;
    char *sql = malloc(len);
    if (!sql) {
        sdb_error("out of memory");
        return 1;
    }
    strcpy(sql, "DROP TABLE IF EXISTS ");
    for (int i = 0; i < w->ntables; i++) {
        if (i)
            strcat(sql, ", ");
        strcat(sql, w->tables[i]);
    }
    sdb_sql cmd = {sql, w->source};
    int rc = sdb_exec_sql(conn, &cmd);
    free(sql);
    if (rc == 0)
        sdb_info("dropped the %d table%s of workload %s", w->ntables,
                 w->ntables == 1 ? "" : "s", w->name);
    return rc;
}

/* ---- loading ------------------------------------------------------------- */

typedef struct loader {
    const sdb_load_def *load;
    const sdb_conninfo *ci;
    int64_t scale;
    uint64_t seed;
    int index;
    int64_t total;              /* rows to load */
    _Atomic int64_t done;       /* rows shipped so far */
    atomic_bool finished;
    bool failed;
    char error[600];
    pthread_t tid;
} loader;

static bool ship(PGconn *conn, sdb_copybuf *b)
{
    if (b->len == 0)
        return true;
    if (PQputCopyData(conn, b->buf, (int)b->len) != 1)
        return false;
    sdb_copybuf_clear(b);
    return true;
}

static bool exec_ok(PGconn *conn, const char *sql, loader *l)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        snprintf(l->error, sizeof l->error, "%s: loading %s: %s", l->load->where,
                 l->load->table, msg);
    }
    PQclear(res);
    return ok;
}

/* Generates and COPYs all rows of one table. */
static bool load_table(loader *l, PGconn *conn)
{
    const sdb_load_def *ld = l->load;
    char sql[1024];
    if (!exec_ok(conn, "SET synchronous_commit = off", l) || !exec_ok(conn, "BEGIN", l))
        return false;
    snprintf(sql, sizeof sql, "TRUNCATE %s", ld->table);
    if (!exec_ok(conn, sql, l))
        return false;
    snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN WITH (FREEZE)", ld->table, ld->columns);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        snprintf(l->error, sizeof l->error, "%s: loading %s: %s", ld->where, ld->table, msg);
        PQclear(res);
        return false;
    }
    PQclear(res);

    sdb_ctx c;
    memset(&c, 0, sizeof c);
    sdb_copybuf b;
    c.arena = malloc(SDB_ARENA_BYTES);
    bool ok = c.arena && sdb_copybuf_init(&b);
    if (!ok) {
        free(c.arena);
        snprintf(l->error, sizeof l->error, "out of memory");
        PQputCopyEnd(conn, "out of memory");
        return false;
    }
    sdb_rng_seed(&c.rng, l->seed, UINT64_C(0x10000000) + (uint64_t)l->index);
    c.scale = l->scale;
    const char *abort_msg = NULL;
    for (int64_t row = 1; row <= l->total; row++) {
        c.row = row;
        c.arena_used = 0;
        ld->row(&c, &b);
        sdb_copybuf_end_row(&b);
        if (c.error_where) {
            snprintf(l->error, sizeof l->error, "%s: run-time error: %s", c.error_where,
                     c.error_msg);
            abort_msg = "workload error";
            break;
        }
        if (b.oom) {
            snprintf(l->error, sizeof l->error, "out of memory making rows of %s", ld->table);
            abort_msg = "out of memory";
            break;
        }
        if (b.len >= SDB_COPY_FLUSH) {
            if (!ship(conn, &b)) {
                abort_msg = "";
                break;
            }
            atomic_store_explicit(&l->done, row, memory_order_relaxed);
            if (sdb_interrupted) {
                snprintf(l->error, sizeof l->error, "interrupted");
                abort_msg = "interrupted";
                break;
            }
        }
    }
    if (!abort_msg && !ship(conn, &b))
        abort_msg = "";
    free(c.arena);
    sdb_copybuf_free(&b);
    if (abort_msg && *abort_msg) {
        PQputCopyEnd(conn, abort_msg);
    } else if (!abort_msg && PQputCopyEnd(conn, NULL) != 1) {
        abort_msg = "";
    }
    res = PQgetResult(conn);
    if (!abort_msg && PQresultStatus(res) != PGRES_COMMAND_OK)
        abort_msg = "";
    if (abort_msg && !l->error[0]) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        snprintf(l->error, sizeof l->error, "%s: loading %s: %s", ld->where, ld->table, msg);
    }
    PQclear(res);
    while ((res = PQgetResult(conn)))
        PQclear(res);
    if (abort_msg)
        return false;
    atomic_store(&l->done, l->total);
    return exec_ok(conn, "COMMIT", l);
}

static void *loader_main(void *arg)
{
    loader *l = arg;
    PGconn *conn = sdb_connect(l->ci, l->error, sizeof l->error);
    if (!conn)
        l->failed = true;
    else if (!load_table(l, conn))
        l->failed = true;
    PQfinish(conn);
    atomic_store(&l->finished, true);
    return NULL;
}

static void load_progress(loader *ls, int n, int64_t t0, bool final)
{
    int64_t done = 0, total = 0;
    for (int i = 0; i < n; i++) {
        done += atomic_load_explicit(&ls[i].done, memory_order_relaxed);
        total += ls[i].total;
    }
    double secs = (double)(sdb_now_ns() - t0) / 1e9;
    double rate = secs > 0 ? (double)done / secs : 0;
    char d[32], t[32];
    if (final) {
        sdb_info("loaded %s rows in %.1f s (%.0f rows/s)", sdb_fmt_count(d, sizeof d, done),
                 secs, rate);
        return;
    }
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    sdb_info("loading: %s of %s rows (%.0f%%), %.0f rows/s, ETA %.0f s",
             sdb_fmt_count(d, sizeof d, done), sdb_fmt_count(t, sizeof t, total),
             total ? 100.0 * (double)done / (double)total : 100.0, rate, eta);
}

static int run_loads(const sdb_conninfo *ci, const sdb_workload_def *w, int64_t scale,
                     uint64_t seed)
{
    if (w->nloads == 0)
        return 0;
    loader *ls = calloc((size_t)w->nloads, sizeof *ls);
    if (!ls) {
        sdb_error("out of memory");
        return 1;
    }
    sdb_ctx c;
    memset(&c, 0, sizeof c);
    c.scale = scale;
    int rc = 0;
    for (int i = 0; i < w->nloads; i++) {
        ls[i].load = &w->loads[i];
        ls[i].ci = ci;
        ls[i].scale = scale;
        ls[i].seed = seed;
        ls[i].index = i;
        ls[i].total = w->loads[i].rows(&c);
        if (c.error_where) {
            sdb_error("%s: run-time error: %s", c.error_where, c.error_msg);
            free(ls);
            return 1;
        }
        if (ls[i].total < 0)
            ls[i].total = 0;
    }
    int64_t t0 = sdb_now_ns();
    int started = 0;
    for (; started < w->nloads; started++)
        if (pthread_create(&ls[started].tid, NULL, loader_main, &ls[started]) != 0)
            break;
    int64_t next = t0 + INT64_C(2000000000);
    for (;;) {
        bool all = true;
        for (int i = 0; i < started; i++)
            all &= atomic_load(&ls[i].finished);
        if (all)
            break;
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
        if (sdb_now_ns() >= next) {
            load_progress(ls, started, t0, false);
            next += INT64_C(2000000000);
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(ls[i].tid, NULL);
    if (started < w->nloads) {
        sdb_error("cannot start loader threads");
        rc = 1;
    }
    for (int i = 0; i < started; i++) {
        if (ls[i].failed) {
            sdb_error("%s", ls[i].error);
            rc = 1;
        }
    }
    if (rc == 0)
        load_progress(ls, started, t0, true);
    free(ls);
    return rc;
}

int sdb_setup_run(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                  int64_t scale, uint64_t seed)
{
    int64_t t0 = sdb_now_ns();
    sdb_info("setting up workload %s at scale %lld", w->name, (long long)scale);
    for (int i = 0; i < w->nschema; i++)
        if (sdb_exec_sql(conn, &w->schema[i]))
            return 1;
    if (run_loads(ci, w, scale, seed))
        return 1;
    if (sdb_interrupted)
        return 1;
    int64_t t1 = sdb_now_ns();
    PGresult *res = PQexec(conn, "SET maintenance_work_mem = '256MB'");
    PQclear(res);
    for (int i = 0; i < w->nafter_load; i++) {
        if (sdb_interrupted)
            return 1;
        if (sdb_exec_sql(conn, &w->after_load[i]))
            return 1;
    }
    res = PQexec(conn, "RESET maintenance_work_mem");
    PQclear(res);
    int64_t t2 = sdb_now_ns();
    sdb_info("setup done in %.1f s (after-load commands %.1f s)", (double)(t2 - t0) / 1e9,
             (double)(t2 - t1) / 1e9);
    return 0;
}

int sdb_scale_detect(PGconn *conn, const sdb_workload_def *w, int64_t *scale)
{
    if (!w->scale_query)
        return 0;
    PGresult *res = PQexec(conn, w->scale_query->sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char msg[512];
        sdb_conn_error(conn, res, msg, sizeof msg);
        PQclear(res);
        sdb_error("%s: scale_query: %s", w->scale_query->where, msg);
        return -1;
    }
    int rc = 0;
    if (PQntuples(res) >= 1 && PQnfields(res) >= 1 && !PQgetisnull(res, 0, 0)) {
        char *end;
        long long v = strtoll(PQgetvalue(res, 0, 0), &end, 10);
        if (*end == '\0' && v > 0) {
            *scale = v;
            rc = 1;
        }
    }
    PQclear(res);
    return rc;
}
