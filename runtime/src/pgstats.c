/* pgstats.c — see pgstats.h. */
#include "pgstats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* ---------------------------------------------------------------------------
 * The version plan
 * ------------------------------------------------------------------------- */

/* pg_stat_database of the run's database: SDB_PGS_XACT_COMMIT..CONFLICTS */
#define SNAP_DATABASE                                                                   \
    SDB_PGSTATS_MARK " SELECT d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, "  \
    "d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted, "     \
    "d.temp_files, d.temp_bytes, d.deadlocks, d.conflicts, "
/* SDB_PGS_WAL_RECORDS, WAL_FPI, WAL_BYTES, WAL_LSN_BYTES (l: the WAL insert
 * position, NULL on a standby) */
#define SNAP_WAL_LSN "NULL::bigint, NULL::bigint, l.lsn, l.lsn, "
#define SNAP_WAL_VIEW "w.wal_records, w.wal_fpi, w.wal_bytes::bigint, l.lsn, "
/* SDB_PGS_CKPT_TIMED .. BUF_BACKEND */
#define SNAP_CKPT_BGWRITER                                                              \
    "b.checkpoints_timed, b.checkpoints_req, b.checkpoint_write_time, "                 \
    "b.checkpoint_sync_time, b.buffers_checkpoint, b.buffers_clean, b.buffers_backend, "
#define SNAP_CKPT_CHECKPOINTER                                                          \
    "c.num_timed, c.num_requested, c.write_time, c.sync_time, c.buffers_written, "      \
    "b.buffers_clean, (SELECT COALESCE(sum(writes), 0)::bigint FROM pg_stat_io "        \
    "WHERE backend_type = 'client backend'), "
/* client connections by state, the monitor ($1) excluded */
#define SNAP_CONN                                                                       \
    "a.total, a.active, a.idle, a.idle_in_tx, a.in_db "                                 \
    "FROM pg_stat_database d CROSS JOIN (SELECT count(*) AS total, "                    \
    "count(*) FILTER (WHERE state = 'active') AS active, "                              \
    "count(*) FILTER (WHERE state = 'idle') AS idle, "                                  \
    "count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_tx, "        \
    "count(*) FILTER (WHERE datname = current_database()) AS in_db "                    \
    "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> $1) a "     \
    "CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE "                  \
    "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint END AS lsn) l "              \
    "CROSS JOIN pg_stat_bgwriter b "
#define SNAP_WHERE "WHERE d.datname = current_database()"

static const char snap_12[] =
    SNAP_DATABASE SNAP_WAL_LSN SNAP_CKPT_BGWRITER SNAP_CONN SNAP_WHERE;
static const char snap_14[] =
    SNAP_DATABASE SNAP_WAL_VIEW SNAP_CKPT_BGWRITER SNAP_CONN "CROSS JOIN pg_stat_wal w "
    SNAP_WHERE;
static const char snap_17[] =
    SNAP_DATABASE SNAP_WAL_VIEW SNAP_CKPT_CHECKPOINTER SNAP_CONN
    "CROSS JOIN pg_stat_wal w CROSS JOIN pg_stat_checkpointer c " SNAP_WHERE;

sdb_pgstats_plan sdb_pgstats_plan_for(int v)
{
    int major = v / 10000;
    sdb_pgstats_plan p = {.version_num = v};
    p.supported = major >= 12;
    p.tested = major >= 12 && major <= 17;
    p.wal_view = major >= 14;
    p.checkpointer_view = major >= 17;
    p.backend_writes_io = major >= 17;
    p.pgss_exec_time = major >= 13;
    p.pgss_toplevel = major >= 14;
    p.wal_source = p.wal_view ? "pg_stat_wal" : "pg_current_wal_lsn";
    p.checkpoint_source = p.checkpointer_view ? "pg_stat_checkpointer" : "pg_stat_bgwriter";
    p.backend_writes_source = p.backend_writes_io ? "pg_stat_io" : "pg_stat_bgwriter";
    p.snapshot_sql = p.checkpointer_view ? snap_17 : p.wal_view ? snap_14 : snap_12;
    p.pgss_total_col = p.pgss_exec_time ? "total_exec_time" : "total_time";
    return p;
}

static const char *const counter_names[SDB_PGS_NCOUNTERS] = {
    "xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched",
    "tup_inserted", "tup_updated", "tup_deleted", "temp_files", "temp_bytes", "deadlocks",
    "conflicts", "wal_records", "wal_fpi", "wal_bytes", "wal_lsn_bytes", "checkpoints_timed",
    "checkpoints_requested", "checkpoint_write_ms", "checkpoint_sync_ms",
    "buffers_checkpoint", "buffers_clean", "buffers_backend",
};

const char *sdb_pgstats_counter_name(sdb_pgstats_counter c)
{
    return c >= 0 && c < SDB_PGS_NCOUNTERS ? counter_names[c] : "?";
}

static bool counter_is_time(int c)
{
    return c == SDB_PGS_CKPT_WRITE_US || c == SDB_PGS_CKPT_SYNC_US;
}

/* ---------------------------------------------------------------------------
 * Pure arithmetic
 * ------------------------------------------------------------------------- */

bool sdb_pgstats_delta(const int64_t *after, const int64_t *before, int64_t *out)
{
    bool reset = false;
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++) {
        if (after[i] == SDB_PGSTATS_NA || before[i] == SDB_PGSTATS_NA) {
            out[i] = SDB_PGSTATS_NA;
        } else if (after[i] < before[i]) {
            out[i] = after[i];
            reset = true;
        } else {
            out[i] = after[i] - before[i];
        }
    }
    return reset;
}

double sdb_pgstats_hit_ratio(int64_t hit, int64_t read)
{
    if (hit == SDB_PGSTATS_NA || read == SDB_PGSTATS_NA || hit < 0 || read < 0 ||
        hit + read == 0)
        return -1.0;
    return 100.0 * (double)hit / ((double)hit + (double)read);
}

static int cmp_queryid(const void *a, const void *b)
{
    int64_t x = ((const sdb_pgstats_stmt *)a)->queryid;
    int64_t y = ((const sdb_pgstats_stmt *)b)->queryid;
    return (x > y) - (x < y);
}

static int cmp_top(const void *a, const void *b)
{
    const sdb_pgstats_stmt *x = a, *y = b;
    if (x->total_ms != y->total_ms)
        return x->total_ms < y->total_ms ? 1 : -1;
    if (x->calls != y->calls)
        return x->calls < y->calls ? 1 : -1;
    return (x->queryid > y->queryid) - (x->queryid < y->queryid);
}

size_t sdb_pgstats_stmt_delta(sdb_pgstats_stmt *before, size_t nbefore,
                              const sdb_pgstats_stmt *after, size_t nafter,
                              sdb_pgstats_stmt *out)
{
    if (nbefore > 0)
        qsort(before, nbefore, sizeof *before, cmp_queryid);
    size_t n = 0;
    for (size_t i = 0; i < nafter; i++) {
        const sdb_pgstats_stmt *a = &after[i];
        const sdb_pgstats_stmt *b =
            nbefore > 0 ? bsearch(a, before, nbefore, sizeof *before, cmp_queryid) : NULL;
        sdb_pgstats_stmt d = *a;
        if (b && a->calls >= b->calls) {
            d.calls = a->calls - b->calls;
            d.total_ms = a->total_ms - b->total_ms;
            d.rows = a->rows - b->rows;
            if (d.total_ms < 0)
                d.total_ms = 0;
            if (d.rows < 0)
                d.rows = 0;
        }
        if (d.calls > 0)
            out[n++] = d;
    }
    if (n > 1)
        qsort(out, n, sizeof *out, cmp_top);
    return n;
}

