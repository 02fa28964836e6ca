/* setup.c — see setup.h. */
#include "setup.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdarg.h>
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
    if (sdb_interrupted)
        sdb_error("%s: interrupted", cmd->where);
    else
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

static bool table_marked(PGconn *conn, const sdb_workload_def *w, const char *table,
                         bool *owned, bool *complete);

int sdb_tables_inspect(PGconn *conn, const sdb_workload_def *w, sdb_tables_state *st)
{
    memset(st, 0, sizeof *st);
    st->loaded = true;
    size_t used = 0;
    st->complete = true;
    for (int i = 0; i < w->ntables; i++) {
        bool ex;
        if (!table_exists(conn, w->tables[i], &ex))
            return 1;
        if (ex) {
            st->existing++;
            bool owned, complete;
            if (!table_marked(conn, w, w->tables[i], &owned, &complete))
                return 1;
            st->owned += owned;
            st->complete = st->complete && complete;
            continue;
        }
        st->complete = false;
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

/* ---- ownership ------------------------------------------------------------ */

/* Sets *owned to whether existing table `table` carries workload w's mark,
 * and *complete to whether it also carries SDB_COMPLETE_MARK.  Returns
 * false after printing an error. */
static bool table_marked(PGconn *conn, const sdb_workload_def *w, const char *table,
                         bool *owned, bool *complete)
{
    char mark[256];
    snprintf(mark, sizeof mark, SDB_OWNER_MARK "%s", w->name);
    const char *values[3] = {table, mark, SDB_COMPLETE_MARK};
    PGresult *res = PQexecParams(conn,
        "SELECT strpos(d, $2::text) > 0, strpos(d, $3::text) > 0 FROM "
        "coalesce(obj_description(to_regclass($1::text), 'pg_class'), '') AS d",
        3, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        char msg[512];
        sdb_conn_error(conn, res, msg, sizeof msg);
        sdb_error("%s", msg);
        PQclear(res);
        return false;
    }
    *owned = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    *complete = *owned && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    PQclear(res);
    return true;
}

static bool table_owned(PGconn *conn, const sdb_workload_def *w, const char *table,
                        bool *owned)
{
    bool complete;
    return table_marked(conn, w, table, owned, &complete);
}

/* Appends line `mark` to the comment of `table` (the comment becomes the
 * mark when it had none).  Returns 0, or 1 with a message printed. */
static int append_mark(PGconn *conn, const sdb_workload_def *w, const char *table,
                       const char *mark)
{
    const char *values[2] = {table, mark};
    /* COMMENT takes no parameters: the server quotes the text itself */
    PGresult *res = PQexecParams(conn,
        "SELECT format('COMMENT ON TABLE %s IS %L', to_regclass($1::text), "
        "concat_ws(E'\\n', obj_description(to_regclass($1::text), 'pg_class'), $2::text))",
        2, NULL, values, NULL, NULL, 0);
    int rc = 1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
        && !PQgetisnull(res, 0, 0)) {
        sdb_sql cmd = {PQgetvalue(res, 0, 0), w->source};
        rc = sdb_exec_sql(conn, &cmd);
    } else {
        char msg[512];
        sdb_conn_error(conn, res, msg, sizeof msg);
        sdb_error("marking table %s (%s): %s", table, mark, msg);
    }
    PQclear(res);
    return rc;
}

/* Marks `table` as created by workload w (SDB_OWNER_MARK). */
static int mark_owned(PGconn *conn, const sdb_workload_def *w, const char *table)
{
    char mark[256];
    snprintf(mark, sizeof mark, SDB_OWNER_MARK "%s", w->name);
    return append_mark(conn, w, table, mark);
}

/* Marks every owned table of w as completely set up (SDB_COMPLETE_MARK). */
static int mark_complete(PGconn *conn, const sdb_workload_def *w)
{
    for (int i = 0; i < w->ntables; i++) {
        bool owned, complete;
        if (!table_marked(conn, w, w->tables[i], &owned, &complete))
            return 1;
        if (owned && !complete && append_mark(conn, w, w->tables[i], SDB_COMPLETE_MARK))
            return 1;
    }
    return 0;
}

/* Appends ", name" (or "name" first) to buf, cut to len. */
static void list_add(char *buf, size_t len, const char *name)
{
    size_t used = strlen(buf);
    if (used + 1 < len)
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

int sdb_tables_drop_checked(PGconn *conn, const sdb_workload_def *w, bool force)
{
    if (w->ntables == 0)
        return 0;
    char foreign[1024] = "", existing[1024] = "";
    int nforeign = 0, nexisting = 0;
    for (int i = 0; i < w->ntables; i++) {
        bool ex, owned;
        if (!table_exists(conn, w->tables[i], &ex))
            return 1;
        if (!ex)
            continue;
        nexisting++;
        list_add(existing, sizeof existing, w->tables[i]);
        if (!table_owned(conn, w, w->tables[i], &owned))
            return 1;
        if (!owned) {
            nforeign++;
            list_add(foreign, sizeof foreign, w->tables[i]);
        }
    }
    if (nforeign > 0 && !force) {
        sdb_error("refusing to drop table%s %s: stormdb did not create %s (no comment "
                  "\"" SDB_OWNER_MARK "%s\"; e.g. made by pgbench -i, by hand or by an "
                  "older stormdb); nothing was dropped. Drop %s yourself, or run again "
                  "with --force to drop %s anyway",
                  nforeign == 1 ? "" : "s", foreign, nforeign == 1 ? "it" : "them",
                  w->name, nforeign == 1 ? "it" : "them", nforeign == 1 ? "it" : "them");
        return 1;
    }
    if (nforeign > 0)
        sdb_warn("--force: dropping table%s %s, which stormdb did not create",
                 nforeign == 1 ? "" : "s", foreign);
    if (nexisting == 0) {
        sdb_info("no table of workload %s to drop", w->name);
        return 0;
    }
    char sql[1100];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", existing);
    if (strlen(existing) + 1 >= sizeof existing) {
        sdb_error("too many tables to drop in one statement");
        return 1;
    }
    sdb_sql cmd = {sql, w->source};
    int rc = sdb_exec_sql(conn, &cmd);
    if (rc == 0)
        sdb_info("dropped the %d table%s of workload %s", nexisting,
                 nexisting == 1 ? "" : "s", w->name);
    return rc;
}

int sdb_tables_drop(PGconn *conn, const sdb_workload_def *w)
{
    return sdb_tables_drop_checked(conn, w, false);
}

/* Runs the schema, then marks the tables of w->tables it created.  Returns
 * 0, or 1 with a message printed. */
static int run_schema(PGconn *conn, const sdb_workload_def *w)
{
    bool *before = calloc((size_t)(w->ntables > 0 ? w->ntables : 1), sizeof *before);
    if (!before) {
        sdb_error("out of memory");
        return 1;
    }
    int rc = 1;
    sdb_sql begin = {"BEGIN", w->source}, rollback = {"ROLLBACK", w->source};
    sdb_sql commit = {"COMMIT", w->source};
    for (int i = 0; i < w->ntables; i++)
        if (!table_exists(conn, w->tables[i], &before[i]))
            goto out;
    /* one transaction: an interrupted schema leaves nothing behind */
    if (sdb_exec_sql(conn, &begin))
        goto out;
    for (int i = 0; i < w->nschema; i++)
        if (sdb_exec_sql(conn, &w->schema[i]))
            goto abort;
    for (int i = 0; i < w->ntables; i++) {
        bool now;
        if (!table_exists(conn, w->tables[i], &now))
            goto abort;
        if (now && !before[i] && mark_owned(conn, w, w->tables[i]))
            goto abort;
    }
    rc = sdb_exec_sql(conn, &commit);
    goto out;
abort:
    if (PQstatus(conn) == CONNECTION_OK) {
        PGresult *res = PQexec(conn, rollback.sql);
        PQclear(res);
    }
out:
    free(before);
    return rc;
}

/* ---- extensions ---------------------------------------------------------- */

/* Where an extension whose package is not named after it comes from: the
 * Debian package is postgresql-MAJOR-package (pgvector: Debian 13 and
 * later, or the PGDG repository), the source at url. */
typedef struct {
    const char *extension;   /* the name CREATE EXTENSION takes */
    const char *package;     /* the Debian package's suffix */
    const char *url;         /* its public source */
} extension_source;

static const extension_source extension_sources[] = {
    { "vector", "pgvector", "https://github.com/pgvector/pgvector" },
};

/* The entry of extension_sources for `name`, or NULL. */
static const extension_source *extension_source_of(const char *name)
{
    for (size_t i = 0; i < sizeof extension_sources / sizeof extension_sources[0]; i++)
        if (strcmp(extension_sources[i].extension, name) == 0)
            return &extension_sources[i];
    return NULL;
}

/* Sets *found to whether `sql` (with $1 = name) returns a row.  Returns
 * false after printing an error. */
static bool has_row(PGconn *conn, const char *sql, const char *name, bool *found)
{
    PGresult *res = query1(conn, sql, name);
    if (!res)
        return false;
    *found = PQntuples(res) > 0;
    PQclear(res);
    return true;
}

/* Creates extension `name` (quoted as an identifier).  Returns 0, or 1 after
 * printing the server's error. */
static int create_extension(PGconn *conn, const sdb_workload_def *w, const char *name)
{
    char *ident = PQescapeIdentifier(conn, name, strlen(name));
    if (!ident) {
        sdb_error("cannot quote the extension name '%s': %s", name, PQerrorMessage(conn));
        return 1;
    }
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE EXTENSION IF NOT EXISTS %s", ident);
    PQfreemem(ident);
    PGresult *res = PQexec(conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[512];
        sdb_conn_error(conn, res, msg, sizeof msg);
        sdb_error("workload %s needs the PostgreSQL extension '%s', which cannot be "
                  "created: %s", w->name, name, msg);
        rc = 1;
    } else {
        sdb_info("created extension %s", name);
    }
    PQclear(res);
    return rc;
}

int sdb_setup_extensions(PGconn *conn, const sdb_workload_def *w, bool create)
{
    for (int i = 0; i < w->nextensions; i++) {
        const char *name = w->extensions[i];
        bool found;
        if (!has_row(conn, "SELECT 1 FROM pg_extension WHERE extname = $1", name, &found))
            return 1;
        if (found)
            continue;
        if (!has_row(conn, "SELECT 1 FROM pg_available_extensions WHERE name = $1", name,
                     &found))
            return 1;
        if (!found) {
            const char *host = PQhost(conn), *port = PQport(conn);
            const extension_source *src = extension_source_of(name);
            sdb_error("workload %s needs the PostgreSQL extension '%s', which is not "
                      "installed on the server (host %s, port %s): install it on the server (e.g. "
                      "the Debian package postgresql-%d-%s, or build it%s%s), then run again",
                      w->name, name, host && *host ? host : "localhost",
                      port && *port ? port : "5432", PQserverVersion(conn) / 10000,
                      src ? src->package : name, src ? " from " : "", src ? src->url : "");
            return 2;
        }
        if (!create) {
            sdb_error("workload %s needs the PostgreSQL extension '%s', which the server "
                      "has but database %s has not created: run with --setup (or "
                      "--rebuild) to create it, or CREATE EXTENSION %s yourself",
                      w->name, name, PQdb(conn), name);
            return 1;
        }
        if (create_extension(conn, w, name))
            return 1;
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------- */

/* The loaders' random streams: bit 62 set, the load index in bits 32..61,
 * the chunk number below (workers use small stream numbers). */
#define LOAD_STREAM(index, chunk) \
    ((UINT64_C(1) << 62) | ((uint64_t)(index) << 32) | (uint64_t)(chunk))
#define PROGRESS_NS INT64_C(2000000000)   /* a progress line every 2 s */
#define POLL_NS     50000000L             /* the main thread's wait step */

/* One load (one table) and its progress. */
typedef struct load_job {
    const sdb_load_def *def;
    int index;                  /* in w->loads: part of its random streams */
    int64_t total;              /* rows to load */
    int64_t nchunks;            /* >= 1; 1 = COPY FREEZE in the TRUNCATE's transaction */
    uint8_t *bin;               /* binary COPY: per column its sdb_bin_kind; NULL =
                                 * text COPY */
    _Atomic int64_t done;       /* rows shipped, added to by every loader (relaxed) */
} load_job;

/* Chunk `chunk` of job `job`: one entry of the queue. */
typedef struct chunk_ref {
    int job;
    int64_t chunk;
} chunk_ref;

/* The loader threads and what they share.  The queue is read-only while the
 * threads run; `next` hands out its entries. */
typedef struct load_pool {
    const sdb_conninfo *ci;
    const sdb_load_env *env;
    load_job *jobs;
    int njobs;
    chunk_ref *queue;           /* every chunk of every job, job by job */
    int64_t nqueue;
    _Atomic int64_t next;       /* next entry of queue (or of jobs) to take */
    int nthreads;
    PGconn **conns;             /* per thread: opened and used by that thread,
                                 * closed by pool_close */
    PGcancel **cancels;         /* per thread: set once connected (under
                                 * lock), for the main thread to cancel with */
    int running;                /* threads of the current phase not finished
                                 * (under lock; done_cv when it reaches 0) */
    pthread_cond_t done_cv;     /* signalled by the phase's last thread */
    atomic_bool stop;           /* set on the first failure: everyone stops */
    bool analyze;               /* maintain_thread: ANALYZE, not VACUUM */
    pthread_mutex_t lock;       /* guards error, cancels and running */
    char error[600];            /* the first failure; "" when none */
} load_pool;

/* A thread's identity in the pool. */
typedef struct pool_thread {
    load_pool *pool;
    int id;
    pthread_t tid;
} pool_thread;

/* A thread of the current phase has finished: the last one wakes the main
 * thread. */
static void pool_thread_done(load_pool *p)
{
    pthread_mutex_lock(&p->lock);
    if (--p->running == 0)
        pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->lock);
}

/* Records the first failure (later ones are consequences) and stops the
 * other threads. */
static void pool_fail(load_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pool_fail(load_pool *p, const char *fmt, ...)
{
    pthread_mutex_lock(&p->lock);
    if (!p->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->error, sizeof p->error, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&p->lock);
    atomic_store(&p->stop, true);
}

static bool pool_stopping(load_pool *p)
{
    return sdb_interrupted || atomic_load_explicit(&p->stop, memory_order_relaxed);
}

/* Runs a command of the loader; on failure records "WHERE: what TABLE: msg". */
static bool pool_exec(load_pool *p, PGconn *conn, const char *sql, const sdb_load_def *ld,
                      const char *what)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        if (sdb_interrupted)
            pool_fail(p, "interrupted");
        else
            pool_fail(p, "%s: %s %s: %s", ld->where, what, ld->table, msg);
    }
    PQclear(res);
    return ok;
}

static bool ship(PGconn *conn, sdb_copybuf *b)
{
    if (b->len == 0)
        return true;
    if (PQputCopyData(conn, b->buf, (int)b->len) != 1)
        return false;
    sdb_copybuf_clear(b);
    return true;
}

/* What one loader thread makes rows with: its context and COPY buffer. */
typedef struct row_maker {
    sdb_ctx ctx;
    sdb_copybuf buf;
} row_maker;

/* Makes rows first..last of job j into the COPY under way on conn, shipping
 * the buffer whenever it passes SDB_COPY_FLUSH.  Returns NULL when every row
 * was shipped, or the reason to abort the COPY (the failure recorded; "" when
 * the connection broke). */
static const char *copy_rows(load_pool *p, load_job *j, row_maker *m, PGconn *conn,
                             int64_t first, int64_t last)
{
    const sdb_load_def *ld = j->def;
    sdb_ctx *c = &m->ctx;
    sdb_copybuf *b = &m->buf;
    int64_t shipped = first - 1;
    for (int64_t row = first; row <= last; row++) {
        c->row = row;
        c->arena_used = 0;
        ld->row(c, b);
        sdb_copybuf_end_row(b);
        if (c->error_where) {
            pool_fail(p, "%s: run-time error: %s", c->error_where, c->error_msg);
            return "workload error";
        }
        if (b->oom) {
            pool_fail(p, "out of memory making rows of %s", ld->table);
            return "out of memory";
        }
        if (b->error[0]) {
            pool_fail(p, "%s: loading %s, row %lld: %s", ld->where, ld->table,
                      (long long)row, b->error);
            return "workload error";
        }
        if (row == last && b->bin)
            sdb_copybuf_binary_trailer(b);
        if (b->len >= SDB_COPY_FLUSH || row == last) {
            if (!ship(conn, b))
                return "";
            atomic_fetch_add_explicit(&j->done, row - shipped, memory_order_relaxed);
            shipped = row;
            if (pool_stopping(p)) {
                if (sdb_interrupted)
                    pool_fail(p, "interrupted");
                return "interrupted";
            }
        }
    }
    return NULL;
}

/* Ends the COPY under way on conn: normally when abort_msg is NULL, else
 * aborted with that message ("" = the connection broke: nothing to send).
 * Returns true when the COPY succeeded; otherwise the failure is recorded
 * (the server's message, unless one was recorded with abort_msg). */
static bool end_copy(load_pool *p, PGconn *conn, const sdb_load_def *ld,
                     const char *abort_msg)
{
    if (abort_msg && *abort_msg)
        PQputCopyEnd(conn, abort_msg);
    else if (!abort_msg && PQputCopyEnd(conn, NULL) != 1)
        abort_msg = "";
    PGresult *res = PQgetResult(conn);
    if (!abort_msg && PQresultStatus(res) != PGRES_COMMAND_OK)
        abort_msg = "";
    if (abort_msg && !*abort_msg) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        pool_fail(p, "%s: loading %s: %s", ld->where, ld->table, msg);
    }
    PQclear(res);
    while ((res = PQgetResult(conn)))
        PQclear(res);
    return abort_msg == NULL;
}

/* Loads one chunk on conn: its own COPY, or for a one-chunk job the whole
 * TRUNCATE + COPY FREEZE transaction.  Returns false after recording the
 * failure. */
static bool load_chunk(load_pool *p, row_maker *m, PGconn *conn, chunk_ref r)
{
    load_job *j = &p->jobs[r.job];
    const sdb_load_def *ld = j->def;
    bool single = j->nchunks == 1;
    char sql[1024];
    if (single) {
        snprintf(sql, sizeof sql, "TRUNCATE %s", ld->table);
        if (!pool_exec(p, conn, "BEGIN", ld, "loading") || !pool_exec(p, conn, sql, ld, "loading"))
            return false;
    }
    snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN%s", ld->table, ld->columns,
             j->bin ? (single ? " WITH (FORMAT binary, FREEZE)" : " WITH (FORMAT binary)")
                    : (single ? " WITH (FREEZE)" : ""));
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        pool_fail(p, "%s: loading %s: %s", ld->where, ld->table, msg);
        PQclear(res);
        return false;
    }
    PQclear(res);

    sdb_rng_seed(&m->ctx.rng, p->env->seed, LOAD_STREAM(j->index, r.chunk));
    sdb_copybuf_clear(&m->buf);
    m->buf.bin = j->bin;
    m->buf.ncols = ld->ncolumns;
    m->buf.error[0] = '\0';
    if (j->bin)
        sdb_copybuf_binary_header(&m->buf);
    int64_t first = single ? 1 : r.chunk * SDB_LOAD_CHUNK_ROWS + 1;
    int64_t last = single ? j->total : first + SDB_LOAD_CHUNK_ROWS - 1;
    if (last > j->total)
        last = j->total;
    if (!end_copy(p, conn, ld, copy_rows(p, j, m, conn, first, last)))
        return false;
    return !single || pool_exec(p, conn, "COMMIT", ld, "loading");
}

