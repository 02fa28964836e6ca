/*
 * worker.c — the benchmark engine; see worker.h.
 *
 * Session states:
 *
 *   IDLE ──start_tx──> WAIT ──result ok, body yields again──> WAIT
 *     ^                  │ result ok, body done: record latency ──> IDLE
 *     │                  │ error, transaction block open ──> ROLLBACK
 *     │                  │ error, no block: count failure ──────> IDLE
 *     └──── ROLLBACK <───┘ (ROLLBACK's result read)
 *   any state ──connection broken──> DEAD
 *
 * A session is IDLE only between transactions; the thread starts its next
 * transaction at once unless the run is stopping.
 */
#include "worker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define STMT_NAME_LEN 16
#define DRAIN_GRACE_NS INT64_C(5000000000)  /* in-flight work after the end */

typedef enum { S_IDLE, S_WAIT, S_ROLLBACK, S_DEAD } sess_state;

typedef struct session {
    PGconn *conn;
    sess_state state;
    sdb_ctx ctx;
    void *frame;            /* max frame_size bytes */
    int tx;                 /* transaction in progress */
    int pc;                 /* its resume point */
    int stmt;               /* statement in flight */
    bool stmt_failed;       /* an error result arrived for it */
    bool want_write;        /* PQflush left data to send */
    int64_t tx_start_ns;
} session;

typedef struct thread_state {
    alignas(64) int id;
    pthread_t tid;
    struct run *run;
    session *sessions;
    int nsessions;
    sdb_stats stats;
    struct pollfd *pfds;
    int *pfd_session;       /* session index of each pollfd */
    int lost;               /* sessions whose connection broke */
    char error[512];        /* why this thread could not start */
    /* read by the main thread for progress lines */
    _Atomic int64_t live_ok;
    _Atomic int64_t live_failed;
    _Atomic int64_t live_latency_ns;
    alignas(64) char pad;
} thread_state;

typedef struct run {
    const sdb_run_opts *o;
    double *cumweights;         /* per transaction, cumulative */
    double totalweight;
    size_t frame_size;
    char (*stmt_names)[STMT_NAME_LEN];
    pthread_barrier_t connected, go;
    int64_t start_ns, end_ns;   /* written before `go`, then read-only */
    _Atomic int64_t deadline_ns;/* hard stop: in-flight work is cancelled */
    atomic_int abort;           /* set: every thread stops now */
    atomic_int stop;            /* set: start no new transactions */
    pthread_mutex_t err_lock;   /* guards rt_error below */
    char rt_error[512];
} run;

static const char *builtin_sql(int stmt)
{
    switch (stmt) {
    case SDB_STMT_BEGIN: return "BEGIN";
    case SDB_STMT_COMMIT: return "COMMIT";
    case SDB_STMT_ROLLBACK: return "ROLLBACK";
    default: return NULL;
    }
}

