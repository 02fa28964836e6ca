/* report.c — see report.h. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gitrev.h"
#include "pgstats.h"
#include "sqlstate.h"
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

static double minutes(const sdb_run_result *r)
{
    return seconds(r) / 60.0;
}

/* Completions (committed + rolled back on purpose) of transaction i. */
static int64_t tx_done(const sdb_stats *s, int i)
{
    return s->tx[i].ok + s->tx[i].rolled_back;
}

/* Completions per minute of the headline's transactions (summed). */
static double headline_per_minute(const sdb_workload_def *w, const sdb_stats *s,
                                  const sdb_run_result *r)
{
    int64_t n = 0;
    for (int k = 0; k < w->nheadline_txs; k++)
        if (w->headline_txs[k] >= 0 && w->headline_txs[k] < w->ntxs)
            n += tx_done(s, w->headline_txs[k]);
    return minutes(r) > 0 ? (double)n / minutes(r) : 0.0;
}

/* Probe i's change as a percentage of its `per` probe's change; -1 when
 * it has none, or either was not measured, or the other did not change. */
static double probe_share(const sdb_workload_def *w, const sdb_report_info *ri, int i)
{
    int per = w->probes[i].per - 1;
    if (per < 0 || per >= w->nprobes || !ri->probes[i].ok || !ri->probes[per].ok)
        return -1;
    double base = ri->probes[per].after - ri->probes[per].before;
    if (base == 0)
        return -1;
    return 100.0 * (ri->probes[i].after - ri->probes[i].before) / base;
}

/* The latency (s) at transaction i's limit percentile. */
static double limit_value_s(const sdb_stats *s, const sdb_tx_def *tx, int i)
{
    return (double)sdb_hist_percentile(s->tx[i].latency, tx->limit_pct) / 1e9;
}

static bool limit_pass(const sdb_stats *s, const sdb_tx_def *tx, int i)
{
    return sdb_hist_count(s->tx[i].latency) > 0 && limit_value_s(s, tx, i) <= tx->limit_s;
}

/* Share (0..1) of the run the busiest client thread spent on the CPU. */
static double busiest_share(const sdb_run_result *r)
{
    return seconds(r) > 0 ? r->busiest_thread_cpu_s / seconds(r) : 0;
}

/* A client thread this busy is probably what limits throughput. */
#define CLIENT_BOUND_SHARE 0.9

static const double pct_values[] = {50, 90, 95, 99, 99.9};
static const char *const pct_names[] = {"p50", "p90", "p95", "p99", "p999"};
#define NPCT 5

static bool open_loop(const sdb_run_result *r)
{
    return r->rate_tps > 0;
}

/* True when a transaction of the workload declares a keying or think time
 * (ignored in an open loop). */
static bool has_pacing(const sdb_workload_def *w)
{
    for (int i = 0; i < w->ntxs; i++)
        if (w->txs[i].keying || w->txs[i].think)
            return true;
    return false;
}

/* "closed loop" or "open loop at 200 tps (Poisson)[, latency limit 100 ms]". */
void sdb_report_load_model(const sdb_run_result *r, char *buf, size_t len)
{
    if (!open_loop(r)) {
        snprintf(buf, len, "closed loop");
        return;
    }
    int n = snprintf(buf, len, "open loop at %g tps (Poisson)", r->rate_tps);
    if (r->latency_limit_ns > 0 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", latency limit %g ms", ms(r->latency_limit_ns));
}

/* One line of p50 / p90 / p99 / max (ms) of h, after a label. */
static void pct_line(FILE *out, const char *label, const sdb_hist *h, const char *note)
{
    fprintf(out, "  %-14s p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  %s\n", label,
            ms(sdb_hist_percentile(h, 50)), ms(sdb_hist_percentile(h, 90)),
            ms(sdb_hist_percentile(h, 99)), ms(sdb_hist_max(h)), note);
}