/* Connects thread t and publishes its cancel handle.  Returns the
 * connection, or NULL after recording the failure. */
static PGconn *pool_connect(pool_thread *t)
{
    load_pool *p = t->pool;
    char err[512];
    PGconn *conn = sdb_connect(p->ci, err, sizeof err);
    if (!conn) {
        pool_fail(p, "loader connection: %s", err);
        return NULL;
    }
    p->conns[t->id] = conn;
    PGcancel *cn = PQgetCancel(conn);
    pthread_mutex_lock(&p->lock);
    p->cancels[t->id] = cn;
    pthread_mutex_unlock(&p->lock);
    /* Synchronous commits, whatever the server's default: until the commit
     * record of a chunk is flushed, hint bits cannot be set on its rows, and
     * the VACUUM after the load leaves their pages not all-visible
     * (PostgreSQL 15, lazy_scan_prune).  One flush per chunk costs little. */
    PGresult *res = PQexec(conn, "SET synchronous_commit = on");
    PQclear(res);
    return conn;
}

/* A loader thread: connects, then loads chunks from the queue until it is
 * empty or the pool stops.  Its connection stays open for the next phase. */
static void *load_thread(void *arg)
{
    pool_thread *t = arg;
    load_pool *p = t->pool;
    row_maker *m = calloc(1, sizeof *m);
    PGconn *conn = pool_connect(t);
    if (m)
        m->ctx.arena = malloc(SDB_ARENA_BYTES);
    if (!m || !m->ctx.arena || !sdb_copybuf_init(&m->buf)) {
        if (m && m->ctx.arena)
            free(m->ctx.arena);
        free(m);
        m = NULL;
        pool_fail(p, "out of memory");
    }
    if (conn && m) {
        m->ctx.scale = p->env->scale;
        m->ctx.params = p->env->params;
        m->ctx.nurand_c = p->env->nurand_c;
        m->ctx.sequences = p->env->sequences;
        m->ctx.worker = 0;
        m->ctx.nworkers = 0;
        while (!pool_stopping(p)) {
            int64_t k = atomic_fetch_add(&p->next, 1);
            if (k >= p->nqueue || !load_chunk(p, m, conn, p->queue[k]))
                break;
        }
    }
    if (m) {
        free(m->ctx.arena);
        sdb_copybuf_free(&m->buf);
        free(m);
    }
    pool_thread_done(p);
    return NULL;
}

