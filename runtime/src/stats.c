/* stats.c — see stats.h. */
#include "stats.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool sdb_stats_init(sdb_stats *s, int ntx, int ncounters, int nstmts)
{
    memset(s, 0, sizeof *s);
    s->ntx = ntx;
    s->ncounters = ncounters;
    s->nstmts = nstmts;
    size_t ns = (size_t)(nstmts > 0 ? nstmts : 1);
    s->counters = calloc((size_t)(ncounters > 0 ? ncounters : 1), sizeof *s->counters);
    s->stmt_count = calloc(ns, sizeof *s->stmt_count);
    s->stmt_failures = calloc(ns, sizeof *s->stmt_failures);
    s->stmt_rows = calloc(ns, sizeof *s->stmt_rows);
    s->stmt_affected = calloc(ns, sizeof *s->stmt_affected);
    s->stmt_latency = calloc(ns, sizeof *s->stmt_latency);
    if (!s->counters || !s->stmt_count || !s->stmt_failures || !s->stmt_rows ||
        !s->stmt_affected || !s->stmt_latency)
        return false;
    for (int i = 0; i < nstmts; i++)
        if (!(s->stmt_latency[i] = sdb_hist_new()))
            return false;
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        if (!(s->kind_latency[k] = sdb_hist_new()))
            return false;
    s->tx = calloc((size_t)ntx, sizeof *s->tx);
    s->latency = sdb_hist_new();
    s->service_time = sdb_hist_new();
    s->schedule_lag = sdb_hist_new();
    s->connect_time = sdb_hist_new();
    s->conn_wait = sdb_hist_new();
    s->mode_latency[0] = sdb_hist_new();
    s->mode_latency[1] = sdb_hist_new();
    if (!s->tx || !s->latency || !s->service_time || !s->schedule_lag || !s->connect_time || !s->conn_wait || !s->mode_latency[0] ||
        !s->mode_latency[1])
        return false;
    for (int i = 0; i < ntx; i++)
        if (!(s->tx[i].latency = sdb_hist_new()))
            return false;
    return true;
}

void sdb_stats_free(sdb_stats *s)
{
    if (s->tx)
        for (int i = 0; i < s->ntx; i++)
            sdb_hist_free(s->tx[i].latency);
    free(s->tx);
    free(s->counters);
    if (s->stmt_latency)
        for (int i = 0; i < s->nstmts; i++)
            sdb_hist_free(s->stmt_latency[i]);
    free(s->stmt_latency);
    free(s->stmt_count);
    free(s->stmt_failures);
    free(s->stmt_rows);
    free(s->stmt_affected);
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        sdb_hist_free(s->kind_latency[k]);
    sdb_hist_free(s->latency);
    sdb_hist_free(s->service_time);
    sdb_hist_free(s->schedule_lag);
    sdb_hist_free(s->connect_time);
    sdb_hist_free(s->conn_wait);
    sdb_hist_free(s->mode_latency[0]);
    sdb_hist_free(s->mode_latency[1]);
    memset(s, 0, sizeof *s);
}

static sdb_errkind *find_kind(sdb_stats *s, const char *sqlstate, int stmt)
{
    for (int i = 0; i < s->nerrkinds; i++)
        if (s->errkinds[i].stmt == stmt && strcmp(s->errkinds[i].sqlstate, sqlstate) == 0)
            return &s->errkinds[i];
    return NULL;
}

void sdb_stats_error(sdb_stats *s, const char *sqlstate, int stmt, const char *msg)
{
    if (!sqlstate)
        sqlstate = "";
    sdb_errkind *k = find_kind(s, sqlstate, stmt);
    if (!k) {
        if (s->nerrkinds == SDB_MAX_ERRKINDS) {
            s->errors_unclassified++;
            return;
        }
        k = &s->errkinds[s->nerrkinds++];
        memset(k, 0, sizeof *k);
        strncpy(k->sqlstate, sqlstate, sizeof k->sqlstate - 1);
        k->stmt = stmt;
        sdb_scrub(k->first_msg, sizeof k->first_msg, msg ? msg : "");
        /* keep the first line only, and valid UTF-8 after the cut */
        char *nl = strchr(k->first_msg, '\n');
        if (nl)
            *nl = '\0';
        sdb_utf8_sanitize(k->first_msg);
    }
    k->count++;
}