/* Open loop: service time, schedule lag, and what became of the arrivals. */
static void console_schedule(FILE *out, const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_stats *s = &r->stats;
    char a[32], b[32], c[32];
    fprintf(out, "\nOpen-Loop Schedule (ms)\n");
    pct_line(out, "Latency", s->latency, "(intended start to end: the headline)");
    pct_line(out, "Service time", s->service_time, "(actual start to end)");
    pct_line(out, "Schedule lag", s->schedule_lag, "(actual start minus intended start)");
    fprintf(out, "  Arrivals       %s started, %s not started by the end of the run",
            sdb_fmt_count(a, sizeof a, sdb_hist_count(s->schedule_lag) + sdb_stats_failed(s)),
            sdb_fmt_count(b, sizeof b, s->not_started));
    if (r->latency_limit_ns > 0)
        fprintf(out, ", %s skipped (already later than %g ms; not failures), %s late "
                "(completed after more than %g ms)", sdb_fmt_count(c, sizeof c, s->skipped),
                ms(r->latency_limit_ns), sdb_fmt_count(a, sizeof a, s->late),
                ms(r->latency_limit_ns));
    fprintf(out, "\n");
    if (has_pacing(ri->w))
        fprintf(out, "  note           the workload's keying and think times are ignored in an "
                "open loop: the arrivals pace it\n");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The client threads' table, and one line on the sessions ("workers"):
 * the spread of their transaction counts shows starvation. */
static void console_threads(FILE *out, const sdb_run_result *r)
{
    if (!r->thread_stats)
        return;
    fprintf(out, "  %-8s %8s %12s %12s %10s %8s %10s %9s %9s %9s %9s\n", "thread", "sessions",
            "transactions", "committed", "rolledback", "failed", "tps", "avg ms", "p50 ms",
            "p99 ms", "max ms");
    char a[32], b[32];
    for (int i = 0; i < r->threads; i++) {
        const sdb_thread_result *t = &r->thread_stats[i];
        fprintf(out, "  %-8d %8d %12s %12s %10lld %8lld %10.1f %9.3f %9.3f %9.3f %9.3f\n", i,
                t->sessions, sdb_fmt_count(a, sizeof a, sdb_unit_total(&t->u)),
                sdb_fmt_count(b, sizeof b, t->u.committed), (long long)t->u.rolled_back,
                (long long)t->u.failed, per_sec(t->u.committed + t->u.rolled_back, r),
                sdb_hist_mean(t->latency) / 1e6, ms(sdb_hist_percentile(t->latency, 50)),
                ms(sdb_hist_percentile(t->latency, 99)), ms(sdb_hist_max(t->latency)));
    }
    if (!r->workers || r->nworkers == 0)
        return;
    int64_t *n = malloc((size_t)r->nworkers * sizeof *n);
    if (!n)
        return;
    int worst = 0;
    for (int i = 0; i < r->nworkers; i++) {
        n[i] = sdb_unit_total(&r->workers[i]);
        if (r->workers[i].latency_max_ns > r->workers[worst].latency_max_ns)
            worst = i;
    }
    qsort(n, (size_t)r->nworkers, sizeof *n, cmp_i64);
    fprintf(out, "  Workers        %d sessions: transactions per session min %lld, median %lld, "
            "max %lld; slowest transaction %.3f ms (worker %d)\n", r->nworkers,
            (long long)n[0], (long long)n[r->nworkers / 2], (long long)n[r->nworkers - 1],
            ms(r->workers[worst].latency_max_ns), worst + 1);
    free(n);
}

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
    char model[128];
    sdb_report_load_model(r, model, sizeof model);
    fprintf(out, "Run:        %d workers on %d threads, %.1f s%s, %s, seed %llu\n",
            ri->cfg->workers, ri->threads, seconds(r),
            r->interrupted ? " (interrupted)" : "", model, (unsigned long long)ri->seed);
    if (r->sessions_lost)
        fprintf(out, "Connections: %d broke during the run, %lld reopened (the transactions "
                "they were running are counted as failed; %lld of them in doubt: a statement "
                "was sent and no result came back, so the server may have committed it)\n",
                r->sessions_lost, (long long)r->stats.reconnects, (long long)r->stats.in_doubt);
    if (w->headline_name && w->nheadline_txs > 0) {
        /* a whole number, as TPC-C reports tpmC (clause 5.4.4) */
        fprintf(out, "\n  %s  %.0f   (completions per minute of", w->headline_name,
                floor(headline_per_minute(w, s, r)));
        for (int k = 0; k < w->nheadline_txs; k++)
            fprintf(out, "%s %s", k ? "," : "", w->txs[w->headline_txs[k]].name);
        fprintf(out, ")\n");
    }

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
    if (ri->server_xacts_valid)
        fprintf(out, "  Server         %s transactions in pg_stat_database (%.1f per minute)\n",
                sdb_fmt_count(a, sizeof a, ri->server_xacts),
                minutes(r) > 0 ? (double)ri->server_xacts / minutes(r) : 0.0);
    for (int i = 0; i < w->nprobes; i++) {
        const sdb_probe_result *p = &ri->probes[i];
        if (p->ok && probe_share(w, ri, i) >= 0)
            fprintf(out, "  Probe %-8s %+.0f = %.2f%% of %s%s%s\n", w->probes[i].name,
                    p->after - p->before, probe_share(w, ri, i),
                    w->probes[w->probes[i].per - 1].name,
                    w->probes[i].description[0] ? "  " : "", w->probes[i].description);
        else if (p->ok)
            fprintf(out, "  Probe %-8s %+.0f (%.1f per minute)%s%s\n", w->probes[i].name,
                    p->after - p->before,
                    minutes(r) > 0 ? (p->after - p->before) / minutes(r) : 0.0,
                    w->probes[i].description[0] ? "  " : "", w->probes[i].description);
        else
            fprintf(out, "  Probe %-8s not measured: %s\n", w->probes[i].name, p->error);
    }
    fprintf(out, "  Statements    ");
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        fprintf(out, " %s %s%s", kind_names[k], sdb_fmt_count(a, sizeof a, s->queries[k]),
                k + 1 < SDB_QUERY_KINDS ? "," : "\n");

    const sdb_hist *h = s->latency;
    fprintf(out, "\nLatency Distribution (ms, whole transaction%s)\n",
            open_loop(r) ? ", from the intended start" : "");
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

    if (open_loop(r))
        console_schedule(out, ri, r);

    fprintf(out, "\nWorkload Breakdown\n");
    fprintf(out, "  %-20s %12s %9s %8s %8s %6s %10s %9s %9s %9s\n", "transaction",
            "committed", "rolledback", "failed", "retries", "mix%", "tpm", "avg ms", "p95 ms",
            "p99 ms");
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        int64_t n = t->ok + t->rolled_back;
        if (n == 0 && t->failed == 0)
            continue;
        fprintf(out, "  %-20s %12s %9lld %8lld %8lld %6.2f %10.1f %9.3f %9.3f %9.3f\n",
                w->txs[i].name, sdb_fmt_count(a, sizeof a, t->ok), (long long)t->rolled_back,
                (long long)t->failed, (long long)t->retries,
                total ? 100.0 * (double)(n + t->failed) / (double)total : 0.0,
                minutes(r) > 0 ? (double)n / minutes(r) : 0.0,
                sdb_hist_mean(t->latency) / 1e6, ms(sdb_hist_percentile(t->latency, 95)),
                ms(sdb_hist_percentile(t->latency, 99)));
    }

    fprintf(out, "\nStatements\n");
    fprintf(out, "  %-24s %-7s %12s %8s %12s %12s %9s %9s %9s\n", "statement", "kind", "executed",
            "errors", "rows", "affected", "avg ms", "p95 ms", "p99 ms");
    for (int i = 0; i < w->nstmts; i++) {
        if (s->stmt_count[i] == 0 && s->stmt_failures[i] == 0)
            continue;
        const sdb_hist *sh = s->stmt_latency[i];
        char rows[32], aff[32];
        fprintf(out, "  %-24s %-7s %12s %8lld %12s %12s %9.3f %9.3f %9.3f\n", w->stmts[i].name,
                kind_names[w->stmts[i].kind], sdb_fmt_count(a, sizeof a, s->stmt_count[i]),
                (long long)s->stmt_failures[i], sdb_fmt_count(rows, sizeof rows, s->stmt_rows[i]),
                sdb_fmt_count(aff, sizeof aff, s->stmt_affected[i]), sdb_hist_mean(sh) / 1e6,
                ms(sdb_hist_percentile(sh, 95)), ms(sdb_hist_percentile(sh, 99)));
    }
    fprintf(out, "  by kind:");
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        if (sdb_hist_count(s->kind_latency[k]) > 0)
            fprintf(out, "  %s avg %.3f / p99 %.3f ms", kind_names[k],
                    sdb_hist_mean(s->kind_latency[k]) / 1e6,
                    ms(sdb_hist_percentile(s->kind_latency[k], 99)));
    fprintf(out, "\n  (a statement's latency runs from its batch's send to its result)\n");

    if (s->connects > 0 || s->conn_waits > 0) {
        fprintf(out, "\nConnections\n");
        if (s->conn_waits > 0)
            fprintf(out, "  Pool waits     %s transactions waited for one of %d connections: "
                    "avg %.3f ms, p99 %.3f ms\n",
                    sdb_fmt_count(a, sizeof a, s->conn_waits), ri->cfg->connections,
                    sdb_hist_mean(s->conn_wait) / 1e6, ms(sdb_hist_percentile(s->conn_wait, 99)));
        if (s->connects > 0)
            fprintf(out, "  Set-up         %s connections opened: avg %.3f ms, p50 %.3f, p99 %.3f\n",
                    sdb_fmt_count(a, sizeof a, s->connects), sdb_hist_mean(s->connect_time) / 1e6,
                    ms(sdb_hist_percentile(s->connect_time, 50)),
                    ms(sdb_hist_percentile(s->connect_time, 99)));
        static const char *const mode_names[2] = {"persistent", "transient"};
        for (int m = 0; m < 2; m++)
            if (s->mode_done[m] > 0)
                fprintf(out, "  %-14s %s transactions, %.1f tps, avg %.3f ms, p99 %.3f ms\n",
                        mode_names[m], sdb_fmt_count(a, sizeof a, s->mode_done[m]),
                        per_sec(s->mode_done[m], r), sdb_hist_mean(s->mode_latency[m]) / 1e6,
                        ms(sdb_hist_percentile(s->mode_latency[m], 99)));
        if (s->mode_done[0] > 0 && s->mode_done[1] > 0) {
            double p = sdb_hist_mean(s->mode_latency[0]) / 1e6;
            double tr = sdb_hist_mean(s->mode_latency[1]) / 1e6;
            fprintf(out, "  Overhead       a new connection added %.3f ms per transaction "
                    "(%.1fx the latency): one session runs %.0f tps persistent, %.0f tps "
                    "transient\n", tr - p, p > 0 ? tr / p : 0.0, p > 0 ? 1e3 / p : 0.0,
                    tr > 0 ? 1e3 / tr : 0.0);
        }
    }

    if (w->ncounters > 0) {
        fprintf(out, "\nCounters\n");
        for (int i = 0; i < w->ncounters; i++) {
            const sdb_counter_def *cd = &w->counters[i];
            int64_t v = s->counters[i];
            int per = cd->per - 1;
            if (per >= 0 && per < w->ncounters && s->counters[per] > 0)
                fprintf(out, "  %-20s %14s = %6.2f%% of %s%s%s\n", cd->name,
                        sdb_fmt_count(a, sizeof a, v),
                        100.0 * (double)v / (double)s->counters[per], w->counters[per].name,
                        cd->description[0] ? "  " : "", cd->description);
            else
                fprintf(out, "  %-20s %14s   %.1f per minute%s%s\n", cd->name,
                        sdb_fmt_count(a, sizeof a, v),
                        minutes(r) > 0 ? (double)v / minutes(r) : 0.0,
                        cd->description[0] ? "  " : "", cd->description);
        }
    }

    const double *mixw = w->mixes[ri->mix].weights;
    bool any_limit = false;
    for (int i = 0; i < w->ntxs; i++)
        any_limit |= w->txs[i].limit_s > 0 && mixw[i] > 0;
    if (any_limit) {
        fprintf(out, "\nResponse-Time Limits\n");
        for (int i = 0; i < w->ntxs; i++) {
            const sdb_tx_def *tx = &w->txs[i];
            if (tx->limit_s <= 0 || mixw[i] <= 0)
                continue;
            if (sdb_hist_count(s->tx[i].latency) == 0) {
                fprintf(out, "  %-20s p%g <= %g s: no completed transactions\n", tx->name,
                        tx->limit_pct, tx->limit_s);
                continue;
            }
            double v = limit_value_s(s, tx, i);
            fprintf(out, "  %-20s p%-5g %10.3f %s  (limit %g s)  %s\n", tx->name, tx->limit_pct,
                    v < 1 ? v * 1e3 : v, v < 1 ? "ms" : "s ", tx->limit_s,
                    limit_pass(s, tx, i) ? "PASS" : "FAIL");
        }
    }

    fprintf(out, "\nClient\n");
    fprintf(out, "  CPU            %.2f s user+system on %d thread%s (%.1f us per transaction); "
            "busiest thread %.0f%% busy\n", s->cpu_s, r->threads, r->threads == 1 ? "" : "s",
            done > 0 ? s->cpu_s * 1e6 / (double)done : 0.0, 100.0 * busiest_share(r));
    if (busiest_share(r) >= CLIENT_BOUND_SHARE)
        fprintf(out, "  warning        a client thread was on the CPU for %.0f%% of the run: the "
                "client may be the bottleneck (more --threads, or a client machine of its own)\n",
                100.0 * busiest_share(r));
    console_threads(out, r);

    fprintf(out, "\nError Summary\n");
    if (s->nerrkinds == 0 && s->errors_unclassified == 0) {
        fprintf(out, "  no errors\n");
    } else {
        for (int i = 0; i < s->nerrkinds; i++) {
            const sdb_errkind *e = &s->errkinds[i];
            const char *cond = sdb_sqlstate_name(e->sqlstate);
            fprintf(out, "  %-5s %-24s %-20s %10s  %s\n",
                    e->sqlstate[0] ? e->sqlstate : "-----", cond ? cond : "",
                    stmt_label(w, e->stmt), sdb_fmt_count(a, sizeof a, e->count), e->first_msg);
        }
        if (s->errors_unclassified)
            fprintf(out, "  (%lld more errors of other kinds)\n",
                    (long long)s->errors_unclassified);
    }
    if (ri->pgstats)
        sdb_pgstats_console(out, ri->pgstats);
    if (r->error[0])
        fprintf(out, "\nRun stopped: %s\n", r->error);
    fprintf(out, "%s\n", rule);
    fflush(out);
}

