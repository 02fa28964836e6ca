/*
 * hist.h — fixed-memory log-linear latency histogram (HdrHistogram's
 * algorithm).
 *
 * Values are nanoseconds.  Trackable range: 1 ns .. 1 hour
 * (SDB_HIST_HIGHEST); values above it are clamped to it and counted in
 * `overflows`; negative values are clamped to 0.  Precision: 2 significant
 * decimal digits, i.e. every recorded value is reproduced with a relative
 * error below 1% (sub-bucket count 256).
 *
 * Threading: a histogram is written by one thread only (recording takes no
 * lock and makes no allocation); merging happens at report time, after the
 * writers have stopped or from snapshots they handed over.
 */
#ifndef SDB_HIST_H
#define SDB_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDB_HIST_HIGHEST INT64_C(3600000000000)   /* 1 h in ns */
#define SDB_HIST_LOWEST  1                         /* lowest discernible value, ns */
#define SDB_HIST_SIGNIFICANT_DIGITS 2

typedef struct sdb_hist sdb_hist;

/* A new empty histogram, or NULL when out of memory.  Owned by the caller. */
sdb_hist *sdb_hist_new(void);
void sdb_hist_free(sdb_hist *h);
/* Empties h; keeps its memory. */
void sdb_hist_reset(sdb_hist *h);

/* Records one value (ns).  Hot path: no lock, no allocation. */
void sdb_hist_record(sdb_hist *h, int64_t value_ns);
/* Records `count` occurrences of value_ns; count <= 0 records nothing. */
void sdb_hist_record_n(sdb_hist *h, int64_t value_ns, int64_t count);

/* Adds every count of src into dst. */
void sdb_hist_merge(sdb_hist *dst, const sdb_hist *src);

int64_t sdb_hist_count(const sdb_hist *h);
/* Exact min / max of the recorded (clamped) values; 0 when empty. */
int64_t sdb_hist_min(const sdb_hist *h);
int64_t sdb_hist_max(const sdb_hist *h);
/* Mean and standard deviation (population), from the exact sum of values
 * for the mean and bucket midpoints for the deviation; 0 when empty. */
double sdb_hist_mean(const sdb_hist *h);
double sdb_hist_stddev(const sdb_hist *h);
/* The value at percentile p (0..100; clamped, NaN → 0), HdrHistogram's
 * definition: the highest value equivalent to the bucket where the
 * cumulative count first reaches n = (int64)(p/100 * count + 0.5), i.e. p%
 * of the total rounded to nearest, at least 1; capped at max().  0 when
 * empty. */
int64_t sdb_hist_percentile(const sdb_hist *h, double p);
/* Values clamped because they were above SDB_HIST_HIGHEST. */
int64_t sdb_hist_overflows(const sdb_hist *h);
/* Bytes of memory one histogram uses. */
size_t sdb_hist_bytes(void);

/* Raw layout, for encoders (hdrlog.c).  The counts array is HdrHistogram's
 * for (lowest SDB_HIST_LOWEST, highest SDB_HIST_HIGHEST,
 * SDB_HIST_SIGNIFICANT_DIGITS digits), index for index. */
/* Length of the counts array (4608). */
int sdb_hist_counts_len(void);
/* The count at index i (0 <= i < sdb_hist_counts_len()). */
int64_t sdb_hist_count_at(const sdb_hist *h, int i);
/* The counts index that value_ns maps to (clamped as recording does). */
int sdb_hist_index_of(int64_t value_ns);
/* The lowest value (ns) that maps to index i. */
int64_t sdb_hist_index_lowest(int i);

#endif
