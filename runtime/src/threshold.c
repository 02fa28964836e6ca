/* threshold.c — see threshold.h. */
#include "threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    sdb_metric metric;
} metrics[] = {
    {"p50", SDB_M_P50}, {"p90", SDB_M_P90}, {"p95", SDB_M_P95}, {"p99", SDB_M_P99},
    {"p999", SDB_M_P999}, {"p99.9", SDB_M_P999}, {"avg", SDB_M_AVG}, {"max", SDB_M_MAX},
    {"tps", SDB_M_TPS}, {"error_rate", SDB_M_ERROR_RATE},
};

static bool is_latency(sdb_metric m)
{
    return m <= SDB_M_MAX;
}

int sdb_threshold_parse(const char *text, const sdb_workload_def *w, sdb_threshold *t,
                        char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->tx = -1;
    snprintf(t->text, sizeof t->text, "%s", text);
    const char *form = "expected [TRANSACTION.]METRIC OP VALUE, e.g. 'p99<5ms', "
                       "'error_rate<0.1%', 'tps>1000', 'new_order.p90<5s' (metrics: p50 p90 "
                       "p95 p99 p999 avg max tps error_rate; OP: < <= > >=)";
    const char *op = strpbrk(text, "<>");
    if (!op) {
        snprintf(err, errlen, "threshold '%s': no comparison: %s", text, form);
        return -1;
    }
    /* the left side: [tx.]metric, without spaces */
    char left[96];
    size_t n = (size_t)(op - text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    const char *l = text;
    while (*l == ' ' && n > 0) {
        l++;
        n--;
    }
    if (n == 0 || n >= sizeof left) {
        snprintf(err, errlen, "threshold '%s': %s", text, form);
        return -1;
    }
    memcpy(left, l, n);
    left[n] = '\0';
    char *metric = left;
    char *dot = strchr(left, '.');
    if (dot && strcmp(left, "p99.9") != 0) {
        *dot = '\0';
        metric = dot + 1;
        for (int i = 0; i < w->ntxs; i++)
            if (strcmp(w->txs[i].name, left) == 0)
                t->tx = i;
        if (t->tx < 0) {
            snprintf(err, errlen, "threshold '%s': no transaction '%s' in workload %s", text,
                     left, w->name);
            return -1;
        }
    }
    bool found = false;
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0] && !found; i++)
        if (strcmp(metrics[i].name, metric) == 0) {
            t->metric = metrics[i].metric;
            found = true;
        }
    if (!found) {
        snprintf(err, errlen, "threshold '%s': unknown metric '%s': %s", text, metric, form);
        return -1;
    }
    /* the operator and the value */
    const char *v = op + 1;
    if (*v == '=') {
        t->op = *op == '<' ? 'l' : 'g';
        v++;
    } else {
        t->op = *op;
    }
    char *end;
    double num = strtod(v, &end);
    if (end == v || !isfinite(num) || num < 0) {
        snprintf(err, errlen, "threshold '%s': the value must be a number >= 0: %s", text,
                 form);
        return -1;
    }
    while (*end == ' ')
        end++;
    const char *unit = end;
    if (is_latency(t->metric)) {
        double scale = 1e6;   /* ms by default */
        if (!*unit || strcmp(unit, "ms") == 0)
            scale = 1e6;
        else if (strcmp(unit, "s") == 0)
            scale = 1e9;
        else if (strcmp(unit, "us") == 0)
            scale = 1e3;
        else if (strcmp(unit, "ns") == 0)
            scale = 1;
        else {
            snprintf(err, errlen, "threshold '%s': a latency takes ns, us, ms or s, not '%s'",
                     text, unit);
            return -1;
        }
        t->limit = num * scale;
    } else if (t->metric == SDB_M_ERROR_RATE) {
        if (strcmp(unit, "%") == 0)
            num /= 100;
        else if (*unit) {
            snprintf(err, errlen, "threshold '%s': error_rate takes a fraction or a percentage "
                     "(0.001 or 0.1%%), not '%s'", text, unit);
            return -1;
        }
        t->limit = num;
    } else {
        if (*unit) {
            snprintf(err, errlen, "threshold '%s': tps takes a plain number, not '%s'", text,
                     unit);
            return -1;
        }
        t->limit = num;
    }
    return 0;
}