/* ---------------------------------------------------------------------------
 * Queries: every one goes through mon_exec, under p->lock
 * ------------------------------------------------------------------------- */

static void note_error(sdb_pgstats *p, const char *what, const char *msg)
{
    if (p->errors++ == 0) {
        char line[256];
        snprintf(line, sizeof line, "%s: %s", what, msg);
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        sdb_utf8_sanitize(line);
        snprintf(p->first_error, sizeof p->first_error, "%s", line);
        sdb_warn("server statistics: %s (further monitor errors are counted, not shown)",
                 line);
    }
}

/* Runs a prepared statement (stmt != NULL) or sql, timing it into the
 * monitor's cost.  Caller holds p->lock.  Returns the result (caller
 * PQclears), or NULL after noting the error. */
static PGresult *mon_exec(sdb_pgstats *p, const char *what, const char *stmt, const char *sql,
                          int nparams, const char *const *params, bool sampler)
{
    if (!p->conn)
        return NULL;
    int64_t t = sdb_now_ns();
    PGresult *res = stmt ? PQexecPrepared(p->conn, stmt, nparams, params, NULL, NULL, 0)
                         : PQexecParams(p->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int64_t dt = sdb_now_ns() - t;
    p->queries++;
    p->query_ns += dt;
    if (dt > p->query_max_ns)
        p->query_max_ns = dt;
    if (sampler) {
        p->sampler_queries++;
        p->sampler_ns += dt;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        char msg[256];
        sdb_conn_error(p->conn, res, msg, sizeof msg);
        note_error(p, what, msg);
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Prepares sql as stmt.  Caller holds p->lock. */
static bool mon_prepare(sdb_pgstats *p, const char *stmt, const char *sql)
{
    int64_t t = sdb_now_ns();
    PGresult *res = PQprepare(p->conn, stmt, sql, 0, NULL);
    int64_t dt = sdb_now_ns() - t;
    p->queries++;
    p->query_ns += dt;
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        char msg[256];
        sdb_conn_error(p->conn, res, msg, sizeof msg);
        note_error(p, stmt, msg);
    }
    PQclear(res);
    return ok;
}

static int64_t col_i64(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return SDB_PGSTATS_NA;
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* A time column in ms (double precision) as µs. */
static int64_t col_us(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return SDB_PGSTATS_NA;
    return llround(strtod(PQgetvalue(res, row, col), NULL) * 1000.0);
}

static const char *col_str(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col);
}

/* A text[] literal of names: {"a","b"}, each element double-quoted with
 * backslash escapes.  Returns a malloc'd string or NULL. */
static char *text_array_literal(const char *const *names, int n)
{
    size_t len = 3;
    for (int i = 0; i < n; i++)
        len += 2 * strlen(names[i]) + 3;
    char *s = malloc(len), *o = s;
    if (!s)
        return NULL;
    *o++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *o++ = ',';
        *o++ = '"';
        for (const char *c = names[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *o++ = '\\';
            *o++ = *c;
        }
        *o++ = '"';
    }
    *o++ = '}';
    *o = '\0';
    return s;
}

/* ---------------------------------------------------------------------------
 * Snapshots
 * ------------------------------------------------------------------------- */

#define NCONN 5   /* total, active, idle, idle in transaction, in the database */

/* One snapshot of the counters and connections.  Takes the lock. */
static bool take_snapshot(sdb_pgstats *p, int64_t *c, int conn[NCONN])
{
    char pid[16];
    snprintf(pid, sizeof pid, "%d", p->monitor_pid);
    const char *params[1] = {pid};
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(p, "snapshot", "sdb_mon_snap", NULL, 1, params, false);
    pthread_mutex_unlock(&p->lock);
    if (!res)
        return false;
    bool ok = PQntuples(res) == 1 && PQnfields(res) == SDB_PGS_NCOUNTERS + NCONN;
    if (ok) {
        for (int i = 0; i < SDB_PGS_NCOUNTERS; i++)
            c[i] = counter_is_time(i) ? col_us(res, 0, i) : col_i64(res, 0, i);
        for (int i = 0; i < NCONN; i++)
            conn[i] = (int)col_i64(res, 0, SDB_PGS_NCOUNTERS + i);
    } else {
        pthread_mutex_lock(&p->lock);
        note_error(p, "snapshot", "the statistics query returned no row for this database");
        pthread_mutex_unlock(&p->lock);
    }
    PQclear(res);
    return ok;
}

static const char tables_sql[] =
    SDB_PGSTATS_MARK " SELECT s.relid IS NOT NULL, s.n_live_tup, s.n_dead_tup, "
    "s.vacuum_count, s.autovacuum_count, s.analyze_count, s.autoanalyze_count, "
    "s.n_tup_ins, s.n_tup_upd, s.n_tup_hot_upd, s.n_tup_del, "
    "pg_table_size(s.relid), pg_indexes_size(s.relid) "
    "FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) "
    "LEFT JOIN pg_stat_user_tables s ON s.relid = to_regclass(t.name) ORDER BY t.i";

/* Reads the workload's tables into raw[which].  Takes the lock. */
static void read_tables(sdb_pgstats *p, int which)
{
    if (p->ntables_list == 0)
        return;
    const char *params[1] = {p->tables_param};
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(p, "tables", NULL, tables_sql, 1, params, false);
    pthread_mutex_unlock(&p->lock);
    if (!res)
        return;
    if (PQntuples(res) == p->ntables_list && PQnfields(res) == 13) {
        for (int i = 0; i < p->ntables_list; i++) {
            sdb_pgstats_table *t = &p->tables[i];
            t->found_raw[which] = strcmp(col_str(res, i, 0), "t") == 0;
            for (int k = 0; k < 12; k++)
                t->raw[which][k] = col_i64(res, i, k + 1);
        }
    }
    PQclear(res);
}

enum { T_LIVE, T_DEAD, T_VAC, T_AUTOVAC, T_AN, T_AUTOAN, T_INS, T_UPD, T_HOT, T_DEL, T_TBYTES,
       T_IBYTES };

static int64_t raw_delta(const sdb_pgstats_table *t, int k)
{
    int64_t a = t->raw[1][k], b = t->raw[0][k];
    if (a == SDB_PGSTATS_NA || b == SDB_PGSTATS_NA)
        return SDB_PGSTATS_NA;
    return a >= b ? a - b : a;
}

static void finish_tables(sdb_pgstats *p)
{
    for (int i = 0; i < p->ntables_list; i++) {
        sdb_pgstats_table *t = &p->tables[i];
        t->found = t->found_raw[0] && t->found_raw[1];
        t->n_live_tup = t->raw[1][T_LIVE];
        t->n_dead_tup = t->raw[1][T_DEAD];
        t->n_dead_tup_before = t->raw[0][T_DEAD];
        t->vacuum = raw_delta(t, T_VAC);
        t->autovacuum = raw_delta(t, T_AUTOVAC);
        t->analyze = raw_delta(t, T_AN);
        t->autoanalyze = raw_delta(t, T_AUTOAN);
        t->n_tup_ins = raw_delta(t, T_INS);
        t->n_tup_upd = raw_delta(t, T_UPD);
        t->n_tup_hot_upd = raw_delta(t, T_HOT);
        t->n_tup_del = raw_delta(t, T_DEL);
        t->table_bytes_before = t->raw[0][T_TBYTES];
        t->table_bytes_after = t->raw[1][T_TBYTES];
        t->index_bytes_before = t->raw[0][T_IBYTES];
        t->index_bytes_after = t->raw[1][T_IBYTES];
    }
}

/* The settings that matter for reading a result. */
static const char *const setting_names[] = {
    "server_version", "shared_buffers", "effective_cache_size", "work_mem",
    "maintenance_work_mem", "max_connections", "synchronous_commit", "fsync",
    "full_page_writes", "wal_level", "wal_buffers", "wal_compression", "checkpoint_timeout",
    "checkpoint_completion_target", "max_wal_size", "min_wal_size", "random_page_cost",
    "effective_io_concurrency", "jit", "huge_pages", "autovacuum",
    "default_transaction_isolation", "max_parallel_workers_per_gather", "track_io_timing",
    "shared_preload_libraries",
};

static bool read_settings(sdb_pgstats *p)
{
    int n = (int)(sizeof setting_names / sizeof *setting_names);
    char *list = text_array_literal(setting_names, n);
    if (!list)
        return false;
    const char *params[1] = {list};
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(p, "settings", NULL,
                             SDB_PGSTATS_MARK " SELECT name, current_setting(name) "
                             "FROM pg_settings WHERE name = ANY ($1::text[]) ORDER BY name",
                             1, params, false);
    pthread_mutex_unlock(&p->lock);
    free(list);
    if (!res)
        return false;
    int rows = PQntuples(res);
    p->setting_names = calloc((size_t)rows + 1, sizeof *p->setting_names);
    p->setting_values = calloc((size_t)rows + 1, sizeof *p->setting_values);
    bool ok = p->setting_names && p->setting_values;
    for (int i = 0; ok && i < rows; i++) {
        p->setting_names[i] = strdup(col_str(res, i, 0));
        p->setting_values[i] = strdup(col_str(res, i, 1));
        p->nsettings = i + 1;   /* freed with the others even when one copy failed */
        ok = p->setting_names[i] && p->setting_values[i];
        if (ok) {
            sdb_utf8_sanitize(p->setting_values[i]);
            if (strcmp(p->setting_names[i], "max_connections") == 0)
                p->max_connections = atoi(p->setting_values[i]);
        }
    }
    PQclear(res);
    return ok;
}

/* ---------------------------------------------------------------------------
 * pg_stat_statements
 * ------------------------------------------------------------------------- */

static void pgss_disable(sdb_pgstats *p, sdb_pgstats_pgss_status st, const char *msg)
{
    p->pgss_status = st;
    snprintf(p->pgss_message, sizeof p->pgss_message, "%s", msg);
    sdb_warn("--pg-stat-statements: %s; the run goes on without the top statements", msg);
}

/* Finds the extension: available on the server, preloaded, created in the
 * run's database (and in which schema).  Sets pgss_status and, when OK,
 * pgss_relation. */
static void pgss_detect(sdb_pgstats *p)
{
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(
        p, "pg_stat_statements", NULL,
        SDB_PGSTATS_MARK " SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
        "ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'), "
        "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'), "
        "'pg_stat_statements' = ANY (string_to_array(replace(replace("
        "current_setting('shared_preload_libraries'), ' ', ''), '\"', ''), ','))",
        0, NULL, false);
    pthread_mutex_unlock(&p->lock);
    if (!res) {
        pgss_disable(p, SDB_PGSS_ERROR, "cannot look for the extension");
        return;
    }
    bool installed = !PQgetisnull(res, 0, 0);
    bool available = strcmp(col_str(res, 0, 1), "t") == 0;
    bool preloaded = strcmp(col_str(res, 0, 2), "t") == 0;
    char msg[256];
    if (!available && !installed) {
        pgss_disable(p, SDB_PGSS_NOT_AVAILABLE,
                     "the pg_stat_statements extension is not available on the server "
                     "(it comes with PostgreSQL's contrib modules)");
    } else if (!preloaded) {
        snprintf(msg, sizeof msg,
                 "pg_stat_statements is not in shared_preload_libraries (add it and restart "
                 "the server%s)",
                 installed ? "" : ", then CREATE EXTENSION pg_stat_statements in the database");
        pgss_disable(p, SDB_PGSS_NOT_PRELOADED, msg);
    } else if (!installed) {
        snprintf(msg, sizeof msg,
                 "pg_stat_statements is preloaded but not created in database %.60s "
                 "(run CREATE EXTENSION pg_stat_statements there)", p->dbname);
        pgss_disable(p, SDB_PGSS_NOT_INSTALLED, msg);
    } else {
        const char *schema = PQgetvalue(res, 0, 0);
        char *q = PQescapeIdentifier(p->conn, schema, strlen(schema));
        size_t len = q ? strlen(q) + sizeof ".pg_stat_statements" : 0;
        p->pgss_relation = q ? malloc(len) : NULL;
        if (p->pgss_relation) {
            snprintf(p->pgss_relation, len, "%s.pg_stat_statements", q);
            p->pgss_status = SDB_PGSS_OK;
        } else {
            pgss_disable(p, SDB_PGSS_ERROR, "out of memory");
        }
        PQfreemem(q);
    }
    PQclear(res);
}

static void stmts_free(sdb_pgstats_stmt *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].query);
    free(s);
}

