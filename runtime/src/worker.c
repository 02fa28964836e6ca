/*
 * worker.c — the benchmark engine; see worker.h.
 *
 * Every connection is in libpq pipeline mode.  A transaction body (compiled
 * to a resumable function) queues a batch of one or more statements and
 * returns; the engine sends the batch followed by a Sync, reads one result
 * per statement and the Sync's, and calls the body again.  Session states:
 *
 *   IDLE ─choose─> KEYING ─wait─> (start) ─> WAIT ─results─> body ─> WAIT ...
 *                                               │ body sleeps ─> SLEEP ─> body
 *                                               │ body done ─> THINK ─wait─> IDLE
 *                                               │ error, block open ─> ROLLBACK ─> IDLE
 *                                               │   (or a retry: back to start)
 *                                               └ error, no block ─> IDLE (or retry)
 *   any state ─connection broken─> DEAD
 *
 * A transaction's latency runs from its start (after keying time) to the
 * last result; keying and think times are not part of it, in-body sleeps
 * are.
 *
 * Open loop (--rate TPS).  Arrivals come as a Poisson process at TPS per
 * second over all sessions: each client thread keeps its own schedule
 * (arrival.h) at the share of the rate its sessions make, drawn from a
 * stream of --seed.  An idle session takes the thread's next arrival and
 * waits for its intended start (ARRIVAL, a timed wait like SLEEP), then
 * chooses a transaction and starts it:
 *
 *   IDLE ─take─> ARRIVAL ─intended start─> (start) ─> WAIT ... ─> IDLE
 *
 * - Latency is measured from the intended start: that is the headline
 *   figure (every histogram, the time series, thresholds).  Beside it,
 *   service time (actual start to end) and schedule lag (actual start
 *   minus intended start) are kept; latency = lag + service exactly.  The
 *   actual start is when a session took the transaction up: waiting for a
 *   pooled connection or opening a transient one is service time.
 * - Falling behind: arrivals are never dropped (without --latency-limit).
 *   When every session is busy the arrivals that come due wait on the
 *   schedule; the next free session takes the oldest at once, and its lag
 *   shows how late.  The schedule is a time, not a queue: memory stays
 *   constant however far behind the client falls.
 * - --latency-limit L: a session about to take an arrival whose intended
 *   start is already more than L ago skips it, and every other one that
 *   late, and takes the first one that is not.  Skipped arrivals are
 *   counted once for the run (`skipped`): no transaction was chosen for
 *   them, so they belong to no transaction type, and they are neither
 *   transactions nor failures.  Completed transactions slower than L are
 *   counted as `late`.
 * - Retries after a serialization failure or deadlock keep the original
 *   intended start: the client's retry is part of the user's wait.
 * - Keying and think times of the workload are ignored: they pace a
 *   closed loop, and in an open loop the arrival process is the pacing.
 *   In-body sleeps still run and are part of the latency.
 * - At the end, arrivals due during the run that no session started are
 *   counted as `not_started`; they are not transactions.
 */
#include "worker.h"

#include <errno.h>
#include <sys/resource.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrival.h"
#include "series.h"
#include "util.h"

#define STMT_NAME_LEN 16
#define DRAIN_GRACE_NS INT64_C(5000000000)   /* in-flight work after the end */
#define MAX_EMPTY_RESUMES 1000000            /* body loops without yielding */
#define SDB_SERIES_INTERVAL_NS INT64_C(1000000000) /* time series: 1 s intervals */
/* The open-loop schedules' random streams: bit 63 set, the thread's index
 * below (sessions use small stream numbers, the loaders bit 62). */
#define ARRIVAL_STREAM(thread) ((UINT64_C(1) << 63) | (uint64_t)(thread))

typedef enum {
    S_IDLE, S_KEYING, S_WAIT, S_SLEEP, S_ROLLBACK, S_THINK, S_DEAD,
    S_WAIT_CONN,            /* pooled: waiting for a free connection */
    S_CONNECTING,           /* transient: opening this transaction's connection */
    S_ARRIVAL,              /* open loop: holding an arrival, waiting for its
                             * intended start */
    S_RECONNECT_WAIT,       /* its persistent connection broke: waiting out
                             * the backoff before connecting again */
    S_RECONNECTING          /* opening the replacement connection */
} sess_state;

/* Reconnection after a persistent connection breaks (a server restart,
 * pg_terminate_backend, a network fault): the first attempt after
 * RECONNECT_FIRST_NS, then doubling up to RECONNECT_MAX_NS between
 * attempts, for as long as the run lasts. */
#define RECONNECT_FIRST_NS INT64_C(50000000)      /* 50 ms */
#define RECONNECT_MAX_NS   INT64_C(2000000000)    /* 2 s */

typedef struct session {
    PGconn *conn;           /* the connection the transaction uses now */
    PGconn *home;           /* the session's own persistent connection, or NULL
                             * (pooled or transient-only modes) */
    sess_state state;
    int64_t wake_ns;        /* KEYING, SLEEP, THINK, ARRIVAL, RECONNECT_WAIT: when
                             * to go on (beside state: the thread loop reads both
                             * of every session before each poll) */
    sdb_ctx ctx;
    void *frame;            /* max frame_size bytes */
    int tx;                 /* transaction in progress */
    int pc;                 /* its resume point */
    int tries;              /* attempts of this transaction so far */
    sdb_rng rng_at_start;   /* the stream before the first attempt: retries replay it */
    int nsent;              /* statements of the batch in flight */
    int nread;              /* of those, how many have all their results */
    int batch_stmt[SDB_MAX_BATCH]; /* statement of each position */
    bool batch_ok[SDB_MAX_BATCH];  /* its result was a success */
    bool batch_err[SDB_MAX_BATCH]; /* it raised the batch's error (the ones
                                    * after it were aborted, not failed) */
    int64_t batch_sent_ns;  /* when the batch in flight was sent */
    bool failed;            /* a statement of the batch failed */
    bool retryable;         /* ... with 40001 or 40P01 */
    bool user_rollback;     /* the body sent ROLLBACK itself */
    bool want_write;        /* PQflush left data to send */
    bool batch_piped;       /* the batch in flight went in pipeline mode
                             * (ends with the Sync's result); else it is one
                             * statement sent outside it (ends with the
                             * statement's own end of results) */
    bool copy_seen;         /* a statement started COPY: the session must end */
    int64_t tx_start_ns;    /* what latency is measured from: the intended
                             * start in an open loop, else the actual start */
    int64_t actual_start_ns;/* when the session took the transaction up */
    int64_t sched_ns;       /* open loop: intended start of the arrival held */
    sdb_unit_stats unit;    /* this session's transactions (the thread's to write) */
    int *deck;              /* deck mixes: this session's cards (transaction
                             * indexes), dealt from deck_pos, reshuffled when
                             * all are dealt; NULL for weighted mixes */
    int deck_pos;
    bool transient;         /* this transaction runs on its own new connection */
    bool pooled;            /* s->conn was taken from the thread's pool */
    int64_t txs_begun;      /* transactions started (mixed mode alternates) */
    int64_t mark_ns;        /* WAIT_CONN: wait start; CONNECTING: connect start */
    PostgresPollingStatusType connect_poll; /* CONNECTING, RECONNECTING: what
                                             * PQconnectPoll wants */
    int64_t backoff_ns;     /* RECONNECT_WAIT: the wait before the next attempt */
    bool for_pool;          /* RECONNECT*: the connection replaces a pooled one
                             * (it goes to the pool), else the session's own */
    bool reprepare;         /* s->home is a new connection: its first batch
                             * first re-prepares every statement */
    int nprep;              /* statements of the batch in flight that are
                             * re-prepares (DEALLOCATE ALL and PREPAREs) ... */
    int prep_read;          /* ... and how many of them have their results */
} session;

typedef struct thread_state {
    alignas(64) int id;
    pthread_t tid;
    struct run *run;
    session *sessions;
    int nsessions;
    sdb_stats stats;
    struct pollfd *pfds;
    char *parambuf;         /* SDB_PARAMBUF_BYTES: the sessions' bound parameters */
    int *pfd_session;       /* session index of each pollfd */
    int lost;               /* sessions whose connection broke */
    PGconn **pool;          /* pooled mode: free connections (a stack) */
    int pool_free;          /* how many of pool[] are free */
    int pool_live;          /* pooled connections still working */
    int *waitq;             /* sessions waiting for one, FIFO (ring) */
    int waitq_head, waitq_len;
    char error[512];        /* why this thread could not start */
    /* the current interval of the time series (series.h) */
    sdb_hist *ihist;        /* latencies (ns) of transactions completed in it */
    sdb_hist *ilag;         /* their schedule lags (ns; open loop) */
    int64_t idone, ifailed;
    int64_t ik;             /* its index */
    int64_t next_boundary;  /* monotonic ns when it ends */
    sdb_arrivals arrivals;  /* open loop: this thread's schedule */
    int64_t stop_ns;        /* when it first saw the stop (0 = not yet), at
                             * most the end of the run */
    alignas(64) char pad;
} thread_state;

