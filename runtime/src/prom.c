/*
 * prom.c — the /metrics endpoint (see prom.h).
 *
 * The listening socket is made here (so that a port in use is told apart
 * from other failures, and port 0 can be read back) and handed to
 * libmicrohttpd, which serves it from one internal polling thread.  A
 * scrape copies the snapshot under the mutex and renders the copy.
 */
#include "prom.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "util.h"

/* libmicrohttpd 0.9.71 made handlers return enum MHD_Result. */
#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

#define LABEL_MAX 256           /* bytes kept of a label value */
#define RENDER_CAP 8192         /* the exposition is about 2 KiB */

struct sdb_prom {
    struct MHD_Daemon *daemon;
    int port;
    /* copies of the info's strings, scrubbed; read-only once started */
    char workload[LABEL_MAX], type[LABEL_MAX], version[LABEL_MAX];
    sdb_prom_info info;         /* points at the copies above */
    pthread_mutex_t lock;       /* guards snap */
    sdb_prom_snapshot snap;     /* written by the main thread, read by the server's */
};

/* ---- rendering ---- */

/* An output buffer; `len` stops growing once the text would not fit
 * (overflow set), so a short buffer is detected, never overrun. */
typedef struct outbuf {
    char *buf;
    size_t cap, len;
    bool overflow;
} outbuf;

static void put(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(outbuf *o, const char *fmt, ...)
{
    if (o->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len)
        o->overflow = true;
    else
        o->len += (size_t)n;
}

/* A label value with \, " and newline escaped as the format requires. */
static void put_label_value(outbuf *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            put(o, "\\\\");
        else if (*s == '"')
            put(o, "\\\"");
        else if (*s == '\n')
            put(o, "\\n");
        else
            put(o, "%c", *s);
    }
}

/* A sample value: Go's float syntax (NaN spelled as Prometheus does). */
static void put_value(outbuf *o, double v)
{
    if (isnan(v))
        put(o, "NaN\n");
    else
        put(o, "%.10g\n", v);
}