/* Reads the run's database's and user's entries of pg_stat_statements
 * (the monitor's own excluded).  Returns false on an error. */
static bool pgss_snapshot(sdb_pgstats *p, sdb_pgstats_stmt **out, size_t *nout)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             SDB_PGSTATS_MARK " SELECT queryid, calls, %s, rows, left(query, 1000) FROM %s "
             "WHERE dbid = $1::oid AND userid = (SELECT oid FROM pg_roles WHERE rolname = "
             "current_user) AND queryid IS NOT NULL%s AND query NOT LIKE '%s%%'",
             p->plan.pgss_total_col, p->pgss_relation,
             p->plan.pgss_toplevel ? " AND toplevel" : "", SDB_PGSTATS_MARK);
    const char *params[1] = {p->dbid};
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(p, "pg_stat_statements", NULL, sql, 1, params, false);
    pthread_mutex_unlock(&p->lock);
    if (!res)
        return false;
    int n = PQntuples(res);
    sdb_pgstats_stmt *s = calloc((size_t)n + 1, sizeof *s);
    bool ok = s != NULL;
    for (int i = 0; ok && i < n; i++) {
        s[i].queryid = col_i64(res, i, 0);
        s[i].calls = col_i64(res, i, 1);
        s[i].total_ms = strtod(col_str(res, i, 2), NULL);
        s[i].rows = col_i64(res, i, 3);
        s[i].query = strdup(col_str(res, i, 4));
        ok = s[i].query != NULL;
        if (ok)
            sdb_utf8_sanitize(s[i].query);
    }
    PQclear(res);
    if (!ok) {
        stmts_free(s, (size_t)n);
        return false;
    }
    *out = s;
    *nout = (size_t)n;
    return true;
}

static void pgss_finish(sdb_pgstats *p)
{
    if (p->pgss_status != SDB_PGSS_OK)
        return;
    if (!pgss_snapshot(p, &p->pgss_after, &p->npgss_after)) {
        p->pgss_status = SDB_PGSS_ERROR;
        snprintf(p->pgss_message, sizeof p->pgss_message,
                 "pg_stat_statements could not be read after the run");
        return;
    }
    sdb_pgstats_stmt *d = calloc(p->npgss_after + 1, sizeof *d);
    if (!d)
        return;
    size_t n = sdb_pgstats_stmt_delta(p->pgss_before, p->npgss_before, p->pgss_after,
                                      p->npgss_after, d);
    p->top = d;
    p->ntop = n < p->top_max ? n : p->top_max;
}

/* ---------------------------------------------------------------------------
 * The wait sampler
 * ------------------------------------------------------------------------- */