typedef struct run {
    const sdb_run_opts *o;
    double *cumweights;         /* per transaction, cumulative */
    double totalweight;
    int deck_size;              /* deck mixes: cards per deck; 0 otherwise */
    bool pooled;                /* fewer persistent connections than sessions */
    bool open_loop;             /* o->rate_tps > 0 */
    size_t frame_size;
    char (*stmt_names)[STMT_NAME_LEN];
    pthread_barrier_t connected, go;
    int64_t start_ns, end_ns;   /* written before `go`, then read-only */
    _Atomic int64_t deadline_ns;/* hard stop: in-flight work is cancelled */
    atomic_int abort;           /* set: every thread stops now */
    atomic_int stop;            /* set: start no new transactions */
    _Atomic int64_t stopped_ns; /* with stop: the end of the measured window */
    pthread_mutex_t err_lock;   /* guards rt_error below */
    char rt_error[512];
    sdb_series series;          /* per-interval rows */
} run;

static const char *const builtin_sql[SDB_STMT_BUILTINS + 1] = {
    NULL, "BEGIN", "COMMIT", "ROLLBACK", "BEGIN ISOLATION LEVEL READ COMMITTED",
    "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN ISOLATION LEVEL SERIALIZABLE"};
static const char *const builtin_name[SDB_STMT_BUILTINS + 1] = {
    NULL, "sdb_begin", "sdb_commit", "sdb_rollback", "sdb_begin_rc", "sdb_begin_rr",
    "sdb_begin_ser"};

static bool stmt_valid(const run *r, int stmt)
{
    return stmt >= -SDB_STMT_BUILTINS && stmt < r->o->w->nstmts;
}

/* Prepared-statement name of a statement index or built-in. */
static const char *stmt_name(const run *r, int stmt)
{
    return stmt < 0 ? builtin_name[-stmt] : r->stmt_names[stmt];
}

static sdb_query_kind stmt_kind(const run *r, int stmt)
{
    return stmt >= 0 ? r->o->w->stmts[stmt].kind : SDB_QUERY_OTHER;
}

/* ---- connecting --------------------------------------------------------- */

static bool prepare_one(PGconn *conn, const char *name, const char *sql,
                        int nparams, const char *where, char *err, size_t errlen)
{
    PGresult *res = PQprepare(conn, name, sql, nparams, NULL);
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        char msg[400];
        sdb_conn_error(conn, res, msg, sizeof msg);
        snprintf(err, errlen, "%s: preparing statement: %s", where, msg);
    }
    PQclear(res);
    return ok;
}

/* Prepares every statement of the workload and the built-ins on conn (a
 * blocking connection outside pipeline mode).  False with err on failure. */
static bool prepare_all(run *r, PGconn *conn, char *err, size_t errlen)
{
    const sdb_workload_def *w = r->o->w;
    bool ok = true;
    for (int i = 0; i < w->nstmts && ok; i++)
        ok = prepare_one(conn, r->stmt_names[i], w->stmts[i].sql, w->stmts[i].nparams,
                         w->stmts[i].where, err, errlen);
    for (int b = 1; b <= SDB_STMT_BUILTINS && ok; b++)
        ok = prepare_one(conn, builtin_name[b], builtin_sql[b], 0, "built-in", err, errlen);
    return ok;
}

/* Opens a persistent connection: connects, prepares every statement, and
 * switches it to non-blocking pipeline mode.  NULL with err on failure. */
static PGconn *connect_prepared(run *r, char *err, size_t errlen)
{
    PGconn *conn = sdb_connect(r->o->conninfo, err, errlen);
    if (!conn)
        return NULL;
    bool ok = prepare_all(r, conn, err, errlen);
    if (ok && (PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1)) {
        snprintf(err, errlen, "cannot switch the connection to non-blocking pipeline mode");
        ok = false;
    }
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* The thread's persistent connections: one per session, or (pooled mode)
 * its share of `connections`.  False with t->error on failure. */
static bool thread_connect(run *r, thread_state *t)
{
    bool persistent = r->o->conn_mode != SDB_CONN_TRANSIENT;
    if (!persistent)
        return true;
    if (!r->pooled) {
        for (int i = 0; i < t->nsessions; i++) {
            if (atomic_load(&r->abort) || sdb_interrupted)
                return false;
            t->sessions[i].home = connect_prepared(r, t->error, sizeof t->error);
            t->sessions[i].conn = t->sessions[i].home;
            if (!t->sessions[i].home)
                return false;
        }
        return true;
    }
    for (int i = 0; i < t->pool_live; i++) {
        if (atomic_load(&r->abort) || sdb_interrupted)
            return false;
        t->pool[i] = connect_prepared(r, t->error, sizeof t->error);
        if (!t->pool[i])
            return false;
        t->pool_free = i + 1;
    }
    return true;
}

/* ---- results of the transaction ----------------------------------------- */

static void clear_batch_results(sdb_ctx *c)
{
    for (int k = 0; k < c->nresults; k++) {
        PQclear((PGresult *)(void *)c->results[k]);
        c->results[k] = NULL;
    }
    c->nresults = 0;
}

static void clear_tx_results(sdb_ctx *c)
{
    clear_batch_results(c);
    for (int k = 0; k < c->nkept; k++) {
        PQclear((PGresult *)(void *)c->kept[k]);
        c->kept[k] = NULL;
    }
    c->nkept = 0;
}

/* ---- the state machine -------------------------------------------------- */

static void record_rt_error(run *r, const sdb_ctx *c)
{
    pthread_mutex_lock(&r->err_lock);
    if (!r->rt_error[0])
        snprintf(r->rt_error, sizeof r->rt_error, "%s: run-time error: %s",
                 c->error_where, c->error_msg);
    pthread_mutex_unlock(&r->err_lock);
    atomic_store(&r->abort, 1);
}

/* Counts session s's transaction as failed (totals, the session's and the
 * current interval's). */
static void tx_failed(thread_state *t, session *s)
{
    t->stats.tx[s->tx].failed++;
    s->unit.failed++;
    t->ifailed++;
}

/* Publishes every interval that ended by `now` (and, with `final`, the one
 * in progress) into the run's time series. */
static void roll_intervals(thread_state *t, int64_t now, bool final)
{
    run *r = t->run;
    while (now >= t->next_boundary || final) {
        sdb_series_publish(&r->series, t->ik, t->ihist, t->ilag, t->idone, t->ifailed);
        sdb_hist_reset(t->ihist);
        sdb_hist_reset(t->ilag);
        t->idone = t->ifailed = 0;
        t->ik++;
        t->next_boundary += r->series.interval_ns;
        final = false;
    }
}

static bool in_tx(const session *s)
{
    return s->state == S_WAIT || s->state == S_SLEEP || s->state == S_ROLLBACK ||
           s->state == S_WAIT_CONN || s->state == S_CONNECTING;
}

static void begin_attempt(thread_state *t, session *s);

/* Gives pooled connection conn to the first waiting session, or back to
 * the pool. */
static void pool_put(thread_state *t, PGconn *conn)
{
    if (t->waitq_len > 0) {
        session *w = &t->sessions[t->waitq[t->waitq_head]];
        t->waitq_head = (t->waitq_head + 1) % t->nsessions;
        t->waitq_len--;
        int64_t waited = sdb_now_ns() - w->mark_ns;
        t->stats.conn_waits++;
        sdb_hist_record(t->stats.conn_wait, waited);
        w->conn = conn;
        w->pooled = true;
        begin_attempt(t, w);
        return;
    }
    t->pool[t->pool_free++] = conn;
}

/* The transaction no longer needs its connection: a transient one is
 * closed, a pooled one goes back to the pool (or to a waiting session). */
static void drop_tx_conn(thread_state *t, session *s)
{
    if (s->transient) {
        PQfinish(s->conn);
        s->conn = s->home;
        s->transient = false;
    } else if (s->pooled) {
        PGconn *conn = s->conn;
        s->conn = NULL;
        s->pooled = false;
        pool_put(t, conn);
    }
}

/* The connection broke: the attempt in flight (if any) fails, and the
 * session ends.  An error the server sent first (e.g. 57P01 from
 * pg_terminate_backend) is the one counted; otherwise 08006. */
static void session_dead(thread_state *t, session *s)
{
    if (in_tx(s)) {
        /* a statement (a COMMIT, a write in autocommit) went out and its
         * result never came back: the server may have applied it */
        if ((s->state == S_WAIT || s->state == S_ROLLBACK) && s->nread < s->nsent)
            t->stats.in_doubt++;
        tx_failed(t, s);
        if (!s->failed) {
            char msg[SDB_ERRMSG_LEN];
            sdb_conn_error(s->conn, NULL, msg, sizeof msg);
            sdb_stats_error(&t->stats, "08006", SDB_ERR_CONNECTION, msg);
        }
    }
    clear_tx_results(&s->ctx);
    s->copy_seen = false;
    s->nprep = s->prep_read = 0;
    if (s->transient) {
        /* the transaction's own connection is lost, not the session */
        PQfinish(s->conn);
        s->conn = s->home;
        s->transient = false;
        s->state = S_IDLE;
        return;
    }
    /* a persistent connection, the session's own or a pooled one: this
     * session opens its replacement (a pooled one then goes back to the
     * pool, so the pool keeps its size), after a backoff */
    bool was_pooled = s->pooled;
    PQfinish(s->conn);
    if (!was_pooled)
        s->home = NULL;
    s->conn = s->home;
    s->pooled = false;
    s->for_pool = was_pooled;
    t->lost++;
    s->backoff_ns = RECONNECT_FIRST_NS;
    s->wake_ns = sdb_now_ns() + s->backoff_ns;
    s->state = S_RECONNECT_WAIT;
}

/* A reconnection attempt failed: conn (if any) is closed, and the next
 * attempt waits twice as long as this one did, up to RECONNECT_MAX_NS. */
static void reconnect_later(session *s, PGconn *conn)
{
    PQfinish(conn);
    s->backoff_ns = s->backoff_ns * 2 < RECONNECT_MAX_NS ? s->backoff_ns * 2 : RECONNECT_MAX_NS;
    s->wake_ns = sdb_now_ns() + s->backoff_ns;
    s->state = S_RECONNECT_WAIT;
}

/* Starts opening the replacement of a broken persistent connection. */
static void start_reconnect(thread_state *t, session *s)
{
    s->conn = PQconnectStartParams(t->run->o->conninfo->keys, t->run->o->conninfo->values, 0);
    s->connect_poll = PGRES_POLLING_WRITING;
    s->state = S_RECONNECTING;
    if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
        reconnect_later(s, s->conn);
        s->conn = NULL;
    }
}

