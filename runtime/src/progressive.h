/*
 * progressive.h — progressive connection scaling: the same workload run in
 * bands of increasing concurrency (--progressive, config section
 * `progressive`), each band measured on its own, then analysed (analysis.h).
 *
 * A band runs the engine for warmup + test_duration with its workers and
 * connections; the measurement keeps only the time-series intervals that
 * start after the warmup (so the warmup is run but excluded), merging their
 * latency histograms and keeping each second's completions (for the
 * throughput's confidence interval).  Between bands the client is idle for
 * cooldown_duration.  Every band opens its own connections (before its
 * measured window, so connecting is never measured).
 */
#ifndef SDB_PROGRESSIVE_H
#define SDB_PROGRESSIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "hist.h"
#include "worker.h"

#define SDB_PROG_MAX_BANDS 64

/* One band's plan and its measurements. */
typedef struct sdb_band {
    int workers;
    int connections;
    bool ran;                   /* measured (false: not reached, interrupted) */
    double measured_s;          /* length of the measured window */
    int64_t done, failed;       /* transactions in it */
    double tps;                 /* done / measured_s */
    double tps_se;              /* standard error of the mean per-second
                                 * throughput; -1 = too few seconds */
    double tps_ci95;            /* half-width of its 95% confidence interval
                                 * (sdb_analysis_rate_ci); -1 = too few seconds */
    double mean_ms, p50_ms, p95_ms, p99_ms, max_ms;
    double error_rate;          /* failed / (done + failed) */
    double *per_second;         /* completions of each measured second (owned) */
    int nseconds;
    struct json_t *pg_stats;    /* --collect-pg-stats: the server's side of the
                                 * band, warmup included (owned); NULL = none */
} sdb_band;

typedef struct sdb_progressive_result {
    sdb_band bands[SDB_PROG_MAX_BANDS];
    int nbands;                 /* planned */
    int nran;                   /* measured */
    bool interrupted;
    char error[512];            /* a band that could not run; "" = none */
} sdb_progressive_result;

/*
 * The bands of the configuration, as (workers, connections) pairs into
 * workers[]/conns[] (room for SDB_PROG_MAX_BANDS); returns how many.
 * Workers run from min_workers (default 1) to max_workers (default the
 * run's `workers`):
 *   linear        `bands` evenly spaced values (rounded, duplicates dropped);
 *   exponential   min, 2·min, 4·min, ... and max;
 *   fibonacci     min, then the Fibonacci numbers above it, and max;
 *   synchronized  as linear, with connections = workers whatever the range.
 * exponential and fibonacci make as many bands as fit, cut to `bands` when
 * it was given.  Connections: from min_connections to max_connections in
 * step with the band's position when both are given (never fewer than 1),
 * else = workers (dedicated connections).
 */
int sdb_progressive_plan(const sdb_config *cfg, int *workers, int *conns);

/* Runs every band with `base` (its workers, connections, threads and
 * duration are set per band; threads = min(base->threads, workers)),
 * printing a line per band; with cfg->collect_pg_stats (or
 * pg_stats_statements), a server monitor (pgstats.h) over each band.
 * Stops at an interrupt.  Returns 0 when at least one band was measured,
 * else 1 (r->error says why). */
int sdb_progressive_run(const sdb_run_opts *base, const sdb_config *cfg,
                        sdb_progressive_result *r);

void sdb_progressive_free(sdb_progressive_result *r);

/* The progressive run's self-contained HTML page (html.c): throughput and
 * p99 latency against concurrency, with the fitted models drawn over the
 * measured points when an analysis is given (an may be NULL), and the bands'
 * table.  Written via a temporary file renamed into place.  Returns 0, or 1
 * with a message. */
struct sdb_analysis_result;
int sdb_progressive_html(const char *path, const sdb_workload_def *w, int mix,
                         const char *target, const char *server_version,
                         const sdb_progressive_result *pr, const struct sdb_analysis_result *an);

#endif