static const char wait_sql[] =
    SDB_PGSTATS_MARK " SELECT COALESCE(wait_event_type, 'CPU'), COALESCE(wait_event, 'CPU'), "
    "count(*) FROM pg_stat_activity WHERE datid = $1::oid AND pid <> $2::int "
    "AND state = 'active' AND backend_type = 'client backend' GROUP BY 1, 2";
static const char locks_sql[] =
    SDB_PGSTATS_MARK " SELECT l.locktype, l.mode, count(*) FROM pg_locks l "
    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datid = $1::oid "
    "AND a.pid <> $2::int GROUP BY 1, 2";

static void add_wait(sdb_pgstats *p, const char *type, const char *event, int64_t n)
{
    for (int i = 0; i < p->nwaits; i++)
        if (strcmp(p->waits[i].type, type) == 0 && strcmp(p->waits[i].event, event) == 0) {
            p->waits[i].samples += n;
            return;
        }
    if (p->nwaits == SDB_PGSTATS_MAX_WAITS) {
        p->waits_dropped += n;
        return;
    }
    sdb_pgstats_wait *w = &p->waits[p->nwaits++];
    snprintf(w->type, sizeof w->type, "%s", type);
    snprintf(w->event, sizeof w->event, "%s", event);
    w->samples = n;
    w->taken = 0;
}

static void add_lock(sdb_pgstats *p, const char *locktype, const char *mode, int64_t n)
{
    for (int i = 0; i < p->nlocks; i++)
        if (strcmp(p->locks[i].locktype, locktype) == 0 && strcmp(p->locks[i].mode, mode) == 0) {
            p->locks[i].samples += n;
            return;
        }
    if (p->nlocks == SDB_PGSTATS_MAX_LOCKS)
        return;
    sdb_pgstats_lockwait *l = &p->locks[p->nlocks++];
    snprintf(l->locktype, sizeof l->locktype, "%s", locktype);
    snprintf(l->mode, sizeof l->mode, "%s", mode);
    l->samples = n;
}

/* One poll: the wait events of the run's active backends, and pg_locks
 * only when one of them waits on a heavyweight lock.  Caller holds lock. */
static void sample_waits(sdb_pgstats *p)
{
    char pid[16];
    snprintf(pid, sizeof pid, "%d", p->monitor_pid);
    const char *params[2] = {p->dbid, pid};
    PGresult *res = mon_exec(p, "wait events", "sdb_mon_wait", NULL, 2, params, true);
    if (!res)
        return;
    int64_t lock_waiters = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *type = col_str(res, i, 0);
        int64_t n = col_i64(res, i, 2);
        add_wait(p, type, col_str(res, i, 1), n);
        p->wait_backend_samples += n;
        if (strcmp(type, "Lock") == 0)
            lock_waiters += n;
    }
    PQclear(res);
    p->wait_ticks++;
    if (lock_waiters == 0)
        return;
    p->lock_samples_with_waiters++;
    p->lock_waiter_samples += lock_waiters;
    if (lock_waiters > p->lock_max_waiters)
        p->lock_max_waiters = (int)lock_waiters;
    res = mon_exec(p, "lock waits", "sdb_mon_locks", NULL, 2, params, true);
    if (!res)
        return;
    for (int i = 0; i < PQntuples(res); i++)
        add_lock(p, col_str(res, i, 0), col_str(res, i, 1), col_i64(res, i, 2));
    PQclear(res);
}

