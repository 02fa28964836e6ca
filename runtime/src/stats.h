/*
 * stats.h — what a run measures.  Each worker thread owns one sdb_stats and
 * writes it without locks; the main thread merges them after the threads
 * have stopped (sdb_stats_merge).
 */
#ifndef SDB_STATS_H
#define SDB_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "hist.h"
#include "stormdb.h"

#define SDB_MAX_ERRKINDS 32   /* distinct (sqlstate, statement) pairs kept */
#define SDB_ERRMSG_LEN 256

/* Pseudo-statements of errors that are not a statement's: the connection
 * broke; the transaction was still running when the run ended. */
#define SDB_ERR_CONNECTION (-100)
#define SDB_ERR_ABANDONED  (-101)

/* One kind of error: a SQLSTATE raised by one statement. */
typedef struct sdb_errkind {
    char sqlstate[6];             /* "40001"; "" when the server sent none */
    int stmt;                     /* statement index, SDB_STMT_*, or SDB_ERR_CONNECTION */
    int64_t count;
    char first_msg[SDB_ERRMSG_LEN];/* the first message of this kind, scrubbed */
} sdb_errkind;

typedef struct sdb_txstats {
    int64_t ok;                   /* transactions that committed (or ended) */
    int64_t rolled_back;          /* transactions the body rolled back on purpose */
    int64_t failed;               /* transactions an error aborted (after retries) */
    int64_t retries;              /* attempts repeated after 40001 / 40P01 */
    sdb_hist *latency;            /* ns, ok and rolled back transactions */
} sdb_txstats;

/* What one session (a "worker") or one client thread did, without a
 * histogram (a session's would not scale to thousands of sessions). */
typedef struct sdb_unit_stats {
    int64_t committed;            /* transactions that committed (or ended) */
    int64_t rolled_back;          /* ... that the body rolled back on purpose */
    int64_t failed;               /* ... that an error aborted (after retries) */
    int64_t latency_sum_ns;       /* ns, latencies of committed + rolled back */
    int64_t latency_max_ns;       /* ns, the longest of them */
} sdb_unit_stats;

/* Counts a completed (committed or rolled back) transaction of latency
 * lat_ns into u. */
void sdb_unit_done(sdb_unit_stats *u, bool rolled_back, int64_t lat_ns);
/* Adds src into dst (the max is the max). */
void sdb_unit_merge(sdb_unit_stats *dst, const sdb_unit_stats *src);
/* Transactions that ended (committed + rolled back + failed). */
int64_t sdb_unit_total(const sdb_unit_stats *u);
/* Mean latency of the completed ones, ns; 0 when none. */
double sdb_unit_mean_ns(const sdb_unit_stats *u);

typedef struct sdb_stats {
    int ntx;
    sdb_txstats *tx;              /* ntx entries */
    sdb_hist *latency;            /* ns, all completed transactions: the headline
                                   * latency, from the intended start under
                                   * --rate, else from the start */
    sdb_hist *service_time;       /* ns, the same transactions from their actual
                                   * start (equal to `latency` in a closed loop) */
    sdb_hist *schedule_lag;       /* ns, open loop only: actual start minus
                                   * intended start (latency = lag + service) */
    int64_t skipped;              /* open loop with --latency-limit: arrivals
                                   * skipped because they were already too late
                                   * (not transactions, not failures) */
    int64_t late;                 /* with --latency-limit: completed transactions
                                   * whose latency exceeded it */
    int64_t not_started;          /* open loop: arrivals due before the end of
                                   * the run that no session started */
    int64_t queries[SDB_QUERY_KINDS]; /* statements that succeeded, by kind */
    int64_t stmt_errors;          /* statements that failed */
    int nerrkinds;
    sdb_errkind errkinds[SDB_MAX_ERRKINDS];
    int64_t errors_unclassified;  /* errors past SDB_MAX_ERRKINDS kinds */

    /* connections (connection modes) */
    int64_t connects;             /* connections opened for transient transactions */
    int64_t reconnects;           /* persistent connections reopened after one broke */
    int64_t in_doubt;             /* failed transactions whose connection broke
                                   * with results outstanding: the server may have
                                   * committed them (counted in failed too) */
    sdb_hist *connect_time;       /* ns, set-up time of each of those */
    int64_t conn_waits;           /* transactions that waited for a pooled connection */
    sdb_hist *conn_wait;          /* ns, each such wait */
    int64_t mode_done[2];         /* completed transactions: [0] persistent, [1] transient */
    sdb_hist *mode_latency[2];    /* ns, their latencies */

    int ncounters;
    int64_t *counters;            /* the workload's `counter` totals */

    int nstmts;
    int64_t *stmt_count;          /* per statement: successful executions */
    int64_t *stmt_failures;       /* per statement: executions that raised an error */
    int64_t *stmt_rows;           /* per statement: rows returned (SELECT, RETURNING) */
    int64_t *stmt_affected;       /* per statement: rows inserted, updated, deleted
                                   * (the command tag's count) */
    sdb_hist **stmt_latency;      /* per statement: ns from its batch's send to its result */
    sdb_hist *kind_latency[SDB_QUERY_KINDS]; /* the same, by query kind */

    double cpu_s;                 /* CPU (user + system) of the thread(s), seconds */
} sdb_stats;

/* Allocates the histograms and counters; false when out of memory. */
bool sdb_stats_init(sdb_stats *s, int ntx, int ncounters, int nstmts);
void sdb_stats_free(sdb_stats *s);
/* Adds src into dst (same ntx). */
void sdb_stats_merge(sdb_stats *dst, const sdb_stats *src);
/* Counts one error of (sqlstate, stmt) with its message. */
void sdb_stats_error(sdb_stats *s, const char *sqlstate, int stmt, const char *msg);
/* Totals over all transaction types. */
int64_t sdb_stats_ok(const sdb_stats *s);
int64_t sdb_stats_rolled_back(const sdb_stats *s);
int64_t sdb_stats_failed(const sdb_stats *s);
int64_t sdb_stats_retries(const sdb_stats *s);
int64_t sdb_stats_queries(const sdb_stats *s);

#endif
