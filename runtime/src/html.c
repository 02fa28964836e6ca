/*
 * html.c — the HTML report: one self-contained file (no scripts, fonts or
 * images fetched from anywhere) with SVG charts drawn here from the run's
 * time series and histograms, and the report's tables.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "pgstats.h"
#include "progressive.h"
#include "report.h"
#include "util.h"

#define CHART_W 760
#define CHART_H 260
#define PAD_L 64
#define PAD_R 16
#define PAD_T 28
#define PAD_B 40

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

/* Text with &, <, >, " escaped. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

/* A "nice" upper bound for an axis (1, 2 or 5 times a power of ten). */
static double nice_max(double v)
{
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    double m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* One line series of a chart. */
typedef struct line {
    const char *name;
    const double *y;
} line;

/* The page's head (title "stormdb: NAME WHAT", the style sheet) and the
 * start of its heading, up to "<h1>stormdb-". */
static void page_head(FILE *f, const char *name, const char *what)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>stormdb: ", f);
    esc(f, name);
    fputs(" ", f);
    esc(f, what);
    fputs("</title>\n<style>\nbody{font:14px/1.4 sans-serif;margin:24px;color:#222}"
          "table{border-collapse:collapse;margin:8px 0 16px}"
          "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
          "td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}"
          "figure{margin:12px 0}.chart{background:#fff;border:1px solid #ddd}"
          ".grid{stroke:#eee}.axisline{stroke:#888}.tick{font-size:11px;fill:#555}"
          ".axis{font-size:12px;fill:#333}.title{font-size:14px;font-weight:bold;fill:#222}"
          ".legend{font-size:12px;fill:#333}.kpi{font-size:20px;margin:4px 0}\n"
          "</style></head><body>\n<h1>stormdb-", f);
}

/* Opens a chart's SVG: its title, the y grid with ticks from 0 to ymax, the
 * x ticks from xmin to xmax, the axis labels and the x axis line.  The
 * plot area is PAD_L .. CHART_W - PAD_R by PAD_T .. CHART_H - PAD_B. */
static void chart_axes(FILE *f, const char *title, const char *xunit, const char *yunit,
                       double xmin, double xmax, double ymax)
{
    double pw = CHART_W - PAD_L - PAD_R, ph = CHART_H - PAD_T - PAD_B;
    fprintf(f, "<figure><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
            CHART_W, CHART_H, CHART_W, CHART_H);
    esc(f, title);
    fprintf(f, "\">\n<text x=\"%d\" y=\"18\" class=\"title\">", PAD_L);
    esc(f, title);
    fputs("</text>\n", f);
    for (int k = 0; k <= 4; k++) {
        double yv = ymax * k / 4, py = PAD_T + ph - ph * k / 4;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%g</text>\n",
                PAD_L, py, PAD_L + pw, py, PAD_L - 6, py + 4, yv);
    }
    for (int k = 0; k <= 5; k++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%.4g</text>\n",
                PAD_L + pw * k / 5, CHART_H - PAD_B + 16, xmin + (xmax - xmin) * k / 5);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>\n",
            PAD_L + pw / 2, CHART_H - 6, xunit);
    fprintf(f, "<text x=\"14\" y=\"%.1f\" class=\"axis\" transform=\"rotate(-90 14 %.1f)\" "
            "text-anchor=\"middle\">%s</text>\n", PAD_T + ph / 2, PAD_T + ph / 2, yunit);
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axisline\"/>\n",
            PAD_L, PAD_T + ph, PAD_L + pw, PAD_T + ph);
}

/*
 * A line chart of n points: x[i] against each series' y[i], y from 0.
 * `bars` draws the first series as bars instead.  `logx` puts x on a log
 * scale (x > 0), with tick labels from xlabels when given.
 */