/* Advances a replacement connection after its socket became ready: once
 * open it is the session's own again (its statements re-prepared with its
 * first batch), or goes back to the pool (its statements prepared now); a
 * failed attempt waits twice as long before the next. */
static void on_reconnect_ready(thread_state *t, session *s)
{
    s->connect_poll = PQconnectPoll(s->conn);
    if (s->connect_poll != PGRES_POLLING_OK && s->connect_poll != PGRES_POLLING_FAILED)
        return;
    PGconn *conn = s->conn;
    bool for_pool = s->for_pool;
    s->conn = for_pool ? s->home : NULL;
    if (s->connect_poll == PGRES_POLLING_FAILED) {
        reconnect_later(s, conn);
        return;
    }
    PQsetNoticeReceiver(conn, sdb_conn_notice, NULL);
    char err[400];
    /* a pooled connection's statements are prepared now, blocking this
     * thread briefly (pooled sessions share it from here) */
    if ((for_pool && !prepare_all(t->run, conn, err, sizeof err)) ||
        PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1) {
        s->connect_poll = PGRES_POLLING_FAILED;
        reconnect_later(s, conn);
        return;
    }
    t->stats.reconnects++;
    s->state = S_IDLE;
    if (for_pool) {
        s->for_pool = false;
        pool_put(t, conn);
        return;
    }
    s->conn = s->home = conn;
    s->reprepare = true;
}

/* Sends the batch the body queued in s->ctx.  A batch of several (or no)
 * statements, or one behind the statements prepared again on a new
 * connection, goes in pipeline mode and ends with a Sync; a batch of one
 * statement goes outside pipeline mode, where libpq ends it with its own
 * Sync: the same messages on the wire, and one result object fewer for
 * libpq to make and free (the pipeline's Sync result). */
static void send_batch(thread_state *t, session *s)
{
    run *r = t->run;
    sdb_ctx *c = &s->ctx;
    clear_batch_results(c);
    s->nsent = 0;
    s->nread = 0;
    s->failed = false;
    s->retryable = false;
    if (s->state != S_ROLLBACK)
        s->state = S_WAIT;   /* in a transaction from here: a failed send counts */
    s->nprep = s->prep_read = 0;
    if (s->reprepare && !s->transient && !s->pooled) {
        /* a new connection: prepare every statement again, in the same
         * pipeline, ahead of the batch (DEALLOCATE ALL first, so that a
         * half-done earlier attempt does not make a PREPARE fail) */
        const sdb_workload_def *w = r->o->w;
        bool ok = PQsendQueryParams(s->conn, "DEALLOCATE ALL", 0, NULL, NULL, NULL, NULL, 0);
        for (int i = 0; i < w->nstmts && ok; i++)
            ok = PQsendPrepare(s->conn, r->stmt_names[i], w->stmts[i].sql, w->stmts[i].nparams,
                               NULL);
        for (int b = 1; b <= SDB_STMT_BUILTINS && ok; b++)
            ok = PQsendPrepare(s->conn, builtin_name[b], builtin_sql[b], 0, NULL);
        if (!ok) {
            session_dead(t, s);
            return;
        }
        s->nprep = 1 + w->nstmts + SDB_STMT_BUILTINS;
    }
    s->batch_piped = c->nbatch != 1 || s->nprep > 0;
    bool piped_now = PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF;
    if (s->batch_piped != piped_now &&
        (s->batch_piped ? PQenterPipelineMode(s->conn) : PQexitPipelineMode(s->conn)) != 1) {
        session_dead(t, s);
        return;
    }
    for (int k = 0; k < c->nbatch; k++) {
        int stmt = c->batch[k].stmt;
        if (!stmt_valid(r, stmt)) {
            sdb_rt_error(c, "sdb_exec", "unknown statement index");
            record_rt_error(r, c);
            s->state = S_IDLE;
            return;
        }
        if (stmt == SDB_STMT_ROLLBACK && s->state != S_ROLLBACK)
            s->user_rollback = true;
        int sent = s->transient
            ? PQsendQueryParams(s->conn, stmt < 0 ? builtin_sql[-stmt] : r->o->w->stmts[stmt].sql,
                                c->batch[k].nparams, NULL, c->param_values + c->batch[k].first,
                                c->param_lengths + c->batch[k].first, NULL, 0)
            : PQsendQueryPrepared(s->conn, stmt_name(r, stmt), c->batch[k].nparams,
                                  c->param_values + c->batch[k].first,
                                  c->param_lengths + c->batch[k].first, NULL, 0);
        if (!sent) {
            session_dead(t, s);
            return;
        }
        s->batch_stmt[k] = stmt;
        s->batch_ok[k] = false;
        s->batch_err[k] = false;
        s->nsent++;
    }
    s->batch_sent_ns = sdb_now_ns();
    if (s->batch_piped && PQpipelineSync(s->conn) != 1) {
        session_dead(t, s);
        return;
    }
    int f = PQflush(s->conn);
    if (f < 0) {
        session_dead(t, s);
        return;
    }
    s->want_write = f == 1;
}

/* Queues and sends a ROLLBACK of an open transaction block. */
static void send_rollback(thread_state *t, session *s)
{
    sdb_ctx *c = &s->ctx;
    c->nbatch = 0;
    c->nparam_values = 0;
    c->parambuf_used = 0;
    sdb_exec(c, SDB_STMT_ROLLBACK, 0);
    s->state = S_ROLLBACK;
    send_batch(t, s);
}

/* Fisher-Yates shuffle of the session's deck with its own stream. */
static void shuffle_deck(const run *r, session *s)
{
    for (int i = r->deck_size - 1; i > 0; i--) {
        int j = (int)sdb_gen_uniform(&s->ctx, 0, i, "deck");
        int tmp = s->deck[i];
        s->deck[i] = s->deck[j];
        s->deck[j] = tmp;
    }
    s->deck_pos = 0;
}

/* Picks a transaction: the next card of a deck mix, else by weight. */
static int choose_tx(const run *r, session *s)
{
    if (s->deck) {
        if (s->deck_pos >= r->deck_size)
            shuffle_deck(r, s);
        return s->deck[s->deck_pos++];
    }
    sdb_rng *rng = &s->ctx.rng;
    double x = sdb_rng_double(rng) * r->totalweight;
    int n = r->o->w->ntxs;
    for (int i = 0; i < n - 1; i++)
        if (x < r->cumweights[i])
            return i;
    /* the last transaction with a positive weight */
    for (int i = n - 1; i > 0; i--)
        if (r->cumweights[i] > r->cumweights[i - 1])
            return i;
    return 0;
}