/* Prepared-statement name of a statement index or built-in. */
static const char *stmt_name(const run *r, int stmt)
{
    switch (stmt) {
    case SDB_STMT_BEGIN: return "sdb_begin";
    case SDB_STMT_COMMIT: return "sdb_commit";
    case SDB_STMT_ROLLBACK: return "sdb_rollback";
    default: return r->stmt_names[stmt];
    }
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

/* Connects session s and prepares every statement on it. */
static bool session_connect(run *r, session *s, char *err, size_t errlen)
{
    const sdb_workload_def *w = r->o->w;
    s->conn = sdb_connect(r->o->conninfo, err, errlen);
    if (!s->conn)
        return false;
    for (int i = 0; i < w->nstmts; i++)
        if (!prepare_one(s->conn, r->stmt_names[i], w->stmts[i].sql,
                         w->stmts[i].nparams, w->stmts[i].where, err, errlen))
            return false;
    for (int b = SDB_STMT_ROLLBACK; b <= SDB_STMT_BEGIN; b++)
        if (!prepare_one(s->conn, stmt_name(r, b), builtin_sql(b), 0,
                         "built-in", err, errlen))
            return false;
    if (PQsetnonblocking(s->conn, 1) != 0) {
        snprintf(err, errlen, "cannot make the connection non-blocking");
        return false;
    }
    return true;
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

static void publish(thread_state *t)
{
    int64_t ok = 0, failed = 0;
    for (int i = 0; i < t->stats.ntx; i++) {
        ok += t->stats.tx[i].ok;
        failed += t->stats.tx[i].failed;
    }
    atomic_store_explicit(&t->live_ok, ok, memory_order_relaxed);
    atomic_store_explicit(&t->live_failed, failed, memory_order_relaxed);
}

static void session_dead(thread_state *t, session *s)
{
    if (s->state == S_WAIT || s->state == S_ROLLBACK) {
        if (s->state == S_WAIT)
            t->stats.tx[s->tx].failed++;
        char msg[SDB_ERRMSG_LEN];
        sdb_conn_error(s->conn, NULL, msg, sizeof msg);
        sdb_stats_error(&t->stats, "08006", -100, msg);
        publish(t);
    }
    s->state = S_DEAD;
    t->lost++;
}

/* Sends the statement the transaction body queued in s->ctx. */
static void send_stmt(thread_state *t, session *s)
{
    run *r = t->run;
    sdb_ctx *c = &s->ctx;
    s->stmt = c->stmt;
    s->stmt_failed = false;
    int ok = PQsendQueryPrepared(s->conn, stmt_name(r, c->stmt), c->nparams,
                                 c->param_values, c->param_lengths, NULL, 0);
    if (!ok) {
        session_dead(t, s);
        return;
    }
    int f = PQflush(s->conn);
    if (f < 0) {
        session_dead(t, s);
        return;
    }
    s->want_write = f == 1;
    s->state = S_WAIT;
}

/* Picks a transaction by weight. */
static int choose_tx(const run *r, sdb_rng *rng)
{
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

/* Records a completed transaction. */
static void tx_done(thread_state *t, session *s)
{
    int64_t lat = sdb_now_ns() - s->tx_start_ns;
    sdb_txstats *ts = &t->stats.tx[s->tx];
    ts->ok++;
    sdb_hist_record(ts->latency, lat);
    sdb_hist_record(t->stats.latency, lat);
    atomic_store_explicit(&t->live_latency_ns,
                          atomic_load_explicit(&t->live_latency_ns, memory_order_relaxed) + lat,
                          memory_order_relaxed);
    publish(t);
    s->state = S_IDLE;
}

/* Runs the body from pc until it queues a statement (sent) or finishes. */
static void advance(thread_state *t, session *s, int pc)
{
    run *r = t->run;
    const sdb_tx_def *tx = &r->o->w->txs[s->tx];
    sdb_ctx *c = &s->ctx;
    c->parambuf_used = 0;
    c->nparams = 0;
    int next = tx->fn(c, s->frame, pc);
    if (c->error_where) {
        record_rt_error(r, c);
        s->state = S_IDLE;
        return;
    }
    if (next > 0) {
        s->pc = next;
        send_stmt(t, s);
    } else {
        tx_done(t, s);
    }
}

static void start_tx(thread_state *t, session *s)
{
    run *r = t->run;
    s->tx = choose_tx(r, &s->ctx.rng);
    s->ctx.arena_used = 0;
    memset(s->frame, 0, r->o->w->txs[s->tx].frame_size);
    s->tx_start_ns = sdb_now_ns();
    advance(t, s, 0);
}

/* The statement in flight finished (its results are all read). */
static void stmt_finished(thread_state *t, session *s)
{
    run *r = t->run;
    if (s->state == S_ROLLBACK) {
        s->state = S_IDLE;
        return;
    }
    if (!s->stmt_failed) {
        t->stats.queries[stmt_kind(r, s->stmt)]++;
        advance(t, s, s->pc);
        return;
    }
    t->stats.stmt_errors++;
    t->stats.tx[s->tx].failed++;
    publish(t);
    PGTransactionStatusType ts = PQtransactionStatus(s->conn);
    if (ts == PQTRANS_INERROR || ts == PQTRANS_INTRANS) {
        s->ctx.stmt = SDB_STMT_ROLLBACK;
        s->ctx.nparams = 0;
        send_stmt(t, s);
        if (s->state == S_WAIT)
            s->state = S_ROLLBACK;
    } else {
        s->state = S_IDLE;
    }
}

static void take_result(thread_state *t, session *s, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
        return;
    if (s->state == S_ROLLBACK)
        return;   /* a failed ROLLBACK: the connection check below decides */
    s->stmt_failed = true;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    sdb_stats_error(&t->stats, state, s->stmt, msg ? msg : PQresultErrorMessage(res));
}

/* The socket is readable or writable: read what arrived. */
static void on_ready(thread_state *t, session *s, short revents)
{
    if (s->want_write && (revents & (POLLOUT | POLLIN))) {
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
        session_dead(t, s);
        return;
    }
    while (!PQisBusy(s->conn)) {
        PGresult *res = PQgetResult(s->conn);
        if (!res) {
            if (PQstatus(s->conn) == CONNECTION_BAD) {
                session_dead(t, s);
                return;
            }
            stmt_finished(t, s);
            /* a new statement may have been sent: its results come later */
            return;
        }
        take_result(t, s, res);
        PQclear(res);
    }
    if (PQstatus(s->conn) == CONNECTION_BAD)
        session_dead(t, s);
}

/* ---- the thread --------------------------------------------------------- */

static void thread_loop(thread_state *t)
{
    run *r = t->run;
    for (int i = 0; i < t->nsessions; i++)
        start_tx(t, &t->sessions[i]);

    for (;;) {
        if (atomic_load(&r->abort))
            break;
        int64_t now = sdb_now_ns();
        bool stopping = now >= r->end_ns || atomic_load(&r->stop);
        if (now >= atomic_load_explicit(&r->deadline_ns, memory_order_relaxed))
            break;

        int n = 0;
        for (int i = 0; i < t->nsessions; i++) {
            session *s = &t->sessions[i];
            if (s->state == S_IDLE && !stopping)
                start_tx(t, s);
            if (s->state == S_WAIT || s->state == S_ROLLBACK) {
                t->pfds[n].fd = PQsocket(s->conn);
                t->pfds[n].events = (short)(POLLIN | (s->want_write ? POLLOUT : 0));
                t->pfds[n].revents = 0;
                t->pfd_session[n] = i;
                n++;
            }
        }
        if (n == 0) {
            if (stopping)
                break;
            bool any_alive = false;
            for (int i = 0; i < t->nsessions; i++)
                any_alive |= t->sessions[i].state != S_DEAD;
            if (!any_alive)
                break;
            continue;
        }
        int timeout_ms = 100;
        if (!stopping) {
            int64_t left = (r->end_ns - now) / 1000000 + 1;
            if (left < timeout_ms)
                timeout_ms = (int)left;
        }
        int rc = poll(t->pfds, (nfds_t)n, timeout_ms);
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
            on_ready(t, s, t->pfds[k].revents);
            if (s->state == S_IDLE && !stopping)
                start_tx(t, s);
        }
    }
    /* Anything still in flight is abandoned: cancel it so the server stops. */
    for (int i = 0; i < t->nsessions; i++) {
        session *s = &t->sessions[i];
        if (s->state == S_WAIT || s->state == S_ROLLBACK) {
            PGcancel *cn = PQgetCancel(s->conn);
            char buf[256];
            if (cn) {
                PQcancel(cn, buf, sizeof buf);
                PQfreeCancel(cn);
            }
        }
    }
    publish(t);
}

static void *thread_main(void *arg)
{
    thread_state *t = arg;
    run *r = t->run;
    const sdb_run_opts *o = r->o;
    bool ok = true;
    for (int i = 0; i < t->nsessions && ok; i++) {
        session *s = &t->sessions[i];
        if (atomic_load(&r->abort) || sdb_interrupted) {
            ok = false;
            break;
        }
        if (!session_connect(r, s, t->error, sizeof t->error))
            ok = false;
    }
    if (!ok)
        atomic_store(&r->abort, 1);
    pthread_barrier_wait(&r->connected);
    pthread_barrier_wait(&r->go);
    if (!atomic_load(&r->abort))
        thread_loop(t);
    for (int i = 0; i < t->nsessions; i++) {
        PQfinish(t->sessions[i].conn);
        t->sessions[i].conn = NULL;
    }
    (void)o;
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
    return sum > 0;
}

static bool init_sessions(run *r, thread_state *t, int first, int count)
{
    const sdb_run_opts *o = r->o;
    t->nsessions = count;
    t->sessions = calloc((size_t)count, sizeof *t->sessions);
    t->pfds = calloc((size_t)count, sizeof *t->pfds);
    t->pfd_session = calloc((size_t)count, sizeof *t->pfd_session);
    if (!t->sessions || !t->pfds || !t->pfd_session || !sdb_stats_init(&t->stats, o->w->ntxs))
        return false;
    for (int i = 0; i < count; i++) {
        session *s = &t->sessions[i];
        sdb_rng_seed(&s->ctx.rng, o->seed, (uint64_t)(first + i));
        s->ctx.scale = o->scale;
        s->ctx.arena = malloc(SDB_ARENA_BYTES);
        s->frame = calloc(1, r->frame_size ? r->frame_size : 1);
        if (!s->ctx.arena || !s->frame)
            return false;
    }
    return true;
}

static void free_threads(thread_state *ts, int n)
{
    for (int i = 0; i < n; i++) {
        thread_state *t = &ts[i];
        for (int k = 0; t->sessions && k < t->nsessions; k++) {
            free(t->sessions[k].ctx.arena);
            free(t->sessions[k].frame);
        }
        free(t->sessions);
        free(t->pfds);
        free(t->pfd_session);
        sdb_stats_free(&t->stats);
    }
    free(ts);
}

static void progress_line(thread_state *ts, int n, double t_s, int64_t *prev_ok,
                          int64_t *prev_lat, int64_t *prev_failed, double interval_s)
{
    int64_t ok = 0, lat = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        ok += atomic_load_explicit(&ts[i].live_ok, memory_order_relaxed);
        failed += atomic_load_explicit(&ts[i].live_failed, memory_order_relaxed);
        lat += atomic_load_explicit(&ts[i].live_latency_ns, memory_order_relaxed);
    }
    int64_t d_ok = ok - *prev_ok, d_lat = lat - *prev_lat, d_failed = failed - *prev_failed;
    char total[32];
    sdb_info("progress: %6.0fs  %10.1f tps  lat avg %8.3f ms  failed %lld  (total %s)",
             t_s, (double)d_ok / interval_s,
             d_ok > 0 ? (double)d_lat / (double)d_ok / 1e6 : 0.0, (long long)d_failed,
             sdb_fmt_count(total, sizeof total, ok));
    *prev_ok = ok;
    *prev_lat = lat;
    *prev_failed = failed;
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
    int nthreads = o->threads < 1 ? 1 : o->threads > o->workers ? o->workers : o->threads;
    thread_state *ts = calloc((size_t)nthreads, sizeof *ts);
    r.stmt_names = calloc((size_t)(w->nstmts ? w->nstmts : 1), sizeof *r.stmt_names);
    if (!ts || !r.stmt_names || !build_weights(&r)) {
        snprintf(res->error, sizeof res->error, "%s",
                 ts && r.stmt_names && r.cumweights ? "the mix has no positive weight"
                                                    : "out of memory");
        free(ts);
        free(r.stmt_names);
        free(r.cumweights);
        return 1;
    }
    for (int i = 0; i < w->nstmts; i++)
        snprintf(r.stmt_names[i], STMT_NAME_LEN, "sdb_s%d", i);

    int first = 0, rc = 0;
    for (int i = 0; i < nthreads; i++) {
        int count = o->workers / nthreads + (i < o->workers % nthreads ? 1 : 0);
        ts[i].id = i;
        ts[i].run = &r;
        if (!init_sessions(&r, &ts[i], first, count)) {
            snprintf(res->error, sizeof res->error, "out of memory");
            free_threads(ts, nthreads);
            free(r.stmt_names);
            free(r.cumweights);
            return 1;
        }
        first += count;
    }

    pthread_barrier_init(&r.connected, NULL, (unsigned)nthreads + 1);
    pthread_barrier_init(&r.go, NULL, (unsigned)nthreads + 1);
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&ts[started].tid, NULL, thread_main, &ts[started]) != 0)
            break;
    if (started < nthreads) {
        /* cannot happen in practice; make the barrier counts consistent */
        snprintf(res->error, sizeof res->error, "cannot start worker threads");
        atomic_store(&r.abort, 1);
        for (int i = started; i < nthreads; i++) {
            ts[i].nsessions = 0;
            pthread_create(&ts[i].tid, NULL, thread_main, &ts[i]);
        }
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
        if (!res->error[0])
            snprintf(res->error, sizeof res->error, "interrupted before the run started");
        rc = 1;
    } else {
        int64_t prev_ok = 0, prev_lat = 0, prev_failed = 0;
        int64_t interval = (int64_t)(o->summary_interval_s * 1e9);
        int64_t next = interval > 0 ? r.start_ns + interval : r.end_ns;
        while (sdb_now_ns() < r.end_ns && !sdb_interrupted && !atomic_load(&r.abort)) {
            nap_until(&r, next < r.end_ns ? next : r.end_ns);
            int64_t now = sdb_now_ns();
            if (interval > 0 && now >= next && now < r.end_ns) {
                progress_line(ts, nthreads, (double)(now - r.start_ns) / 1e9, &prev_ok,
                              &prev_lat, &prev_failed, (double)interval / 1e9);
                next += interval;
            }
        }
        res->interrupted = sdb_interrupted != 0;
        atomic_store(&r.stop, 1);
        if (res->interrupted) {
            /* let in-flight transactions finish, briefly, then cancel them */
            int64_t until = sdb_now_ns() + INT64_C(2000000000);
            if (until < atomic_load(&r.deadline_ns))
                atomic_store(&r.deadline_ns, until);
        }
        for (int i = 0; i < nthreads; i++)
            pthread_join(ts[i].tid, NULL);
        res->elapsed_ns = sdb_now_ns() - r.start_ns;
        if (r.rt_error[0])
            snprintf(res->error, sizeof res->error, "%s", r.rt_error);
    }

    if (sdb_stats_init(&res->stats, w->ntxs)) {
        for (int i = 0; i < nthreads; i++) {
            sdb_stats_merge(&res->stats, &ts[i].stats);
            res->sessions_lost += ts[i].lost;
        }
    } else if (!res->error[0]) {
        snprintf(res->error, sizeof res->error, "out of memory");
        rc = 1;
    }
    res->sessions = o->workers;
    pthread_barrier_destroy(&r.connected);
    pthread_barrier_destroy(&r.go);
    pthread_mutex_destroy(&r.err_lock);
    free_threads(ts, nthreads);
    free(r.stmt_names);
    free(r.cumweights);
    return rc;
}