static void *sampler_main(void *arg)
{
    sdb_pgstats *p = arg;
    int64_t period = (int64_t)p->sample_ms * 1000000;
    pthread_mutex_lock(&p->lock);
    int64_t next = sdb_now_ns() + period;
    while (!p->stopping) {
        int64_t now = sdb_now_ns();
        if (now < next) {
            sdb_cond_wait_until(&p->wake, &p->lock, next);
            continue;   /* re-check stopping and the time */
        }
        sample_waits(p);
        next += period;
        now = sdb_now_ns();
        if (next <= now)    /* a slow poll: skip the missed ticks */
            next = now + period;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Interval rows
 * ------------------------------------------------------------------------- */

static int cmp_wait(const void *a, const void *b)
{
    const sdb_pgstats_wait *x = a, *y = b;
    if (x->samples != y->samples)
        return x->samples < y->samples ? 1 : -1;
    int c = strcmp(x->type, y->type);
    return c ? c : strcmp(x->event, y->event);
}

static void wait_name(char *buf, size_t len, const char *type, const char *event)
{
    if (strcmp(type, event) == 0)
        snprintf(buf, len, "%.31s", type);
    else
        snprintf(buf, len, "%.31s:%.63s", type, event);
}

/* Fills the row's wait fields from the sampler's counts since the last
 * row, and marks them taken.  Takes the lock. */
static void row_waits(sdb_pgstats *p, sdb_pgstats_row *r)
{
    pthread_mutex_lock(&p->lock);
    r->wait_ticks = p->wait_ticks - p->wait_ticks_taken;
    p->wait_ticks_taken = p->wait_ticks;
    r->lock_waiter_samples = p->lock_waiter_samples - p->lock_waiter_taken;
    p->lock_waiter_taken = p->lock_waiter_samples;
    sdb_pgstats_wait d[SDB_PGSTATS_MAX_WAITS];
    int n = 0;
    for (int i = 0; i < p->nwaits; i++) {
        int64_t s = p->waits[i].samples - p->waits[i].taken;
        p->waits[i].taken = p->waits[i].samples;
        if (s > 0) {
            d[n] = p->waits[i];
            d[n++].samples = s;
        }
    }
    pthread_mutex_unlock(&p->lock);
    qsort(d, (size_t)n, sizeof *d, cmp_wait);
    r->ntop = n < SDB_PGSTATS_ROW_TOP ? n : SDB_PGSTATS_ROW_TOP;
    for (int i = 0; i < r->ntop; i++) {
        wait_name(r->top[i].name, sizeof r->top[i].name, d[i].type, d[i].event);
        r->top[i].samples = d[i].samples;
    }
}

static void note_conns(sdb_pgstats *p, const int conn[NCONN])
{
    if (conn[0] > p->peak_conn_total)
        p->peak_conn_total = conn[0];
    if (conn[1] > p->peak_conn_active)
        p->peak_conn_active = conn[1];
    if (conn[4] > p->peak_conn_in_db)
        p->peak_conn_in_db = conn[4];
}

/* Appends the row from the last snapshot to c (taken at now).  Main thread. */
static void append_row(sdb_pgstats *p, const int64_t *c, const int conn[NCONN], int64_t now)
{
    if (p->nrows == p->caprows) {
        size_t cap = p->caprows ? 2 * p->caprows : 64;
        sdb_pgstats_row *rows = realloc(p->rows, cap * sizeof *rows);
        if (!rows) {
            sdb_warn("server statistics: out of memory; an interval row is lost");
            return;
        }
        p->rows = rows;
        p->caprows = cap;
    }
    sdb_pgstats_row *r = &p->rows[p->nrows++];
    memset(r, 0, sizeof *r);
    r->t_s = (double)(now - p->t0_ns) / 1e9;
    r->length_s = (double)(now - p->last_ns) / 1e9;
    r->reset = sdb_pgstats_delta(c, p->last, r->d);
    r->hit_ratio_pct = sdb_pgstats_hit_ratio(r->d[SDB_PGS_BLKS_HIT], r->d[SDB_PGS_BLKS_READ]);
    /* the WAL position moves at once; pg_stat_wal lags by up to a second */
    int64_t wal = r->d[SDB_PGS_WAL_LSN_BYTES] != SDB_PGSTATS_NA ? r->d[SDB_PGS_WAL_LSN_BYTES]
                                                                : r->d[SDB_PGS_WAL_BYTES];
    r->wal_bytes_per_s = wal == SDB_PGSTATS_NA || r->length_s <= 0 ? -1.0
                                                                   : (double)wal / r->length_s;
    r->conn_total = conn[0];
    r->conn_active = conn[1];
    r->conn_idle = conn[2];
    r->conn_idle_in_tx = conn[3];
    r->conn_in_db = conn[4];
    row_waits(p, r);
    memcpy(p->last, c, sizeof p->last);
    p->last_ns = now;
}

bool sdb_pgstats_sample(sdb_pgstats *p)
{
    if (!p || p->have_after)
        return false;
    int64_t c[SDB_PGS_NCOUNTERS];
    int conn[NCONN];
    if (!take_snapshot(p, c, conn))
        return false;
    note_conns(p, conn);
    append_row(p, c, conn, sdb_now_ns());
    return true;
}

size_t sdb_pgstats_nrows(const sdb_pgstats *p)
{
    return p ? p->nrows : 0;
}

const sdb_pgstats_row *sdb_pgstats_row_at(const sdb_pgstats *p, size_t i)
{
    return p && i < p->nrows ? &p->rows[i] : NULL;
}

/* ---------------------------------------------------------------------------
 * Start and stop
 * ------------------------------------------------------------------------- */

/* Connects with the run's parameters as application_name stormdb-monitor,
 * with a statement_timeout of its own. */
static PGconn *monitor_connect(const sdb_conninfo *ci, char *err, size_t errlen)
{
    sdb_conninfo mine = *ci;
    int n = 0;
    while (n < SDB_CONN_MAXKEYS && mine.keys[n])
        n++;
    if (n < SDB_CONN_MAXKEYS) {   /* libpq keeps the last value of a key */
        mine.keys[n] = "application_name";
        mine.values[n] = "stormdb-monitor";
        mine.keys[n + 1] = NULL;
        mine.values[n + 1] = NULL;
    }
    PGconn *conn = sdb_connect(&mine, err, errlen);
    if (!conn)
        return NULL;
    PGresult *res = PQexec(conn, "SET statement_timeout = '2s'");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        sdb_conn_error(conn, res, err, errlen);
        PQclear(res);
        PQfinish(conn);
        return NULL;
    }
    PQclear(res);
    return conn;
}

/* The database's oid and name.  Caller holds no lock (before the thread). */
static bool read_identity(sdb_pgstats *p)
{
    pthread_mutex_lock(&p->lock);
    PGresult *res = mon_exec(p, "identity", NULL,
                             SDB_PGSTATS_MARK " SELECT oid, datname FROM pg_database "
                             "WHERE datname = current_database()",
                             0, NULL, false);
    pthread_mutex_unlock(&p->lock);
    if (!res)
        return false;
    bool ok = PQntuples(res) == 1;
    if (ok) {
        snprintf(p->dbid, sizeof p->dbid, "%s", col_str(res, 0, 0));
        snprintf(p->dbname, sizeof p->dbname, "%s", col_str(res, 0, 1));
        sdb_utf8_sanitize(p->dbname);
    }
    PQclear(res);
    return ok;
}

static bool copy_tables(sdb_pgstats *p, const sdb_pgstats_opts *o)
{
    int n = o->ntables > 0 && o->tables ? o->ntables : 0;
    p->tables_list = calloc((size_t)n + 1, sizeof *p->tables_list);
    p->tables = calloc((size_t)n + 1, sizeof *p->tables);
    if (!p->tables_list || !p->tables)
        return false;
    for (int i = 0; i < n; i++) {
        p->tables_list[i] = strdup(o->tables[i]);
        if (!p->tables_list[i])
            return false;
        p->ntables_list = i + 1;
        p->tables[i].name = p->tables_list[i];
        for (int k = 0; k < 12; k++)
            p->tables[i].raw[0][k] = p->tables[i].raw[1][k] = SDB_PGSTATS_NA;
    }
    p->tables_param = text_array_literal((const char *const *)p->tables_list, n);
    return p->tables_param != NULL;
}

static bool init_sync(sdb_pgstats *p)
{
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        return false;
    return sdb_cond_init_monotonic(&p->wake) == 0;
}

sdb_pgstats *sdb_pgstats_start(const sdb_pgstats_opts *o, char *err, size_t errlen)
{
    sdb_pgstats *p = calloc(1, sizeof *p);
    if (!p || !init_sync(p)) {
        snprintf(err, errlen, "out of memory");
        free(p);
        return NULL;
    }
    p->max_connections = -1;
    p->top_max = o->top_statements > 0 ? (size_t)o->top_statements : SDB_PGSTATS_DEFAULT_TOP;
    p->sample_ms = o->sample_ms == 0 ? SDB_PGSTATS_DEFAULT_SAMPLE_MS
                   : o->sample_ms < 0 ? 0 : o->sample_ms;
    p->pgss_status = SDB_PGSS_OFF;
    if (!copy_tables(p, o)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    p->conn = monitor_connect(o->ci, err, errlen);
    if (!p->conn)
        goto fail;
    p->monitor_pid = PQbackendPID(p->conn);
    int v = PQserverVersion(p->conn);
    p->plan = sdb_pgstats_plan_for(v);
    snprintf(p->server_version, sizeof p->server_version, "%d.%d", v / 10000, v % 10000);
    if (!p->plan.supported) {
        snprintf(err, errlen, "server statistics need PostgreSQL 12 or later (the server is %s)",
                 p->server_version);
        goto fail;
    }
    pthread_mutex_lock(&p->lock);
    bool prepared = mon_prepare(p, "sdb_mon_snap", p->plan.snapshot_sql) &&
                    mon_prepare(p, "sdb_mon_wait", wait_sql) &&
                    mon_prepare(p, "sdb_mon_locks", locks_sql);
    pthread_mutex_unlock(&p->lock);
    if (!prepared || !read_identity(p) || !read_settings(p)) {
        snprintf(err, errlen, "%s", p->first_error[0] ? p->first_error : "out of memory");
        goto fail;
    }
    if (o->statements) {
        pgss_detect(p);
        if (p->pgss_status == SDB_PGSS_OK &&
            !pgss_snapshot(p, &p->pgss_before, &p->npgss_before)) {
            p->pgss_status = SDB_PGSS_ERROR;
            snprintf(p->pgss_message, sizeof p->pgss_message,
                     "pg_stat_statements could not be read before the run");
        }
    }
    read_tables(p, 0);
    int conn[NCONN];
    if (!take_snapshot(p, p->before, conn)) {
        snprintf(err, errlen, "%s", p->first_error);
        goto fail;
    }
    note_conns(p, conn);
    p->have_before = true;
    memcpy(p->last, p->before, sizeof p->last);
    p->t0_ns = p->last_ns = sdb_now_ns();
    if (p->sample_ms > 0) {
        if (pthread_create(&p->sampler, NULL, sampler_main, p) != 0)
            sdb_warn("server statistics: cannot start the wait-event sampler");
        else
            p->sampler_running = true;
    }
    return p;
fail:
    sdb_pgstats_free(p);
    return NULL;
}

static void stop_sampler(sdb_pgstats *p)
{
    if (!p->sampler_running)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->sampler, NULL);
    p->sampler_running = false;
}

bool sdb_pgstats_stop(sdb_pgstats *p)
{
    if (!p || !p->conn)
        return p && p->have_after;
    stop_sampler(p);
    int64_t c[SDB_PGS_NCOUNTERS];
    int conn[NCONN];
    bool ok = take_snapshot(p, c, conn);
    if (ok) {
        note_conns(p, conn);
        /* the last stretch since the last summary interval, unless it is
         * too short for its rates to mean anything (its counts still go
         * into the run's totals) */
        int64_t now = sdb_now_ns();
        if (now - p->last_ns >= 100000000 || p->nrows == 0)
            append_row(p, c, conn, now);
        /* backends that just exited publish their counts a little later */
        for (int tries = 0; ok && tries < 20; tries++) {
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
            int64_t again[SDB_PGS_NCOUNTERS];
            ok = take_snapshot(p, again, conn);
            if (!ok)
                break;
            bool same = again[SDB_PGS_XACT_COMMIT] == c[SDB_PGS_XACT_COMMIT] &&
                        again[SDB_PGS_XACT_ROLLBACK] == c[SDB_PGS_XACT_ROLLBACK];
            memcpy(c, again, sizeof c);
            if (same)
                break;
        }
    }
    if (ok) {
        memcpy(p->after, c, sizeof p->after);
        p->have_after = true;
        p->run_reset = sdb_pgstats_delta(p->after, p->before, p->run);
        p->run_s = (double)(sdb_now_ns() - p->t0_ns) / 1e9;
    }
    read_tables(p, 1);
    finish_tables(p);
    pgss_finish(p);
    pthread_mutex_lock(&p->lock);
    PQfinish(p->conn);
    p->conn = NULL;
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void sdb_pgstats_free(sdb_pgstats *p)
{
    if (!p)
        return;
    stop_sampler(p);
    if (p->conn)
        PQfinish(p->conn);
    for (int i = 0; i < p->nsettings; i++) {
        free(p->setting_names[i]);
        free(p->setting_values[i]);
    }
    free(p->setting_names);
    free(p->setting_values);
    for (int i = 0; i < p->ntables_list; i++)
        free(p->tables_list[i]);
    free(p->tables_list);
    free(p->tables_param);
    free(p->tables);
    free(p->rows);
    free(p->pgss_relation);
    stmts_free(p->pgss_before, p->npgss_before);
    stmts_free(p->pgss_after, p->npgss_after);
    free(p->top);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int sdb_pgstats_wait_profile(const sdb_pgstats *p, sdb_pgstats_wait *out)
{
    int n = p->nwaits;
    memcpy(out, p->waits, (size_t)n * sizeof *out);
    qsort(out, (size_t)n, sizeof *out, cmp_wait);
    return n;
}

/* ---------------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------------- */

static json_t *jcount(int64_t v)
{
    return v == SDB_PGSTATS_NA ? json_null() : json_integer((json_int_t)v);
}

static json_t *jreal_or_null(double v, bool valid)
{
    return valid && isfinite(v) ? json_real(v) : json_null();
}

static json_t *jtext(const char *s)
{
    return sdb_json_text(s ? s : "");
}

/* The counters of c as members of obj (times in ms). */
static void counters_json(json_t *obj, const int64_t *c)
{
    for (int i = 0; i < SDB_PGS_NCOUNTERS; i++) {
        json_t *v = counter_is_time(i) ? jreal_or_null((double)c[i] / 1000.0,
                                                       c[i] != SDB_PGSTATS_NA)
                                       : jcount(c[i]);
        json_object_set_new(obj, counter_names[i], v);
    }
}

static json_t *row_json(const sdb_pgstats_row *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "t_s", json_real(r->t_s));
    json_object_set_new(o, "length_s", json_real(r->length_s));
    counters_json(o, r->d);
    json_object_set_new(o, "stats_reset", json_boolean(r->reset));
    json_object_set_new(o, "hit_ratio_pct", jreal_or_null(r->hit_ratio_pct, r->hit_ratio_pct >= 0));
    json_object_set_new(o, "wal_bytes_per_s",
                        jreal_or_null(r->wal_bytes_per_s, r->wal_bytes_per_s >= 0));
    json_object_set_new(o, "connections",
                        json_pack("{s:i, s:i, s:i, s:i, s:i}", "total", r->conn_total, "active",
                                  r->conn_active, "idle", r->conn_idle, "idle_in_transaction",
                                  r->conn_idle_in_tx, "in_database", r->conn_in_db));
    json_object_set_new(o, "wait_polls", json_integer((json_int_t)r->wait_ticks));
    json_object_set_new(o, "lock_waiter_samples", json_integer((json_int_t)r->lock_waiter_samples));
    json_t *top = json_array();
    for (int i = 0; i < r->ntop; i++)
        json_array_append_new(top, json_pack("{s:o, s:I}", "event", jtext(r->top[i].name),
                                             "samples", (json_int_t)r->top[i].samples));
    json_object_set_new(o, "top_waits", top);
    return o;
}

static json_t *waits_json(const sdb_pgstats *p)
{
    sdb_pgstats_wait w[SDB_PGSTATS_MAX_WAITS];
    int n = sdb_pgstats_wait_profile(p, w);
    json_t *events = json_array();
    for (int i = 0; i < n; i++) {
        double pct = p->wait_backend_samples > 0
                         ? 100.0 * (double)w[i].samples / (double)p->wait_backend_samples
                         : 0.0;
        json_array_append_new(events, json_pack("{s:o, s:o, s:I, s:f}", "type", jtext(w[i].type),
                                                "event", jtext(w[i].event), "samples",
                                                (json_int_t)w[i].samples, "pct", pct));
    }
    return json_pack("{s:i, s:I, s:I, s:I, s:o}", "interval_ms", p->sample_ms, "polls",
                     (json_int_t)p->wait_ticks, "backend_samples",
                     (json_int_t)p->wait_backend_samples, "dropped",
                     (json_int_t)p->waits_dropped, "events", events);
}

static json_t *locks_json(const sdb_pgstats *p)
{
    json_t *by = json_array();
    for (int i = 0; i < p->nlocks; i++)
        json_array_append_new(by, json_pack("{s:o, s:o, s:I}", "locktype",
                                            jtext(p->locks[i].locktype), "mode",
                                            jtext(p->locks[i].mode), "samples",
                                            (json_int_t)p->locks[i].samples));
    return json_pack("{s:I, s:I, s:i, s:o}", "polls_with_waiters",
                     (json_int_t)p->lock_samples_with_waiters, "waiter_samples",
                     (json_int_t)p->lock_waiter_samples, "max_waiters", p->lock_max_waiters,
                     "by_lock", by);
}

static json_t *table_json(const sdb_pgstats_table *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "name", jtext(t->name));
    json_object_set_new(o, "found", json_boolean(t->found));
    json_object_set_new(o, "vacuum", jcount(t->vacuum));
    json_object_set_new(o, "autovacuum", jcount(t->autovacuum));
    json_object_set_new(o, "analyze", jcount(t->analyze));
    json_object_set_new(o, "autoanalyze", jcount(t->autoanalyze));
    json_object_set_new(o, "n_live_tup", jcount(t->n_live_tup));
    json_object_set_new(o, "n_dead_tup_before", jcount(t->n_dead_tup_before));
    json_object_set_new(o, "n_dead_tup", jcount(t->n_dead_tup));
    json_object_set_new(o, "n_tup_ins", jcount(t->n_tup_ins));
    json_object_set_new(o, "n_tup_upd", jcount(t->n_tup_upd));
    json_object_set_new(o, "n_tup_hot_upd", jcount(t->n_tup_hot_upd));
    json_object_set_new(o, "n_tup_del", jcount(t->n_tup_del));
    json_object_set_new(o, "table_bytes_before", jcount(t->table_bytes_before));
    json_object_set_new(o, "table_bytes_after", jcount(t->table_bytes_after));
    json_object_set_new(o, "index_bytes_before", jcount(t->index_bytes_before));
    json_object_set_new(o, "index_bytes_after", jcount(t->index_bytes_after));
    return o;
}

static const char *pgss_status_name(sdb_pgstats_pgss_status s)
{
    switch (s) {
    case SDB_PGSS_OFF: return "off";
    case SDB_PGSS_OK: return "ok";
    case SDB_PGSS_NOT_AVAILABLE: return "not_available";
    case SDB_PGSS_NOT_PRELOADED: return "not_preloaded";
    case SDB_PGSS_NOT_INSTALLED: return "not_installed";
    case SDB_PGSS_ERROR: return "error";
    }
    return "?";
}

static json_t *statements_json(const sdb_pgstats *p)
{
    json_t *top = json_array();
    for (size_t i = 0; i < p->ntop; i++) {
        const sdb_pgstats_stmt *s = &p->top[i];
        json_array_append_new(
            top, json_pack("{s:I, s:o, s:I, s:f, s:f, s:I}", "queryid", (json_int_t)s->queryid,
                           "query", jtext(s->query), "calls", (json_int_t)s->calls, "total_ms",
                           s->total_ms, "mean_ms",
                           s->calls > 0 ? s->total_ms / (double)s->calls : 0.0,
                           "rows", (json_int_t)s->rows));
    }
    return json_pack("{s:s, s:o, s:o}", "status", pgss_status_name(p->pgss_status), "message",
                     p->pgss_message[0] ? jtext(p->pgss_message) : json_null(), "top", top);
}

json_t *sdb_pgstats_json(const sdb_pgstats *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "server_version", jtext(p->server_version));
    json_object_set_new(o, "server_version_num", json_integer(p->plan.version_num));
    json_object_set_new(o, "sources",
                        json_pack("{s:s, s:s, s:s}", "wal", p->plan.wal_source, "checkpoints",
                                  p->plan.checkpoint_source, "backend_writes",
                                  p->plan.backend_writes_source));
    json_t *settings = json_object();
    for (int i = 0; i < p->nsettings; i++)
        json_object_set_new(settings, p->setting_names[i], jtext(p->setting_values[i]));
    json_object_set_new(o, "settings", settings);

    json_t *run = json_object();
    if (p->have_after) {
        json_object_set_new(run, "duration_s", json_real(p->run_s));
        counters_json(run, p->run);
        double hr = sdb_pgstats_hit_ratio(p->run[SDB_PGS_BLKS_HIT], p->run[SDB_PGS_BLKS_READ]);
        json_object_set_new(run, "hit_ratio_pct", jreal_or_null(hr, hr >= 0));
        int64_t wal = p->run[SDB_PGS_WAL_BYTES];
        json_object_set_new(run, "wal_bytes_per_s",
                            jreal_or_null(p->run_s > 0 ? (double)wal / p->run_s : 0,
                                          wal != SDB_PGSTATS_NA && p->run_s > 0));
        json_object_set_new(run, "stats_reset", json_boolean(p->run_reset));
    }
    json_object_set_new(o, "run", p->have_after ? run : json_null());
    if (!p->have_after)
        json_decref(run);

    json_object_set_new(o, "connections",
                        json_pack("{s:o, s:i, s:i, s:i}", "max_connections",
                                  p->max_connections >= 0 ? json_integer(p->max_connections)
                                                          : json_null(),
                                  "peak_total", p->peak_conn_total, "peak_active",
                                  p->peak_conn_active, "peak_in_database", p->peak_conn_in_db));
    json_t *rows = json_array();
    for (size_t i = 0; i < p->nrows; i++)
        json_array_append_new(rows, row_json(&p->rows[i]));
    json_object_set_new(o, "intervals", rows);
    json_object_set_new(o, "wait_events", waits_json(p));
    json_object_set_new(o, "lock_waits", locks_json(p));
    json_t *tables = json_array();
    for (int i = 0; i < p->ntables_list; i++)
        json_array_append_new(tables, table_json(&p->tables[i]));
    json_object_set_new(o, "tables", tables);
    json_object_set_new(o, "statements", statements_json(p));
    json_object_set_new(
        o, "monitor",
        json_pack("{s:I, s:f, s:f, s:I, s:f, s:I, s:o}", "queries", (json_int_t)p->queries,
                  "total_ms", (double)p->query_ns / 1e6, "max_ms", (double)p->query_max_ns / 1e6,
                  "sampler_queries", (json_int_t)p->sampler_queries, "sampler_ms",
                  (double)p->sampler_ns / 1e6, "errors", (json_int_t)p->errors, "first_error",
                  p->first_error[0] ? jtext(p->first_error) : json_null()));
    return o;
}