/* A JSON string of s, made valid UTF-8 first if it is not (a server
 * message in another encoding, a cut message): never NULL for a string. */
static json_t *jstr(const char *s)
{
    return sdb_json_text(s ? s : "");
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

/* The counts and latency summary of a session or thread (no "latency"). */
static json_t *unit_json(const sdb_unit_stats *u)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:f, s:f}", "transactions",
                     (json_int_t)sdb_unit_total(u), "committed", (json_int_t)u->committed,
                     "rolled_back", (json_int_t)u->rolled_back, "failed", (json_int_t)u->failed,
                     "mean_ms", sdb_unit_mean_ns(u) / 1e6, "max_ms", ms(u->latency_max_ns));
}

/* threads: [{thread, sessions, transactions, ..., tps, cpu_s, latency}] */
static json_t *threads_json(const sdb_run_result *r)
{
    json_t *a = json_array();
    for (int i = 0; r->thread_stats && i < r->threads; i++) {
        const sdb_thread_result *t = &r->thread_stats[i];
        json_t *tj = unit_json(&t->u);
        if (!tj)
            continue;
        json_object_set_new(tj, "thread", json_integer(i));
        json_object_set_new(tj, "sessions", json_integer(t->sessions));
        json_object_set_new(tj, "tps", json_real(per_sec(t->u.committed + t->u.rolled_back, r)));
        json_object_set_new(tj, "cpu_s", json_real(t->cpu_s));
        json_object_set_new(tj, "latency", latency_json(t->latency));
        json_array_append_new(a, tj);
    }
    return a;
}

