/*
 * main.c — sdb_main: the program every workload binary runs.
 *
 * Exit status: 0 success; 1 a database, setup or run error; 2 a usage or
 * configuration error; 130 interrupted (SIGINT/SIGTERM) — the report of what
 * ran is still printed and written.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "check.h"
#include "config.h"
#include "conn.h"
#include "embedded.h"
#include "params.h"
#include "probe.h"
#include "report.h"
#include "setup.h"
#include "threshold.h"
#include "stormdb.h"
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
    if (cfg->setup || embedded) {
        if (st.existing == w->ntables && st.loaded) {
            sdb_info("the tables of workload %s exist and hold data: using them as they are",
                     w->name);
            return 0;
        }
        if (st.existing == 0)
            return setup(conn, ci, w, cfg, e);
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
    if (!st.loaded)
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

/* Checks the thresholds before a run, so a typo fails at once.  Returns 0,
 * or 2 after a message. */
static int thresholds_check(const sdb_config *cfg, const sdb_workload_def *w)
{
    for (int i = 0; i < cfg->nthresholds; i++) {
        sdb_threshold t;
        char err[512];
        if (sdb_threshold_parse(cfg->thresholds[i], w, &t, err, sizeof err) != 0) {
            sdb_error("%s", err);
            return 2;
        }
    }
    return 0;
}

/* Evaluates and prints the thresholds; true when one failed. */
static bool thresholds_fail(const sdb_config *cfg, const sdb_workload_def *w,
                            const sdb_run_result *r)
{
    if (cfg->nthresholds == 0)
        return false;
    bool failed = false;
    printf("\nThresholds\n");
    for (int i = 0; i < cfg->nthresholds; i++) {
        sdb_threshold t;
        char err[512], value[64];
        if (sdb_threshold_parse(cfg->thresholds[i], w, &t, err, sizeof err) != 0)
            continue;   /* checked before the run */
        sdb_threshold_eval(&t, &r->stats, (double)r->elapsed_ns / 1e9);
        sdb_threshold_value_text(&t, value, sizeof value);
        printf("  %-32s %-4s (measured %s)\n", t.text, t.pass ? "PASS" : "FAIL", value);
        failed |= !t.pass;
    }
    if (failed)
        printf("  a threshold failed: exit status %d\n", SDB_EXIT_THRESHOLD);
    fflush(stdout);
    return failed;
}

static int run_benchmark(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                         const sdb_config *cfg, int mix, bool embedded, run_env *e)
{
    int64_t scale;
    if (choose_scale(conn, w, cfg, &scale))
        return 1;
    int threads = cfg->threads > 0 ? cfg->threads : sdb_ncpus();
    if (threads > cfg->workers)
        threads = cfg->workers;
    char target[512], version[32];
    sdb_conn_describe(conn, target, sizeof target);
    int v = PQserverVersion(conn);
    snprintf(version, sizeof version, "%d.%d", v / 10000, v % 10000);

    sdb_run_opts o = {
        .w = w, .conninfo = ci, .mix = mix, .workers = cfg->workers, .threads = threads,
        .connections = cfg->connections,
        .conn_mode = (sdb_conn_mode)(cfg->connection_mode_set ? (int)cfg->connection_mode
                                                              : w->default_conn_mode),
        .scale = scale, .seed = cfg->seed, .duration_s = cfg->duration_s,
        .summary_interval_s = cfg->no_summary ? 0 : cfg->summary_interval_s,
        .params = e->params.values, .nurand_c = e->c_run, .sequences = e->sequences,
        .rate_tps = cfg->rate_tps, .latency_limit_ns = (int64_t)(cfg->latency_limit_s * 1e9),
    };
    /* NURand: C-Run from the C-Load stored with the data, when it is */
    int64_t c_load[3] = {e->c_load[0], e->c_load[1], e->c_load[2]};
    int nr = sdb_nurand_read(conn, w, c_load);
    if (nr < 0)
        return 1;
    if (nr == 1) {
        sdb_params_nurand_run(cfg->seed, c_load, e->c_run);
        sdb_info("NURand C for A=255: C-Load %lld (stored with the data), C-Run %lld",
                 (long long)c_load[0], (long long)e->c_run[0]);
    }
    sdb_probe_result *probes = calloc((size_t)(w->nprobes > 0 ? w->nprobes : 1), sizeof *probes);
    if (!probes) {
        sdb_error("out of memory");
        return 1;
    }
    sdb_probes_read(conn, w, probes, false);
    int64_t xacts_before = 0, xacts_after = 0;
    bool have_xacts = sdb_server_xacts(conn, false, &xacts_before);

    sdb_info("running %s: %d workers on %d threads for %.0f s at scale %lld",
             w->mixes[mix].name, cfg->workers, threads, cfg->duration_s, (long long)scale);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sdb_run_result r;
    int rc = sdb_run_execute(&o, &r);
    if (rc != 0) {
        sdb_error("the run could not start: %s", r.error);
        sdb_run_result_free(&r);
        free(probes);
        return r.interrupted ? 130 : 1;
    }
    sdb_probes_read(conn, w, probes, true);
    have_xacts = have_xacts && sdb_server_xacts(conn, true, &xacts_after);
    sdb_report_info ri = {
        .w = w, .cfg = cfg, .mix = mix, .scale = scale, .threads = threads, .seed = cfg->seed,
        .target = target, .server_version = version, .embedded = embedded,
        .start_unix = (double)tv.tv_sec + (double)tv.tv_usec / 1e6,
        .probes = probes, .server_xacts_valid = have_xacts,
        .server_xacts = xacts_after - xacts_before,
        .nurand_c_run = e->c_run, .nurand_c_load = c_load,
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
    if (r.error[0]) {
        sdb_error("%s", r.error);
        rc = 1;
    } else if (r.interrupted) {
        rc = 130;
    } else if (thresholds_fail(cfg, w, &r)) {
        rc = SDB_EXIT_THRESHOLD;
    }
    sdb_run_result_free(&r);
    free(probes);
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
                         const sdb_config *cfg, int mix, bool embedded, run_env *e)
{
    bool setting_up = cfg->setup || cfg->rebuild || embedded;
    int rc = sdb_setup_extensions(conn, w, setting_up);
    if (rc != 0)
        return rc;
    if (cfg->check && !cfg->duration_flag && !setting_up)
        return run_checks(conn, w, e);
    if (e->params.n > 0) {
        char line[2048];
        sdb_params_describe(&e->params, w, line, sizeof line);
        sdb_info("parameters: %s", line);
    }
    if (prepare_tables(conn, ci, w, cfg, embedded, e))
        return sdb_interrupted ? 130 : 1;
    if (sdb_interrupted)
        return 130;
    rc = cfg->no_run ? 0 : run_benchmark(conn, ci, w, cfg, mix, embedded, e);
    if (cfg->check && rc != 130 && !sdb_interrupted) {
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
    if (thresholds_check(&cfg, w) != 0) {
        sdb_config_free(&cfg);
        return 2;
    }
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
    if (cfg.cleanup) {
        rc = sdb_tables_drop_checked(conn, w, cfg.force);
        goto out;
    }
    rc = run_and_check(conn, &ci, w, &cfg, mix, embedded, &env);

out:
    PQfinish(conn);
    if (emb)
        sdb_embedded_stop(emb, cfg.keep_embedded);
    run_env_free(&env);
    sdb_config_free(&cfg);
    sdb_set_secret(NULL);
    return rc;
}