/* Evaluates a keying or think time of transaction tx; 0 when none. */
static int64_t wait_ns(thread_state *t, session *s, sdb_time_fn fn)
{
    if (!fn)
        return 0;
    s->ctx.arena_used = 0;
    double secs = fn(&s->ctx);
    if (s->ctx.error_where) {
        record_rt_error(t->run, &s->ctx);
        return 0;
    }
    if (!(secs > 0))
        return 0;
    return secs < 86400 ? (int64_t)(secs * 1e9) : INT64_C(86400000000000);
}

/* The transaction ended (committed, or rolled back by the body). */
static void tx_done(thread_state *t, session *s)
{
    run *r = t->run;
    int64_t now = sdb_now_ns();
    int64_t lat = now - s->tx_start_ns;
    sdb_txstats *ts = &t->stats.tx[s->tx];
    if (s->user_rollback)
        ts->rolled_back++;
    else
        ts->ok++;
    sdb_unit_done(&s->unit, s->user_rollback, lat);
    sdb_hist_record(ts->latency, lat);
    sdb_hist_record(t->stats.latency, lat);
    sdb_hist_record(t->stats.service_time, now - s->actual_start_ns);
    if (r->open_loop) {
        int64_t lag = s->actual_start_ns - s->tx_start_ns;
        sdb_hist_record(t->stats.schedule_lag, lag);
        sdb_hist_record(t->ilag, lag);
        if (r->o->latency_limit_ns > 0 && lat > r->o->latency_limit_ns)
            t->stats.late++;
    }
    sdb_hist_record(t->ihist, lat);
    t->idone++;
    t->stats.mode_done[s->transient]++;
    sdb_hist_record(t->stats.mode_latency[s->transient], lat);
    drop_tx_conn(t, s);
    clear_tx_results(&s->ctx);
    int64_t think = r->open_loop ? 0 : wait_ns(t, s, r->o->w->txs[s->tx].think);
    if (think > 0) {
        s->wake_ns = now + think;
        s->state = S_THINK;
    } else {
        s->state = S_IDLE;
    }
}

/* Runs the body from pc until it queues statements (sent), sleeps, or
 * finishes. */
static void advance(thread_state *t, session *s, int pc)
{
    run *r = t->run;
    const sdb_tx_def *tx = &r->o->w->txs[s->tx];
    sdb_ctx *c = &s->ctx;
    for (int spins = 0;; spins++) {
        c->nbatch = 0;
        c->nparam_values = 0;
        c->parambuf_used = 0;
        c->sleep_ns = 0;
        int next = tx->fn(c, s->frame, pc);
        if (!c->error_where && spins > MAX_EMPTY_RESUMES)
            sdb_rt_error(c, tx->where, "the transaction loops without executing a statement");
        if (c->error_where) {
            record_rt_error(r, c);
            clear_tx_results(c);
            drop_tx_conn(t, s);
            s->state = S_IDLE;
            return;
        }
        if (next <= 0) {
            tx_done(t, s);
            return;
        }
        s->pc = next;
        if (c->nbatch > 0) {
            send_batch(t, s);
            return;
        }
        if (c->sleep_ns > 0) {
            s->wake_ns = sdb_now_ns() + c->sleep_ns;
            s->state = S_SLEEP;
            return;
        }
        pc = next;   /* nothing to wait for: resume at once */
    }
}

/* Starts (or, for a retry, restarts) the chosen transaction. */
static void begin_attempt(thread_state *t, session *s)
{
    run *r = t->run;
    s->state = S_IDLE;   /* no batch in flight (a retry comes from ROLLBACK) */
    s->ctx.arena_used = 0;
    s->ctx.error_where = NULL;
    s->user_rollback = false;
    clear_tx_results(&s->ctx);
    memset(s->frame, 0, r->o->w->txs[s->tx].frame_size);
    advance(t, s, 0);
}

/* Starts opening this transaction's own connection (transient). */
static void start_connect(thread_state *t, session *s)
{
    s->mark_ns = sdb_now_ns();
    s->conn = PQconnectStartParams(t->run->o->conninfo->keys, t->run->o->conninfo->values, 0);
    s->transient = true;
    s->connect_poll = PGRES_POLLING_WRITING;
    s->state = S_CONNECTING;
    if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
        tx_failed(t, s);
        sdb_stats_error(&t->stats, "08001", SDB_ERR_CONNECTION,
                        s->conn ? PQerrorMessage(s->conn) : "out of memory");
        PQfinish(s->conn);
        s->conn = s->home;
        s->transient = false;
        s->state = S_IDLE;
    }
}

/* The transient connection is open: make it usable, then run the body. */
static void connected(thread_state *t, session *s)
{
    int64_t took = sdb_now_ns() - s->mark_ns;
    t->stats.connects++;
    sdb_hist_record(t->stats.connect_time, took);
    PQsetNoticeReceiver(s->conn, sdb_conn_notice, NULL);   /* as on every connection */
    if (PQsetnonblocking(s->conn, 1) != 0 || PQenterPipelineMode(s->conn) != 1) {
        s->state = S_WAIT;   /* in a transaction: counted as failed */
        session_dead(t, s);
        return;
    }
    begin_attempt(t, s);
}

/* Advances an opening connection after its socket became ready. */
static void on_connect_ready(thread_state *t, session *s)
{
    s->connect_poll = PQconnectPoll(s->conn);
    if (s->connect_poll == PGRES_POLLING_OK) {
        connected(t, s);
    } else if (s->connect_poll == PGRES_POLLING_FAILED) {
        char msg[SDB_ERRMSG_LEN];
        sdb_conn_error(s->conn, NULL, msg, sizeof msg);
        sdb_stats_error(&t->stats, "08001", SDB_ERR_CONNECTION, msg);
        s->failed = true;   /* this error is the one counted */
        session_dead(t, s);
    }
}

static void start_tx(thread_state *t, session *s)
{
    run *r = t->run;
    s->tries = 1;
    s->rng_at_start = s->ctx.rng;
    s->actual_start_ns = sdb_now_ns();
    s->tx_start_ns = r->open_loop ? s->sched_ns : s->actual_start_ns;
    s->failed = false;
    sdb_conn_mode mode = r->o->conn_mode;
    bool transient = mode == SDB_CONN_TRANSIENT ||
                     (mode == SDB_CONN_MIXED && s->txs_begun % 2 == 1);
    s->txs_begun++;
    if (transient) {
        start_connect(t, s);
        return;
    }
    if (r->pooled && !s->conn && t->pool_live == 0) {
        /* every pooled connection of the thread is lost: mixed mode goes on
         * with new connections, persistent mode ends the session */
        if (mode == SDB_CONN_MIXED) {
            start_connect(t, s);
            return;
        }
        s->state = S_DEAD;
        return;
    }
    if (r->pooled && !s->conn) {
        if (t->pool_free > 0) {
            s->conn = t->pool[--t->pool_free];
            s->pooled = true;
        } else {
            s->mark_ns = sdb_now_ns();
            s->state = S_WAIT_CONN;
            t->waitq[(t->waitq_head + t->waitq_len) % t->nsessions] = (int)(s - t->sessions);
            t->waitq_len++;
            return;
        }
    }
    begin_attempt(t, s);
}

/* Open loop: the session chooses a transaction for the arrival it holds
 * and starts it. */
static void begin_arrival(thread_state *t, session *s)
{
    s->tx = choose_tx(t->run, s);
    start_tx(t, s);
}

/* Open loop: the idle session takes its thread's next arrival (skipping
 * the ones already later than --latency-limit), then waits for its
 * intended start, or starts at once when that has passed (falling
 * behind: see the policy at the top of this file). */
static void take_arrival(thread_state *t, session *s)
{
    run *r = t->run;
    int64_t now = sdb_now_ns();
    if (r->o->latency_limit_ns > 0)
        t->stats.skipped += sdb_arrivals_skip_late(&t->arrivals, now, r->o->latency_limit_ns);
    s->sched_ns = sdb_arrivals_take(&t->arrivals);
    if (s->sched_ns > now) {
        s->wake_ns = s->sched_ns;
        s->state = S_ARRIVAL;
        return;
    }
    begin_arrival(t, s);
}

/* Chooses the next transaction; waits its keying time first if it has one.
 * Open loop: takes the next arrival instead (keying times are ignored). */
static void next_tx(thread_state *t, session *s)
{
    run *r = t->run;
    if (r->open_loop) {
        take_arrival(t, s);
        return;
    }
    s->tx = choose_tx(r, s);
    int64_t keying = wait_ns(t, s, r->o->w->txs[s->tx].keying);
    if (atomic_load(&r->abort))
        return;
    if (keying > 0) {
        s->wake_ns = sdb_now_ns() + keying;
        s->state = S_KEYING;
        return;
    }
    start_tx(t, s);
}

