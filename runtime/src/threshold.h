/*
 * threshold.h — pass/fail conditions on a run's results, for CI gates:
 * `--threshold 'p99<5ms'`, `'error_rate<0.1%'`, `'tps>1000'`,
 * `'new_order.p90<5s'` (repeatable; also the config key thresholds).
 *
 * Grammar: [TRANSACTION.]METRIC OP NUMBER[UNIT], where METRIC is one of
 * p50 p90 p95 p99 p999 avg max (latency; units ns us ms s, default ms),
 * tps (transactions per second), error_rate (failed / all, in percent with
 * %, else a fraction), and OP is < <= > >=.
 */
#ifndef SDB_THRESHOLD_H
#define SDB_THRESHOLD_H

#include <stdbool.h>
#include <stdio.h>

#include "hist.h"
#include "series.h"
#include "stats.h"
#include "stormdb.h"

typedef enum sdb_metric {
    SDB_M_P50, SDB_M_P90, SDB_M_P95, SDB_M_P99, SDB_M_P999, SDB_M_AVG, SDB_M_MAX,
    SDB_M_TPS, SDB_M_ERROR_RATE
} sdb_metric;

typedef struct sdb_threshold {
    char text[128];         /* as given, for the report */
    int tx;                 /* transaction index, -1 = the whole run */
    sdb_metric metric;
    int op;                 /* '<', 'l' (<=), '>', 'g' (>=) */
    double limit;           /* ns for latencies, per second, or a fraction */
    double value;           /* measured (same unit), after sdb_threshold_eval */
    bool pass;
} sdb_threshold;

/* Parses one threshold against workload w.  Returns 0, or -1 after writing
 * "what is wrong and the accepted form" into err. */
int sdb_threshold_parse(const char *text, const sdb_workload_def *w, sdb_threshold *t,
                        char *err, size_t errlen);

/* Measures t over the merged stats of a run of elapsed_s seconds. */
void sdb_threshold_eval(sdb_threshold *t, const sdb_stats *s, double elapsed_s);

/* Measures a run-level threshold (t->tx < 0) on the run so far, for
 * --abort-on-fail: the latencies so far h (ns), completions `done` and
 * failures `failed` over elapsed_s seconds.  Returns false, measuring
 * nothing, for a per-transaction threshold (those are checked at the end). */
bool sdb_threshold_eval_live(sdb_threshold *t, const sdb_hist *h, int64_t done,
                             int64_t failed, double elapsed_s);

/* --abort-on-fail: watches the run-level thresholds during a run.  Fed
 * every interval (sdb_threshold_watch_interval has the engine's on_interval
 * signature), it accumulates the run so far and, from `from_s` seconds on,
 * evaluates them; the first that fails stops the run (the callback returns
 * false) and is named in `tripped`. */
typedef struct sdb_threshold_watch {
    sdb_threshold *t;           /* parsed thresholds (not owned) */
    int n;
    double from_s;              /* first evaluation at this run time */
    sdb_hist *hist;             /* latencies so far (owned) */
    int64_t done, failed;
    double t_s;                 /* run time covered so far */
    char tripped[256];          /* "p99<5ms (measured 7.1 ms over the first 12 s)"; "" = none */
} sdb_threshold_watch;

/* Prepares w over thresholds t[0..n); false when out of memory. */
bool sdb_threshold_watch_init(sdb_threshold_watch *w, sdb_threshold *t, int n,
                              double from_s);
void sdb_threshold_watch_free(sdb_threshold_watch *w);
/* The engine's on_interval for a sdb_threshold_watch (arg). */
bool sdb_threshold_watch_interval(void *arg, const sdb_series_row *row, const sdb_hist *h);

/* The measured value of t in its display unit ("3.21 ms", "0.05%", ...). */
void sdb_threshold_value_text(const sdb_threshold *t, char *buf, size_t len);

#endif
