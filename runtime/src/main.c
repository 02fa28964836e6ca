/*
 * main.c — sdb_main: the program every workload binary runs.
 *
 * Exit status: 0 success; 1 a database, setup or run error; 2 a usage or
 * configuration error; 130 interrupted (SIGINT/SIGTERM) — the report of what
 * ran is still printed and written.
 */
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "check.h"
#include "config.h"
#include "conn.h"
#include "embedded.h"
#include "gitrev.h"
#include "hdrlog.h"
#include "params.h"
#include "pgstats.h"
#include "probe.h"
#include "progressive.h"
#include "prom.h"
#include "report.h"
#include "setup.h"
#include "stormdb.h"
#include "threshold.h"
#include "util.h"
#include "worker.h"

static int find_mix(const sdb_workload_def *w, const char *name)
{
    if (!name)
        return 0;
    for (int i = 0; i < w->nmixes; i++)
        if (strcmp(w->mixes[i].name, name) == 0)
            return i;
    return -1;
}

static void print_list(const sdb_workload_def *w)
{
    for (int i = 0; i < w->nmixes; i++)
        printf("%s%s%s%s\n", w->mixes[i].name, w->mixes[i].description[0] ? "\t" : "",
               w->mixes[i].description, i == 0 ? " (default)" : "");
}

/* True when something answers at libpq's default address (PG* variables
 * included), as psql or pgbench would connect with no options. */
static bool default_server_answers(void)
{
    const char *keys[] = {"connect_timeout", NULL};
    const char *vals[] = {"5", NULL};
    return PQpingParams(keys, vals, 0) != PQPING_NO_RESPONSE;
}

/* What a run needs besides the configuration, resolved once at start-up:
 * parameters, NURand constants and the shared sequence counters.  Owned by
 * sdb_main; loaders and workers only read params and nurand_c. */
typedef struct run_env {
    sdb_params params;          /* resolved w->params */
    int64_t c_load[3];          /* NURand C-Load for A = 255, 1023, 8191 */
    int64_t c_run[3];           /* NURand C-Run */
    int64_t *sequences;         /* w->nsequences counters (at least 1), zeroed */
    sdb_check_report checks;    /* filled by --check */
} run_env;

/* Resolves everything of run_env from the configuration.  Returns 0, or 2
 * after a message (a parameter error or out of memory). */
static int run_env_init(run_env *e, const sdb_workload_def *w, const sdb_config *cfg)
{
    memset(e, 0, sizeof *e);
    if (sdb_params_resolve(&e->params, w, cfg, sdb_progname(), stderr) != 0)
        return 2;
    sdb_params_nurand(cfg->seed, e->c_load, e->c_run);
    e->sequences = calloc(w->nsequences > 0 ? (size_t)w->nsequences : 1,
                          sizeof *e->sequences);
    if (!e->sequences) {
        sdb_error("out of memory");
        return 2;
    }
    return 0;
}

static void run_env_free(run_env *e)
{
    sdb_params_free(&e->params);
    sdb_check_free(&e->checks);
    free(e->sequences);
    e->sequences = NULL;
}

/* Creates the schema and loads it at the configured scale. */
static int setup(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                 const sdb_config *cfg, run_env *e)
{
    if (cfg->loading_mode != SDB_LOAD_GENERATE)
        return sdb_setup_from_file(conn, w, cfg->loading_mode == SDB_LOAD_DUMP,
                                   cfg->loading_file);
    sdb_load_env env = {
        .scale = cfg->scale, .seed = cfg->seed, .params = e->params.values,
        .nurand_c = e->c_load, .sequences = e->sequences, .threads = cfg->load_threads,
    };
    return sdb_setup_run(conn, ci, w, &env);
}

/* Makes sure the tables exist and are loaded, creating them when asked. */
static int prepare_tables(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                          const sdb_config *cfg, bool embedded, run_env *e)
{
    if (cfg->rebuild) {
        if (sdb_tables_drop_checked(conn, w, cfg->force))
            return 1;
        return setup(conn, ci, w, cfg, e);
    }
    sdb_tables_state st;
    if (sdb_tables_inspect(conn, w, &st))
        return 1;
    /* ours, but the setup that made them did not finish (interrupted) */
    bool unfinished = st.existing > 0 && st.owned == st.existing && !st.complete;
    if (cfg->setup || embedded) {
        if (st.existing == w->ntables && st.loaded && !unfinished) {
            sdb_info("the tables of workload %s exist and hold data: using them as they are",
                     w->name);
            return 0;
        }
        if (st.existing == 0)
            return setup(conn, ci, w, cfg, e);
        if (unfinished) {
            sdb_info("an earlier setup of workload %s did not finish (interrupted?): "
                     "dropping its tables and setting up again", w->name);
            if (sdb_tables_drop_checked(conn, w, false))
                return 1;
            return setup(conn, ci, w, cfg, e);
        }
        if (st.existing < w->ntables)
            sdb_error("some tables of workload %s exist but these are missing: %s; "
                      "run with --rebuild to drop and recreate them all",
                      w->name, st.missing);
        else
            sdb_error("the tables of workload %s exist but some are empty (an interrupted "
                      "load?); run with --rebuild to drop, recreate and reload them",
                      w->name);
        return 1;
    }
    if (st.existing < w->ntables) {
        sdb_error("the tables of workload %s are missing (%s); run with --setup to create "
                  "and load them",
                  w->name, st.missing);
        return 1;
    }
    if (unfinished)
        sdb_warn("the setup of workload %s did not finish (interrupted?): the data may be "
                 "incomplete; run with --setup to redo it", w->name);
    else if (!st.loaded)
        sdb_warn("some tables of workload %s are empty; run with --rebuild to reload them",
                 w->name);
    return 0;
}