/* After a failed attempt (its rollback done, if one was needed): retry with
 * the same random inputs, or count the failure. */
static void attempt_failed(thread_state *t, session *s, bool retryable)
{
    run *r = t->run;
    const sdb_tx_def *tx = &r->o->w->txs[s->tx];
    int max_tries = tx->max_tries > 0 ? tx->max_tries : 1;
    if (retryable && s->tries < max_tries && !atomic_load(&r->stop) &&
        sdb_now_ns() < r->end_ns) {
        s->tries++;
        t->stats.tx[s->tx].retries++;
        s->ctx.rng = s->rng_at_start;
        begin_attempt(t, s);
        return;
    }
    tx_failed(t, s);
    clear_tx_results(&s->ctx);
    drop_tx_conn(t, s);
    s->state = S_IDLE;
}

/* Every result of the batch in flight has arrived (the Sync's included). */
static void batch_finished(thread_state *t, session *s)
{
    run *r = t->run;
    if (s->state == S_ROLLBACK) {
        attempt_failed(t, s, s->retryable);
        return;
    }
    if (!s->failed) {
        advance(t, s, s->pc);
        return;
    }
    bool retryable = s->retryable;
    PGTransactionStatusType ts = PQtransactionStatus(s->conn);
    if (ts == PQTRANS_INERROR || ts == PQTRANS_INTRANS) {
        send_rollback(t, s);
        s->retryable = retryable;   /* remembered for after the rollback */
        return;
    }
    (void)r;
    attempt_failed(t, s, retryable);
}

static bool is_retryable(const char *sqlstate)
{
    return sqlstate && (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0);
}

/* One result of the statement at position s->nread. */
static void take_result(thread_state *t, session *s, PGresult *res)
{
    run *r = t->run;
    ExecStatusType st = PQresultStatus(res);
    int k = s->nread;
    if (st == PGRES_PIPELINE_ABORTED) {
        PQclear(res);
        return;
    }
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        /* COPY cannot run inside a transaction body: end the session */
        PQclear(res);
        if (!s->failed) {
            s->failed = true;
            sdb_stats_error(&t->stats, "0A000", k < SDB_MAX_BATCH ? s->batch_stmt[k] : 0,
                            "COPY cannot be used as a transaction statement");
        }
        s->copy_seen = true;
        return;
    }
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        if (s->state == S_ROLLBACK || k >= SDB_MAX_BATCH) {
            PQclear(res);
            return;
        }
        int stmt = s->batch_stmt[k];
        sdb_query_kind kind = stmt_kind(r, stmt);
        t->stats.queries[kind]++;
        if (stmt >= 0) {
            if (st == PGRES_TUPLES_OK)
                t->stats.stmt_rows[stmt] += PQntuples(res);
            /* rows written: the count of an INSERT, UPDATE, DELETE or MERGE
             * command tag (with RETURNING too; a SELECT's tag counts rows
             * returned, already counted, so a statement that starts with
             * SELECT skips the tag) */
            const char *cmd = kind == SDB_QUERY_SELECT ? NULL : PQcmdStatus(res);
            if (cmd && (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
                        strncmp(cmd, "DELETE", 6) == 0 || strncmp(cmd, "MERGE", 5) == 0))
                t->stats.stmt_affected[stmt] += strtoll(PQcmdTuples(res), NULL, 10);
        }
        s->batch_ok[k] = true;
        PQclear((PGresult *)(void *)s->ctx.results[k]);
        s->ctx.results[k] = (sdb_result *)(void *)res;
        if (s->ctx.nresults < k + 1)
            s->ctx.nresults = k + 1;
        return;
    }
    if (s->state != S_ROLLBACK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        if (!s->failed) {
            s->failed = true;
            if (k < SDB_MAX_BATCH)
                s->batch_err[k] = true;
            s->retryable = is_retryable(state);
            t->stats.stmt_errors++;
            /* a retried error is counted as a retry, not as an error kind */
            const sdb_tx_def *tx = &r->o->w->txs[s->tx];
            bool will_retry = s->retryable && s->tries < (tx->max_tries > 0 ? tx->max_tries : 1);
            if (!will_retry)
                sdb_stats_error(&t->stats, state, k < SDB_MAX_BATCH ? s->batch_stmt[k] : 0,
                                msg ? msg : PQresultErrorMessage(res));
        }
    }
    PQclear(res);
}

/* The statement at position s->nread has all its results: time it from
 * its batch's send (statements of a pipelined batch run one after the
 * other, so the k-th includes the ones before it). */
static void statement_done(thread_state *t, session *s)
{
    int k = s->nread;
    if (s->state == S_ROLLBACK || k >= SDB_MAX_BATCH)
        return;
    int stmt = s->batch_stmt[k];
    if (!s->batch_ok[k]) {
        if (s->batch_err[k] && stmt >= 0)
            t->stats.stmt_failures[stmt]++;
        return;
    }
    int64_t lat = sdb_now_ns() - s->batch_sent_ns;
    sdb_hist_record(t->stats.kind_latency[stmt_kind(t->run, stmt)], lat);
    if (stmt >= 0) {
        t->stats.stmt_count[stmt]++;
        sdb_hist_record(t->stats.stmt_latency[stmt], lat);
    }
}

/* The connection broke.  When every statement of the batch in flight had
 * already returned without an error (only the Sync's answer is missing: a
 * backend terminated right after a COMMIT was acknowledged), the batch is
 * complete and the body goes on (a committed transaction counts as
 * committed; a next batch then meets the broken connection); otherwise the
 * session's connection is dead. */
static void connection_broke(thread_state *t, session *s)
{
    if (!s->batch_piped && s->nsent == 1 && s->nread == 0 && s->batch_ok[0]) {
        /* outside a pipeline, libpq gives the end of a statement's results
         * only with the ReadyForQuery after them: the statement's result
         * came, that did not */
        statement_done(t, s);
        s->nread = 1;
    }
    if (s->state == S_WAIT && !s->failed && s->nprep == 0 && s->nread >= s->nsent &&
        s->nsent > 0)
        advance(t, s, s->pc);
    else
        session_dead(t, s);
}

/* The socket is readable or writable: read what arrived. */
static void on_ready(thread_state *t, session *s, short revents)
{
    if (s->want_write && (revents & (POLLOUT | POLLIN | POLLERR | POLLHUP))) {
        int f = PQflush(s->conn);
        if (f < 0) {
            session_dead(t, s);
            return;
        }
        s->want_write = f == 1;
    }
    if (!(revents & (POLLIN | POLLERR | POLLHUP)))
        return;
    if (!PQconsumeInput(s->conn)) {
        connection_broke(t, s);
        return;
    }
    while (!PQisBusy(s->conn) && s->prep_read < s->nprep) {
        /* the re-prepares ahead of the batch: an error fails the batch
         * (the pipeline aborts what follows) and they are tried again
         * with the next one */
        PGresult *res = PQgetResult(s->conn);
        if (!res) {
            s->prep_read++;
            continue;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_ABORTED && !s->failed) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            s->failed = true;
            t->stats.stmt_errors++;
            sdb_stats_error(&t->stats, state, SDB_ERR_CONNECTION,
                            msg ? msg : PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    if (s->prep_read == s->nprep && s->nprep > 0) {
        if (!s->failed)
            s->reprepare = false;
        s->nprep = s->prep_read = 0;
    }
    while (!PQisBusy(s->conn) && s->nprep == 0) {
        if (s->nread >= s->nsent) {
            /* every statement is done: the next result is the Sync's */
            PGresult *res = PQgetResult(s->conn);
            if (!res) {
                if (PQstatus(s->conn) == CONNECTION_BAD)
                    connection_broke(t, s);
                return;
            }
            ExecStatusType st = PQresultStatus(res);
            PQclear(res);
            if (st == PGRES_PIPELINE_SYNC) {
                batch_finished(t, s);
                return;
            }
            /* an unexpected extra result (e.g. a FATAL before a reset) */
            if (PQstatus(s->conn) == CONNECTION_BAD) {
                connection_broke(t, s);
                return;
            }
            continue;
        }
        PGresult *res = PQgetResult(s->conn);
        if (!res) {
            statement_done(t, s);
            s->nread++;   /* the statement at nread has all its results */
            if (!s->batch_piped) {
                /* outside a pipeline this end of results came with the
                 * ReadyForQuery: the batch of one statement is over */
                batch_finished(t, s);
                return;
            }
            continue;
        }
        take_result(t, s, res);
        if (s->copy_seen) {
            session_dead(t, s);
            return;
        }
    }
    if (PQstatus(s->conn) == CONNECTION_BAD)
        connection_broke(t, s);
}

/* ---- the thread --------------------------------------------------------- */

static void *cancel_main(void *arg)
{
    PGcancel *cn = arg;
    char buf[256];
    PQcancel(cn, buf, sizeof buf);
    PQfreeCancel(cn);
    return NULL;
}

/* Sends a cancel request from a detached thread; never waits for it. */
static void cancel_in_background(PGcancel *cn)
{
    if (!cn)
        return;
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, cancel_main, cn) != 0)
        PQfreeCancel(cn);
    pthread_attr_destroy(&attr);
}