void sdb_stats_merge(sdb_stats *dst, const sdb_stats *src)
{
    for (int i = 0; i < dst->ntx && i < src->ntx; i++) {
        dst->tx[i].ok += src->tx[i].ok;
        dst->tx[i].rolled_back += src->tx[i].rolled_back;
        dst->tx[i].failed += src->tx[i].failed;
        dst->tx[i].retries += src->tx[i].retries;
        sdb_hist_merge(dst->tx[i].latency, src->tx[i].latency);
    }
    sdb_hist_merge(dst->latency, src->latency);
    sdb_hist_merge(dst->service_time, src->service_time);
    sdb_hist_merge(dst->schedule_lag, src->schedule_lag);
    dst->skipped += src->skipped;
    dst->late += src->late;
    dst->not_started += src->not_started;
    for (int i = 0; i < dst->ncounters && i < src->ncounters; i++)
        dst->counters[i] += src->counters[i];
    for (int i = 0; i < dst->nstmts && i < src->nstmts; i++) {
        dst->stmt_count[i] += src->stmt_count[i];
        dst->stmt_failures[i] += src->stmt_failures[i];
        dst->stmt_rows[i] += src->stmt_rows[i];
        dst->stmt_affected[i] += src->stmt_affected[i];
        sdb_hist_merge(dst->stmt_latency[i], src->stmt_latency[i]);
    }
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        sdb_hist_merge(dst->kind_latency[k], src->kind_latency[k]);
    dst->cpu_s += src->cpu_s;
    dst->connects += src->connects;
    dst->reconnects += src->reconnects;
    dst->in_doubt += src->in_doubt;
    dst->conn_waits += src->conn_waits;
    sdb_hist_merge(dst->connect_time, src->connect_time);
    sdb_hist_merge(dst->conn_wait, src->conn_wait);
    for (int m = 0; m < 2; m++) {
        dst->mode_done[m] += src->mode_done[m];
        sdb_hist_merge(dst->mode_latency[m], src->mode_latency[m]);
    }
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        dst->queries[k] += src->queries[k];
    dst->stmt_errors += src->stmt_errors;
    dst->errors_unclassified += src->errors_unclassified;
    for (int i = 0; i < src->nerrkinds; i++) {
        const sdb_errkind *e = &src->errkinds[i];
        sdb_errkind *k = find_kind(dst, e->sqlstate, e->stmt);
        if (k) {
            k->count += e->count;
        } else if (dst->nerrkinds < SDB_MAX_ERRKINDS) {
            dst->errkinds[dst->nerrkinds++] = *e;
        } else {
            dst->errors_unclassified += e->count;
        }
    }
}

/* Sum of one counter of every transaction type. */
static int64_t tx_sum(const sdb_stats *s, size_t offset)
{
    int64_t n = 0;
    for (int i = 0; i < s->ntx; i++)
        n += *(const int64_t *)(const void *)((const char *)&s->tx[i] + offset);
    return n;
}

int64_t sdb_stats_ok(const sdb_stats *s)
{
    return tx_sum(s, offsetof(sdb_txstats, ok));
}

int64_t sdb_stats_rolled_back(const sdb_stats *s)
{
    return tx_sum(s, offsetof(sdb_txstats, rolled_back));
}

int64_t sdb_stats_failed(const sdb_stats *s)
{
    return tx_sum(s, offsetof(sdb_txstats, failed));
}

int64_t sdb_stats_retries(const sdb_stats *s)
{
    return tx_sum(s, offsetof(sdb_txstats, retries));
}

int64_t sdb_stats_queries(const sdb_stats *s)
{
    int64_t n = 0;
    for (int k = 0; k < SDB_QUERY_KINDS; k++)
        n += s->queries[k];
    return n;
}

void sdb_unit_done(sdb_unit_stats *u, bool rolled_back, int64_t lat_ns)
{
    if (rolled_back)
        u->rolled_back++;
    else
        u->committed++;
    u->latency_sum_ns += lat_ns;
    if (lat_ns > u->latency_max_ns)
        u->latency_max_ns = lat_ns;
}

void sdb_unit_merge(sdb_unit_stats *dst, const sdb_unit_stats *src)
{
    dst->committed += src->committed;
    dst->rolled_back += src->rolled_back;
    dst->failed += src->failed;
    dst->latency_sum_ns += src->latency_sum_ns;
    if (src->latency_max_ns > dst->latency_max_ns)
        dst->latency_max_ns = src->latency_max_ns;
}

int64_t sdb_unit_total(const sdb_unit_stats *u)
{
    return u->committed + u->rolled_back + u->failed;
}

double sdb_unit_mean_ns(const sdb_unit_stats *u)
{
    int64_t n = u->committed + u->rolled_back;
    return n > 0 ? (double)u->latency_sum_ns / (double)n : 0.0;
}