/* Pages of ld's table that VACUUM left not all-visible (pg_class, as the
 * VACUUM just set it); 0 when they cannot be read. */
static long long pages_not_visible(PGconn *conn, const sdb_load_def *ld)
{
    const char *params[1] = {ld->table};
    PGresult *res = PQexecParams(conn,
                                 "SELECT relpages - relallvisible FROM pg_class "
                                 "WHERE oid = $1::regclass", 1, NULL, params, NULL, NULL, 0);
    long long n = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
        ? atoll(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return n;
}

/* After the VACUUM (FREEZE) of a chunk-loaded table (vacuum_sql): rows
 * committed after the oldest snapshot of another transaction of the
 * database (an autovacuum's ANALYZE that began during the load, a user's
 * open transaction) cannot be frozen or marked all-visible yet.  Runs the
 * VACUUM again, every 200 ms for up to 2 s, until every page is; then
 * warns and goes on.  Returns false when a VACUUM failed (recorded). */
static bool vacuum_until_visible(load_pool *p, PGconn *conn, const sdb_load_def *ld,
                                 const char *vacuum_sql)
{
    long long left = pages_not_visible(conn, ld);
    for (int tries = 0; left > 0 && tries < 10 && !pool_stopping(p); tries++) {
        struct timespec ts = {0, 200000000L};
        nanosleep(&ts, NULL);
        if (!pool_exec(p, conn, vacuum_sql, ld, "vacuuming"))
            return false;
        left = pages_not_visible(conn, ld);
    }
    if (left > 0 && !pool_stopping(p))
        sdb_warn("%s: %lld pages of %s are not all-visible after VACUUM (FREEZE): a "
                 "transaction older than the load is still open in this database",
                 ld->where, left, ld->table);
    return true;
}

/* A maintenance thread: one job after another from the shared counter,
 * VACUUM (FREEZE) of the tables loaded in several chunks, which leaves
 * them as COPY FREEZE leaves the others (p->analyze false: before the
 * after-load commands, so that their index builds find hint bits set),
 * or ANALYZE of every loaded table (p->analyze true: after them, so that
 * expression indexes get statistics). */
static void *maintain_thread(void *arg)
{
    pool_thread *t = arg;
    load_pool *p = t->pool;
    PGconn *conn = p->conns[t->id];
    while (conn && !pool_stopping(p)) {
        int64_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->njobs)
            break;
        const load_job *j = &p->jobs[k];
        if (!p->analyze && j->nchunks == 1)
            continue;
        char sql[600];
        snprintf(sql, sizeof sql, "%s %s", p->analyze ? "ANALYZE" : "VACUUM (FREEZE)",
                 j->def->table);
        if (!pool_exec(p, conn, sql, j->def, p->analyze ? "analyzing" : "vacuuming"))
            break;
        if (!p->analyze && !vacuum_until_visible(p, conn, j->def, sql))
            break;
    }
    pool_thread_done(p);
    return NULL;
}