/* bytes as "12.3 MB" (PostgreSQL's 1024-based units). */
static const char *fmt_bytes(char *buf, size_t len, double b)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    double a = fabs(b);
    while (a >= 1024.0 && u < 4) {
        a /= 1024.0;
        b /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0f B", b);
    else
        snprintf(buf, len, "%.1f %s", b, units[u]);
    return buf;
}

static const char *fmt_na(char *buf, size_t len, int64_t v)
{
    if (v == SDB_PGSTATS_NA)
        snprintf(buf, len, "n/a");
    else
        sdb_fmt_count(buf, len, v);
    return buf;
}

static void console_waits(FILE *out, const sdb_pgstats *p)
{
    if (p->sample_ms == 0)
        return;
    sdb_pgstats_wait w[SDB_PGSTATS_MAX_WAITS];
    int n = sdb_pgstats_wait_profile(p, w);
    fprintf(out, "  Wait events     %lld polls every %d ms", (long long)p->wait_ticks,
            p->sample_ms);
    if (n == 0 || p->wait_backend_samples == 0) {
        fprintf(out, ", no active backend seen\n");
        return;
    }
    fprintf(out, ":");
    for (int i = 0; i < n && i < 5; i++) {
        char name[100];
        wait_name(name, sizeof name, w[i].type, w[i].event);
        fprintf(out, "%s %s %.1f%%", i ? "," : "", name,
                100.0 * (double)w[i].samples / (double)p->wait_backend_samples);
    }
    fprintf(out, "\n");
    if (p->lock_samples_with_waiters > 0)
        fprintf(out, "  Lock waits      in %lld of %lld polls, up to %d waiting at once\n",
                (long long)p->lock_samples_with_waiters, (long long)p->wait_ticks,
                p->lock_max_waiters);
    else
        fprintf(out, "  Lock waits      none seen\n");
}