/* workers: [{worker, thread, transactions, committed, ..., mean_ms, max_ms}],
 * one per session by worker number. */
static json_t *workers_json(const sdb_run_result *r)
{
    json_t *a = json_array();
    if (!r->workers)
        return a;
    int thread = 0, left = r->thread_stats && r->threads > 0 ? r->thread_stats[0].sessions : 0;
    for (int i = 0; i < r->nworkers; i++) {
        while (r->thread_stats && left == 0 && thread + 1 < r->threads)
            left = r->thread_stats[++thread].sessions;
        left--;
        json_t *wj = unit_json(&r->workers[i]);
        if (!wj)
            continue;
        json_object_set_new(wj, "worker", json_integer(i + 1));
        json_object_set_new(wj, "thread", json_integer(thread));
        json_array_append_new(a, wj);
    }
    return a;
}

static const char *const metric_names[] = {"p50", "p90", "p95", "p99", "p999", "avg", "max",
                                           "tps", "error_rate"};

/* thresholds: [{expression, transaction, metric, op, limit, value, unit,
 * pass}], latencies in ms, error rates in percent, tps per second. */
static json_t *thresholds_json(const sdb_report_info *ri)
{
    json_t *a = json_array();
    for (int i = 0; ri->thresholds && i < ri->nthresholds; i++) {
        const sdb_threshold *t = &ri->thresholds[i];
        const char *op = t->op == '<' ? "<" : t->op == 'l' ? "<=" : t->op == '>' ? ">" : ">=";
        double scale = 1;
        const char *unit = "tps";
        if (t->metric == SDB_M_ERROR_RATE) {
            scale = 100;
            unit = "percent";
        } else if (t->metric != SDB_M_TPS) {
            scale = 1e-6;
            unit = "ms";
        }
        json_t *tx = t->tx >= 0 && t->tx < ri->w->ntxs ? jstr(ri->w->txs[t->tx].name)
                                                        : json_null();
        json_array_append_new(
            a, json_pack("{s:o, s:o, s:s, s:s, s:f, s:f, s:s, s:b}", "expression", jstr(t->text),
                         "transaction", tx, "metric", metric_names[t->metric], "op", op, "limit",
                         t->limit * scale, "value", t->value * scale, "unit", unit, "pass",
                         t->pass));
    }
    return a;
}