/* HELP and TYPE lines of a family. */
static void put_family(outbuf *o, const char *name, const char *type, const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

const double sdb_prom_bucket_s[SDB_PROM_NBUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

size_t sdb_prom_render(const sdb_prom_info *info, const sdb_prom_snapshot *s, char *buf,
                       size_t cap)
{
    static const char *const quantiles[4] = {"0.5", "0.9", "0.99", "0.999"};
    outbuf o = {buf, cap, 0, cap == 0};
    if (cap > 0)
        buf[0] = '\0';

    put_family(&o, "stormdb_info", "gauge", "The run's workload, type and stormdb version.");
    put(&o, "stormdb_info{workload=\"");
    put_label_value(&o, info->workload);
    put(&o, "\",type=\"");
    put_label_value(&o, info->type);
    put(&o, "\",version=\"");
    put_label_value(&o, info->version);
    put(&o, "\"} 1\n");
    put_family(&o, "stormdb_up", "gauge", "1 while the run goes on.");
    put(&o, "stormdb_up 1\n");
    put_family(&o, "stormdb_elapsed_seconds", "gauge",
               "End of the last complete interval, in seconds from the start of the run.");
    put(&o, "stormdb_elapsed_seconds ");
    put_value(&o, s->elapsed_s);
    put_family(&o, "stormdb_workers", "gauge", "Sessions the run drives.");
    put(&o, "stormdb_workers %d\n", info->workers);
    put_family(&o, "stormdb_transactions_total", "counter",
               "Transactions completed (committed, or rolled back on purpose).");
    put(&o, "stormdb_transactions_total %lld\n", (long long)s->transactions);
    put_family(&o, "stormdb_failures_total", "counter", "Transactions failed.");
    put(&o, "stormdb_failures_total %lld\n", (long long)s->failures);
    put_family(&o, "stormdb_tps", "gauge",
               "Transactions completed per second in the last complete interval.");
    put(&o, "stormdb_tps ");
    put_value(&o, s->tps);
    put_family(&o, "stormdb_latency_seconds", "summary",
               "Transaction latency: quantiles over the last complete interval, "
               "sum and count over the run.");
    for (int i = 0; i < 4; i++) {
        put(&o, "stormdb_latency_seconds{quantile=\"%s\"} ", quantiles[i]);
        put_value(&o, s->interval_count > 0 ? s->quantile_s[i] : NAN);
    }
    put(&o, "stormdb_latency_seconds_sum ");
    put_value(&o, s->latency_sum_s);
    put(&o, "stormdb_latency_seconds_count %lld\n", (long long)s->latency_count);
    put_family(&o, "stormdb_latency_seconds_max", "gauge",
               "Largest transaction latency in the last complete interval.");
    put(&o, "stormdb_latency_seconds_max ");
    put_value(&o, s->max_s);
    put_family(&o, "stormdb_latency_histogram_seconds", "histogram",
               "Transaction latency over the run, in buckets.");
    for (int i = 0; i < SDB_PROM_NBUCKETS; i++)
        put(&o, "stormdb_latency_histogram_seconds_bucket{le=\"%g\"} %lld\n",
            sdb_prom_bucket_s[i], (long long)s->le_count[i]);
    put(&o, "stormdb_latency_histogram_seconds_bucket{le=\"+Inf\"} %lld\n",
        (long long)s->latency_count);
    put(&o, "stormdb_latency_histogram_seconds_sum ");
    put_value(&o, s->latency_sum_s);
    put(&o, "stormdb_latency_histogram_seconds_count %lld\n", (long long)s->latency_count);
    return o.overflow ? 0 : o.len;
}

/* ---- the snapshot ---- */

void sdb_prom_update(sdb_prom *p, const sdb_series_row *row, const sdb_hist *h)
{
    static const double pct[4] = {50.0, 90.0, 99.0, 99.9};
    double q[4];
    for (int i = 0; i < 4; i++)
        q[i] = (double)sdb_hist_percentile(h, pct[i]) / 1e9;
    int64_t n = sdb_hist_count(h);
    double sum_s = sdb_hist_mean(h) * (double)n / 1e9;
    double max_s = (double)sdb_hist_max(h) / 1e9;
    /* the interval's completions per bucket: counts whose values are all at
     * most the bound (a value shares its counts slot with values up to 1%
     * above it) */
    int64_t le[SDB_PROM_NBUCKETS] = {0};
    int len = sdb_hist_counts_len();
    for (int i = 0, b = 0; i < len && n > 0; i++) {
        int64_t c = sdb_hist_count_at(h, i);
        if (c == 0)
            continue;
        int64_t v = sdb_hist_index_lowest(i);
        while (b < SDB_PROM_NBUCKETS && (double)v > sdb_prom_bucket_s[b] * 1e9)
            b++;
        if (b == SDB_PROM_NBUCKETS)
            break;
        le[b] += c;
    }
    for (int b = 1; b < SDB_PROM_NBUCKETS; b++)
        le[b] += le[b - 1];

    pthread_mutex_lock(&p->lock);
    sdb_prom_snapshot *s = &p->snap;
    s->elapsed_s = row->t_s;
    s->transactions += row->done;
    s->failures += row->failed;
    s->tps = row->length_s > 0 ? (double)row->done / row->length_s : 0.0;
    s->interval_count = n;
    memcpy(s->quantile_s, q, sizeof q);
    s->max_s = max_s;
    s->latency_sum_s += sum_s;
    s->latency_count += n;
    for (int b = 0; b < SDB_PROM_NBUCKETS; b++)
        s->le_count[b] += le[b];
    pthread_mutex_unlock(&p->lock);
}

void sdb_prom_snapshot_get(sdb_prom *p, sdb_prom_snapshot *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->snap;
    pthread_mutex_unlock(&p->lock);
}

/* ---- HTTP ---- */

/* Queues a response of `len` bytes of body (copied) with the given status
 * and content type; `allow`, when not NULL, is sent as the Allow header. */
static mhd_result respond(struct MHD_Connection *c, unsigned status, const char *body,
                          size_t len, const char *type, const char *allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    mhd_result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* libmicrohttpd's request handler (the server's thread): GET or HEAD
 * /metrics renders the snapshot; other paths get 404, other methods 405.
 * A request body is never read. */
static mhd_result handle(void *cls, struct MHD_Connection *c, const char *url,
                         const char *method, const char *version, const char *upload_data,
                         size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    sdb_prom *p = cls;
    const char *text = "text/plain; charset=utf-8";
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        static const char msg[] = "method not allowed: use GET\n";
        return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, msg, sizeof msg - 1, text, "GET, HEAD");
    }
    if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "not found: metrics are at /metrics\n";
        return respond(c, MHD_HTTP_NOT_FOUND, msg, sizeof msg - 1, text, NULL);
    }
    sdb_prom_snapshot s;
    sdb_prom_snapshot_get(p, &s);
    char buf[RENDER_CAP];
    size_t len = sdb_prom_render(&p->info, &s, buf, sizeof buf);
    if (len == 0) {
        static const char msg[] = "internal error: metrics do not fit the buffer\n";
        return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, sizeof msg - 1, text, NULL);
    }
    return respond(c, MHD_HTTP_OK, buf, len, SDB_PROM_CONTENT_TYPE, NULL);
}