/* Chooses the scale: the one the data has, else the configured one. */
static int choose_scale(PGconn *conn, const sdb_workload_def *w, const sdb_config *cfg,
                        int64_t *scale)
{
    *scale = cfg->scale;
    int64_t found = 0;
    int rc = sdb_scale_detect(conn, w, &found);
    if (rc < 0)
        return 1;
    if (rc == 1) {
        if (cfg->scale_set && found != cfg->scale)
            sdb_warn("--scale %lld ignored: the loaded data has scale %lld (use --rebuild "
                     "to reload at scale %lld)",
                     (long long)cfg->scale, (long long)found, (long long)cfg->scale);
        *scale = found;
    }
    return 0;
}

/* Exit status when a --threshold fails (as k6 does). */
#define SDB_EXIT_THRESHOLD 99

/* Parses the thresholds (file ones first, then --threshold) into *out
 * (cfg->nthresholds of them; NULL when none), so that a typo fails before
 * the run.  Returns 0, or 2 after a message (located in the file for a
 * file's threshold). */
static int thresholds_parse(const sdb_config *cfg, const sdb_workload_def *w,
                            sdb_threshold **out)
{
    *out = NULL;
    if (cfg->nthresholds == 0)
        return 0;
    sdb_threshold *t = calloc((size_t)cfg->nthresholds, sizeof *t);
    if (!t) {
        sdb_error("out of memory");
        return 2;
    }
    for (int i = 0; i < cfg->nthresholds; i++) {
        char err[512];
        if (sdb_threshold_parse(cfg->thresholds[i], w, &t[i], err, sizeof err) != 0) {
            if (cfg->thresholds_where[i])
                fprintf(stderr, "%s: error: %s\n", cfg->thresholds_where[i], err);
            else
                sdb_error("%s", err);
            free(t);
            return 2;
        }
    }
    *out = t;
    return 0;
}

/* Evaluates the thresholds on the run's results; true when one failed. */
static bool thresholds_eval(sdb_threshold *t, int n, const sdb_run_result *r)
{
    bool failed = false;
    for (int i = 0; i < n; i++) {
        sdb_threshold_eval(&t[i], &r->stats, (double)r->elapsed_ns / 1e9);
        failed |= !t[i].pass;
    }
    return failed;
}

/* Prints the evaluated thresholds after the report. */
static void thresholds_print(const sdb_threshold *t, int n, const char *tripped)
{
    if (n == 0)
        return;
    bool failed = false;
    printf("\nThresholds\n");
    for (int i = 0; i < n; i++) {
        char value[64];
        sdb_threshold_value_text(&t[i], value, sizeof value);
        printf("  %-32s %-4s (measured %s)\n", t[i].text, t[i].pass ? "PASS" : "FAIL", value);
        failed |= !t[i].pass;
    }
    if (tripped && *tripped)
        printf("  --abort-on-fail: the run was stopped early when %s failed\n", tripped);
    if (failed || (tripped && *tripped))
        printf("  a threshold failed: exit status %d\n", SDB_EXIT_THRESHOLD);
    fflush(stdout);
}

/* Checks, before the run, that the server can take `needed` more
 * connections: its max_connections, less the slots reserved for superusers
 * (unless we are one) and the connections open now (ours included), and
 * the role's connection limit.  Returns 0, or 1 after a message that names
 * the limit and the number requested.  When the server does not say (no
 * access), the run goes ahead and the engine reports what it meets. */
static int connections_preflight(PGconn *conn, int needed)
{
    PGresult *res = PQexec(conn,
        "SELECT current_setting('max_connections')::int, "
        "current_setting('superuser_reserved_connections')::int, "
        "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
        "r.rolsuper, r.rolconnlimit, "
        "(SELECT count(*) FROM pg_stat_activity WHERE usename = current_user "
        "   AND backend_type = 'client backend') "
        "FROM pg_roles r WHERE r.rolname = current_user");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    int max = atoi(PQgetvalue(res, 0, 0));
    int reserved = atoi(PQgetvalue(res, 0, 1));
    int used = atoi(PQgetvalue(res, 0, 2));
    bool super = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
    int role_limit = atoi(PQgetvalue(res, 0, 4));
    int role_used = atoi(PQgetvalue(res, 0, 5));
    PQclear(res);
    int free_slots = max - (super ? 0 : reserved) - used;
    if (needed > free_slots) {
        sdb_error("the run needs %d connections, but the server has room for %d: "
                  "max_connections is %d%s and %d are open (this one included); lower "
                  "--connections/--workers, close other sessions, or raise max_connections "
                  "(it needs a restart)",
                  needed, free_slots > 0 ? free_slots : 0, max,
                  super ? "" : (reserved > 0 ? ", less the slots reserved for superusers" : ""),
                  used);
        if (!super && reserved > 0)
            sdb_info("superuser_reserved_connections is %d", reserved);
        return 1;
    }
    if (role_limit >= 0 && needed > role_limit - role_used) {
        sdb_error("the run needs %d connections, but the role's CONNECTION LIMIT is %d and "
                  "%d of them are open (this one included); lower --connections/--workers "
                  "or ALTER ROLE ... CONNECTION LIMIT", needed, role_limit, role_used);
        return 1;
    }
    return 0;
}