json_t *sdb_report_run_common(const sdb_config *cfg, const sdb_workload_def *w, int mix,
                              int64_t scale, const char *target, const char *server_version,
                              double start_unix, uint64_t seed)
{
    char started[64];
    time_t st = (time_t)start_unix;
    struct tm tm;
    gmtime_r(&st, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *run = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:s}", "tool", "stormdb",
                            "version", SDB_VERSION, "git_revision", SDB_GIT_REVISION,
                            "workload", jstr(w->name), "type", jstr(w->mixes[mix].name),
                            "scale", (json_int_t)scale, "target", jstr(target),
                            "server_version", jstr(server_version), "start_time", started);
    if (!run)
        return NULL;
    /* the seed as a number (a 64-bit unsigned one above INT64_MAX as a
     * string, so that it reads back exactly) */
    if (seed <= (uint64_t)INT64_MAX) {
        json_object_set_new(run, "seed", json_integer((json_int_t)seed));
    } else {
        char text[24];
        snprintf(text, sizeof text, "%llu", (unsigned long long)seed);
        json_object_set_new(run, "seed", json_string(text));
    }
    char host[256];
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        json_object_set_new(run, "host", jstr(host));
    } else {
        json_object_set_new(run, "host", json_null());
    }
    json_object_set_new(run, "config", sdb_config_json(cfg));
    return run;
}