static void chart(FILE *f, const char *title, const char *xunit, const char *yunit,
                  const double *x, int n, const line *lines, int nlines, bool bars)
{
    double xmin = n ? x[0] : 0, xmax = n ? x[n - 1] : 1, ymax = 0;
    for (int s = 0; s < nlines; s++)
        for (int i = 0; i < n; i++)
            if (lines[s].y[i] > ymax)
                ymax = lines[s].y[i];
    ymax = nice_max(ymax);
    if (xmax <= xmin)
        xmax = xmin + 1;
    double pw = CHART_W - PAD_L - PAD_R, ph = CHART_H - PAD_T - PAD_B;
    chart_axes(f, title, xunit, yunit, xmin, xmax, ymax);
    for (int s = 0; s < nlines; s++) {
        const char *color = palette[s % 5];
        if (bars && s == 0) {
            double bw = n > 0 ? pw / n * 0.8 : 0;
            for (int i = 0; i < n; i++) {
                double px = PAD_L + pw * (x[i] - xmin) / (xmax - xmin) - bw / 2;
                double h = ph * lines[s].y[i] / ymax;
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"%s\"/>\n", px, PAD_T + ph - h, bw, h, color);
            }
        } else if (n > 0) {
            fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" "
                    "stroke-width=\"1.8\" points=\"", color);
            for (int i = 0; i < n; i++)
                fprintf(f, "%.1f,%.1f ", PAD_L + pw * (x[i] - xmin) / (xmax - xmin),
                        PAD_T + ph - ph * lines[s].y[i] / ymax);
            fputs("\"/>\n", f);
        }
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%d\" class=\"legend\">", PAD_L + pw - 120.0 * (nlines - s),
                8, color, PAD_L + pw - 120.0 * (nlines - s) + 14, 17);
        esc(f, lines[s].name);
        fputs("</text>\n", f);
    }
    fputs("</svg></figure>\n", f);
}

static void charts(FILE *f, const sdb_run_result *r)
{
    int n = (int)r->nseries;
    double *x = calloc((size_t)n + 1, sizeof *x), *tps = calloc((size_t)n + 1, sizeof *tps);
    double *p50 = calloc((size_t)n + 1, sizeof *p50), *p90 = calloc((size_t)n + 1, sizeof *p90);
    double *p99 = calloc((size_t)n + 1, sizeof *p99), *fail = calloc((size_t)n + 1, sizeof *fail);
    double *lag = calloc((size_t)n + 1, sizeof *lag);
    if (x && tps && p50 && p90 && p99 && fail && lag) {
        for (int i = 0; i < n; i++) {
            const sdb_series_row *row = &r->series[i];
            x[i] = row->t_s;
            tps[i] = row->length_s > 0 ? (double)row->done / row->length_s : 0;
            p50[i] = row->p50_ms;
            p90[i] = row->p90_ms;
            p99[i] = row->p99_ms;
            fail[i] = (double)row->failed;
            lag[i] = row->lag_p99_ms;
        }
        line l_tps[] = {{"tps", tps}};
        chart(f, "Throughput over time", "seconds", "transactions/s", x, n, l_tps, 1, false);
        /* open loop: the latency is from the intended start; its p99 lag
         * beside it shows how much of it was the client starting late */
        line l_lat[] = {{"p50", p50}, {"p90", p90}, {"p99", p99}, {"lag p99", lag}};
        chart(f, r->rate_tps > 0 ? "Latency percentiles over time (from the intended start)"
                                 : "Latency percentiles over time",
              "seconds", "ms", x, n, l_lat, r->rate_tps > 0 ? 4 : 3, false);
        line l_fail[] = {{"failed", fail}};
        chart(f, "Failed transactions over time", "seconds", "per interval", x, n, l_fail, 1,
              true);
    }
    free(x);
    free(tps);
    free(p50);
    free(p90);
    free(p99);
    free(fail);
    free(lag);

    /* the percentile spectrum: latency against percentile, x = log10(1/(1-p)) */
    static const double pcts[] = {0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};
    enum { NP = sizeof pcts / sizeof pcts[0] };
    double sx[NP], sy[NP];
    for (int i = 0; i < NP; i++) {
        double q = pcts[i] >= 100 ? 99.999 : pcts[i];
        sx[i] = log10(1.0 / (1.0 - q / 100.0));
        sy[i] = (double)sdb_hist_percentile(r->stats.latency, pcts[i]) / 1e6;
    }
    line l_sp[] = {{"latency", sy}};
    chart(f, "Latency by percentile (x: 0 = p0, 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99)",
          "log10(1 / (1 - percentile))", "ms", sx, NP, l_sp, 1, false);
}