/* Measures t on latencies h, `done` completions and `failed` failures
 * over elapsed_s seconds, and decides pass. */
static void eval_on(sdb_threshold *t, const sdb_hist *h, int64_t done, int64_t failed,
                    double elapsed_s)
{
    static const double pcts[] = {50, 90, 95, 99, 99.9};
    switch (t->metric) {
    case SDB_M_P50: case SDB_M_P90: case SDB_M_P95: case SDB_M_P99: case SDB_M_P999:
        t->value = (double)sdb_hist_percentile(h, pcts[t->metric]);
        break;
    case SDB_M_AVG:
        t->value = sdb_hist_mean(h);
        break;
    case SDB_M_MAX:
        t->value = (double)sdb_hist_max(h);
        break;
    case SDB_M_TPS:
        t->value = elapsed_s > 0 ? (double)done / elapsed_s : 0;
        break;
    case SDB_M_ERROR_RATE:
        t->value = done + failed > 0 ? (double)failed / (double)(done + failed) : 0;
        break;
    }
    /* a latency limit with nothing measured cannot be said to hold */
    bool measured = !is_latency(t->metric) || sdb_hist_count(h) > 0;
    switch (t->op) {
    case '<': t->pass = measured && t->value < t->limit; break;
    case 'l': t->pass = measured && t->value <= t->limit; break;
    case '>': t->pass = measured && t->value > t->limit; break;
    default: t->pass = measured && t->value >= t->limit; break;
    }
}

void sdb_threshold_eval(sdb_threshold *t, const sdb_stats *s, double elapsed_s)
{
    if (t->tx >= 0)
        eval_on(t, s->tx[t->tx].latency, s->tx[t->tx].ok + s->tx[t->tx].rolled_back,
                s->tx[t->tx].failed, elapsed_s);
    else
        eval_on(t, s->latency, sdb_stats_ok(s) + sdb_stats_rolled_back(s),
                sdb_stats_failed(s), elapsed_s);
}

bool sdb_threshold_eval_live(sdb_threshold *t, const sdb_hist *h, int64_t done,
                             int64_t failed, double elapsed_s)
{
    if (t->tx >= 0)
        return false;
    eval_on(t, h, done, failed, elapsed_s);
    return true;
}

void sdb_threshold_value_text(const sdb_threshold *t, char *buf, size_t len)
{
    if (is_latency(t->metric))
        snprintf(buf, len, "%.3f ms", t->value / 1e6);
    else if (t->metric == SDB_M_ERROR_RATE)
        snprintf(buf, len, "%.4f%%", t->value * 100);
    else
        snprintf(buf, len, "%.1f tps", t->value);
}

bool sdb_threshold_watch_init(sdb_threshold_watch *w, sdb_threshold *t, int n, double from_s)
{
    memset(w, 0, sizeof *w);
    w->t = t;
    w->n = n;
    w->from_s = from_s;
    w->hist = sdb_hist_new();
    return w->hist != NULL;
}

void sdb_threshold_watch_free(sdb_threshold_watch *w)
{
    sdb_hist_free(w->hist);
    w->hist = NULL;
}

bool sdb_threshold_watch_interval(void *arg, const sdb_series_row *row, const sdb_hist *h)
{
    sdb_threshold_watch *w = arg;
    sdb_hist_merge(w->hist, h);
    w->done += row->done;
    w->failed += row->failed;
    w->t_s = row->t_s;
    if (w->tripped[0] || w->t_s < w->from_s - 1e-9)
        return w->tripped[0] == '\0';
    for (int i = 0; i < w->n; i++) {
        sdb_threshold probe = w->t[i];
        if (!sdb_threshold_eval_live(&probe, w->hist, w->done, w->failed, w->t_s) || probe.pass)
            continue;
        char value[64];
        sdb_threshold_value_text(&probe, value, sizeof value);
        snprintf(w->tripped, sizeof w->tripped, "%s (measured %s over the first %.0f s)",
                 probe.text, value, w->t_s);
        return false;
    }
    return true;
}