/* ---- start and stop ---- */

/* Binds fd to addr and listens; 0, or errno. */
static int bind_listen(int fd, const struct sockaddr *addr, socklen_t len)
{
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, addr, len) != 0 || listen(fd, 64) != 0)
        return errno;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return errno;
    return 0;
}

/* A socket listening on port of every interface: IPv6 accepting IPv4 too,
 * or IPv4 alone where IPv6 is not available.  Returns the fd, or -1 with
 * the errno in *e. */
static int listen_any(int port, int *e)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd >= 0) {
        int off = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof a6);
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        a6.sin6_addr = in6addr_any;
        *e = bind_listen(fd, (const struct sockaddr *)&a6, sizeof a6);
        if (*e == 0)
            return fd;
        close(fd);
        if (*e == EADDRINUSE || *e == EACCES)
            return -1;
        /* IPv6 present but not usable (disabled): try IPv4 */
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        *e = errno;
        return -1;
    }
    struct sockaddr_in a4;
    memset(&a4, 0, sizeof a4);
    a4.sin_family = AF_INET;
    a4.sin_port = htons((uint16_t)port);
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    *e = bind_listen(fd, (const struct sockaddr *)&a4, sizeof a4);
    if (*e == 0)
        return fd;
    close(fd);
    return -1;
}

/* The port fd is bound to; -1 on failure. */
static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&ss)->sin_port);
}

/* Copies src, secrets scrubbed, into dst (LABEL_MAX bytes) as valid UTF-8. */
static void copy_label(char *dst, const char *src)
{
    sdb_scrub(dst, LABEL_MAX, src ? src : "");
    sdb_utf8_sanitize(dst);
}

sdb_prom *sdb_prom_start(int port, const sdb_prom_info *info, char *err, size_t errlen)
{
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "invalid port %d for --prometheus-port", port);
        return NULL;
    }
    sdb_prom *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    copy_label(p->workload, info->workload);
    copy_label(p->type, info->type);
    copy_label(p->version, info->version);
    p->info = (sdb_prom_info){p->workload, p->type, p->version, info->workers};
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        snprintf(err, errlen, "cannot create a mutex");
        free(p);
        return NULL;
    }
    int e = 0;
    int fd = listen_any(port, &e);
    if (fd < 0) {
        if (e == EADDRINUSE)
            snprintf(err, errlen, "port %d is in use: pick another with --prometheus-port", port);
        else
            snprintf(err, errlen, "cannot listen on port %d for --prometheus-port: %s", port,
                     strerror(e));
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    p->port = bound_port(fd);
    /* from here on libmicrohttpd owns fd (MHD_stop_daemon closes it) */
    p->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
                                 handle, p, MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64, MHD_OPTION_END);
    if (!p->daemon || p->port < 0) {
        snprintf(err, errlen, "cannot start the metrics server on port %d", port);
        if (p->daemon)
            MHD_stop_daemon(p->daemon);
        else
            close(fd);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

int sdb_prom_port(const sdb_prom *p)
{
    return p->port;
}

void sdb_prom_stop(sdb_prom *p)
{
    if (!p)
        return;
    MHD_stop_daemon(p->daemon);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
