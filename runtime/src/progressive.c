/* progressive.c — see progressive.h. */
#include "progressive.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "pgstats.h"
#include "util.h"

/* Appends v to a[0..*n) unless it equals the last value. */
static void push(int *a, int *n, int v)
{
    if (*n < SDB_PROG_MAX_BANDS && (*n == 0 || a[*n - 1] != v))
        a[(*n)++] = v;
}

int sdb_progressive_plan(const sdb_config *cfg, int *workers, int *conns)
{
    const sdb_progressive_cfg *pc = &cfg->progressive;
    int lo = pc->min_workers > 0 ? pc->min_workers : 1;
    int hi = pc->max_workers > 0 ? pc->max_workers : cfg->workers;
    if (hi < lo)
        hi = lo;
    int bands = pc->bands >= 2 ? pc->bands : 2;
    int n = 0;
    switch (pc->strategy) {
    case SDB_PROG_EXPONENTIAL:
        for (int64_t w = lo; w < hi; w *= 2)
            push(workers, &n, (int)w);
        push(workers, &n, hi);
        break;
    case SDB_PROG_FIBONACCI: {
        push(workers, &n, lo);
        int64_t a = 1, b = 2;
        while (b < hi) {
            if (b > lo)
                push(workers, &n, (int)b);
            int64_t next = a + b;
            a = b;
            b = next;
        }
        push(workers, &n, hi);
        break;
    }
    case SDB_PROG_LINEAR:
    case SDB_PROG_SYNCHRONIZED:
    default:
        for (int i = 0; i < bands; i++)
            push(workers, &n, (int)lround(lo + (double)(hi - lo) * i / (bands - 1)));
        break;
    }
    /* exponential and fibonacci: at most `bands` when it was given, keeping
     * the first and the last and spreading the others */
    if (pc->bands_set && n > bands && pc->strategy != SDB_PROG_LINEAR &&
        pc->strategy != SDB_PROG_SYNCHRONIZED) {
        int keep[SDB_PROG_MAX_BANDS], k = 0;
        for (int i = 0; i < bands; i++)
            push(keep, &k, workers[(int)lround((double)(n - 1) * i / (bands - 1))]);
        memcpy(workers, keep, (size_t)k * sizeof *keep);
        n = k;
    }
    bool ranged = pc->strategy != SDB_PROG_SYNCHRONIZED && pc->min_connections > 0 &&
                  pc->max_connections > 0;
    for (int i = 0; i < n; i++) {
        if (!ranged) {
            conns[i] = workers[i];
        } else {
            double pos = n > 1 ? (double)i / (n - 1) : 0;
            int c = (int)lround(pc->min_connections +
                                (double)(pc->max_connections - pc->min_connections) * pos);
            conns[i] = c > 0 ? c : 1;
        }
    }
    return n;
}

/* What one band keeps of the intervals of its run: those that start after
 * the warmup. */
typedef struct band_collect {
    double warmup_s;
    sdb_hist *hist;
    sdb_band *band;
    int cap;                    /* room in band->per_second */
} band_collect;

static bool collect(void *arg, const sdb_series_row *row, const sdb_hist *h)
{
    band_collect *c = arg;
    sdb_band *b = c->band;
    if (row->t_s - row->length_s < c->warmup_s - 1e-6)
        return true;   /* the warmup: run, not measured */
    sdb_hist_merge(c->hist, h);
    b->done += row->done;
    b->failed += row->failed;
    b->measured_s += row->length_s;
    /* whole seconds only: the confidence interval needs equal sub-intervals */
    if (row->length_s > 0.999 && b->nseconds < c->cap)
        b->per_second[b->nseconds++] = (double)row->done / row->length_s;
    return true;
}

/* Sleeps for seconds, waking early on an interrupt. */
static void idle(double seconds)
{
    int64_t until = sdb_now_ns() + (int64_t)(seconds * 1e9);
    while (!sdb_interrupted && sdb_now_ns() < until) {
        struct timespec ts = {0, 50000000L};
        nanosleep(&ts, NULL);
    }
}