static bool waiting_on_time(const session *s)
{
    return s->state == S_KEYING || s->state == S_SLEEP || s->state == S_THINK ||
           s->state == S_ARRIVAL || s->state == S_RECONNECT_WAIT;
}

/* Moves a session whose wait has ended on. */
static void on_wake(thread_state *t, session *s, bool stopping)
{
    switch (s->state) {
    case S_SLEEP:
        advance(t, s, s->pc);
        break;
    case S_KEYING:
        if (stopping)
            s->state = S_IDLE;
        else
            start_tx(t, s);
        break;
    case S_THINK:
        s->state = S_IDLE;
        break;
    case S_ARRIVAL:
        if (stopping)
            s->state = S_IDLE;
        else
            begin_arrival(t, s);
        break;
    case S_RECONNECT_WAIT:
        if (!stopping)
            start_reconnect(t, s);
        break;
    default:
        break;
    }
}

static void thread_loop(thread_state *t)
{
    run *r = t->run;
    for (int i = 0; i < t->nsessions; i++)
        next_tx(t, &t->sessions[i]);

    for (;;) {
        if (atomic_load(&r->abort))
            break;
        int64_t now = sdb_now_ns();
        bool stopping = now >= r->end_ns || atomic_load(&r->stop);
        if (stopping && t->stop_ns == 0) {
            /* the end of the measured window: the main thread's when it
             * stopped the run, else the configured end */
            int64_t at = atomic_load(&r->stop) ? atomic_load(&r->stopped_ns) : 0;
            t->stop_ns = at > 0 ? at : now < r->end_ns ? now : r->end_ns;
        }
        /* completions after the window (the drain) go into its last
         * interval, which the main thread takes; none goes past it */
        if (now >= t->next_boundary)
            roll_intervals(t, t->stop_ns > 0 && now >= t->stop_ns ? t->stop_ns - 1 : now, false);
        if (now >= atomic_load_explicit(&r->deadline_ns, memory_order_relaxed))
            break;

        int n = 0, busy = 0;
        int64_t next_wake = INT64_MAX;
        for (int i = 0; i < t->nsessions; i++) {
            session *s = &t->sessions[i];
            if (waiting_on_time(s)) {
                if (stopping && s->state == S_ARRIVAL && s->sched_ns < t->stop_ns)
                    t->stats.not_started++;   /* due during the run, never started */
                if (stopping && s->state != S_SLEEP)
                    s->state = S_IDLE;   /* no new transaction will start */
                else if (s->wake_ns <= now)
                    on_wake(t, s, stopping);
            }
            if (s->state == S_RECONNECTING && stopping) {
                /* the run is over: no use for the replacement connection */
                PQfinish(s->conn);
                s->conn = s->home;
                s->state = S_IDLE;
            }
            if (s->state == S_IDLE && !stopping)
                next_tx(t, s);
            if (waiting_on_time(s)) {
                busy++;
                if (s->wake_ns < next_wake)
                    next_wake = s->wake_ns;
            }
            if (s->state == S_WAIT || s->state == S_ROLLBACK || s->state == S_CONNECTING ||
                s->state == S_RECONNECTING) {
                busy++;
                t->pfds[n].fd = PQsocket(s->conn);
                t->pfds[n].events = s->state == S_CONNECTING || s->state == S_RECONNECTING
                    ? (short)(s->connect_poll == PGRES_POLLING_READING ? POLLIN : POLLOUT)
                    : (short)(POLLIN | (s->want_write ? POLLOUT : 0));
                t->pfds[n].revents = 0;
                t->pfd_session[n] = i;
                n++;
            } else if (s->state == S_WAIT_CONN) {
                busy++;
            }
        }
        if (busy == 0) {
            if (stopping)
                break;
            bool any_alive = false;
            for (int i = 0; i < t->nsessions; i++)
                any_alive |= t->sessions[i].state != S_DEAD;
            if (!any_alive)
                break;
            continue;
        }
        int64_t timeout_ns = INT64_C(100000000);
        if (!stopping && r->end_ns - now < timeout_ns)
            timeout_ns = r->end_ns - now;
        if (next_wake != INT64_MAX && next_wake - now < timeout_ns)
            timeout_ns = next_wake - now;
        if (timeout_ns < 0)
            timeout_ns = 0;
        /* ppoll: a timeout to the ns, not rounded up to the next ms, so
         * timed waits (an arrival's intended start above all) end on time */
        struct timespec timeout = {(time_t)(timeout_ns / 1000000000),
                                   (long)(timeout_ns % 1000000000)};
        int rc = ppoll(t->pfds, (nfds_t)n, &timeout, NULL);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            snprintf(t->error, sizeof t->error, "poll: %s", strerror(errno));
            break;
        }
        for (int k = 0; k < n && rc > 0; k++) {
            if (!t->pfds[k].revents)
                continue;
            rc--;
            session *s = &t->sessions[t->pfd_session[k]];
            if (s->state == S_CONNECTING)
                on_connect_ready(t, s);
            else if (s->state == S_RECONNECTING)
                on_reconnect_ready(t, s);
            else
                on_ready(t, s, t->pfds[k].revents);
            if (s->state == S_IDLE && !stopping)
                next_tx(t, s);
        }
    }
    /* open loop: the arrivals that came due during the run and were never
     * taken (every session was busy) */
    if (r->open_loop && t->stop_ns > 0)
        t->stats.not_started += sdb_arrivals_owed(&t->arrivals, t->stop_ns);
    /* Anything still in flight is abandoned: counted as failed, and the
     * server is asked to cancel it (in the background: PQcancel blocks
     * until the server answers, and the run must end on time). */
    for (int i = 0; i < t->nsessions; i++) {
        session *s = &t->sessions[i];
        if (in_tx(s)) {
            tx_failed(t, s);
            sdb_stats_error(&t->stats, "57014", SDB_ERR_ABANDONED,
                            "still running when the run ended: cancelled");
            if (s->state == S_WAIT || s->state == S_ROLLBACK)
                cancel_in_background(PQgetCancel(s->conn));
            if (s->transient) {
                PQfinish(s->conn);
                s->conn = s->home;
                s->transient = false;
            }
            s->state = S_IDLE;
        }
        clear_tx_results(&s->ctx);
    }
}

static void *thread_main(void *arg)
{
    thread_state *t = arg;
    run *r = t->run;
    if (!thread_connect(r, t))
        atomic_store(&r->abort, 1);
    pthread_barrier_wait(&r->connected);
    pthread_barrier_wait(&r->go);
    t->next_boundary = r->start_ns + r->series.interval_ns;
    if (r->open_loop)
        sdb_arrivals_init(&t->arrivals, r->o->seed, ARRIVAL_STREAM(t->id),
                          r->o->rate_tps * t->nsessions / r->o->workers, r->start_ns);
    if (!atomic_load(&r->abort)) {
        thread_loop(t);
        roll_intervals(t, sdb_now_ns(), true);   /* the last, partial interval */
    }
    sdb_series_retire(&r->series, t->ik);
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) == 0)
        t->stats.cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    for (int i = 0; i < t->nsessions; i++) {
        session *s = &t->sessions[i];
        if (s->conn != s->home)
            PQfinish(s->conn);   /* a transient or pooled one still held */
        PQfinish(s->home);
        s->conn = s->home = NULL;
    }
    for (int i = 0; i < t->pool_free; i++)
        PQfinish(t->pool[i]);
    t->pool_free = 0;
    return NULL;
}

/* ---- set-up and the main thread's side ---------------------------------- */

static bool build_weights(run *r)
{
    const sdb_workload_def *w = r->o->w;
    const sdb_mix_def *m = &w->mixes[r->o->mix];
    r->cumweights = calloc((size_t)w->ntxs, sizeof *r->cumweights);
    if (!r->cumweights)
        return false;
    double sum = 0;
    for (int i = 0; i < w->ntxs; i++) {
        sum += m->weights[i] > 0 ? m->weights[i] : 0;
        r->cumweights[i] = sum;
    }
    r->totalweight = sum;
    if (m->deck) {
        /* the compiler makes deck weights whole numbers (sum <= 10000) */
        long cards = 0;
        for (int i = 0; i < w->ntxs; i++)
            cards += m->weights[i] > 0 ? lround(m->weights[i]) : 0;
        if (cards < 1 || cards > 1000000)
            return false;
        r->deck_size = (int)cards;
    }
    return sum > 0;
}

/* Gives session s its deck (deck mixes): lround(weight) cards of each
 * transaction, shuffled before the first deal. */