static void load_progress(const load_pool *p, int64_t t0, bool final)
{
    int64_t done = 0, total = 0;
    for (int i = 0; i < p->njobs; i++) {
        done += atomic_load_explicit(&p->jobs[i].done, memory_order_relaxed);
        total += p->jobs[i].total;
    }
    double secs = (double)(sdb_now_ns() - t0) / 1e9;
    double rate = secs > 0 ? (double)done / secs : 0;
    char d[32], t[32];
    if (final) {
        sdb_info("loaded %s rows in %.1f s (%.0f rows/s, %d loader%s)",
                 sdb_fmt_count(d, sizeof d, done), secs, rate, p->nthreads,
                 p->nthreads == 1 ? "" : "s");
        return;
    }
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    sdb_info("loading: %s of %s rows (%.0f%%), %.0f rows/s, ETA %.0f s",
             sdb_fmt_count(d, sizeof d, done), sdb_fmt_count(t, sizeof t, total),
             total ? 100.0 * (double)done / (double)total : 100.0, rate, eta);
}

/* Runs fn on every thread of the pool and waits for them, printing load
 * progress every 2 s when `progress`, and cancelling the threads' running
 * commands once on an interrupt.  Returns false when the pool failed, was
 * interrupted, or a thread could not start (the failure recorded). */