static void console_tables(FILE *out, const sdb_pgstats *p)
{
    int64_t vac = 0, an = 0, dead = 0, grow_t = 0, grow_i = 0;
    int found = 0;
    for (int i = 0; i < p->ntables_list; i++) {
        const sdb_pgstats_table *t = &p->tables[i];
        if (!t->found)
            continue;
        found++;
        vac += t->autovacuum > 0 ? t->autovacuum : 0;
        an += t->autoanalyze > 0 ? t->autoanalyze : 0;
        if (t->n_dead_tup >= 0 && t->n_dead_tup_before >= 0)
            dead += t->n_dead_tup - t->n_dead_tup_before;
        if (t->table_bytes_after >= 0 && t->table_bytes_before >= 0)
            grow_t += t->table_bytes_after - t->table_bytes_before;
        if (t->index_bytes_after >= 0 && t->index_bytes_before >= 0)
            grow_i += t->index_bytes_after - t->index_bytes_before;
    }
    if (found == 0)
        return;
    char a[32], b[32], c[32];
    fprintf(out,
            "  Autovacuum      %lld vacuum%s, %lld analyze%s of %d table%s; dead tuples %s%s\n",
            (long long)vac, vac == 1 ? "" : "s", (long long)an, an == 1 ? "" : "s", found,
            found == 1 ? "" : "s", dead >= 0 ? "+" : "", sdb_fmt_count(a, sizeof a, dead));
    fprintf(out, "  Size growth     %s%s (tables %s, indexes %s)\n",
            grow_t + grow_i >= 0 ? "+" : "", fmt_bytes(a, sizeof a, (double)(grow_t + grow_i)),
            fmt_bytes(b, sizeof b, (double)grow_t), fmt_bytes(c, sizeof c, (double)grow_i));
}