static json_t *build(const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    int64_t ok = sdb_stats_ok(s), rb = sdb_stats_rolled_back(s), failed = sdb_stats_failed(s);
    int64_t done = ok + rb, total = done + failed;
    json_t *run = sdb_report_run_common(ri->cfg, w, ri->mix, ri->scale, ri->target,
                                        ri->server_version, ri->start_unix, ri->seed);
    json_t *more = json_pack(
        "{s:i, s:i, s:i, s:f, s:f, s:b, s:s, s:b}", "workers", ri->cfg->workers, "connections",
        ri->cfg->connections, "threads", ri->threads, "duration_s", ri->cfg->duration_s,
        "elapsed_s", seconds(r), "interrupted", r->interrupted, "load_model",
        open_loop(r) ? "open" : "closed", "embedded", ri->embedded);
    if (run && more)
        json_object_update(run, more);
    json_decref(more);
    if (run) {
        json_object_set_new(run, "rate_tps", open_loop(r) ? json_real(r->rate_tps) : json_null());
        json_object_set_new(run, "latency_limit_ms", open_loop(r) && r->latency_limit_ns > 0
                                                         ? json_real(ms(r->latency_limit_ns))
                                                         : json_null());
        json_object_set_new(run, "latency_measured_from",
                            json_string(open_loop(r) ? "intended_start" : "start"));
    }
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
    if (perf) {
        json_object_set_new(perf, "skipped", json_integer((json_int_t)s->skipped));
        json_object_set_new(perf, "late", json_integer((json_int_t)s->late));
        json_object_set_new(perf, "not_started", json_integer((json_int_t)s->not_started));
        json_object_set_new(perf, "in_doubt", json_integer((json_int_t)s->in_doubt));
    }

    json_t *txs = json_array();
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        int64_t n = t->ok + t->rolled_back;
        json_t *tj = json_pack(
            "{s:o, s:f, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:o}", "name", jstr(w->txs[i].name),
            "weight", w->mixes[ri->mix].weights[i], "successful", (json_int_t)n, "rolled_back",
            (json_int_t)t->rolled_back, "failed", (json_int_t)t->failed, "retries",
            (json_int_t)t->retries, "tps", per_sec(n, r), "tpm",
            minutes(r) > 0 ? (double)n / minutes(r) : 0.0, "share_percent",
            total ? 100.0 * (double)(n + t->failed) / (double)total : 0.0, "latency",
            latency_json(t->latency));
        const sdb_tx_def *tx = &w->txs[i];
        if (tj && tx->limit_s > 0)
            json_object_set_new(tj, "limit",
                                json_pack("{s:f, s:f, s:f, s:b}", "percentile", tx->limit_pct,
                                          "limit_s", tx->limit_s, "value_s",
                                          limit_value_s(s, tx, i), "pass",
                                          limit_pass(s, tx, i)));
        json_array_append_new(txs, tj);
    }
    json_t *errors = json_array();
    for (int i = 0; i < s->nerrkinds; i++) {
        const sdb_errkind *e = &s->errkinds[i];
        const char *cond = sdb_sqlstate_name(e->sqlstate);
        const char *cls = sdb_sqlstate_class(e->sqlstate);
        json_array_append_new(errors, json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "sqlstate",
                                                jstr(e->sqlstate), "condition",
                                                cond ? json_string(cond) : json_null(),
                                                "class", cls ? json_string(cls) : json_null(),
                                                "statement", jstr(stmt_label(w, e->stmt)),
                                                "count", (json_int_t)e->count,
                                                "first_message", jstr(e->first_msg)));
    }
    json_t *root = json_pack("{s:o, s:o, s:o, s:o, s:o}", "run", run, "performance", perf,
                             "latency", latency_json(s->latency), "transactions", txs, "errors",
                             errors);
    if (!root)
        return NULL;
    if (r->error[0])
        json_object_set_new(root, "run_error", jstr(r->error));
    if (ri->pgstats)
        json_object_set_new(root, "pg_stats", sdb_pgstats_json(ri->pgstats));
    json_object_set_new(root, "errors_unclassified",
                        json_integer((json_int_t)s->errors_unclassified));
    json_object_set_new(root, "service_time", latency_json(s->service_time));
    json_object_set_new(root, "schedule_lag", latency_json(s->schedule_lag));
    json_object_set_new(root, "threads", threads_json(r));
    json_object_set_new(root, "workers", workers_json(r));
    json_object_set_new(root, "thresholds", thresholds_json(ri));
    if (w->headline_name && w->nheadline_txs > 0) {
        json_t *names = json_array();
        for (int k = 0; k < w->nheadline_txs; k++)
            json_array_append_new(names, jstr(w->txs[w->headline_txs[k]].name));
        json_object_set_new(root, "headline",
                            json_pack("{s:o, s:o, s:f}", "name", jstr(w->headline_name),
                                      "transactions", names, "per_minute",
                                      headline_per_minute(w, s, r)));
    }
    if (ri->server_xacts_valid)
        json_object_set_new(root, "server",
                            json_pack("{s:I, s:f}", "transactions", (json_int_t)ri->server_xacts,
                                      "per_minute",
                                      minutes(r) > 0 ? (double)ri->server_xacts / minutes(r)
                                                     : 0.0));
    json_t *stmts = json_array();
    for (int i = 0; i < w->nstmts; i++)
        json_array_append_new(
            stmts, json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:o}", "name",
                             jstr(w->stmts[i].name), "kind", kind_names[w->stmts[i].kind],
                             "executed", (json_int_t)s->stmt_count[i], "errors",
                             (json_int_t)s->stmt_failures[i], "rows_returned",
                             (json_int_t)s->stmt_rows[i], "rows_affected",
                             (json_int_t)s->stmt_affected[i], "latency",
                             latency_json(s->stmt_latency[i])));
    json_object_set_new(root, "statements", stmts);
    json_t *kinds = json_object();
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        json_object_set_new(kinds, kind_names[k], latency_json(s->kind_latency[k]));
    json_object_set_new(root, "query_kinds", kinds);
    json_object_set_new(
        root, "client",
        json_pack("{s:f, s:f, s:i, s:f, s:b}", "cpu_s", s->cpu_s, "cpu_us_per_transaction",
                  done > 0 ? s->cpu_s * 1e6 / (double)done : 0.0, "threads", r->threads,
                  "busiest_thread_busy_percent", 100.0 * busiest_share(r), "client_bound",
                  busiest_share(r) >= CLIENT_BOUND_SHARE));
    json_t *rows = json_array();
    for (size_t i = 0; i < r->nseries; i++) {
        const sdb_series_row *row = &r->series[i];
        json_array_append_new(
            rows, json_pack("{s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "t_s",
                            row->t_s, "length_s", row->length_s, "completed",
                            (json_int_t)row->done, "failed", (json_int_t)row->failed, "tps",
                            row->length_s > 0 ? (double)row->done / row->length_s : 0.0,
                            "mean_ms", row->mean_ms, "p50_ms", row->p50_ms, "p90_ms",
                            row->p90_ms, "p99_ms", row->p99_ms, "max_ms", row->max_ms,
                            "lag_p99_ms", row->lag_p99_ms));
    }
    json_object_set_new(root, "time_series",
                        json_pack("{s:f, s:o}", "interval_s", r->series_interval_s, "rows", rows));
    json_t *modes = json_object();
    static const char *const mode_keys[2] = {"persistent", "transient"};
    for (int m = 0; m < 2; m++)
        json_object_set_new(modes, mode_keys[m],
                            json_pack("{s:I, s:f, s:o}", "transactions",
                                      (json_int_t)s->mode_done[m], "tps",
                                      per_sec(s->mode_done[m], r), "latency",
                                      latency_json(s->mode_latency[m])));
    json_object_set_new(root, "connections",
                        json_pack("{s:i, s:I, s:o, s:I, s:o, s:o, s:i, s:I}", "connections",
                                  ri->cfg->connections, "opened", (json_int_t)s->connects,
                                  "setup", latency_json(s->connect_time), "pool_waits",
                                  (json_int_t)s->conn_waits, "pool_wait",
                                  latency_json(s->conn_wait), "by_mode", modes,
                                  "broken", r->sessions_lost, "reconnects",
                                  (json_int_t)s->reconnects));
    json_t *probes = json_array();
    for (int i = 0; i < w->nprobes; i++) {
        const sdb_probe_result *p = &ri->probes[i];
        json_t *pj = json_pack("{s:o, s:o}", "name", jstr(w->probes[i].name), "description",
                               jstr(w->probes[i].description));
        if (pj && p->ok) {
            json_object_set_new(pj, "before", json_real(p->before));
            json_object_set_new(pj, "after", json_real(p->after));
            json_object_set_new(pj, "change", json_real(p->after - p->before));
            json_object_set_new(pj, "per_minute",
                                json_real(minutes(r) > 0 ? (p->after - p->before) / minutes(r)
                                                         : 0.0));
            if (probe_share(w, ri, i) >= 0) {
                json_object_set_new(pj, "per", jstr(w->probes[w->probes[i].per - 1].name));
                json_object_set_new(pj, "percent", json_real(probe_share(w, ri, i)));
            }
        } else if (pj) {
            json_object_set_new(pj, "error", jstr(p->error));
        }
        json_array_append_new(probes, pj);
    }
    json_object_set_new(root, "probes", probes);
    json_t *counters = json_array();
    for (int i = 0; i < w->ncounters; i++) {
        const sdb_counter_def *cd = &w->counters[i];
        json_t *cj = json_pack("{s:o, s:o, s:I, s:f}", "name", jstr(cd->name), "description",
                               jstr(cd->description), "value", (json_int_t)s->counters[i],
                               "per_minute",
                               minutes(r) > 0 ? (double)s->counters[i] / minutes(r) : 0.0);
        int per = cd->per - 1;
        if (cj && per >= 0 && per < w->ncounters && s->counters[per] > 0) {
            json_object_set_new(cj, "per", jstr(w->counters[per].name));
            json_object_set_new(cj, "percent",
                                json_real(100.0 * (double)s->counters[i] /
                                          (double)s->counters[per]));
        }
        json_array_append_new(counters, cj);
    }
    json_object_set_new(root, "counters", counters);
    if (ri->nurand_c_load && ri->nurand_c_run) {
        json_object_set_new(json_object_get(root, "run"), "nurand",
                            json_pack("{s:[I,I,I], s:[I,I,I]}", "c_load",
                                      (json_int_t)ri->nurand_c_load[0],
                                      (json_int_t)ri->nurand_c_load[1],
                                      (json_int_t)ri->nurand_c_load[2], "c_run",
                                      (json_int_t)ri->nurand_c_run[0],
                                      (json_int_t)ri->nurand_c_run[1],
                                      (json_int_t)ri->nurand_c_run[2]));
    }
    return root;
}

