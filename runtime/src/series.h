/*
 * series.h — the run's time series: completions, failures and latency
 * percentiles per interval (1 s), exact and in constant memory.
 *
 * Each worker thread records into a private interval histogram and, when
 * its clock passes an interval boundary, publishes it into a small ring of
 * shared slots under a mutex (once per interval per thread, never per
 * transaction).  The main thread takes an interval once every thread has
 * published it, turns it into a row, and may merge it into a histogram of
 * its own (for progress lines).  Rows are kept for the reports: a few dozen
 * bytes per interval.
 */
#ifndef SDB_SERIES_H
#define SDB_SERIES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define SDB_SERIES_SLOTS 8   /* intervals the main thread may lag behind */

/* One interval of the run. */
typedef struct sdb_series_row {
    double t_s;             /* end of the interval, seconds from the start */
    double length_s;        /* its length (the last one may be shorter) */
    int64_t done;           /* transactions completed (committed or rolled back) */
    int64_t failed;         /* transactions failed */
    double mean_ms, p50_ms, p90_ms, p99_ms, max_ms;  /* latency of `done` */
    double lag_p99_ms;      /* open loop: p99 schedule lag of `done`; else 0 */
} sdb_series_row;

typedef struct sdb_series_slot {
    int64_t index;          /* the interval it holds, -1 = free */
    int reported;           /* threads that published it */
    int64_t done, failed;
    sdb_hist *hist;
    sdb_hist *lag;          /* schedule lags (ns, open loop) */
} sdb_series_slot;

typedef struct sdb_series {
    pthread_mutex_t lock;   /* guards slots[] and dropped */
    int nthreads;
    int64_t interval_ns;
    sdb_series_slot slots[SDB_SERIES_SLOTS];
    int64_t dropped;        /* intervals lost because the main thread lagged */
    int nretired;           /* threads that publish no more ... */
    int64_t *retired_from;  /* ... from these intervals on (nthreads entries) */
    /* the main thread's: */
    sdb_series_row *rows;
    size_t nrows, cap;
} sdb_series;

/* Prepares the slots; false when out of memory. */
bool sdb_series_init(sdb_series *s, int nthreads, int64_t interval_ns);
void sdb_series_free(sdb_series *s);

/* Worker side: adds one thread's interval k (its latency histogram h, its
 * schedule-lag histogram lag (may be NULL) and counts).  Takes the lock
 * once. */
void sdb_series_publish(sdb_series *s, int64_t k, const sdb_hist *h, const sdb_hist *lag,
                        int64_t done, int64_t failed);

/* Worker side, when the thread stops: it publishes no interval from k on,
 * so the main thread does not wait for it (a thread whose sessions all
 * lost their connections stops before the others). */
void sdb_series_retire(sdb_series *s, int64_t k);

/* Main side: when every thread has published interval k (or `force`, at
 * the end of the run), appends its row (end time end_s, length length_s),
 * merges its latency histogram into `into` and its lag histogram into
 * `lag_into` (either may be NULL), frees the slot and
 * returns true; false when k is not complete yet.  A forced interval no
 * thread published yields an empty row. */
bool sdb_series_take(sdb_series *s, int64_t k, bool force, double end_s, double length_s,
                     sdb_hist *into, sdb_hist *lag_into);

#endif