static void console_statements(FILE *out, const sdb_pgstats *p)
{
    if (p->pgss_status == SDB_PGSS_OFF)
        return;
    if (p->pgss_status != SDB_PGSS_OK) {
        fprintf(out, "  Top statements  not available: %s\n", p->pgss_message);
        return;
    }
    fprintf(out, "  Top statements  (pg_stat_statements, this run, by total time)\n");
    fprintf(out, "    %10s %10s %9s %10s  %s\n", "total ms", "calls", "mean ms", "rows", "query");
    for (size_t i = 0; i < p->ntop && i < 5; i++) {
        const sdb_pgstats_stmt *s = &p->top[i];
        char q[61];
        size_t k = 0;
        for (const char *c = s->query; *c && k < sizeof q - 1; c++)
            q[k++] = (*c == '\n' || *c == '\t' || *c == '\r') ? ' ' : *c;
        q[k] = '\0';
        fprintf(out, "    %10.1f %10lld %9.3f %10lld  %s%s\n", s->total_ms, (long long)s->calls,
                s->calls > 0 ? s->total_ms / (double)s->calls : 0.0, (long long)s->rows, q,
                strlen(s->query) > k ? "..." : "");
    }
}

void sdb_pgstats_console(FILE *out, const sdb_pgstats *p)
{
    char a[32], b[32], c[32], d[32];
    fprintf(out, "Server (PostgreSQL %s; monitor: %lld queries, %.1f ms)\n", p->server_version,
            (long long)p->queries, (double)p->query_ns / 1e6);
    if (!p->have_after) {
        fprintf(out, "  no statistics after the run%s%s\n", p->first_error[0] ? ": " : "",
                p->first_error);
        return;
    }
    const int64_t *r = p->run;
    double hr = sdb_pgstats_hit_ratio(r[SDB_PGS_BLKS_HIT], r[SDB_PGS_BLKS_READ]);
    if (hr >= 0)
        fprintf(out, "  Buffer cache    hit ratio %.2f%% (%s hit, %s read)\n", hr,
                fmt_na(a, sizeof a, r[SDB_PGS_BLKS_HIT]),
                fmt_na(b, sizeof b, r[SDB_PGS_BLKS_READ]));
    else
        fprintf(out, "  Buffer cache    no block accessed\n");
    if (r[SDB_PGS_WAL_BYTES] != SDB_PGSTATS_NA) {
        double wal = (double)r[SDB_PGS_WAL_BYTES];
        fprintf(out, "  WAL             %s (%s/s)", fmt_bytes(a, sizeof a, wal),
                fmt_bytes(b, sizeof b, p->run_s > 0 ? wal / p->run_s : 0));
        if (r[SDB_PGS_WAL_RECORDS] != SDB_PGSTATS_NA)
            fprintf(out, ", %s records, %s full-page images",
                    fmt_na(c, sizeof c, r[SDB_PGS_WAL_RECORDS]),
                    fmt_na(d, sizeof d, r[SDB_PGS_WAL_FPI]));
        fprintf(out, "\n");
    }
    fprintf(out, "  Checkpoints     %s timed, %s requested (write %.0f ms, sync %.0f ms)\n",
            fmt_na(a, sizeof a, r[SDB_PGS_CKPT_TIMED]),
            fmt_na(b, sizeof b, r[SDB_PGS_CKPT_REQUESTED]),
            r[SDB_PGS_CKPT_WRITE_US] > 0 ? (double)r[SDB_PGS_CKPT_WRITE_US] / 1000.0 : 0.0,
            r[SDB_PGS_CKPT_SYNC_US] > 0 ? (double)r[SDB_PGS_CKPT_SYNC_US] / 1000.0 : 0.0);
    fprintf(out, "  Buffers written checkpointer %s, bgwriter %s, backends %s\n",
            fmt_na(a, sizeof a, r[SDB_PGS_BUF_CHECKPOINT]),
            fmt_na(b, sizeof b, r[SDB_PGS_BUF_CLEAN]),
            fmt_na(c, sizeof c, r[SDB_PGS_BUF_BACKEND]));
    fprintf(out, "  Transactions    %s committed, %s rolled back; deadlocks %s, conflicts %s\n",
            fmt_na(a, sizeof a, r[SDB_PGS_XACT_COMMIT]),
            fmt_na(b, sizeof b, r[SDB_PGS_XACT_ROLLBACK]),
            fmt_na(c, sizeof c, r[SDB_PGS_DEADLOCKS]), fmt_na(d, sizeof d, r[SDB_PGS_CONFLICTS]));
    fprintf(out, "  Temp files      %s (%s)\n", fmt_na(a, sizeof a, r[SDB_PGS_TEMP_FILES]),
            fmt_bytes(b, sizeof b, r[SDB_PGS_TEMP_BYTES] > 0 ? (double)r[SDB_PGS_TEMP_BYTES] : 0));
    fprintf(out, "  Connections     peak %d client connections (%d active) of max_connections %d\n",
            p->peak_conn_total, p->peak_conn_active, p->max_connections);
    console_waits(out, p);
    console_tables(out, p);
    console_statements(out, p);
    if (p->run_reset)
        fprintf(out, "  note: statistics were reset during the run; some counts are partial\n");
    if (p->errors > 0)
        fprintf(out, "  note: %lld monitor queries failed (first: %s)\n", (long long)p->errors,
                p->first_error);
}

void sdb_pgstats_csv_header(FILE *out)
{
    fputs(",pg_wal_bytes,pg_wal_bytes_per_s,pg_hit_ratio_pct,pg_xact_commit,pg_conn_active,"
          "pg_lock_waiters",
          out);
    for (int i = 1; i <= SDB_PGSTATS_ROW_TOP; i++)
        fprintf(out, ",pg_wait%d,pg_wait%d_samples", i, i);
}

void sdb_pgstats_csv_fields(FILE *out, const sdb_pgstats_row *r)
{
    if (!r) {
        for (int i = 0; i < 6 + 2 * SDB_PGSTATS_ROW_TOP; i++)
            fputc(',', out);
        return;
    }
    int64_t wal = r->d[SDB_PGS_WAL_LSN_BYTES] != SDB_PGSTATS_NA ? r->d[SDB_PGS_WAL_LSN_BYTES]
                                                                : r->d[SDB_PGS_WAL_BYTES];
    if (wal != SDB_PGSTATS_NA)
        fprintf(out, ",%lld,%.0f", (long long)wal, r->wal_bytes_per_s);
    else
        fputs(",,", out);
    if (r->hit_ratio_pct >= 0)
        fprintf(out, ",%.3f", r->hit_ratio_pct);
    else
        fputc(',', out);
    int64_t commits = r->d[SDB_PGS_XACT_COMMIT] > 0 ? r->d[SDB_PGS_XACT_COMMIT] : 0;
    fprintf(out, ",%lld,%d,%lld", (long long)commits, r->conn_active,
            (long long)r->lock_waiter_samples);
    for (int i = 0; i < SDB_PGSTATS_ROW_TOP; i++) {
        if (i < r->ntop)   /* wait event names hold no comma or quote */
            fprintf(out, ",%s,%lld", r->top[i].name, (long long)r->top[i].samples);
        else
            fputs(",,", out);
    }
}