/* The consumers of each interval of the time series, and the fan-out that
 * hands every interval to each of them (worker.h's on_interval).  A NULL
 * consumer is off.  To add one: a field here, a call in on_interval. */
typedef struct interval_consumers {
    sdb_hdrlog *hdrlog;     /* --hdr-log */
    sdb_prom *prom;         /* --prometheus-port */
    sdb_threshold_watch *watch; /* --abort-on-fail */
    int64_t max_failed;     /* --max-errors, or 1 with --on-error stop; 0 = none */
    int64_t failed;         /* failed transactions so far */
    bool gave_up;           /* max_failed reached: the run was ended */
    sdb_pgstats *pgstats;   /* --collect-pg-stats */
    double pgstats_every_s; /* a server snapshot every this many seconds ... */
    double pgstats_next_s;  /* ... the next one at this run time */
} interval_consumers;

/* Called by the engine once per interval, in order, on the main thread.
 * Returns false to end the run early (a threshold failed under
 * --abort-on-fail). */
static bool on_interval(void *arg, const sdb_series_row *row, const sdb_hist *h)
{
    interval_consumers *c = arg;
    bool go_on = true;
    if (c->hdrlog)   /* a write error is kept and reported when the log is closed */
        sdb_hdrlog_write(c->hdrlog, row->t_s - row->length_s, row->length_s, h);
    if (c->prom)
        sdb_prom_update(c->prom, row, h);
    if (c->watch && !sdb_threshold_watch_interval(c->watch, row, h))
        go_on = false;
    if (c->pgstats && row->t_s >= c->pgstats_next_s - 1e-9) {
        sdb_pgstats_sample(c->pgstats);
        c->pgstats_next_s += c->pgstats_every_s;
    }
    c->failed += row->failed;
    if (c->max_failed > 0 && c->failed >= c->max_failed) {
        c->gave_up = true;
        go_on = false;
    }
    return go_on;
}

/* Starts the interval consumers the configuration asks for, before the
 * run: the metrics server, then the HdrHistogram log (its StartTime is
 * start_unix).  Returns 0, or 2 after a message (having stopped what it
 * started). */
static int consumers_start(interval_consumers *c, const sdb_config *cfg,
                           const sdb_workload_def *w, int mix, double start_unix)
{
    char err[512];
    if (cfg->prometheus_port >= 0) {
        sdb_prom_info info = {.workload = w->name, .type = w->mixes[mix].name,
                              .version = SDB_VERSION, .workers = cfg->workers};
        c->prom = sdb_prom_start(cfg->prometheus_port, &info, err, sizeof err);
        if (!c->prom) {
            sdb_error("%s", err);
            return 2;
        }
        sdb_info("Prometheus metrics at http://localhost:%d/metrics", sdb_prom_port(c->prom));
    }
    if (cfg->hdr_log_path) {
        c->hdrlog = sdb_hdrlog_open(cfg->hdr_log_path, start_unix, err, sizeof err);
        if (!c->hdrlog) {
            sdb_error("--hdr-log: %s", err);
            sdb_prom_stop(c->prom);
            c->prom = NULL;
            return 2;
        }
    }
    return 0;
}

/* Stops the consumers after the run and its reports.  With `completed`,
 * the HdrHistogram log becomes FILE; without (the run did not start), it
 * is removed.  Returns 0, or 1 after a message when the log could not be
 * written. */
static int consumers_stop(interval_consumers *c, const sdb_config *cfg, bool completed)
{
    int rc = 0;
    if (c->hdrlog && completed) {
        char err[512];
        if (sdb_hdrlog_close(c->hdrlog, err, sizeof err) == 0) {
            sdb_info("HdrHistogram log written to %s", cfg->hdr_log_path);
        } else {
            sdb_error("--hdr-log: %s", err);
            rc = 1;
        }
    } else {
        sdb_hdrlog_abort(c->hdrlog);
    }
    c->hdrlog = NULL;
    sdb_prom_stop(c->prom);
    c->prom = NULL;
    return rc;
}

/* What a run and a progressive run both start from: the scale, the
 * server's description and the engine's options for the configuration
 * (threads as configured, not yet limited to the workers). */
typedef struct run_base {
    int64_t scale;
    char target[512];
    char version[32];
    sdb_run_opts o;
} run_base;

