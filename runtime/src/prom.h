/*
 * prom.h — --prometheus-port N: live metrics at http://HOST:N/metrics in
 * the Prometheus text exposition format 0.0.4, served by libmicrohttpd
 * during the run.
 *
 * Metrics (all gauges unless said otherwise; "interval" = the last complete
 * 1 s interval of the time series):
 *   stormdb_info{workload,type,version}   1
 *   stormdb_up                            1
 *   stormdb_elapsed_seconds               end of the last interval, s from the start
 *   stormdb_workers                       sessions configured
 *   stormdb_transactions_total            counter: transactions completed
 *                                         (committed or rolled back on purpose)
 *   stormdb_failures_total                counter: transactions failed
 *   stormdb_tps                           completions per second in the interval
 *   stormdb_latency_seconds               summary: {quantile="0.5|0.9|0.99|0.999"}
 *                                         over the interval (NaN when it completed
 *                                         none, as Prometheus' client libraries
 *                                         do for an empty window), with _sum and
 *                                         _count over the whole run (so
 *                                         rate(_sum)/rate(_count) is the mean)
 *   stormdb_latency_seconds_max           largest latency in the interval (0 when
 *                                         it completed none), Micrometer's convention
 *   stormdb_latency_histogram_seconds     histogram over the whole run: _bucket{le}
 *                                         cumulative counts at 100 us .. 10 s and
 *                                         +Inf, _sum, _count (aggregatable across
 *                                         runs and instances, for histogram_quantile)
 * Label values come from the workload definition and the build only (no
 * configuration value, so no secret), escaped as the format requires.
 *
 * Threading: the main thread calls sdb_prom_update (from on_interval); the
 * server's own thread only reads the snapshot, under the server's mutex.
 */
#ifndef SDB_PROM_H
#define SDB_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "series.h"

#define SDB_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define SDB_PROM_NBUCKETS 16

/* What a scrape shows: the run's totals and its last interval. */
typedef struct sdb_prom_snapshot {
    double elapsed_s;           /* end of the last interval, s from the start */
    int64_t transactions;       /* completed since the start */
    int64_t failures;           /* failed since the start */
    double tps;                 /* completions per second, last interval */
    int64_t interval_count;     /* completions in the last interval */
    double quantile_s[4];       /* p50, p90, p99, p99.9 of the last interval, s */
    double max_s;               /* largest latency of the last interval, s */
    double latency_sum_s;       /* sum of every completion's latency, s */
    int64_t latency_count;      /* completions the sum covers */
    int64_t le_count[SDB_PROM_NBUCKETS]; /* completions of the run with latency
                                 * at most sdb_prom_bucket_s[i] (cumulative, to
                                 * the histogram's 1% resolution) */
} sdb_prom_snapshot;

/* The upper bounds (seconds) of the latency histogram's buckets. */
extern const double sdb_prom_bucket_s[SDB_PROM_NBUCKETS];

/* The fixed labels and values of a run. */
typedef struct sdb_prom_info {
    const char *workload;       /* workload name (stormdb_info's workload) */
    const char *type;           /* workload type, i.e. the mix's name */
    const char *version;        /* stormdb's version */
    int workers;                /* sessions */
} sdb_prom_info;

typedef struct sdb_prom sdb_prom;

/*
 * Listens on port (0: a free port the kernel picks) on every interface,
 * IPv6 and IPv4, and starts serving.  Copies info.  Returns the server
 * (owned by the caller: sdb_prom_stop), or NULL with a message in err
 * (errlen bytes), e.g. "port 9187 is in use: pick another with
 * --prometheus-port".
 */
sdb_prom *sdb_prom_start(int port, const sdb_prom_info *info, char *err, size_t errlen);

/* The port listened on (the kernel's choice when 0 was asked). */
int sdb_prom_port(const sdb_prom *p);

/* Folds one interval (its time-series row and latency histogram, ns) into
 * the snapshot.  Main thread; takes the mutex once, briefly. */
void sdb_prom_update(sdb_prom *p, const sdb_series_row *row, const sdb_hist *h);

/* Copies the snapshot into *out under the mutex (any thread). */
void sdb_prom_snapshot_get(sdb_prom *p, sdb_prom_snapshot *out);

/* Stops serving (waits for the server's thread), closes the socket and
 * frees p.  NULL is allowed. */
void sdb_prom_stop(sdb_prom *p);

/*
 * Writes the exposition of info and s into buf (cap bytes, NUL
 * terminated).  Returns its length, or 0 when cap is too small.  Pure: for
 * the server and for tests.
 */
size_t sdb_prom_render(const sdb_prom_info *info, const sdb_prom_snapshot *s, char *buf,
                       size_t cap);

#endif