static bool pool_phase(load_pool *p, void *(*fn)(void *), bool progress)
{
    pool_thread *ts = calloc((size_t)p->nthreads, sizeof *ts);
    if (!ts) {
        pool_fail(p, "out of memory");
        return false;
    }
    atomic_store(&p->next, 0);
    p->running = p->nthreads;
    int started = 0;
    for (; started < p->nthreads; started++) {
        ts[started].pool = p;
        ts[started].id = started;
        if (pthread_create(&ts[started].tid, NULL, fn, &ts[started]) != 0)
            break;
    }
    if (started < p->nthreads) {
        pthread_mutex_lock(&p->lock);
        p->running -= p->nthreads - started;
        pthread_mutex_unlock(&p->lock);
        pool_fail(p, "cannot start loader threads");
    }
    int64_t t0 = sdb_now_ns(), next = t0 + PROGRESS_NS;
    bool cancelled = false;
    pthread_mutex_lock(&p->lock);
    while (p->running > 0) {
        /* Woken at once by the last thread; every POLL_NS otherwise, to
         * see an interrupt and to print progress. */
        sdb_cond_wait_until(&p->done_cv, &p->lock, sdb_now_ns() + POLL_NS);
        if (p->running == 0)
            break;
        if (sdb_interrupted && !cancelled) {
            cancelled = true;
            for (int i = 0; i < p->nthreads; i++) {
                char buf[256];
                if (p->cancels[i])
                    PQcancel(p->cancels[i], buf, sizeof buf);
            }
        }
        if (progress && sdb_now_ns() >= next) {
            pthread_mutex_unlock(&p->lock);
            load_progress(p, t0, false);
            next += PROGRESS_NS;
            pthread_mutex_lock(&p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < started; i++)
        pthread_join(ts[i].tid, NULL);
    free(ts);
    if (sdb_interrupted)
        pool_fail(p, "interrupted");
    if (progress && !p->error[0])
        load_progress(p, t0, true);
    return !p->error[0];
}

/* Closes the pool's connections and frees it. */
static void pool_close(load_pool *p)
{
    for (int i = 0; p->conns && p->cancels && i < p->nthreads; i++) {
        PQfreeCancel(p->cancels[i]);
        PQfinish(p->conns[i]);
    }
    free(p->conns);
    free(p->cancels);
    free(p->queue);
    for (int i = 0; p->jobs && i < p->njobs; i++)
        free(p->jobs[i].bin);
    free(p->jobs);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->done_cv);
}

/* Average COPY text bytes of a row of load i, from up to SAMPLE_ROWS rows
 * made with a private random stream and private sequences (so the sample
 * changes nothing of the real load).  0 when the sample cannot be made. */
#define SAMPLE_ROWS 1000
static double sample_row_bytes(const sdb_workload_def *w, int i, const sdb_load_env *env,
                               uint8_t *probe)
{
    const sdb_load_def *ld = &w->loads[i];
    sdb_ctx c;
    memset(&c, 0, sizeof c);
    c.scale = env->scale;
    c.params = env->params;
    c.nurand_c = env->nurand_c;
    int64_t *seqs = calloc((size_t)(w->nsequences > 0 ? w->nsequences : 1), sizeof *seqs);
    c.sequences = seqs;
    c.arena = malloc(SDB_ARENA_BYTES);
    sdb_copybuf b;
    double avg = 0;
    if (seqs && c.arena && sdb_copybuf_init(&b)) {
        b.probe = probe;
        b.probe_cap = probe ? ld->ncolumns : 0;
        sdb_rng_seed(&c.rng, env->seed, LOAD_STREAM(i, UINT64_C(0xFFFFFFFF)));
        int64_t n = ld->rows(&c);
        if (n > SAMPLE_ROWS)
            n = SAMPLE_ROWS;
        int64_t made = 0;
        for (int64_t row = 1; row <= n && !c.error_where && !b.oom; row++, made++) {
            c.row = row;
            c.arena_used = 0;
            ld->row(&c, &b);
            sdb_copybuf_end_row(&b);
        }
        if (made > 0)
            avg = (double)b.len / (double)made;
        sdb_copybuf_free(&b);
    }
    free(c.arena);
    free(seqs);
    return avg;
}

/* Chooses binary COPY for load ld when every column takes its values in
 * binary (sdb_copy_bin_kind of its server type and the kind of value the
 * sample rows put in it): returns the per-column encodings (malloc'd), or
 * NULL for text COPY.  STORMDB_COPY_FORMAT=text forces text. */
static uint8_t *plan_binary(PGconn *conn, const sdb_load_def *ld, const uint8_t *probe)
{
    const char *force = getenv("STORMDB_COPY_FORMAT");
    if (force && strcmp(force, "text") == 0)
        return NULL;
    const char *values[2] = {ld->table, ld->columns};
    PGresult *res = PQexecParams(conn,
        "SELECT t.typname FROM unnest(string_to_array($2::text, ',')) WITH ORDINALITY "
        "AS c(name, i) LEFT JOIN pg_attribute a ON a.attrelid = to_regclass($1::text) "
        "AND a.attname = btrim(c.name) AND NOT a.attisdropped "
        "LEFT JOIN pg_type t ON t.oid = a.atttypid ORDER BY c.i",
        2, NULL, values, NULL, NULL, 0);
    uint8_t *bin = NULL;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == ld->ncolumns
        && ld->ncolumns > 0 && (bin = malloc((size_t)ld->ncolumns))) {
        for (int k = 0; k < ld->ncolumns; k++) {
            int kind = PQgetisnull(res, k, 0) ? 0
                     : sdb_copy_bin_kind(PQgetvalue(res, k, 0), (sdb_val_kind)probe[k]);
            if (kind == 0) {
                free(bin);
                bin = NULL;
                break;
            }
            bin[k] = (uint8_t)kind;
        }
    }
    PQclear(res);
    return bin;
}

