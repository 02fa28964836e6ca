/* conn.c — see conn.h. */
#include "conn.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

static void add(sdb_conninfo *ci, int *n, const char *key, const char *value)
{
    if (!value || *n >= SDB_CONN_MAXKEYS)
        return;
    ci->keys[*n] = key;
    ci->values[*n] = value;
    (*n)++;
}

/* The value of keyword in a parsed connection string, or NULL. */
static const char *opt_value(const PQconninfoOption *opts, const char *keyword)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0)
            return o->val;
    return NULL;
}

/* The timeouts: connect_timeout (database.connection_timeout, else the
 * url's or $PGCONNECT_TIMEOUT when set, else 30 s), and options only with
 * a query timeout. */
static void add_timeouts(sdb_conninfo *ci, int *n, const sdb_config *cfg)
{
    const char *env = getenv("PGCONNECT_TIMEOUT");
    if (cfg->connect_timeout_s > 0
        || (!opt_value(cfg->url_opts, "connect_timeout") && !(env && *env))) {
        /* libpq treats 1 as 2 */
        double ct = cfg->connect_timeout_s > 0 ? ceil(cfg->connect_timeout_s) : 30.0;
        snprintf(ci->timeout_text, sizeof ci->timeout_text, "%.0f", ct < 2 ? 2 : ct);
        add(ci, n, "connect_timeout", ci->timeout_text);
    }
    if (cfg->query_timeout_s <= 0)
        return;
    const char *base = opt_value(cfg->url_opts, "options");
    if (base == NULL)
        base = getenv("PGOPTIONS");
    long long ms = (long long)ceil(cfg->query_timeout_s * 1000.0);
    snprintf(ci->options_text, sizeof ci->options_text, "%s%s-c statement_timeout=%lld",
             base ? base : "", base && *base ? " " : "", ms);
    add(ci, n, "options", ci->options_text);
}

void sdb_conninfo_build(sdb_conninfo *ci, const sdb_config *cfg,
                        const char *workload_name, const char *socket_dir,
                        int port, const char *user, const char *dbname)
{
    memset(ci, 0, sizeof *ci);
    int n = 0;
    snprintf(ci->appname, sizeof ci->appname, "stormdb-%s", workload_name);
    if (socket_dir) {
        snprintf(ci->port_text, sizeof ci->port_text, "%d", port);
        add(ci, &n, "host", socket_dir);
        add(ci, &n, "port", ci->port_text);
        add(ci, &n, "user", user);
        add(ci, &n, "dbname", dbname);
    } else {
        for (const PQconninfoOption *o = cfg->url_opts; o && o->keyword; o++)
            if (o->val && strcmp(o->keyword, "options") != 0)
                add(ci, &n, o->keyword, o->val);
        if (cfg->query_timeout_s <= 0)
            add(ci, &n, "options", opt_value(cfg->url_opts, "options"));
        add(ci, &n, "host", cfg->host);
        add(ci, &n, "port", cfg->port);
        add(ci, &n, "user", cfg->user);
        add(ci, &n, "dbname", cfg->dbname);
        add(ci, &n, "password", cfg->password);
        add(ci, &n, "sslmode", cfg->sslmode);
        add(ci, &n, "sslcert", cfg->sslcert);
        add(ci, &n, "sslkey", cfg->sslkey);
        add(ci, &n, "sslrootcert", cfg->sslrootcert);
        add(ci, &n, "sslpassword", cfg->sslpassword);
    }
    add(ci, &n, "application_name", ci->appname);
    add_timeouts(ci, &n, cfg);
    ci->keys[n] = NULL;
    ci->values[n] = NULL;
}

static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

void sdb_conn_error(PGconn *conn, const PGresult *res, char *err, size_t errlen)
{
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = conn ? PQerrorMessage(conn) : "out of memory";
    sdb_scrub(err, errlen, msg);
    one_line(err);
}

#define MAX_NOTICES 20   /* server notices printed per process */

/* Server WARNING messages go through our scrubbed warning printer, not
 * libpq's default (which writes every notice raw to stderr); NOTICE, INFO
 * and DEBUG messages ("table does not exist, skipping") are dropped.  After
 * MAX_NOTICES, one line says the rest are not shown. */
void sdb_conn_notice(void *arg, const PGresult *res)
{
    static atomic_int shown;
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (!sev || strcmp(sev, "WARNING") != 0)
        return;
    int n = atomic_fetch_add(&shown, 1);
    if (n < MAX_NOTICES)
        sdb_warn("server: %s", PQresultErrorMessage(res));
    else if (n == MAX_NOTICES)
        sdb_warn("further server warnings are not shown");
}

PGconn *sdb_connect(const sdb_conninfo *ci, char *err, size_t errlen)
{
    PGconn *conn = PQconnectdbParams(ci->keys, ci->values, 0);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        sdb_conn_error(conn, NULL, err, errlen);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeReceiver(conn, sdb_conn_notice, NULL);
    return conn;
}

void sdb_conn_describe(PGconn *conn, char *buf, size_t len)
{
    const char *host = PQhost(conn);
    snprintf(buf, len, "host=%s port=%s dbname=%s user=%s",
             host && *host ? host : "(default)", PQport(conn), PQdb(conn),
             PQuser(conn));
}

struct sdb_cancel_guard {
    PGcancel *cancel;
    pthread_t tid;
    atomic_bool armed;
    bool stop;                  /* under lock; wake signalled when set */
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

/* Looks at sdb_interrupted every 50 ms (a signal handler cannot wake a
 * condition variable) until stopped, which wakes it at once. */
static void *guard_main(void *arg)
{
    sdb_cancel_guard *g = arg;
    int sent = 0;   /* the interrupt count a cancel was sent for */
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        int now = atomic_load(&sdb_interrupted);
        if (now > sent && atomic_load(&g->armed)) {
            char err[256];
            PQcancel(g->cancel, err, sizeof err);
            sent = now;
        }
        sdb_cond_wait_until(&g->wake, &g->lock, sdb_now_ns() + INT64_C(50000000));
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

sdb_cancel_guard *sdb_cancel_guard_start(PGconn *conn)
{
    sdb_cancel_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cancel = PQgetCancel(conn);
    atomic_init(&g->armed, true);
    pthread_mutex_init(&g->lock, NULL);
    sdb_cond_init_monotonic(&g->wake);
    if (!g->cancel || pthread_create(&g->tid, NULL, guard_main, g) != 0) {
        if (g->cancel)
            PQfreeCancel(g->cancel);
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void sdb_cancel_guard_arm(sdb_cancel_guard *g, bool armed)
{
    if (g)
        atomic_store(&g->armed, armed);
}

void sdb_cancel_guard_stop(sdb_cancel_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->tid, NULL);
    PQfreeCancel(g->cancel);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}