/* Fills b, then reads the NURand C-Load stored with the data, when there
 * is one, and derives the run's C-Run from it into e (c_load gets it).
 * Returns 0, or 1 after a message. */
static int run_base_init(run_base *b, PGconn *conn, const sdb_conninfo *ci,
                         const sdb_workload_def *w, const sdb_config *cfg, int mix, run_env *e,
                         int64_t c_load[3])
{
    if (choose_scale(conn, w, cfg, &b->scale))
        return 1;
    sdb_conn_describe(conn, b->target, sizeof b->target);
    int v = PQserverVersion(conn);
    snprintf(b->version, sizeof b->version, "%d.%d", v / 10000, v % 10000);
    b->o = (sdb_run_opts){
        .w = w, .conninfo = ci, .mix = mix, .workers = cfg->workers,
        .threads = cfg->threads > 0 ? cfg->threads : sdb_ncpus(),
        .connections = cfg->connections,
        .conn_mode = (sdb_conn_mode)(cfg->connection_mode_set ? (int)cfg->connection_mode
                                                              : w->default_conn_mode),
        .scale = b->scale, .seed = cfg->seed, .duration_s = cfg->duration_s,
        .summary_interval_s = cfg->no_summary ? 0 : cfg->summary_interval_s,
        .params = e->params.values, .nurand_c = e->c_run, .sequences = e->sequences,
        .rate_tps = cfg->rate_tps, .latency_limit_ns = (int64_t)(cfg->latency_limit_s * 1e9),
    };
    memcpy(c_load, e->c_load, 3 * sizeof *c_load);
    int nr = sdb_nurand_read(conn, w, c_load);
    if (nr < 0)
        return 1;
    if (nr == 1) {
        sdb_params_nurand_run(cfg->seed, c_load, e->c_run);
        sdb_info("NURand C for A=255: C-Load %lld (stored with the data), C-Run %lld",
                 (long long)c_load[0], (long long)e->c_run[0]);
    }
    return 0;
}

/* The connections a run of `workers` sessions on `connections` opens at
 * most: the pool when it is smaller (persistent mode), else one per
 * session; and the monitor's, with --collect-pg-stats. */
static int connections_needed(const sdb_config *cfg, sdb_conn_mode mode, int workers,
                              int connections)
{
    int n = mode == SDB_CONN_PERSISTENT && connections < workers ? connections : workers;
    return n + (cfg->collect_pg_stats || cfg->pg_stats_statements ? 1 : 0);
}

