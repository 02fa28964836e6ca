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

#include "config.h"
#include "conn.h"
#include "embedded.h"
#include "report.h"
#include "setup.h"
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

/* Makes sure the tables exist and are loaded, creating them when asked. */
static int prepare_tables(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                          const sdb_config *cfg, bool embedded)
{
    if (cfg->rebuild) {
        if (sdb_tables_drop(conn, w))
            return 1;
        return sdb_setup_run(conn, ci, w, cfg->scale, cfg->seed);
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
            return sdb_setup_run(conn, ci, w, cfg->scale, cfg->seed);
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

static int run_benchmark(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                         const sdb_config *cfg, int mix, bool embedded)
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
        .scale = scale, .seed = cfg->seed, .duration_s = cfg->duration_s,
        .summary_interval_s = cfg->no_summary ? 0 : cfg->summary_interval_s,
    };
    sdb_info("running %s: %d workers on %d threads for %.0f s at scale %lld",
             w->mixes[mix].name, cfg->workers, threads, cfg->duration_s, (long long)scale);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sdb_run_result r;
    int rc = sdb_run_execute(&o, &r);
    if (rc != 0) {
        sdb_error("the run could not start: %s", r.error);
        sdb_stats_free(&r.stats);
        return 1;
    }
    sdb_report_info ri = {
        .w = w, .cfg = cfg, .mix = mix, .scale = scale, .threads = threads, .seed = cfg->seed,
        .target = target, .server_version = version, .embedded = embedded,
        .start_unix = (double)tv.tv_sec + (double)tv.tv_usec / 1e6,
    };
    sdb_report_console(stdout, &ri, &r);
    if (cfg->json_path && sdb_report_json(cfg->json_path, &ri, &r) == 0)
        sdb_info("JSON report written to %s", cfg->json_path);
    else if (cfg->json_path)
        rc = 1;
    if (r.error[0]) {
        sdb_error("%s", r.error);
        rc = 1;
    } else if (r.interrupted) {
        rc = 130;
    }
    sdb_stats_free(&r.stats);
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
    int mix = find_mix(w, cfg.workload);
    if (mix < 0) {
        sdb_error("unknown workload type '%s'; try --list", cfg.workload);
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
        rc = sdb_tables_drop(conn, w);
        goto out;
    }
    if (prepare_tables(conn, &ci, w, &cfg, embedded)) {
        rc = sdb_interrupted ? 130 : 1;
        goto out;
    }
    if (sdb_interrupted) {
        rc = 130;
        goto out;
    }
    rc = run_benchmark(conn, &ci, w, &cfg, mix, embedded);

out:
    PQfinish(conn);
    if (emb)
        sdb_embedded_stop(emb, cfg.keep_embedded);
    sdb_config_free(&cfg);
    sdb_set_secret(NULL);
    return rc;
}
