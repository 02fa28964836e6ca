/* report.c — see report.h. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *const kind_names[SDB_QUERY_KINDS] = {
    "select", "insert", "update", "delete", "other"};

static double ms(int64_t ns)
{
    return (double)ns / 1e6;
}

static const char *stmt_label(const sdb_workload_def *w, int stmt)
{
    switch (stmt) {
    case SDB_STMT_BEGIN: return "BEGIN";
    case SDB_STMT_COMMIT: return "COMMIT";
    case SDB_STMT_ROLLBACK: return "ROLLBACK";
    case SDB_STMT_BEGIN_READ_COMMITTED: return "BEGIN (read committed)";
    case SDB_STMT_BEGIN_REPEATABLE_READ: return "BEGIN (repeatable read)";
    case SDB_STMT_BEGIN_SERIALIZABLE: return "BEGIN (serializable)";
    case SDB_ERR_CONNECTION: return "(connection)";
    case SDB_ERR_ABANDONED: return "(end of run)";
    default: return stmt >= 0 && stmt < w->nstmts ? w->stmts[stmt].name : "?";
    }
}

static double seconds(const sdb_run_result *r)
{
    return r->elapsed_ns > 0 ? (double)r->elapsed_ns / 1e9 : 0;
}

static double per_sec(int64_t n, const sdb_run_result *r)
{
    double s = seconds(r);
    return s > 0 ? (double)n / s : 0;
}

static const double pct_values[] = {50, 90, 95, 99, 99.9};
static const char *const pct_names[] = {"p50", "p90", "p95", "p99", "p999"};
#define NPCT 5

void sdb_report_console(FILE *out, const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    int64_t ok = sdb_stats_ok(s), rb = sdb_stats_rolled_back(s), failed = sdb_stats_failed(s);
    int64_t done = ok + rb, total = done + failed;
    char a[32], b[32], c[32];
    const char *rule = "==============================================================================";
    fprintf(out, "\n%s\n  stormdb-%s %s: %s\n%s\n", rule, w->name, SDB_VERSION,
            w->mixes[ri->mix].name, rule);
    fprintf(out, "Target:     %s%s (PostgreSQL %s)\n", ri->target,
            ri->embedded ? " [embedded]" : "", ri->server_version);
    fprintf(out, "Workload:   %s, type %s, scale %lld\n", w->name, w->mixes[ri->mix].name,
            (long long)ri->scale);
    fprintf(out, "Run:        %d workers on %d threads, %.1f s%s, closed loop, seed %llu\n",
            ri->cfg->workers, ri->threads, seconds(r),
            r->interrupted ? " (interrupted)" : "", (unsigned long long)ri->seed);
    if (r->sessions_lost)
        fprintf(out, "Sessions:   %d lost their connection during the run\n", r->sessions_lost);

    fprintf(out, "\nPerformance Summary\n");
    fprintf(out, "  Transactions   %s committed, %s rolled back, %s failed (%.2f%% success)\n",
            sdb_fmt_count(a, sizeof a, ok), sdb_fmt_count(c, sizeof c, rb),
            sdb_fmt_count(b, sizeof b, failed),
            total ? 100.0 * (double)done / (double)total : 0.0);
    if (sdb_stats_retries(s))
        fprintf(out, "  Retries        %s (serialization failures and deadlocks retried)\n",
                sdb_fmt_count(a, sizeof a, sdb_stats_retries(s)));
    fprintf(out, "  Throughput     %.1f tps, %.1f statements/s\n", per_sec(done, r),
            per_sec(sdb_stats_queries(s), r));
    fprintf(out, "  Statements    ");
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        fprintf(out, " %s %s%s", kind_names[k], sdb_fmt_count(a, sizeof a, s->queries[k]),
                k + 1 < SDB_QUERY_KINDS ? "," : "\n");

    const sdb_hist *h = s->latency;
    fprintf(out, "\nLatency Distribution (ms, whole transaction)\n");
    if (sdb_hist_count(h) == 0) {
        fprintf(out, "  no completed transactions\n");
    } else {
        fprintf(out, "  avg %.3f  stddev %.3f  min %.3f  max %.3f\n", sdb_hist_mean(h) / 1e6,
                sdb_hist_stddev(h) / 1e6, ms(sdb_hist_min(h)), ms(sdb_hist_max(h)));
        fprintf(out, " ");
        for (int i = 0; i < NPCT; i++)
            fprintf(out, " %s %.3f", i == NPCT - 1 ? "p99.9" : pct_names[i],
                    ms(sdb_hist_percentile(h, pct_values[i])));
        fprintf(out, "\n");
    }

    fprintf(out, "\nWorkload Breakdown\n");
    fprintf(out, "  %-20s %12s %9s %8s %8s %6s %10s %9s %9s %9s\n", "transaction",
            "committed", "rolledback", "failed", "retries", "mix%", "tps", "avg ms", "p95 ms",
            "p99 ms");
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        int64_t n = t->ok + t->rolled_back;
        if (n == 0 && t->failed == 0)
            continue;
        fprintf(out, "  %-20s %12s %9lld %8lld %8lld %6.2f %10.1f %9.3f %9.3f %9.3f\n",
                w->txs[i].name, sdb_fmt_count(a, sizeof a, t->ok), (long long)t->rolled_back,
                (long long)t->failed, (long long)t->retries,
                total ? 100.0 * (double)(n + t->failed) / (double)total : 0.0, per_sec(n, r),
                sdb_hist_mean(t->latency) / 1e6, ms(sdb_hist_percentile(t->latency, 95)),
                ms(sdb_hist_percentile(t->latency, 99)));
    }

    fprintf(out, "\nError Summary\n");
    if (s->nerrkinds == 0 && s->errors_unclassified == 0) {
        fprintf(out, "  no errors\n");
    } else {
        for (int i = 0; i < s->nerrkinds; i++) {
            const sdb_errkind *e = &s->errkinds[i];
            fprintf(out, "  %-5s %-20s %10s  %s\n", e->sqlstate[0] ? e->sqlstate : "-----",
                    stmt_label(w, e->stmt), sdb_fmt_count(a, sizeof a, e->count), e->first_msg);
        }
        if (s->errors_unclassified)
            fprintf(out, "  (%lld more errors of other kinds)\n",
                    (long long)s->errors_unclassified);
    }
    if (r->error[0])
        fprintf(out, "\nRun stopped: %s\n", r->error);
    fprintf(out, "%s\n", rule);
    fflush(out);
}

/* A JSON string of s, made valid UTF-8 first if it is not (a server
 * message in another encoding, a cut message): never NULL for a string. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return json_null();
    sdb_utf8_sanitize(copy);
    j = json_string(copy);
    free(copy);
    return j ? j : json_null();
}

static json_t *latency_json(const sdb_hist *h)
{
    json_t *pct = json_object();
    for (int i = 0; i < NPCT; i++)
        json_object_set_new(pct, pct_names[i], json_real(ms(sdb_hist_percentile(h, pct_values[i]))));
    return json_pack("{s:I, s:f, s:f, s:f, s:f, s:o}", "count", (json_int_t)sdb_hist_count(h),
                     "average_ms", sdb_hist_mean(h) / 1e6, "stddev_ms", sdb_hist_stddev(h) / 1e6,
                     "min_ms", ms(sdb_hist_min(h)), "max_ms", ms(sdb_hist_max(h)),
                     "percentiles", pct);
}

static json_t *build(const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    int64_t ok = sdb_stats_ok(s), rb = sdb_stats_rolled_back(s), failed = sdb_stats_failed(s);
    int64_t done = ok + rb, total = done + failed;
    char started[64];
    time_t st = (time_t)ri->start_unix;
    struct tm tm;
    gmtime_r(&st, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);

    json_t *run = json_pack(
        "{s:s, s:s, s:o, s:o, s:I, s:i, s:i, s:i, s:f, s:f, s:I, s:b, s:s, s:b, s:o, s:o, s:s}",
        "tool", "stormdb", "version", SDB_VERSION, "workload", jstr(w->name), "type",
        jstr(w->mixes[ri->mix].name), "scale", (json_int_t)ri->scale, "workers", ri->cfg->workers,
        "connections", ri->cfg->connections, "threads", ri->threads, "duration_s",
        ri->cfg->duration_s, "elapsed_s", seconds(r), "seed", (json_int_t)ri->seed,
        "interrupted", r->interrupted, "load_model", "closed", "embedded", ri->embedded,
        "target", jstr(ri->target), "server_version", jstr(ri->server_version), "start_time",
        started);

    json_t *queries = json_object();
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        json_object_set_new(queries, kind_names[k], json_integer(s->queries[k]));

    json_t *perf = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:o}", "total_transactions",
        (json_int_t)total, "successful", (json_int_t)done, "rolled_back", (json_int_t)rb,
        "failed", (json_int_t)failed, "retries", (json_int_t)sdb_stats_retries(s),
        "success_rate", total ? 100.0 * (double)done / (double)total : 0.0, "tps",
        per_sec(done, r), "qps", per_sec(sdb_stats_queries(s), r), "statements",
        (json_int_t)sdb_stats_queries(s), "queries", queries);

    json_t *txs = json_array();
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        int64_t n = t->ok + t->rolled_back;
        json_array_append_new(
            txs, json_pack("{s:o, s:f, s:I, s:I, s:I, s:I, s:f, s:o}", "name", jstr(w->txs[i].name),
                           "weight", w->mixes[ri->mix].weights[i], "successful", (json_int_t)n,
                           "rolled_back", (json_int_t)t->rolled_back, "failed",
                           (json_int_t)t->failed, "retries", (json_int_t)t->retries, "tps",
                           per_sec(n, r), "latency", latency_json(t->latency)));
    }
    json_t *errors = json_array();
    for (int i = 0; i < s->nerrkinds; i++) {
        const sdb_errkind *e = &s->errkinds[i];
        json_array_append_new(errors, json_pack("{s:o, s:o, s:I, s:o}", "sqlstate",
                                                jstr(e->sqlstate), "statement",
                                                jstr(stmt_label(w, e->stmt)), "count",
                                                (json_int_t)e->count, "first_message",
                                                jstr(e->first_msg)));
    }
    json_t *root = json_pack("{s:o, s:o, s:o, s:o, s:o}", "run", run, "performance", perf,
                             "latency", latency_json(s->latency), "transactions", txs, "errors",
                             errors);
    if (root && r->error[0])
        json_object_set_new(root, "run_error", jstr(r->error));
    return root;
}

int sdb_report_json(const char *path, const sdb_report_info *ri, const sdb_run_result *r)
{
    json_t *root = build(ri, r);
    if (!root) {
        sdb_error("cannot build the JSON report (out of memory)");
        return 1;
    }
    size_t n = strlen(path);
    char *tmp = malloc(n + 32);
    if (!tmp) {
        json_decref(root);
        sdb_error("out of memory");
        return 1;
    }
    snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0 || rename(tmp, path) != 0) {
        sdb_error("cannot write %s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}