/* Sizes every load, chooses its COPY format and builds the queue of
 * chunks.  Returns 0, or 1 with a message printed. */
static int pool_plan(load_pool *p, PGconn *conn, const sdb_workload_def *w,
                     const sdb_load_env *env)
{
    sdb_ctx c;
    memset(&c, 0, sizeof c);
    c.scale = env->scale;
    c.params = env->params;
    c.nurand_c = env->nurand_c;
    c.sequences = env->sequences;
    p->jobs = calloc((size_t)w->nloads, sizeof *p->jobs);
    if (!p->jobs)
        goto oom;
    p->njobs = w->nloads;
    for (int i = 0; i < w->nloads; i++) {
        load_job *j = &p->jobs[i];
        j->def = &w->loads[i];
        j->index = i;
        j->total = w->loads[i].rows(&c);
        if (c.error_where) {
            sdb_error("%s: run-time error: %s", c.error_where, c.error_msg);
            return 1;
        }
        if (j->total < 0)
            j->total = 0;
        uint8_t *probe = calloc((size_t)(w->loads[i].ncolumns > 0 ? w->loads[i].ncolumns : 1), 1);
        if (!probe)
            goto oom;
        double bytes = (double)j->total * sample_row_bytes(w, i, env, probe);
        j->bin = plan_binary(conn, j->def, probe);
        free(probe);
        bool small = j->total <= SDB_LOAD_CHUNK_ROWS ||
                     (j->total < 2 * SDB_LOAD_CHUNK_ROWS && bytes < SDB_LOAD_PARALLEL_BYTES);
        j->nchunks = small ? 1 : (j->total + SDB_LOAD_CHUNK_ROWS - 1) / SDB_LOAD_CHUNK_ROWS;
        p->nqueue += j->nchunks;
    }
    char text_loads[512] = "";
    for (int i = 0; i < p->njobs; i++)
        if (!p->jobs[i].bin && p->jobs[i].total > 0)
            list_add(text_loads, sizeof text_loads, p->jobs[i].def->table);
    if (text_loads[0])
        sdb_info("text COPY for %s (a column whose type or values the binary COPY does not "
                 "encode); binary for the other tables", text_loads);
    p->queue = calloc((size_t)p->nqueue, sizeof *p->queue);
    if (!p->queue)
        goto oom;
    int64_t q = 0;
    for (int i = 0; i < p->njobs; i++)
        for (int64_t k = 0; k < p->jobs[i].nchunks; k++)
            p->queue[q++] = (chunk_ref){ i, k };
    int threads = env->threads > 0 ? env->threads : sdb_ncpus();
    if (env->threads <= 0 && threads < 2)
        threads = 2;
    if (threads > p->nqueue)
        threads = (int)p->nqueue;
    p->nthreads = threads;
    p->conns = calloc((size_t)threads, sizeof *p->conns);
    p->cancels = calloc((size_t)threads, sizeof *p->cancels);
    if (!p->conns || !p->cancels)
        goto oom;
    return 0;
oom:
    sdb_error("out of memory");
    return 1;
}