/* --collect-pg-stats: the server's intervals (one per summary interval):
 * WAL rate, buffer hit ratio, and the run's three most frequent wait
 * events (each interval keeps its own three most frequent, so an event
 * outside them counts 0 there), with the lock waiters. */
static void server_charts(FILE *f, const sdb_pgstats *p)
{
    int n = (int)sdb_pgstats_nrows(p);
    if (n < 2)
        return;   /* a chart needs two points */
    sdb_pgstats_wait prof[SDB_PGSTATS_MAX_WAITS];
    int nprof = sdb_pgstats_wait_profile(p, prof);
    if (nprof > 3)
        nprof = 3;
    double *buf = calloc((size_t)n * 7, sizeof *buf);
    if (!buf)
        return;
    double *x = buf, *wal = buf + n, *hit = buf + 2 * n, *locks = buf + 3 * n;
    double *ev[3] = {buf + 4 * n, buf + 5 * n, buf + 6 * n};
    char names[3][100];
    for (int k = 0; k < nprof; k++) {
        if (strcmp(prof[k].type, prof[k].event) == 0)
            snprintf(names[k], sizeof names[k], "%.64s", prof[k].event);
        else
            snprintf(names[k], sizeof names[k], "%.31s:%.64s", prof[k].type, prof[k].event);
    }
    bool have_wal = false, have_hit = false;
    for (int i = 0; i < n; i++) {
        const sdb_pgstats_row *row = sdb_pgstats_row_at(p, i);
        x[i] = row->t_s;
        wal[i] = row->wal_bytes_per_s > 0 ? row->wal_bytes_per_s / 1e6 : 0;
        have_wal |= row->wal_bytes_per_s >= 0;
        hit[i] = row->hit_ratio_pct >= 0 ? row->hit_ratio_pct : 0;
        have_hit |= row->hit_ratio_pct >= 0;
        locks[i] = (double)row->lock_waiter_samples;
        for (int k = 0; k < nprof; k++)
            for (int j = 0; j < row->ntop; j++)
                if (strcmp(row->top[j].name, names[k]) == 0)
                    ev[k][i] = (double)row->top[j].samples;
    }
    fputs("<h2>Server</h2>\n", f);
    if (have_wal) {
        line l[] = {{"WAL", wal}};
        chart(f, "WAL written over time", "seconds", "MB/s", x, n, l, 1, false);
    }
    if (have_hit) {
        line l[] = {{"hit ratio", hit}};
        chart(f, "Buffer cache hit ratio over time", "seconds", "%", x, n, l, 1, false);
    }
    line l_ev[4];
    int nl = 0;
    for (int k = 0; k < nprof; k++)
        l_ev[nl++] = (line){names[k], ev[k]};
    l_ev[nl++] = (line){"lock waiters", locks};
    chart(f, "Wait events (samples per interval)", "seconds", "samples", x, n,
          l_ev, nl, false);
    free(buf);
}

/* One row of a percentile table: label, then p50 p90 p99 max (ms). */
static void pct_row(FILE *f, const char *label, const sdb_hist *h)
{
    fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
            "</tr>\n", label, (long long)sdb_hist_count(h), sdb_hist_percentile(h, 50) / 1e6,
            sdb_hist_percentile(h, 90) / 1e6, sdb_hist_percentile(h, 99) / 1e6,
            sdb_hist_max(h) / 1e6);
}

/* Open loop: latency, service time and schedule lag side by side, and what
 * became of the arrivals. */
static void schedule_table(FILE *f, const sdb_run_result *r)
{
    const sdb_stats *s = &r->stats;
    fputs("<h2>Open-loop schedule</h2>\n<table><tr><th></th><th>count</th><th>p50 ms</th>"
          "<th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>\n", f);
    pct_row(f, "latency (intended start to end)", s->latency);
    pct_row(f, "service time (actual start to end)", s->service_time);
    pct_row(f, "schedule lag (actual minus intended start)", s->schedule_lag);
    fprintf(f, "</table>\n<p>%lld arrivals not started by the end of the run", (long long)s->not_started);
    if (r->latency_limit_ns > 0)
        fprintf(f, "; %lld skipped (already later than %g ms), %lld completed later than it",
                (long long)s->skipped, r->latency_limit_ns / 1e6, (long long)s->late);
    fputs(".</p>\n", f);
}