static bool init_deck(run *r, session *s)
{
    if (r->deck_size == 0)
        return true;
    const sdb_workload_def *w = r->o->w;
    const sdb_mix_def *m = &w->mixes[r->o->mix];
    s->deck = malloc((size_t)r->deck_size * sizeof *s->deck);
    if (!s->deck)
        return false;
    int n = 0;
    for (int i = 0; i < w->ntxs; i++) {
        long cards = m->weights[i] > 0 ? lround(m->weights[i]) : 0;
        for (long k = 0; k < cards && n < r->deck_size; k++)
            s->deck[n++] = i;
    }
    s->deck_pos = r->deck_size;   /* shuffle before the first deal */
    return true;
}

static bool init_sessions(run *r, thread_state *t, int first, int count, int pool)
{
    const sdb_run_opts *o = r->o;
    t->nsessions = count;
    if (r->pooled) {
        t->pool = calloc((size_t)(pool > 0 ? pool : 1), sizeof *t->pool);
        t->waitq = calloc((size_t)(count > 0 ? count : 1), sizeof *t->waitq);
        if (!t->pool || !t->waitq)
            return false;
        t->pool_live = pool;
    }
    t->sessions = calloc((size_t)(count ? count : 1), sizeof *t->sessions);
    t->pfds = calloc((size_t)(count ? count : 1), sizeof *t->pfds);
    t->pfd_session = calloc((size_t)(count ? count : 1), sizeof *t->pfd_session);
    t->parambuf = malloc(SDB_PARAMBUF_BYTES);
    t->ihist = sdb_hist_new();
    t->ilag = sdb_hist_new();
    if (!t->sessions || !t->pfds || !t->pfd_session || !t->parambuf || !t->ihist || !t->ilag ||
        !sdb_stats_init(&t->stats, o->w->ntxs, o->w->ncounters, o->w->nstmts))
        return false;
    for (int i = 0; i < count; i++) {
        session *s = &t->sessions[i];
        sdb_ctx *c = &s->ctx;
        sdb_rng_seed(&c->rng, o->seed, (uint64_t)(first + i));
        c->scale = o->scale;
        c->worker = first + i + 1;
        c->nworkers = o->workers;
        c->params = o->params;
        c->nurand_c = o->nurand_c;
        c->sequences = o->sequences;
        c->counters = t->stats.counters;
        c->arena = malloc(SDB_ARENA_BYTES);
        c->parambuf = t->parambuf;
        c->parambuf_cap = SDB_PARAMBUF_BYTES;
        s->frame = calloc(1, r->frame_size ? r->frame_size : 1);
        if (!c->arena || !s->frame || !init_deck(r, s))
            return false;
    }
    return true;
}

static void free_threads(thread_state *ts, int n)
{
    for (int i = 0; i < n; i++) {
        thread_state *t = &ts[i];
        for (int k = 0; t->sessions && k < t->nsessions; k++) {
            clear_tx_results(&t->sessions[k].ctx);
            free(t->sessions[k].ctx.arena);
            free(t->sessions[k].frame);
            free(t->sessions[k].deck);
        }
        free(t->sessions);
        free(t->pool);
        free(t->waitq);
        free(t->pfds);
        free(t->parambuf);
        free(t->pfd_session);
        sdb_hist_free(t->ihist);
        sdb_hist_free(t->ilag);
        sdb_stats_free(&t->stats);
    }
    free(ts);
}

/* What the main thread accumulates between two progress lines. */
typedef struct progress {
    sdb_hist *hist;         /* latencies of the intervals taken since the last line */
    sdb_hist *interval;     /* the interval being taken (for on_interval) */
    sdb_hist *lag;          /* open loop: schedule lags since the last line */
    int64_t done, failed;   /* their completions and failures */
    int64_t total;          /* completions since the start */
    double since_s;         /* end of the last line's period */
    bool stop;              /* on_interval asked to end the run */
} progress;

/* Takes the complete intervals from k up to (not including) `limit`,
 * merging them into p; with `force`, takes them whether or not every
 * thread published them (the end of the run).  The last one, ending at
 * elapsed_s, may be shorter than an interval. */
static void take_intervals(run *r, int64_t *k, int64_t limit, bool force, double elapsed_s,
                           progress *p)
{
    double len = (double)r->series.interval_ns / 1e9;
    while (*k < limit) {
        double end_s = (double)(*k + 1) * len;
        double length_s = len;
        if (end_s > elapsed_s) {
            length_s = elapsed_s - (double)*k * len;
            end_s = elapsed_s;
        }
        sdb_hist_reset(p->interval);
        if (!sdb_series_take(&r->series, *k, force, end_s, length_s, p->interval, p->lag))
            break;
        sdb_hist_merge(p->hist, p->interval);
        const sdb_series_row *row = &r->series.rows[r->series.nrows - 1];
        if (r->o->on_interval && !r->o->on_interval(r->o->on_interval_arg, row, p->interval))
            p->stop = true;
        p->done += row->done;
        p->failed += row->failed;
        p->total += row->done;
        (*k)++;
    }
}

/* Prints a progress line for the intervals taken since the last one, when
 * they cover at least the summary interval. */
static void maybe_progress(run *r, progress *p, double summary_s)
{
    if (summary_s <= 0 || r->series.nrows == 0)
        return;
    double t_s = r->series.rows[r->series.nrows - 1].t_s;
    if (t_s - p->since_s < summary_s - 1e-9)
        return;
    double span = t_s - p->since_s;
    char total[32], lag[48] = "";
    if (r->open_loop)
        snprintf(lag, sizeof lag, "  lag p99 %8.3f ms",
                 (double)sdb_hist_percentile(p->lag, 99) / 1e6);
    sdb_info("progress: %6.0fs  %10.1f tps  lat p50 %8.3f ms  p99 %8.3f ms%s  failed %lld  "
             "(total %s)",
             t_s, span > 0 ? (double)p->done / span : 0.0,
             (double)sdb_hist_percentile(p->hist, 50) / 1e6,
             (double)sdb_hist_percentile(p->hist, 99) / 1e6, lag, (long long)p->failed,
             sdb_fmt_count(total, sizeof total, p->total));
    sdb_hist_reset(p->hist);
    sdb_hist_reset(p->lag);
    p->done = p->failed = 0;
    p->since_s = t_s;
}

/* Sleeps until `until` (monotonic ns), waking early for a stop. */
static void nap_until(run *r, int64_t until)
{
    for (;;) {
        int64_t now = sdb_now_ns();
        if (now >= until || sdb_interrupted || atomic_load(&r->abort))
            return;
        int64_t d = until - now;
        if (d > 50000000)
            d = 50000000;
        struct timespec ts = {0, (long)d};
        nanosleep(&ts, NULL);
    }
}

/* Copies the per-thread and per-session breakdown of the run into res
 * (sets res->threads, so that sdb_run_result_free frees what was made).
 * False when out of memory. */
static bool keep_breakdown(sdb_run_result *res, thread_state *ts, int nthreads)
{
    int nworkers = 0;
    for (int i = 0; i < nthreads; i++)
        nworkers += ts[i].nsessions;
    res->thread_stats = calloc((size_t)(nthreads > 0 ? nthreads : 1), sizeof *res->thread_stats);
    res->workers = calloc((size_t)(nworkers > 0 ? nworkers : 1), sizeof *res->workers);
    if (!res->thread_stats || !res->workers)
        return false;
    res->threads = nthreads;
    int wk = 0;
    for (int i = 0; i < nthreads; i++) {
        sdb_thread_result *tr = &res->thread_stats[i];
        tr->sessions = ts[i].nsessions;
        tr->cpu_s = ts[i].stats.cpu_s;
        for (int k = 0; k < ts[i].nsessions; k++) {
            res->workers[wk++] = ts[i].sessions[k].unit;
            sdb_unit_merge(&tr->u, &ts[i].sessions[k].unit);
        }
        if (!(tr->latency = sdb_hist_new()))
            return false;
        sdb_hist_merge(tr->latency, ts[i].stats.latency);
    }
    res->nworkers = nworkers;
    return true;
}

void sdb_run_result_free(sdb_run_result *r)
{
    if (r->thread_stats)
        for (int i = 0; i < r->threads; i++)
            sdb_hist_free(r->thread_stats[i].latency);
    free(r->thread_stats);
    r->thread_stats = NULL;
    free(r->workers);
    r->workers = NULL;
    r->nworkers = 0;
    sdb_stats_free(&r->stats);
    free(r->series);
    r->series = NULL;
    r->nseries = 0;
}