static int run_benchmark(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                         const sdb_config *cfg, int mix, bool embedded, run_env *e)
{
    run_base b;
    int64_t c_load[3];
    if (run_base_init(&b, conn, ci, w, cfg, mix, e, c_load))
        return 1;
    sdb_run_opts o = b.o;
    if (o.threads > o.workers)
        o.threads = o.workers;
    int64_t scale = b.scale;
    int threads = o.threads;
    const char *target = b.target, *version = b.version;
    bool monitor = cfg->collect_pg_stats || cfg->pg_stats_statements;
    if (connections_preflight(conn, connections_needed(cfg, o.conn_mode, o.workers,
                                                       o.connections)))
        return 1;
    sdb_probe_result *probes = calloc((size_t)(w->nprobes > 0 ? w->nprobes : 1), sizeof *probes);
    if (!probes) {
        sdb_error("out of memory");
        return 1;
    }
    sdb_probes_read(conn, w, probes, false);
    int64_t xacts_before = 0, xacts_after = 0;
    bool have_xacts = sdb_server_xacts(conn, false, &xacts_before);

    sdb_threshold *ths = NULL;
    int nths = cfg->nthresholds;
    if (thresholds_parse(cfg, w, &ths) != 0) {
        free(probes);
        return 2;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    interval_consumers consumers = {0};
    consumers.max_failed = cfg->on_error_stop ? 1 : cfg->max_errors;
    sdb_threshold_watch watch;
    int rc = 0;
    if (cfg->abort_on_fail && nths > 0) {
        /* the run-level thresholds, on the run so far, from the end of the
         * first summary interval (10 s without progress lines) */
        double from_s = cfg->summary_interval_s > 0 ? cfg->summary_interval_s : 10;
        if (!sdb_threshold_watch_init(&watch, ths, nths, from_s)) {
            sdb_error("out of memory");
            rc = 1;
        } else {
            consumers.watch = &watch;
        }
    }
    if (rc == 0)
        rc = consumers_start(&consumers, cfg, w, mix,
                             (double)tv.tv_sec + (double)tv.tv_usec / 1e6);
    if (rc == 0 && monitor) {
        /* the server's side: a snapshot now, one per summary interval (10 s
         * without progress lines), one after the run; never fatal */
        char err[512];
        sdb_pgstats_opts po = {.ci = ci, .tables = w->tables, .ntables = w->ntables,
                               .statements = cfg->pg_stats_statements};
        consumers.pgstats = sdb_pgstats_start(&po, err, sizeof err);
        if (!consumers.pgstats)
            sdb_warn("--collect-pg-stats: %s; the run goes on without server statistics", err);
        /* at least 5 points over the run for the charts, at most one a second
         * (the server publishes its counters about once a second) */
        double every = cfg->summary_interval_s > 0 ? cfg->summary_interval_s : 10;
        if (cfg->duration_s / every < 5)
            every = cfg->duration_s / 5 >= 1 ? floor(cfg->duration_s / 5) : 1;
        consumers.pgstats_every_s = every;
        consumers.pgstats_next_s = every;
    }
    if (rc != 0) {
        if (consumers.watch)
            sdb_threshold_watch_free(&watch);
        free(ths);
        free(probes);
        return rc;
    }
    sdb_info("running %s: %d workers on %d threads for %.0f s at scale %lld",
             w->mixes[mix].name, cfg->workers, threads, cfg->duration_s, (long long)scale);
    o.on_interval = on_interval;
    o.on_interval_arg = &consumers;
    sdb_run_result r;
    rc = sdb_run_execute(&o, &r);
    if (consumers.pgstats)
        sdb_pgstats_stop(consumers.pgstats);
    if (rc != 0) {
        sdb_error("the run could not start: %s", r.error);
        sdb_pgstats_free(consumers.pgstats);
        consumers_stop(&consumers, cfg, false);
        if (consumers.watch)
            sdb_threshold_watch_free(&watch);
        sdb_run_result_free(&r);
        free(ths);
        free(probes);
        return r.interrupted ? 130 : 1;
    }
    const char *tripped = consumers.watch ? watch.tripped : "";
    if (consumers.gave_up)
        sdb_warn("%lld transaction%s failed: the run was ended early (%s)",
                 (long long)consumers.failed, consumers.failed == 1 ? "" : "s",
                 cfg->on_error_stop ? "on_error: stop" : "max_errors");
    if (*tripped)
        sdb_warn("--abort-on-fail: threshold %s failed: the run was stopped early", tripped);
    bool threshold_failed = thresholds_eval(ths, nths, &r) || *tripped;
    sdb_probes_read(conn, w, probes, true);
    have_xacts = have_xacts && sdb_server_xacts(conn, true, &xacts_after);
    sdb_report_info ri = {
        .w = w, .cfg = cfg, .mix = mix, .scale = scale, .threads = threads, .seed = cfg->seed,
        .target = target, .server_version = version, .embedded = embedded,
        .start_unix = (double)tv.tv_sec + (double)tv.tv_usec / 1e6,
        .probes = probes, .server_xacts_valid = have_xacts,
        .server_xacts = xacts_after - xacts_before,
        .nurand_c_run = e->c_run, .nurand_c_load = c_load,
        .thresholds = ths, .nthresholds = nths, .pgstats = consumers.pgstats,
    };
    sdb_report_console(stdout, &ri, &r);
    if (cfg->json_path && sdb_report_json(cfg->json_path, &ri, &r) == 0)
        sdb_info("JSON report written to %s", cfg->json_path);
    else if (cfg->json_path)
        rc = 1;
    if (cfg->csv_path && sdb_report_csv(cfg->csv_path, &ri, &r) == 0)
        sdb_info("CSV time series written to %s", cfg->csv_path);
    else if (cfg->csv_path)
        rc = 1;
    if (cfg->html_path && sdb_report_html(cfg->html_path, &ri, &r) == 0)
        sdb_info("HTML report written to %s", cfg->html_path);
    else if (cfg->html_path)
        rc = 1;
    if (consumers_stop(&consumers, cfg, true) != 0)
        rc = 1;
    thresholds_print(ths, nths, tripped);
    if (r.error[0]) {
        sdb_error("%s", r.error);
        rc = 1;
    } else if (r.interrupted) {
        rc = 130;
    } else if (consumers.gave_up) {
        sdb_error("the run was ended after %lld failed transaction%s (%s)",
                  (long long)consumers.failed, consumers.failed == 1 ? "" : "s",
                  cfg->on_error_stop ? "on_error: stop" : "max_errors");
        rc = 1;
    } else if (threshold_failed) {
        rc = SDB_EXIT_THRESHOLD;
    }
    if (consumers.watch)
        sdb_threshold_watch_free(&watch);
    sdb_pgstats_free(consumers.pgstats);
    sdb_run_result_free(&r);
    free(ths);
    free(probes);
    return rc;
}

static const char *const strategy_names[] = {"linear", "exponential", "fibonacci",
                                             "synchronized"};

/* The bands as a CSV file (atomic).  Returns 0, or 1 with a message. */
static int progressive_csv(const char *path, const sdb_progressive_result *pr)
{
    sdb_outfile o;
    if (sdb_outfile_open(&o, path) != 0)
        return 1;
    fputs("band,workers,connections,measured_s,transactions,failed,tps,tps_ci95,mean_ms,"
          "p50_ms,p95_ms,p99_ms,max_ms,error_rate\n", o.f);
    for (int i = 0; i < pr->nbands; i++) {
        const sdb_band *b = &pr->bands[i];
        if (!b->ran)
            continue;
        fprintf(o.f, "%d,%d,%d,%.3f,%lld,%lld,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.6f\n",
                i + 1, b->workers, b->connections, b->measured_s, (long long)b->done,
                (long long)b->failed, b->tps, b->tps_ci95, b->mean_ms, b->p50_ms, b->p95_ms,
                b->p99_ms, b->max_ms, b->error_rate);
    }
    return sdb_outfile_close(&o);
}

/* The progressive run's JSON document: run metadata, the plan, the bands
 * and the analysis (NULL when it was not asked for). */
static json_t *progressive_json(const sdb_config *cfg, const sdb_workload_def *w, int mix,
                                int64_t scale, const char *target, const char *version,
                                double start_unix, const sdb_progressive_result *pr,
                                const sdb_analysis_result *an)
{
    json_t *run = sdb_report_run_common(cfg, w, mix, scale, target, version, start_unix,
                                        cfg->seed);
    if (run)
        json_object_set_new(run, "interrupted", json_boolean(pr->interrupted));
    const sdb_progressive_cfg *pc = &cfg->progressive;
    json_t *bands = json_array();
    for (int i = 0; i < pr->nbands; i++) {
        const sdb_band *b = &pr->bands[i];
        json_t *bj = json_pack("{s:i, s:i, s:i, s:b}", "band", i + 1, "workers", b->workers,
                               "connections", b->connections, "measured", b->ran);
        if (bj && b->ran) {
            json_object_set_new(bj, "measured_s", json_real(b->measured_s));
            json_object_set_new(bj, "transactions", json_integer((json_int_t)b->done));
            json_object_set_new(bj, "failed", json_integer((json_int_t)b->failed));
            json_object_set_new(bj, "tps", json_real(b->tps));
            json_object_set_new(bj, "tps_ci95", b->tps_ci95 >= 0 ? json_real(b->tps_ci95)
                                                                  : json_null());
            json_object_set_new(bj, "mean_ms", json_real(b->mean_ms));
            json_object_set_new(bj, "p50_ms", json_real(b->p50_ms));
            json_object_set_new(bj, "p95_ms", json_real(b->p95_ms));
            json_object_set_new(bj, "p99_ms", json_real(b->p99_ms));
            json_object_set_new(bj, "max_ms", json_real(b->max_ms));
            json_object_set_new(bj, "error_rate", json_real(b->error_rate));
            if (b->pg_stats)
                json_object_set(bj, "pg_stats", b->pg_stats);
        }
        json_array_append_new(bands, bj);
    }
    json_t *prog = json_pack("{s:s, s:f, s:f, s:f, s:i, s:o}", "strategy",
                             strategy_names[pc->strategy], "warmup_s", pc->warmup_s,
                             "test_duration_s", pc->test_duration_s, "cooldown_s",
                             pc->cooldown_s, "bands_planned", pr->nbands, "bands", bands);
    if (prog) {
        json_object_set_new(prog, "latency_budget_ms", pc->latency_budget_ms > 0
                                                           ? json_real(pc->latency_budget_ms)
                                                           : json_null());
        json_object_set_new(prog, "analysis", an ? sdb_analysis_json(an) : json_null());
        if (pr->error[0])
            json_object_set_new(prog, "error", json_string(pr->error));
    }
    return json_pack("{s:o, s:o}", "run", run, "progressive", prog);
}

/* --progressive: the bands, their analysis and the reports.  Returns 0, 1
 * (no band measured, or an output failed) or 130 (interrupted). */
static int run_progressive(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                           const sdb_config *cfg, int mix, run_env *e)
{
    run_base base;
    int64_t c_load[3];
    if (run_base_init(&base, conn, ci, w, cfg, mix, e, c_load))
        return 1;
    int64_t scale = base.scale;
    const char *target = base.target, *version = base.version;
    int planned_w[SDB_PROG_MAX_BANDS], planned_c[SDB_PROG_MAX_BANDS];
    int nplanned = sdb_progressive_plan(cfg, planned_w, planned_c);
    int most = 0;
    for (int i = 0; i < nplanned; i++) {
        int need = connections_needed(cfg, base.o.conn_mode, planned_w[i], planned_c[i]);
        if (need > most)
            most = need;
    }
    if (connections_preflight(conn, most))
        return 1;
    const sdb_progressive_cfg *pc = &cfg->progressive;
    sdb_info("progressive %s: %d bands, %s strategy, %d to %d workers, warmup %.0f s, "
             "measured %.0f s, cooldown %.0f s per band", w->mixes[mix].name, nplanned,
             strategy_names[pc->strategy], planned_w[0], planned_w[nplanned - 1], pc->warmup_s,
             pc->test_duration_s, pc->cooldown_s);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sdb_progressive_result *pr = malloc(sizeof *pr);
    sdb_analysis_result *an = malloc(sizeof *an);
    if (!pr || !an) {
        free(pr);
        free(an);
        sdb_error("out of memory");
        return 1;
    }
    int rc = sdb_progressive_run(&base.o, cfg, pr);
    bool analysed = false;
    if (pr->nran > 0 && pc->enable_analysis) {
        sdb_analysis_input in[SDB_PROG_MAX_BANDS];
        int n = 0;
        for (int i = 0; i < pr->nbands; i++) {
            const sdb_band *b = &pr->bands[i];
            if (!b->ran)
                continue;
            in[n++] = (sdb_analysis_input){.n = b->workers, .tps = b->tps,
                                     .tps_se = b->tps_se >= 0 ? b->tps_se : NAN,
                                     .mean_ms = b->mean_ms, .p99_ms = b->p99_ms,
                                     .errors = b->failed};
        }
        sdb_analysis_options opt;
        sdb_analysis_options_default(&opt);
        opt.budget_p99_ms = pc->latency_budget_ms;
        sdb_analysis_analyse(in, n, &opt, an);
        analysed = true;
    }
    /* the console: one line per band, then the analysis */
    printf("\n==============================================================================\n"
           "Progressive scaling: %s (%s), %s strategy, scale %lld\n", w->name,
           w->mixes[mix].name, strategy_names[pc->strategy], (long long)scale);
    printf("  %4s %8s %11s %10s %9s %9s %9s %9s %8s\n", "band", "workers", "connections",
           "tps", "+/-95%", "mean ms", "p50 ms", "p99 ms", "failed");
    for (int i = 0; i < pr->nbands; i++) {
        const sdb_band *b = &pr->bands[i];
        if (!b->ran) {
            printf("  %4d %8d %11d   (not measured)\n", i + 1, b->workers, b->connections);
            continue;
        }
        printf("  %4d %8d %11d %10.1f %9.1f %9.3f %9.3f %9.3f %8lld\n", i + 1, b->workers,
               b->connections, b->tps, b->tps_ci95 >= 0 ? b->tps_ci95 : 0.0, b->mean_ms,
               b->p50_ms, b->p99_ms, (long long)b->failed);
    }
    if (analysed) {
        putchar('\n');
        sdb_analysis_print(stdout, an);
    }
    printf("==============================================================================\n");
    fflush(stdout);
    if (pr->error[0])
        sdb_error("%s", pr->error);
    const char *jsons[2] = {cfg->json_path, pc->export_json};
    for (int k = 0; k < 2; k++) {
        if (!jsons[k] || pr->nran == 0)
            continue;
        json_t *doc = progressive_json(cfg, w, mix, scale, target, version,
                                       (double)tv.tv_sec + (double)tv.tv_usec / 1e6, pr,
                                       analysed ? an : NULL);
        if (!doc || sdb_write_json(jsons[k], doc) != 0)
            rc = 1;
        else
            sdb_info("progressive results written to %s", jsons[k]);
    }
    const char *csvs[2] = {cfg->csv_path, pc->export_csv};
    for (int k = 0; k < 2; k++)
        if (csvs[k] && pr->nran > 0 && progressive_csv(csvs[k], pr) != 0)
            rc = 1;
    if (cfg->html_path && pr->nran > 0) {
        if (sdb_progressive_html(cfg->html_path, w, mix, target, version, pr,
                                 analysed ? an : NULL) == 0)
            sdb_info("HTML report written to %s", cfg->html_path);
        else
            rc = 1;
    }
    if (pr->interrupted)
        rc = 130;
    sdb_progressive_free(pr);
    free(pr);
    free(an);
    return rc;
}

/* Runs the workload's checks and prints them.  Returns 0 when all passed,
 * else 1. */
static int run_checks(PGconn *conn, const sdb_workload_def *w, run_env *e)
{
    if (w->nchecks == 0) {
        sdb_info("workload %s defines no checks", w->name);
        return 0;
    }
    sdb_info("running the %d check%s of workload %s", w->nchecks,
             w->nchecks == 1 ? "" : "s", w->name);
    int rc = sdb_check_run_all(conn, w, &e->checks);
    if (rc < 0)
        return 1;
    sdb_check_print(stdout, &e->checks);
    return rc;
}

/* Everything after connecting: extensions, then either the checks alone
 * (--check without --duration, --setup, --rebuild or an embedded cluster),
 * or set-up, the run (unless --no-run), and the checks after it when
 * --check was given.  Returns the exit status. */
static int run_and_check(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                         const sdb_config *cfg, int mix, bool embedded, run_env *e,
                         sdb_cancel_guard *guard)
{
    bool setting_up = cfg->setup || cfg->rebuild || embedded;
    int rc = sdb_setup_extensions(conn, w, setting_up);
    if (rc != 0)
        return sdb_interrupted ? 130 : rc;
    if (cfg->check && !cfg->duration_flag && !setting_up) {
        rc = run_checks(conn, w, e);
        return sdb_interrupted ? 130 : rc;
    }
    if (e->params.n > 0) {
        char line[2048];
        sdb_params_describe(&e->params, w, line, sizeof line);
        sdb_info("parameters: %s", line);
    }
    if (prepare_tables(conn, ci, w, cfg, embedded, e))
        return sdb_interrupted ? 130 : 1;
    if (sdb_interrupted)
        return 130;
    sdb_cancel_guard_arm(guard, false);
    if (cfg->no_run)
        rc = 0;
    else if (cfg->progressive.enabled)
        rc = run_progressive(conn, ci, w, cfg, mix, e);
    else
        rc = run_benchmark(conn, ci, w, cfg, mix, embedded, e);
    if (cfg->check && rc != 130 && !sdb_interrupted) {
        sdb_cancel_guard_arm(guard, true);
        int crc = run_checks(conn, w, e);
        if (rc == 0)
            rc = crc;
    }
    return rc;
}

int sdb_main(int argc, char **argv, const sdb_workload_def *w)
{
    char progname[128];
    snprintf(progname, sizeof progname, "stormdb-%s", w->name);
    sdb_set_progname(progname);
    if (w->abi_version != SDB_ABI_VERSION) {
        sdb_error("this workload was compiled for runtime ABI %d, but the runtime is ABI %d: "
                  "rebuild it with the matching swlc",
                  w->abi_version, SDB_ABI_VERSION);
        return 2;
    }
    if (w->nmixes < 1 || w->ntxs < 1) {
        sdb_error("workload %s defines no transactions", w->name);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    sdb_config cfg;
    sdb_config_init(&cfg);
    int rc = sdb_config_parse(&cfg, argc, argv, w, stderr);
    if (rc != 0 || cfg.help || cfg.version || cfg.list) {
        if (rc == 0 && cfg.help)
            sdb_config_usage(w, progname, stdout);
        else if (rc == 0 && cfg.version)
            printf("%s %s (workload %s %s, from %s)\n", progname, SDB_VERSION, w->name,
                   w->version, w->source);
        else if (rc == 0 && cfg.list)
            print_list(w);
        sdb_config_free(&cfg);
        return rc;
    }
    sdb_threshold *checked;   /* parsed here so that a typo fails at once */
    if (thresholds_parse(&cfg, w, &checked) != 0) {
        sdb_config_free(&cfg);
        return 2;
    }
    free(checked);
    if (cfg.print_config) {
        sdb_config_print(&cfg, w, stdout);
        sdb_config_free(&cfg);
        return 0;
    }
    int mix = find_mix(w, cfg.workload);
    if (mix < 0) {
        sdb_error("unknown workload type '%s'; try --list", cfg.workload);
        sdb_config_free(&cfg);
        return 2;
    }
    run_env env;
    if (run_env_init(&env, w, &cfg) != 0) {
        run_env_free(&env);
        sdb_config_free(&cfg);
        return 2;
    }
    sdb_set_secret(cfg.password);
    sdb_signals_install();

    bool embedded = cfg.embedded;
    if (!embedded && !sdb_config_db_configured(&cfg)) {
        if (default_server_answers()) {
            sdb_info("no database configured: using libpq's defaults (as psql would)");
        } else {
            sdb_info("no database configured and no server answers at libpq's default "
                     "address: starting an embedded cluster (give --host/--dbname or -c "
                     "to use your own)");
            embedded = true;
        }
    }
    if (cfg.keep_embedded && !embedded)
        sdb_warn("--keep-embedded has no effect without an embedded cluster");

    sdb_embedded *emb = NULL;
    PGconn *conn = NULL;
    sdb_cancel_guard *guard = NULL;
    sdb_conninfo ci;
    if (embedded) {
        char err[1024];
        sdb_embedded_opts eo = {.settings = NULL, .cancel = &sdb_interrupted, .verbose = false,
                                .keep = cfg.keep_embedded};
        sdb_info("starting an embedded PostgreSQL cluster ...");
        emb = sdb_embedded_start(&eo, err, sizeof err);
        if (!emb) {
            sdb_error("cannot start the embedded cluster: %s", err);
            rc = sdb_interrupted ? 130 : 1;
            goto out;
        }
        sdb_info("embedded cluster ready in %s (port %d)", sdb_embedded_socket_dir(emb),
                 sdb_embedded_port(emb));
        sdb_conninfo_build(&ci, &cfg, w->name, sdb_embedded_socket_dir(emb),
                           sdb_embedded_port(emb), sdb_embedded_user(emb),
                           sdb_embedded_dbname(emb));
    } else {
        sdb_conninfo_build(&ci, &cfg, w->name, NULL, 0, NULL, NULL);
    }

    char err[1024];
    conn = sdb_connect(&ci, err, sizeof err);
    if (!conn) {
        sdb_error("cannot connect: %s", err);
        rc = 1;
        goto out;
    }
    /* Ctrl-C cancels a blocked setup, cleanup or check query at once (the
     * run disarms it: the engine handles interrupts itself) */
    guard = sdb_cancel_guard_start(conn);
    if (cfg.cleanup) {
        rc = sdb_tables_drop_checked(conn, w, cfg.force);
        if (rc != 0 && sdb_interrupted)
            rc = 130;
        goto out;
    }
    rc = run_and_check(conn, &ci, w, &cfg, mix, embedded, &env, guard);

out:
    sdb_cancel_guard_stop(guard);
    PQfinish(conn);
    if (emb)
        sdb_embedded_stop(emb, cfg.keep_embedded);
    run_env_free(&env);
    sdb_config_free(&cfg);
    sdb_set_secret(NULL);
    return rc;
}