int sdb_progressive_run(const sdb_run_opts *base, const sdb_config *cfg,
                        sdb_progressive_result *r)
{
    memset(r, 0, sizeof *r);
    int workers[SDB_PROG_MAX_BANDS], conns[SDB_PROG_MAX_BANDS];
    r->nbands = sdb_progressive_plan(cfg, workers, conns);
    const sdb_progressive_cfg *pc = &cfg->progressive;
    sdb_hist *hist = sdb_hist_new();
    if (!hist) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return 1;
    }
    for (int i = 0; i < r->nbands && !sdb_interrupted; i++) {
        sdb_band *b = &r->bands[i];
        b->workers = workers[i];
        b->connections = conns[i];
        int cap = (int)ceil(pc->test_duration_s) + 2;
        b->per_second = calloc((size_t)cap, sizeof *b->per_second);
        if (!b->per_second) {
            snprintf(r->error, sizeof r->error, "out of memory");
            break;
        }
        sdb_hist_reset(hist);
        band_collect c = {pc->warmup_s, hist, b, cap};
        sdb_run_opts o = *base;
        o.workers = b->workers;
        o.connections = b->connections;
        o.threads = base->threads < b->workers ? base->threads : b->workers;
        o.duration_s = pc->warmup_s + pc->test_duration_s;
        o.summary_interval_s = 0;
        o.on_interval = collect;
        o.on_interval_arg = &c;
        sdb_info("band %d/%d: %d workers, %d connections (warmup %.0f s, measured %.0f s)",
                 i + 1, r->nbands, b->workers, b->connections, pc->warmup_s,
                 pc->test_duration_s);
        sdb_pgstats *mon = NULL;
        if (cfg->collect_pg_stats || cfg->pg_stats_statements) {
            char err[512];
            sdb_pgstats_opts po = {.ci = base->conninfo, .tables = base->w->tables,
                                   .ntables = base->w->ntables,
                                   .statements = cfg->pg_stats_statements};
            mon = sdb_pgstats_start(&po, err, sizeof err);
            if (!mon)
                sdb_warn("--collect-pg-stats: %s; band %d goes on without server statistics",
                         err, i + 1);
        }
        sdb_run_result res;
        int rc = sdb_run_execute(&o, &res);
        if (mon) {
            sdb_pgstats_stop(mon);
            b->pg_stats = sdb_pgstats_json(mon);
            sdb_pgstats_free(mon);
        }
        bool stopped = res.interrupted || rc != 0 || res.error[0];
        if (rc != 0 || res.error[0])
            snprintf(r->error, sizeof r->error, "band %d (%d workers): %.400s", i + 1, b->workers,
                     res.error[0] ? res.error : "the run could not start");
        if (res.interrupted)
            r->interrupted = true;
        sdb_run_result_free(&res);
        if (stopped || b->measured_s < pc->test_duration_s * 0.5) {
            /* no complete measured window: the band is left out */
            if (!stopped)
                snprintf(r->error, sizeof r->error, "band %d: measured %.1f s of %.0f s",
                         i + 1, b->measured_s, pc->test_duration_s);
            break;
        }
        b->ran = true;
        r->nran++;
        b->tps = b->done / b->measured_s;
        sdb_analysis_rate ci = sdb_analysis_rate_ci(b->per_second, b->nseconds, 1.0);
        b->tps_se = ci.ok ? ci.se : -1;
        b->tps_ci95 = ci.ok ? ci.half_width : -1;
        b->mean_ms = sdb_hist_mean(hist) / 1e6;
        b->p50_ms = (double)sdb_hist_percentile(hist, 50) / 1e6;
        b->p95_ms = (double)sdb_hist_percentile(hist, 95) / 1e6;
        b->p99_ms = (double)sdb_hist_percentile(hist, 99) / 1e6;
        b->max_ms = (double)sdb_hist_max(hist) / 1e6;
        b->error_rate = b->done + b->failed > 0
            ? (double)b->failed / (double)(b->done + b->failed) : 0;
        sdb_info("band %d/%d: %.1f tps (±%.1f), p50 %.3f ms, p99 %.3f ms, %lld failed",
                 i + 1, r->nbands, b->tps, b->tps_ci95 >= 0 ? b->tps_ci95 : 0.0, b->p50_ms,
                 b->p99_ms, (long long)b->failed);
        if (i + 1 < r->nbands && pc->cooldown_s > 0)
            idle(pc->cooldown_s);
    }
    sdb_hist_free(hist);
    if (r->nran == 0 && !r->error[0])
        snprintf(r->error, sizeof r->error, "%s",
                 r->interrupted ? "interrupted before a band was measured" : "no band ran");
    return r->nran > 0 ? 0 : 1;
}

void sdb_progressive_free(sdb_progressive_result *r)
{
    for (int i = 0; i < SDB_PROG_MAX_BANDS; i++) {
        free(r->bands[i].per_second);
        r->bands[i].per_second = NULL;
        json_decref(r->bands[i].pg_stats);
        r->bands[i].pg_stats = NULL;
    }
}
