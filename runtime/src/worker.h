/*
 * worker.h — running the weighted mix.
 *
 * `workers` sessions are spread over `threads` threads.  Each thread owns its
 * sessions' non-blocking libpq connections and drives them with poll(), like
 * pgbench: a session is a small state machine (idle -> waiting for a
 * statement's result -> ... -> idle) around a compiled transaction function
 * that yields at every statement.  Per-thread statistics are written without
 * locks and merged when the run ends; the main thread prints a progress line
 * every summary interval from relaxed atomic counters.
 */
#ifndef SDB_WORKER_H
#define SDB_WORKER_H

#include <stdint.h>

#include "conn.h"
#include "series.h"
#include "stats.h"
#include "stormdb.h"

/* How sessions use connections (config key connection_mode). */
typedef enum sdb_conn_mode {
    SDB_CONN_PERSISTENT = 0,    /* connections kept for the whole run */
    SDB_CONN_TRANSIENT,         /* a new connection for every transaction */
    SDB_CONN_MIXED              /* every other transaction transient */
} sdb_conn_mode;

/* Called by the main thread once per time-series interval, in order, as
 * soon as every client thread has published it: the interval's row and the
 * merged histogram of its latencies (ns; valid only during the call).
 * Returning false ends the run early, as if its duration had passed
 * (r->stopped_early); the intervals taken after that are still reported. */
typedef bool (*sdb_interval_fn)(void *arg, const sdb_series_row *row, const sdb_hist *h);

typedef struct sdb_run_opts {
    const sdb_workload_def *w;
    const sdb_conninfo *conninfo;
    int mix;                    /* index into w->mixes */
    int workers;                /* sessions */
    int connections;            /* persistent connections, <= workers: fewer
                                 * means sessions share them (pooled) */
    sdb_conn_mode conn_mode;
    int threads;                /* >= 1, <= workers */
    int64_t scale;
    uint64_t seed;
    double duration_s;
    double summary_interval_s;  /* 0 = no progress lines */
    const sdb_value *params;    /* w->nparams resolved values (ctx->params) */
    const int64_t *nurand_c;    /* C-Run for A = 255, 1023, 8191 */
    int64_t *sequences;         /* w->nsequences shared counters */
    double rate_tps;            /* --rate: open-loop arrivals per second over
                                 * all sessions; 0 = closed loop */
    int64_t latency_limit_ns;   /* --latency-limit: with rate_tps, skip a
                                 * transaction already this late; 0 = none */
    sdb_interval_fn on_interval;/* may be NULL */
    void *on_interval_arg;
} sdb_run_opts;

/* One client thread's share of a run. */
typedef struct sdb_thread_result {
    int sessions;               /* sessions it drove (consecutive worker numbers,
                                 * after those of the threads before it) */
    sdb_unit_stats u;           /* its transactions */
    sdb_hist *latency;          /* ns, their latencies (owned) */
    double cpu_s;               /* CPU seconds (user + system) */
} sdb_thread_result;

typedef struct sdb_run_result {
    sdb_stats stats;            /* merged; owned, free with sdb_stats_free */
    double rate_tps;            /* the open-loop rate the run used; 0 = closed loop */
    int64_t latency_limit_ns;   /* its --latency-limit; 0 = none */
    sdb_thread_result *thread_stats; /* `threads` entries (owned), or NULL */
    sdb_unit_stats *workers;    /* per session, by worker number - 1 (owned), or NULL */
    int nworkers;
    int64_t elapsed_ns;         /* from the start signal to the last thread's end */
    int sessions;               /* sessions that connected */
    int sessions_lost;          /* persistent connections that broke (each is
                                 * reopened: stats.reconnects) */
    bool interrupted;           /* stopped early by a signal */
    bool stopped_early;         /* stopped early by on_interval */
    int threads;                /* client threads that ran */
    double busiest_thread_cpu_s;/* CPU seconds of the busiest client thread
                                 * (connecting included) */
    sdb_series_row *series;     /* one row per interval (owned; free()) */
    size_t nseries;
    double series_interval_s;
    char error[512];            /* set when the run could not start or a
                                 * workload run-time error stopped it */
} sdb_run_result;

/*
 * Runs the mix for the configured duration (or until interrupted).
 * Returns 0 when the run happened (r->stats valid, r->error may hold a
 * run-time error of the workload code, which stops the run early), or 1 when
 * it could not start (connections, prepare): r->error says why.
 */
int sdb_run_execute(const sdb_run_opts *o, sdb_run_result *r);

/* Frees what a result owns (stats, time series); safe to call twice. */
void sdb_run_result_free(sdb_run_result *r);

#endif