int sdb_run_execute(const sdb_run_opts *o, sdb_run_result *res)
{
    const sdb_workload_def *w = o->w;
    memset(res, 0, sizeof *res);
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    pthread_mutex_init(&r.err_lock, NULL);
    for (int i = 0; i < w->ntxs; i++)
        if (w->txs[i].frame_size > r.frame_size)
            r.frame_size = w->txs[i].frame_size;
    r.pooled = o->conn_mode != SDB_CONN_TRANSIENT && o->connections > 0 &&
               o->connections < o->workers;
    r.open_loop = o->rate_tps > 0;
    res->rate_tps = r.open_loop ? o->rate_tps : 0;
    res->latency_limit_ns = r.open_loop ? o->latency_limit_ns : 0;
    int nthreads = o->threads < 1 ? 1 : o->threads > o->workers ? o->workers : o->threads;
    if (r.pooled && nthreads > o->connections)
        nthreads = o->connections;   /* every thread needs a connection of its own */
    thread_state *ts = calloc((size_t)nthreads, sizeof *ts);
    r.stmt_names = calloc((size_t)(w->nstmts ? w->nstmts : 1), sizeof *r.stmt_names);
    if (!ts || !r.stmt_names || !build_weights(&r)) {
        snprintf(res->error, sizeof res->error, "%s",
                 ts && r.stmt_names && r.cumweights ? "the mix has no positive weight"
                                                    : "out of memory");
        free(ts);
        free(r.stmt_names);
        free(r.cumweights);
        pthread_mutex_destroy(&r.err_lock);
        return 1;
    }
    for (int i = 0; i < w->nstmts; i++)
        snprintf(r.stmt_names[i], STMT_NAME_LEN, "sdb_s%d", i);

    int first = 0, rc = 0;
    for (int i = 0; i < nthreads; i++) {
        int count = o->workers / nthreads + (i < o->workers % nthreads ? 1 : 0);
        int pool = o->connections / nthreads + (i < o->connections % nthreads ? 1 : 0);
        ts[i].id = i;
        ts[i].run = &r;
        if (!init_sessions(&r, &ts[i], first, count, pool)) {
            snprintf(res->error, sizeof res->error, "out of memory");
            free_threads(ts, nthreads);
            free(r.stmt_names);
            free(r.cumweights);
            pthread_mutex_destroy(&r.err_lock);
            return 1;
        }
        first += count;
    }

    if (!sdb_series_init(&r.series, nthreads, SDB_SERIES_INTERVAL_NS)) {
        snprintf(res->error, sizeof res->error, "out of memory");
        sdb_series_free(&r.series);
        free_threads(ts, nthreads);
        free(r.stmt_names);
        free(r.cumweights);
        pthread_mutex_destroy(&r.err_lock);
        return 1;
    }
    pthread_barrier_init(&r.connected, NULL, (unsigned)nthreads + 1);
    pthread_barrier_init(&r.go, NULL, (unsigned)nthreads + 1);
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&ts[started].tid, NULL, thread_main, &ts[started]) != 0)
            break;
    if (started < nthreads) {
        /* Threads that could not start never reach the barriers: stop the
         * ones that did, with the barrier counts made consistent by
         * standing in for the missing threads. */
        snprintf(res->error, sizeof res->error, "cannot start worker threads");
        atomic_store(&r.abort, 1);
        for (int i = started; i < nthreads; i++)
            pthread_barrier_wait(&r.connected);
        pthread_barrier_wait(&r.connected);
        for (int i = started; i < nthreads; i++)
            pthread_barrier_wait(&r.go);
        pthread_barrier_wait(&r.go);
        for (int i = 0; i < started; i++)
            pthread_join(ts[i].tid, NULL);
        rc = 1;
        goto done;
    }
    pthread_barrier_wait(&r.connected);
    if (sdb_interrupted)
        atomic_store(&r.abort, 1);
    r.start_ns = sdb_now_ns();
    r.end_ns = r.start_ns + (int64_t)(o->duration_s * 1e9);
    atomic_store(&r.deadline_ns, r.end_ns + DRAIN_GRACE_NS);
    pthread_barrier_wait(&r.go);

    if (atomic_load(&r.abort)) {
        for (int i = 0; i < nthreads; i++)
            pthread_join(ts[i].tid, NULL);
        for (int i = 0; i < nthreads && !res->error[0]; i++)
            if (ts[i].error[0])
                snprintf(res->error, sizeof res->error, "%s", ts[i].error);
        if (!res->error[0] && sdb_interrupted) {
            snprintf(res->error, sizeof res->error, "interrupted before the run started");
            res->interrupted = true;
        }
        rc = 1;
    } else {
        progress p = {sdb_hist_new(), sdb_hist_new(), sdb_hist_new(), 0, 0, 0, 0, false};
        if (!p.hist || !p.interval || !p.lag) {
            sdb_hist_free(p.hist);
            sdb_hist_free(p.interval);
            sdb_hist_free(p.lag);
            p.hist = p.interval = p.lag = NULL;
        }
        double summary_s = o->summary_interval_s;
        if (summary_s > 0 && summary_s < (double)r.series.interval_ns / 1e9)
            summary_s = (double)r.series.interval_ns / 1e9;
        int64_t k = 0;
        while (sdb_now_ns() < r.end_ns && !sdb_interrupted && !atomic_load(&r.abort) &&
               !p.stop) {
            /* threads publish an interval within ~100 ms of its end; never
             * spin when one is late */
            int64_t wake = r.start_ns + (k + 1) * r.series.interval_ns + INT64_C(150000000);
            int64_t soonest = sdb_now_ns() + INT64_C(50000000);
            if (wake < soonest)
                wake = soonest;
            nap_until(&r, wake < r.end_ns ? wake : r.end_ns);
            if (p.hist) {
                /* the intervals that have ended, within the run's duration */
                int64_t now_ns = sdb_now_ns() < r.end_ns ? sdb_now_ns() : r.end_ns;
                int64_t ended = (now_ns - r.start_ns) / r.series.interval_ns;
                take_intervals(&r, &k, ended, false,
                               (double)(r.end_ns - r.start_ns) / 1e9, &p);
                maybe_progress(&r, &p, summary_s);
            }
        }
        res->interrupted = sdb_interrupted != 0;
        res->stopped_early = p.stop && !res->interrupted;
        int64_t stopped = sdb_now_ns();
        if (stopped > r.end_ns)
            stopped = r.end_ns;
        atomic_store(&r.stopped_ns, stopped);
        atomic_store(&r.stop, 1);
        if (res->interrupted) {
            /* let in-flight transactions finish, briefly, then cancel them */
            int64_t until = sdb_now_ns() + INT64_C(2000000000);
            if (until < atomic_load(&r.deadline_ns))
                atomic_store(&r.deadline_ns, until);
        }
        for (int i = 0; i < nthreads; i++)
            pthread_join(ts[i].tid, NULL);
        /* the measured window: transactions finishing during the drain are
         * counted, the drain itself is not (it is at most one transaction
         * per session) */
        res->elapsed_ns = stopped - r.start_ns;
        if (p.hist) {
            /* the intervals of the measured window the loop has not taken */
            int64_t kmax = (res->elapsed_ns + r.series.interval_ns - 1) / r.series.interval_ns;
            take_intervals(&r, &k, kmax, true, (double)res->elapsed_ns / 1e9, &p);
            sdb_hist_free(p.hist);
            sdb_hist_free(p.interval);
            sdb_hist_free(p.lag);
        }
        res->series = r.series.rows;   /* the result owns the rows now */
        res->nseries = r.series.nrows;
        res->series_interval_s = (double)r.series.interval_ns / 1e9;
        r.series.rows = NULL;
        r.series.nrows = 0;
        for (int i = 0; i < nthreads && !res->error[0]; i++)
            if (ts[i].error[0])
                snprintf(res->error, sizeof res->error, "%s", ts[i].error);
        if (r.rt_error[0])
            snprintf(res->error, sizeof res->error, "%s", r.rt_error);
    }

done:
    if (sdb_stats_init(&res->stats, w->ntxs, w->ncounters, w->nstmts) &&
        keep_breakdown(res, ts, nthreads)) {
        for (int i = 0; i < nthreads; i++) {
            sdb_stats_merge(&res->stats, &ts[i].stats);
            res->sessions_lost += ts[i].lost;
            if (ts[i].stats.cpu_s > res->busiest_thread_cpu_s)
                res->busiest_thread_cpu_s = ts[i].stats.cpu_s;
        }
        res->threads = nthreads;
    } else if (!res->error[0]) {
        snprintf(res->error, sizeof res->error, "out of memory");
        rc = 1;
    }
    res->sessions = o->workers;
    pthread_barrier_destroy(&r.connected);
    pthread_barrier_destroy(&r.go);
    sdb_series_free(&r.series);
    pthread_mutex_destroy(&r.err_lock);
    free_threads(ts, nthreads);
    free(r.stmt_names);
    free(r.cumweights);
    return rc;
}
