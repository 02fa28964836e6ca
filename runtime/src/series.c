/* series.c — see series.h. */
#include "series.h"

#include <stdlib.h>
#include <string.h>

bool sdb_series_init(sdb_series *s, int nthreads, int64_t interval_ns)
{
    memset(s, 0, sizeof *s);
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return false;
    s->nthreads = nthreads;
    s->interval_ns = interval_ns;
    s->retired_from = calloc((size_t)(nthreads > 0 ? nthreads : 1), sizeof *s->retired_from);
    if (!s->retired_from)
        return false;
    for (int i = 0; i < SDB_SERIES_SLOTS; i++) {
        s->slots[i].index = -1;
        if (!(s->slots[i].hist = sdb_hist_new()) || !(s->slots[i].lag = sdb_hist_new()))
            return false;
    }
    return true;
}

void sdb_series_free(sdb_series *s)
{
    for (int i = 0; i < SDB_SERIES_SLOTS; i++) {
        sdb_hist_free(s->slots[i].hist);
        sdb_hist_free(s->slots[i].lag);
    }
    free(s->rows);
    free(s->retired_from);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof *s);
}

void sdb_series_publish(sdb_series *s, int64_t k, const sdb_hist *h, const sdb_hist *lag,
                        int64_t done, int64_t failed)
{
    pthread_mutex_lock(&s->lock);
    sdb_series_slot *sl = &s->slots[k % SDB_SERIES_SLOTS];
    if (sl->index != k) {
        if (sl->index >= 0 && sl->index < k) {
            /* the main thread fell SDB_SERIES_SLOTS intervals behind */
            s->dropped++;
            sdb_hist_reset(sl->hist);
            sdb_hist_reset(sl->lag);
        } else if (sl->index > k) {
            pthread_mutex_unlock(&s->lock);
            return;   /* too old to keep */
        }
        sl->index = k;
        sl->reported = 0;
        sl->done = sl->failed = 0;
    }
    sl->reported++;
    sl->done += done;
    sl->failed += failed;
    if (h)
        sdb_hist_merge(sl->hist, h);
    if (lag)
        sdb_hist_merge(sl->lag, lag);
    pthread_mutex_unlock(&s->lock);
}

void sdb_series_retire(sdb_series *s, int64_t k)
{
    pthread_mutex_lock(&s->lock);
    if (s->nretired < s->nthreads)
        s->retired_from[s->nretired++] = k;
    pthread_mutex_unlock(&s->lock);
}

/* Threads that will publish interval k (not retired before it); under
 * the lock. */
static int publishers(const sdb_series *s, int64_t k)
{
    int n = s->nthreads;
    for (int i = 0; i < s->nretired; i++)
        if (s->retired_from[i] <= k)
            n--;
    return n;
}

/* Appends a row; false when out of memory (the row is then lost). */
static bool push_row(sdb_series *s, const sdb_series_row *row)
{
    if (s->nrows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        sdb_series_row *r = realloc(s->rows, cap * sizeof *r);
        if (!r)
            return false;
        s->rows = r;
        s->cap = cap;
    }
    s->rows[s->nrows++] = *row;
    return true;
}

bool sdb_series_take(sdb_series *s, int64_t k, bool force, double end_s, double length_s,
                     sdb_hist *into, sdb_hist *lag_into)
{
    pthread_mutex_lock(&s->lock);
    sdb_series_slot *sl = &s->slots[k % SDB_SERIES_SLOTS];
    bool have = sl->index == k;
    int need = publishers(s, k);
    /* unforced, an interval is taken only once its publishers all did (and
     * never when none will: the forced takes at the end cover the rest) */
    if (!force && (need == 0 || !have || sl->reported < need)) {
        pthread_mutex_unlock(&s->lock);
        return false;
    }
    sdb_series_row row;
    memset(&row, 0, sizeof row);
    row.t_s = end_s;
    row.length_s = length_s;
    if (have) {
        const sdb_hist *h = sl->hist;
        row.done = sl->done;
        row.failed = sl->failed;
        row.mean_ms = sdb_hist_mean(h) / 1e6;
        row.p50_ms = (double)sdb_hist_percentile(h, 50) / 1e6;
        row.p90_ms = (double)sdb_hist_percentile(h, 90) / 1e6;
        row.p99_ms = (double)sdb_hist_percentile(h, 99) / 1e6;
        row.max_ms = (double)sdb_hist_max(h) / 1e6;
        row.lag_p99_ms = (double)sdb_hist_percentile(sl->lag, 99) / 1e6;
        if (into)
            sdb_hist_merge(into, h);
        if (lag_into)
            sdb_hist_merge(lag_into, sl->lag);
        sdb_hist_reset(sl->hist);
        sdb_hist_reset(sl->lag);
        sl->index = -1;
        sl->reported = 0;
    }
    pthread_mutex_unlock(&s->lock);
    push_row(s, &row);
    return true;
}