/* The client threads: transactions and latency of each. */
static void threads_table(FILE *f, const sdb_run_result *r)
{
    if (!r->thread_stats)
        return;
    fputs("<h2>Client threads</h2>\n<table><tr><th>thread</th><th>sessions</th>"
          "<th>committed</th><th>rolled back</th><th>failed</th><th>avg ms</th><th>p99 ms</th>"
          "<th>max ms</th></tr>\n", f);
    for (int i = 0; i < r->threads; i++) {
        const sdb_thread_result *t = &r->thread_stats[i];
        fprintf(f, "<tr><td>%d</td><td>%d</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                "<td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>\n", i, t->sessions,
                (long long)t->u.committed, (long long)t->u.rolled_back, (long long)t->u.failed,
                sdb_hist_mean(t->latency) / 1e6, sdb_hist_percentile(t->latency, 99) / 1e6,
                sdb_hist_max(t->latency) / 1e6);
    }
    fputs("</table>\n", f);
}

static void tables(FILE *f, const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    double secs = r->elapsed_ns / 1e9;
    if (r->rate_tps > 0)
        schedule_table(f, r);
    fputs("<h2>Transactions</h2>\n<table><tr><th>transaction</th><th>completed</th>"
          "<th>rolled back</th><th>failed</th><th>retries</th><th>tps</th><th>avg ms</th>"
          "<th>p95 ms</th><th>p99 ms</th></tr>\n", f);
    for (int i = 0; i < w->ntxs; i++) {
        const sdb_txstats *t = &s->tx[i];
        int64_t n = t->ok + t->rolled_back;
        if (n == 0 && t->failed == 0)
            continue;
        fputs("<tr><td>", f);
        esc(f, w->txs[i].name);
        fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%.1f</td>"
                "<td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>\n", (long long)n,
                (long long)t->rolled_back, (long long)t->failed, (long long)t->retries,
                secs > 0 ? n / secs : 0.0, sdb_hist_mean(t->latency) / 1e6,
                sdb_hist_percentile(t->latency, 95) / 1e6,
                sdb_hist_percentile(t->latency, 99) / 1e6);
    }
    fputs("</table>\n<h2>Statements</h2>\n<table><tr><th>statement</th><th>executed</th>"
          "<th>errors</th><th>avg ms</th><th>p99 ms</th></tr>\n", f);
    for (int i = 0; i < w->nstmts; i++) {
        if (s->stmt_count[i] == 0 && s->stmt_failures[i] == 0)
            continue;
        fputs("<tr><td>", f);
        esc(f, w->stmts[i].name);
        fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%.3f</td><td>%.3f</td></tr>\n",
                (long long)s->stmt_count[i], (long long)s->stmt_failures[i],
                sdb_hist_mean(s->stmt_latency[i]) / 1e6,
                sdb_hist_percentile(s->stmt_latency[i], 99) / 1e6);
    }
    fputs("</table>\n", f);
    threads_table(f, r);
    fputs("<h2>Errors</h2>\n", f);
    if (s->nerrkinds == 0) {
        fputs("<p>No errors.</p>\n", f);
        return;
    }
    fputs("<table><tr><th>SQLSTATE</th><th>count</th><th>first message</th></tr>\n", f);
    for (int i = 0; i < s->nerrkinds; i++) {
        fputs("<tr><td>", f);
        esc(f, s->errkinds[i].sqlstate);
        fprintf(f, "</td><td>%lld</td><td>", (long long)s->errkinds[i].count);
        esc(f, s->errkinds[i].first_msg);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

int sdb_report_html(const char *path, const sdb_report_info *ri, const sdb_run_result *r)
{
    const sdb_workload_def *w = ri->w;
    const sdb_stats *s = &r->stats;
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    FILE *f = o.f;
    int64_t done = sdb_stats_ok(s) + sdb_stats_rolled_back(s), failed = sdb_stats_failed(s);
    double secs = r->elapsed_ns / 1e9;
    page_head(f, w->name, w->mixes[ri->mix].name);
    esc(f, w->name);
    fputs(": ", f);
    esc(f, w->mixes[ri->mix].name);
    fputs("</h1>\n<p>", f);
    esc(f, ri->target);
    char model[96];
    sdb_report_load_model(r, model, sizeof model);
    fprintf(f, " &middot; PostgreSQL %s &middot; scale %lld &middot; %d workers on %d threads "
            "&middot; %.1f s%s &middot; %s &middot; seed %llu</p>\n", ri->server_version,
            (long long)ri->scale, ri->cfg->workers, ri->threads, secs,
            r->interrupted ? " (interrupted)" : "", model, (unsigned long long)ri->seed);
    fprintf(f, "<p class=\"kpi\"><b>%.1f</b> tps &middot; p50 <b>%.3f</b> ms &middot; p99 "
            "<b>%.3f</b> ms &middot; %lld completed, %lld failed</p>\n",
            secs > 0 ? done / secs : 0.0, sdb_hist_percentile(s->latency, 50) / 1e6,
            sdb_hist_percentile(s->latency, 99) / 1e6, (long long)done, (long long)failed);
    charts(f, r);
    if (ri->pgstats)
        server_charts(f, ri->pgstats);
    tables(f, ri, r);
    fputs("</body></html>\n", f);
    return sdb_outfile_close(&o);
}

/* ---- progressive runs ------------------------------------------------------ */

#define GRID 120   /* points of a fitted curve */

/* A scaling chart: measured points (xm, ym) as dots joined by a thin line,
 * and fitted curves evaluated at GRID points from 0 to the largest N. */
static void scaling_chart(FILE *f, const char *title, const char *yunit, const double *xm,
                          const double *ym, int nm, const line *curves, const double *gx,
                          int ncurves)
{
    double xmax = 0, ymax = 0;
    for (int i = 0; i < nm; i++) {
        if (xm[i] > xmax)
            xmax = xm[i];
        if (ym[i] > ymax)
            ymax = ym[i];
    }
    /* a curve may overshoot the points: the axis follows the points, with
     * room above them; a curve is cut at the top */
    ymax = nice_max(ymax * 1.1);
    xmax = xmax > 0 ? xmax : 1;
    double pw = CHART_W - PAD_L - PAD_R, ph = CHART_H - PAD_T - PAD_B;
    chart_axes(f, title, "workers (concurrency)", yunit, 0, xmax, ymax);
    /* legends from the right edge: "measured", then each curve, each as wide
     * as its text (about 7 px a character) */
    double lx = PAD_L + pw - 90;
    for (int c = 0; c < ncurves; c++) {
        const char *color = palette[(c + 1) % 5];
        lx -= 7.0 * (double)strlen(curves[c].name) + 30;
        fprintf(f, "<polyline class=\"fit\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" "
                "stroke-dasharray=\"6 3\" points=\"", color);
        for (int i = 0; i < GRID; i++) {
            double y = curves[c].y[i];
            if (!isfinite(y))
                continue;
            y = y < 0 ? 0 : y > ymax ? ymax : y;
            fprintf(f, "%.1f,%.1f ", PAD_L + pw * gx[i] / xmax, PAD_T + ph - ph * y / ymax);
        }
        fputs("\"/>\n", f);
        fprintf(f, "<rect x=\"%.1f\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"17\" class=\"legend\">", lx, color, lx + 14);
        esc(f, curves[c].name);
        fputs("</text>\n", f);
    }
    fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" "
            "points=\"", palette[0]);
    for (int i = 0; i < nm; i++)
        fprintf(f, "%.1f,%.1f ", PAD_L + pw * xm[i] / xmax, PAD_T + ph - ph * ym[i] / ymax);
    fputs("\"/>\n", f);
    for (int i = 0; i < nm; i++)
        fprintf(f, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
                PAD_L + pw * xm[i] / xmax, PAD_T + ph - ph * ym[i] / ymax, palette[0]);
    fprintf(f, "<rect x=\"%.1f\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"17\" class=\"legend\">measured</text>\n",
            PAD_L + pw - 90, palette[0], PAD_L + pw - 76);
    fputs("</svg></figure>\n", f);
}