int sdb_report_json(const char *path, const sdb_report_info *ri, const sdb_run_result *r)
{
    json_t *root = build(ri, r);
    if (!root) {
        sdb_error("cannot build the JSON report (out of memory)");
        return 1;
    }
    return sdb_write_json(path, root);
}

int sdb_write_json(const char *path, json_t *root)
{
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0) {
        json_decref(root);
        return 1;
    }
    if (json_dumpf(root, o.f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
        o.failed = true;
    json_decref(root);
    return sdb_outfile_close(&o);
}

/* ---- CSV ------------------------------------------------------------------ */

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* PATH with `suffix` before its extension: r.csv -> r_transactions.csv.
 * malloc'd; NULL when out of memory (with a message). */
static char *sibling(const char *path, const char *suffix)
{
    size_t n = strlen(path), len = n + strlen(suffix) + 1;
    char *out = malloc(len);
    if (!out) {
        sdb_error("out of memory");
        return NULL;
    }
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : n;
    snprintf(out, len, "%.*s%s%s", (int)stem, path, suffix, path + stem);
    return out;
}

/* The server's intervals (one per summary interval) to FILE_server.csv. */
static int csv_server(const char *path, const sdb_pgstats *p)
{
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    fputs("t_s,length_s", o.f);
    sdb_pgstats_csv_header(o.f);
    fputc('\n', o.f);
    for (size_t i = 0; i < sdb_pgstats_nrows(p); i++) {
        const sdb_pgstats_row *row = sdb_pgstats_row_at(p, i);
        fprintf(o.f, "%.3f,%.3f", row->t_s, row->length_s);
        sdb_pgstats_csv_fields(o.f, row);
        fputc('\n', o.f);
    }
    return sdb_outfile_close(&o);
}

/* The time series to path. */
static int csv_series(const char *path, const sdb_run_result *r)
{
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    fputs("t_s,length_s,completed,failed,tps,mean_ms,p50_ms,p90_ms,p99_ms,max_ms,"
          "lag_p99_ms\n", o.f);
    for (size_t i = 0; i < r->nseries; i++) {
        const sdb_series_row *row = &r->series[i];
        fprintf(o.f, "%.3f,%.3f,%lld,%lld,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", row->t_s,
                row->length_s, (long long)row->done, (long long)row->failed,
                row->length_s > 0 ? (double)row->done / row->length_s : 0.0, row->mean_ms,
                row->p50_ms, row->p90_ms, row->p99_ms, row->max_ms, row->lag_p99_ms);
    }
    return sdb_outfile_close(&o);
}

/* The per-transaction summary to path. */
static int csv_transactions(const char *path, const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    fputs("transaction,weight,completed,rolled_back,failed,retries,tps,mean_ms,p50_ms,"
          "p95_ms,p99_ms,max_ms\n", o.f);
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        const sdb_hist *h = t->latency;
        csv_str(o.f, w->txs[i].name);
        fprintf(o.f, ",%g,%lld,%lld,%lld,%lld,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f\n",
                w->mixes[ri->mix].weights[i], (long long)(t->ok + t->rolled_back),
                (long long)t->rolled_back, (long long)t->failed, (long long)t->retries,
                per_sec(t->ok + t->rolled_back, r), sdb_hist_mean(h) / 1e6,
                ms(sdb_hist_percentile(h, 50)), ms(sdb_hist_percentile(h, 95)),
                ms(sdb_hist_percentile(h, 99)), ms(sdb_hist_max(h)));
    }
    return sdb_outfile_close(&o);
}

int sdb_report_csv(const char *path, const sdb_report_info *ri, const sdb_run_result *r)
{
    char *txpath = sibling(path, "_transactions");
    char *srvpath = ri->pgstats ? sibling(path, "_server") : NULL;
    int rc = !txpath || (ri->pgstats && !srvpath);
    if (!rc && ri->pgstats)
        rc = csv_server(srvpath, ri->pgstats);
    if (!rc)
        rc = csv_series(path, r);
    if (!rc)
        rc = csv_transactions(txpath, ri, r);
    free(txpath);
    free(srvpath);
    return rc;
}
