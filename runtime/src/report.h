/*
 * report.h — the final report of a run: console text and the JSON document.
 */
#ifndef SDB_REPORT_H
#define SDB_REPORT_H

#include <stdio.h>

#include "config.h"
#include "probe.h"
#include "threshold.h"
#include "worker.h"

/* Facts about the run that the report prints besides the measurements. */
typedef struct sdb_report_info {
    const sdb_workload_def *w;
    const sdb_config *cfg;
    int mix;                    /* index of the mix that ran */
    int64_t scale;              /* the scale the run used */
    int threads;
    uint64_t seed;
    const char *target;         /* "host=... port=... dbname=... user=..." */
    const char *server_version; /* "15.18" */
    bool embedded;
    double start_unix;          /* wall-clock start, seconds since the epoch */
    const sdb_probe_result *probes; /* w->nprobes entries */
    bool server_xacts_valid;    /* server_xacts was read */
    int64_t server_xacts;       /* pg_stat_database commits + rollbacks during the run */
    const int64_t *nurand_c_load; /* [3]: C-Load the data was made with */
    const int64_t *nurand_c_run;  /* [3]: C-Run of the run */
    const sdb_threshold *thresholds; /* nthresholds, already evaluated (may be NULL) */
    int nthresholds;
    const struct sdb_pgstats *pgstats; /* --collect-pg-stats, stopped; NULL = off */
} sdb_report_info;

/* "closed loop", or "open loop at R tps (Poisson)" and the latency limit
 * if any: the run's load model, as the reports name it. */
void sdb_report_load_model(const sdb_run_result *r, char *buf, size_t len);

/* Prints the final report. */
void sdb_report_console(FILE *out, const sdb_report_info *ri, const sdb_run_result *r);

/* Writes the JSON report to path (via a temporary file renamed into place,
 * so a reader never sees a partial file).  Returns 0, or 1 with a message. */
int sdb_report_json(const char *path, const sdb_report_info *ri, const sdb_run_result *r);

/* Writes JSON document root to path via a temporary file renamed into
 * place, and releases root.  Returns 0, or 1 with a message. */
struct json_t;
int sdb_write_json(const char *path, struct json_t *root);
/* The members of a report's "run" object that every document shares
 * (tool, version, git_revision, workload, type, scale, target,
 * server_version, start_time, seed, host, config): a new object, NULL
 * when out of memory.  The JSON report and the progressive document add
 * their own. */
struct json_t *sdb_report_run_common(const sdb_config *cfg, const sdb_workload_def *w, int mix,
                                     int64_t scale, const char *target,
                                     const char *server_version, double start_unix,
                                     uint64_t seed);

/* Writes the time series to path and the per-transaction summary to the
 * same name with "_transactions" before its extension (r.csv ->
 * r_transactions.csv), each via a temporary file renamed into place.
 * Returns 0, or 1 with a message. */
int sdb_report_csv(const char *path, const sdb_report_info *ri, const sdb_run_result *r);

/* Writes the self-contained HTML report (SVG charts and tables) to path,
 * via a temporary file renamed into place.  Returns 0, or 1 with a message. */
int sdb_report_html(const char *path, const sdb_report_info *ri, const sdb_run_result *r);

#endif