int sdb_progressive_html(const char *path, const sdb_workload_def *w, int mix,
                         const char *target, const char *server_version,
                         const sdb_progressive_result *pr, const sdb_analysis_result *an)
{
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    FILE *f = o.f;
    double xm[SDB_PROG_MAX_BANDS], tps[SDB_PROG_MAX_BANDS], p99[SDB_PROG_MAX_BANDS];
    int nm = 0;
    for (int i = 0; i < pr->nbands; i++)
        if (pr->bands[i].ran) {
            xm[nm] = pr->bands[i].workers;
            tps[nm] = pr->bands[i].tps;
            p99[nm] = pr->bands[i].p99_ms;
            nm++;
        }
    page_head(f, w->name, "progressive");
    esc(f, w->name);
    fputs(": ", f);
    esc(f, w->mixes[mix].name);
    fputs(", progressive scaling</h1>\n<p>", f);
    esc(f, target);
    fprintf(f, " &middot; PostgreSQL %s &middot; %d bands measured</p>\n", server_version, nm);
    /* the fitted curves: the best model, and the USL when it is not the best */
    double gx[GRID], gy[2][GRID];
    line curves[2];
    int nc = 0;
    double xmax = nm ? xm[nm - 1] : 1;
    for (int i = 0; i < nm; i++)
        if (xm[i] > xmax)
            xmax = xm[i];
    for (int i = 0; i < GRID; i++)
        gx[i] = xmax * (i + 1) / GRID;
    char names[2][64];
    int models[2] = {an ? an->best : -1, SDB_ANALYSIS_USL};
    for (int k = 0; k < 2 && an; k++) {
        int m = models[k];
        if (m < 0 || (k == 1 && an->best == SDB_ANALYSIS_USL) || an->fit[m].status != SDB_ANALYSIS_FIT_OK)
            continue;
        for (int i = 0; i < GRID; i++)
            gy[nc][i] = sdb_analysis_model_eval((sdb_analysis_model)m, an->fit[m].p, gx[i]);
        snprintf(names[nc], sizeof names[nc], "%s%s", sdb_analysis_model_name((sdb_analysis_model)m),
                 k == 0 ? " (best fit)" : "");
        curves[nc] = (line){names[nc], gy[nc]};
        nc++;
    }
    scaling_chart(f, "Throughput against concurrency", "transactions/s", xm, tps, nm, curves,
                  gx, nc);
    scaling_chart(f, "p99 latency against concurrency", "ms", xm, p99, nm, NULL, gx, 0);
    if (an && an->rec >= 0) {
        fputs("<h2>Recommendation</h2>\n<p>", f);
        esc(f, an->rec_text);
        fputs("</p>\n", f);
    }
    if (an) {
        fputs("<h2>Fits</h2>\n<table><tr><th>model</th><th>status</th><th>R\u00b2</th>"
              "<th>RMSE tps</th><th>parameters</th></tr>\n", f);
        for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++) {
            const sdb_analysis_fit *fit = &an->fit[m];
            fprintf(f, "<tr><td>%s%s</td><td>%s</td>", sdb_analysis_model_name((sdb_analysis_model)m),
                    m == an->best ? " (best)" : "", sdb_analysis_fit_status_name(fit->status));
            if (isfinite(fit->r2))
                fprintf(f, "<td>%.4f</td><td>%.1f</td><td>", fit->r2, fit->rmse);
            else
                fputs("<td></td><td></td><td>", f);
            for (int k = 0; k < fit->nparam; k++)
                fprintf(f, "%s%.6g", k ? ", " : "", fit->p[k]);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("<h2>Bands</h2>\n<table><tr><th>band</th><th>workers</th><th>connections</th>"
          "<th>tps</th><th>&plusmn;95%</th><th>mean ms</th><th>p50 ms</th><th>p99 ms</th>"
          "<th>failed</th></tr>\n", f);
    for (int i = 0; i < pr->nbands; i++) {
        const sdb_band *b = &pr->bands[i];
        if (!b->ran)
            continue;
        fprintf(f, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td><td>%.3f</td>"
                "<td>%.3f</td><td>%.3f</td><td>%lld</td></tr>\n", i + 1, b->workers,
                b->connections, b->tps, b->tps_ci95 >= 0 ? b->tps_ci95 : 0.0, b->mean_ms,
                b->p50_ms, b->p99_ms, (long long)b->failed);
    }
    fputs("</table>\n</body></html>\n", f);
    return sdb_outfile_close(&o);
}