/* TRUNCATE (committed) every table loaded in several chunks, before their
 * chunks COPY in parallel. */
static int truncate_multi(PGconn *conn, const load_pool *p)
{
    for (int i = 0; i < p->njobs; i++) {
        if (p->jobs[i].nchunks == 1)
            continue;
        char sql[600];
        snprintf(sql, sizeof sql, "TRUNCATE %s", p->jobs[i].def->table);
        sdb_sql cmd = { sql, p->jobs[i].def->where };
        if (sdb_exec_sql(conn, &cmd))
            return 1;
    }
    return 0;
}

/* Runs the after-load commands on conn with a generous maintenance_work_mem
 * (index builds). */
static int run_after_load(PGconn *conn, const sdb_workload_def *w)
{
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
    return 0;
}

int sdb_setup_run(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                  const sdb_load_env *env)
{
    int64_t t0 = sdb_now_ns();
    sdb_info("setting up workload %s at scale %lld", w->name, (long long)env->scale);
    if (run_schema(conn, w))
        return 1;
    load_pool p;
    memset(&p, 0, sizeof p);
    p.ci = ci;
    p.env = env;
    pthread_mutex_init(&p.lock, NULL);
    sdb_cond_init_monotonic(&p.done_cv);
    int rc = 1;
    int64_t t1 = t0, t2 = t0, t3 = t0;
    if (w->nloads > 0) {
        if (pool_plan(&p, conn, w, env) || truncate_multi(conn, &p))
            goto out;
        if (!pool_phase(&p, load_thread, true))
            goto fail;
        t1 = sdb_now_ns();
        p.analyze = false;
        if (!pool_phase(&p, maintain_thread, false))
            goto fail;
    }
    t2 = sdb_now_ns();
    if (run_after_load(conn, w))
        goto out;
    t3 = sdb_now_ns();
    p.analyze = true;
    if (w->nloads > 0 && !pool_phase(&p, maintain_thread, false))
        goto fail;
    if (sdb_interrupted || mark_complete(conn, w))
        goto out;
    int64_t t4 = sdb_now_ns();
    sdb_info("setup done in %.1f s (loading %.1f s, vacuum %.1f s, after-load commands %.1f s, "
             "analyze %.1f s)", (double)(t4 - t0) / 1e9, (double)(t1 - t0) / 1e9,
             (double)(t2 - t1) / 1e9, (double)(t3 - t2) / 1e9, (double)(t4 - t3) / 1e9);
    rc = 0;
    goto out;
fail:
    sdb_error("%s", p.error);
out:
    pool_close(&p);
    return rc;
}

PGresult *sdb_query_rows(PGconn *conn, const sdb_sql *q, const char *what)
{
    PGresult *res = PQexec(conn, q->sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    char msg[512];
    sdb_conn_error(conn, res, msg, sizeof msg);
    PQclear(res);
    sdb_error("%s: %s: %s", q->where, what, msg);
    return NULL;
}

int sdb_scale_detect(PGconn *conn, const sdb_workload_def *w, int64_t *scale)
{
    if (!w->scale_query)
        return 0;
    PGresult *res = sdb_query_rows(conn, w->scale_query, "scale_query");
    if (!res)
        return -1;
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

/* ---- loading from a file (data_loading.mode sql, dump) ------------------ */

/* True when file is a pg_dump archive pg_restore reads (custom: "PGDMP";
 * tar: "ustar" at offset 257; directory: a directory with toc.dat). */
static bool is_archive(const char *file)
{
    struct stat st;
    if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return true;
    FILE *f = fopen(file, "rb");
    if (!f)
        return false;
    char head[263];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return (n >= 5 && memcmp(head, "PGDMP", 5) == 0) ||
           (n >= 262 && memcmp(head + 257, "ustar", 5) == 0);
}

/* conn's connection settings as a connection string for a client
 * program's -d (malloc'd; NULL when out of memory): every setting that has
 * a value, passwords excepted (a command line is visible to other users;
 * run_client passes the password in PGPASSWORD), and application_name
 * stormdb-loader. */
static char *client_conninfo(PGconn *conn)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    PQconninfoOption *opts = PQconninfo(conn);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val || !*o->val || strchr(o->dispchar, '*') ||
            strcmp(o->keyword, "application_name") == 0 ||
            strcmp(o->keyword, "fallback_application_name") == 0)
            continue;
        fprintf(f, "%s='", o->keyword);
        for (const char *c = o->val; *c; c++) {
            if (*c == '\\' || *c == '\'')
                fputc('\\', f);
            fputc(*c, f);
        }
        fputs("' ", f);
    }
    PQconninfoFree(opts);
    fputs("application_name=stormdb-loader", f);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Runs argv (whose -d argument is client_conninfo's) with conn's password,
 * if any, in PGPASSWORD; returns its exit status, or -1 when it could not
 * run (with a message). */
static int run_client(PGconn *conn, char *const argv[])
{
    fflush(stdout);
    fflush(stderr);
    const char *pass = PQpass(conn);
    pid_t pid = fork();
    if (pid < 0) {
        sdb_error("cannot start %s: %s", argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0) {
        unsetenv("PGSERVICE");   /* the connection string has every setting */
        if (pass && *pass)
            setenv("PGPASSWORD", pass, 1);
        execvp(argv[0], argv);
        fprintf(stderr, "%s: error: cannot run %s: %s%s\n", sdb_progname(), argv[0],
                strerror(errno), errno == ENOENT
                    ? " (install the PostgreSQL client programs, e.g. the Debian package "
                      "postgresql-client)" : "");
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            sdb_error("waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int sdb_setup_from_file(PGconn *conn, const sdb_workload_def *w, bool dump, const char *file)
{
    if (access(file, R_OK) != 0) {
        sdb_error("data_loading.filepath %s: %s", file, strerror(errno));
        return 1;
    }
    bool archive = dump && is_archive(file);
    sdb_info("loading workload %s from %s with %s", w->name, file,
             archive ? "pg_restore" : "psql");
    bool *before = calloc((size_t)(w->ntables > 0 ? w->ntables : 1), sizeof *before);
    if (!before) {
        sdb_error("out of memory");
        return 1;
    }
    int rc = 1;
    for (int i = 0; i < w->ntables; i++)
        if (!table_exists(conn, w->tables[i], &before[i]))
            goto out;
    int64_t t0 = sdb_now_ns();
    /* argv wants char *: writable copies */
    char fname[4096];
    snprintf(fname, sizeof fname, "%s", file);
    char *dsn = client_conninfo(conn);
    if (!dsn) {
        sdb_error("out of memory");
        goto out;
    }
    /* one transaction: a file that fails leaves nothing behind */
    char a0[] = "psql", a1[] = "-X", a2[] = "-q", a3[] = "-v", a4[] = "ON_ERROR_STOP=1",
         a5[] = "--single-transaction", a6[] = "-d", a7[] = "-f";
    char r0[] = "pg_restore", r1[] = "--no-owner", r2[] = "--no-privileges",
         r3[] = "--exit-on-error", r4[] = "--single-transaction", r5[] = "-d";
    char *psql[] = {a0, a1, a2, a3, a4, a5, a6, dsn, a7, fname, NULL};
    char *restore[] = {r0, r1, r2, r3, r4, r5, dsn, fname, NULL};
    int st = run_client(conn, archive ? restore : psql);
    free(dsn);
    if (st != 0) {
        if (st > 0)
            sdb_error("%s failed (exit status %d) loading %s: its messages are above",
                      archive ? "pg_restore" : "psql", st, file);
        goto out;
    }
    char missing[512] = "";
    for (int i = 0; i < w->ntables; i++) {
        bool ex;
        if (!table_exists(conn, w->tables[i], &ex))
            goto out;
        if (!ex)
            list_add(missing, sizeof missing, w->tables[i]);
    }
    if (missing[0]) {
        sdb_error("%s did not create every table of workload %s: %s is missing (the file "
                  "must create and fill the workload's tables)", file, w->name, missing);
        goto out;
    }
    for (int i = 0; i < w->ntables; i++) {
        char sql[600];
        snprintf(sql, sizeof sql, "ANALYZE %s", w->tables[i]);
        sdb_sql cmd = {sql, w->source};
        if ((!before[i] && mark_owned(conn, w, w->tables[i])) || sdb_exec_sql(conn, &cmd))
            goto out;
    }
    if (mark_complete(conn, w))
        goto out;
    sdb_info("loaded from %s in %.1f s", file, (double)(sdb_now_ns() - t0) / 1e9);
    rc = 0;
out:
    free(before);
    return rc;
}
