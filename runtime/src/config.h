/*
 * config.h — the run's configuration: defaults, YAML file, environment and
 * command-line flags, with the names of the original StormDB.
 *
 * Precedence, highest first: command-line flags > STORMDB_DB_* environment
 * variables > YAML file (-c; its values may use ${VAR} and ${VAR:-default})
 * > libpq's PG* environment variables and ~/.pgpass (applied by libpq
 * itself, for database fields left unset here) > built-in defaults.  Within
 * the database fields, database.url is expanded first and every other field
 * set anywhere overrides the url's value of that field.
 *
 * Ownership: every string in sdb_config is heap-allocated and owned by the
 * config; sdb_config_free releases them.
 */
#ifndef SDB_CONFIG_H
#define SDB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "stormdb.h"

/* Where a value came from, for messages and --print-config. */
typedef enum sdb_source {
    SDB_SRC_DEFAULT = 0,
    SDB_SRC_ENV,
    SDB_SRC_FILE,
    SDB_SRC_FLAG
} sdb_source;

/* One setting of a workload parameter: `workload_config.NAME: VALUE` in the
 * file or `--set NAME=VALUE` / `-D NAME=VALUE` on the command line, kept as
 * text in the order given (file ones first); params.c checks the name and
 * parses the value by the parameter's type. */
typedef struct sdb_setting {
    char *name;
    char *value;
    char *name_where;         /* file: "FILE:LINE:COL" of the key; NULL for a flag */
    char *where;              /* file: "FILE:LINE:COL" of the value; NULL for a flag */
    sdb_source source;        /* SDB_SRC_FILE or SDB_SRC_FLAG */
} sdb_setting;

/* config key connection_mode (the engine's sdb_conn_mode has the same
 * order). */
typedef enum sdb_connection_mode {
    SDB_CONNECTION_PERSISTENT = 0,  /* connections kept for the whole run */
    SDB_CONNECTION_TRANSIENT,       /* a new connection per transaction */
    SDB_CONNECTION_MIXED            /* both */
} sdb_connection_mode;

/* Where one key got its value, for --print-config: the last entry of a key
 * wins (entries are appended as sources apply, lowest first). */
typedef struct sdb_origin {
    char *key;                /* "database.host", "workers", ... */
    sdb_source source;
    char *where;              /* "FILE:LINE", "--host", "STORMDB_DB_HOST" */
} sdb_origin;

/* progressive: connection scaling over bands (config section `progressive`
 * and --progressive).  Strategies as the original's: linear, exponential,
 * fibonacci and synchronized (connections = workers). */
typedef enum sdb_prog_strategy {
    SDB_PROG_LINEAR = 0, SDB_PROG_EXPONENTIAL, SDB_PROG_FIBONACCI, SDB_PROG_SYNCHRONIZED
} sdb_prog_strategy;

typedef struct sdb_progressive_cfg {
    bool enabled;             /* progressive.enabled / --progressive */
    sdb_prog_strategy strategy;
    int min_workers, max_workers;         /* 0 = unset: 1 .. workers */
    int min_connections, max_connections; /* 0 = unset: = the band's workers */
    int bands;                /* 2..64; default 5 (linear; the others
                               * make as many as fit, at most this many
                               * unless it was left unset) */
    bool bands_set;
    double test_duration_s;   /* measured window per band; default 30 s */
    double warmup_s;          /* before it, measured but excluded; default 10 s */
    double cooldown_s;        /* idle after it; default 5 s */
    char *export_csv;         /* file for the bands (CSV); NULL = none */
    char *export_json;        /* file for the bands, fits and recommendation */
    bool enable_analysis;     /* default true */
    double latency_budget_ms; /* the recommendation's p99 budget; 0 = none */
} sdb_progressive_cfg;

enum { SDB_LOAD_GENERATE = 0, SDB_LOAD_SQL, SDB_LOAD_DUMP };

typedef struct sdb_config {
    /* database.*; NULL = not set (libpq then uses PG* variables/defaults) */
    char *host;
    char *port;               /* kept as text, validated 1..65535 */
    char *dbname;
    char *user;               /* database.username, -u/--username */
    char *password;           /* never printed */
    char *sslmode;            /* disable|allow|prefer|require|verify-ca|verify-full */
    char *sslcert;            /* client certificate file */
    char *sslkey;             /* client key file */
    char *sslrootcert;        /* CA certificate(s) to verify the server with */
    char *sslpassword;        /* passphrase of sslkey; never printed */
    char *url;                /* database.url: libpq connection string or URI;
                               * printed only with its password masked */
    PQconninfoOption *url_opts; /* url parsed by PQconninfoParse (owned:
                               * PQconninfoFree); NULL when no url */
    double connect_timeout_s; /* database.connection_timeout, seconds; 0 =
                               * default (30 s); sent to libpq rounded up to
                               * whole seconds (connect_timeout) */
    double query_timeout_s;   /* database.query_timeout, seconds; 0 = none;
                               * sent as options=-c statement_timeout=<ms> */
    int max_connections;      /* database.max_connections; 0 = unset */
    int max_idle_connections; /* database.max_idle_connections; -1 = unset */
    double conn_max_lifetime_s;  /* database.connection_max_lifetime; 0 = unset */
    double conn_max_idle_time_s; /* database.connection_max_idle_time; 0 = unset */
    sdb_source db_source;     /* highest source that set any database field */

    char *config_path;        /* -c/--config; NULL = none */
    char *workload;           /* workload type (mix name); NULL = default mix */
    char *workload_where;     /* "FILE:LINE:COL" when workload came from the
                               * file (for messages); NULL otherwise */
    int64_t scale;            /* 1..10^9; default 1 */
    bool scale_set;           /* given by file or flag */
    double duration_s;        /* seconds, > 0, <= 10 years; default 30 */
    bool duration_flag;       /* -d/--duration given on the command line */
    int workers;              /* concurrent sessions, 1..10000; default 4 */
    int connections;          /* default = workers; must be >= workers */
    bool connections_set;     /* given by file or flag */
    int threads;              /* client threads, 0..1024; 0 = automatic */
    double summary_interval_s;/* seconds; default 10; 0 = off (no_summary) */
    bool no_summary;
    uint64_t seed;            /* --seed; default from the clock */
    bool seed_set;
    sdb_connection_mode connection_mode; /* connection_mode; default persistent */
    bool connection_mode_set;
    char *mode;               /* `mode` (the original's IMDB read|write|mixed);
                               * accepted, not used */
    bool collect_pg_stats;    /* collect_pg_stats / --collect-pg-stats; not used yet */
    bool pg_stats_statements; /* pg_stats_statements / --pg-stat-statements; not used yet */
    sdb_origin *origins;      /* where each key set came from, norigins */
    int norigins;

    bool setup;               /* --setup */
    bool rebuild;             /* -r/--rebuild */
    bool cleanup;             /* --cleanup */
    bool force;               /* --force: --rebuild/--cleanup also drop tables
                               * stormdb did not create (with a warning) */
    bool print_config;        /* --print-config: the caller prints
                               * (sdb_config_print) and exits 0 */
    bool embedded;            /* --embedded */
    bool keep_embedded;       /* --keep-embedded */
    bool check;               /* --check: run the workload's checks */
    bool no_run;              /* --no-run: set up (and check) only */
    int load_threads;         /* --load-threads, 0..1024; 0 = automatic */
    sdb_setting *settings;    /* workload parameters set, nsettings of them */
    int nsettings;
    char *json_path;          /* --json FILE */
    char *csv_path;           /* --csv FILE */
    char **thresholds;        /* thresholds (file) then --threshold EXPR
                               * (flags), in the order given */
    char **thresholds_where;  /* per threshold: "FILE:LINE:COL" of a file
                               * one, NULL for a flag */
    int nthresholds;
    sdb_progressive_cfg progressive;
    int loading_mode;         /* data_loading.mode: SDB_LOAD_GENERATE (the
                               * workload's loads), SDB_LOAD_SQL (a SQL file
                               * run with psql) or SDB_LOAD_DUMP (a pg_dump
                               * file: pg_restore, or psql for a plain one) */
    char *loading_file;       /* data_loading.filepath (sql and dump) */
    char *loading_file_where; /* "FILE:LINE:COL" of the mode, for messages */
    bool abort_on_fail;       /* abort_on_fail / --abort-on-fail */
    bool on_error_stop;       /* on_error: stop / --on-error stop (default
                               * continue): end the run at the first failed
                               * transaction */
    int64_t max_errors;       /* max_errors / --max-errors N: end the run
                               * once N transactions failed; 0 = no limit */
    double rate_tps;          /* rate / --rate: open-loop arrivals per second
                               * over all workers; 0 = closed loop */
    double latency_limit_s;   /* latency_limit / --latency-limit (needs a
                               * rate); 0 = none */
    char *hdr_log_path;       /* hdr_log / --hdr-log FILE */
    int prometheus_port;      /* prometheus_port / --prometheus-port; -1 =
                               * off, 0 = any free port */
    char *html_path;          /* --html FILE */

    bool help;                /* -h/--help: usage printed, exit 0 */
    bool version;             /* -V/--version */
    bool list;                /* --list: workload types printed, exit 0 */
} sdb_config;

/* Fills cfg with defaults (seed from the clock and pid, seed_set false). */
void sdb_config_init(sdb_config *cfg);
/* Frees cfg's strings and sets them to NULL; cfg may be freed twice. */
void sdb_config_free(sdb_config *cfg);

/*
 * Parses argv (flags first, to find -c), loads the YAML file if any, then
 * applies the flags over it.  Messages go to err as
 * "stormdb-<name>: error: ..." or, for the file, "FILE:LINE:COL: error: ...";
 * every error found is reported, not only the first.  Resolves connections
 * (= workers when unset), checks connections >= workers and that workload
 * names one of w->mixes; sets summary_interval_s = 0 and no_summary together.
 * Returns 0 on success, 2 on a usage or configuration error.  --help,
 * --version and --list set their fields and return 0 at once (the caller
 * prints): the file is not read and flag values are not checked.
 * cfg must come from sdb_config_init.  Uses getopt_long (resets optind), so
 * it is not thread-safe, but may be called any number of times.
 */
int sdb_config_parse(sdb_config *cfg, int argc, char **argv,
                     const sdb_workload_def *w, FILE *err);

/* Loads one YAML file into cfg (used by sdb_config_parse; exposed for
 * tests).  Keys of the original StormDB not supported yet, and unknown keys,
 * give a warning; bad values give "FILE:LINE:COL: error: ..." (and the source
 * line, unless a password lies on it).  An empty file sets nothing.  Does not
 * check workload against the mixes (sdb_config_parse does).  Returns 0, or 2
 * after reporting. */
int sdb_config_load_yaml(sdb_config *cfg, const char *path, FILE *err);
/* The same on text[0..len) already in memory (path names it in messages);
 * text need not end with a NUL and may contain NULs.  For the fuzzer. */
int sdb_config_load_yaml_text(sdb_config *cfg, const char *path, const char *text, size_t len,
                              FILE *err);

/* Parses a duration: "90" (seconds), "90s", "1.5m", "2h", "1h30m", "500ms";
 * units ns, us, ms, s, m, h, in any order.  Returns 0 and sets *seconds
 * (0 allowed), or -1 when malformed, signed, not finite or over 10 years. */
int sdb_parse_duration(const char *text, double *seconds);

/* True when a database was configured anywhere: a database field set by
 * file, STORMDB_DB_* or flag, or one of PGHOST, PGHOSTADDR, PGPORT,
 * PGDATABASE, PGUSER, PGSERVICE in the environment. */
bool sdb_config_db_configured(const sdb_config *cfg);

/* Parses the whole of s as a signed decimal integer (optional '+' or '-';
 * with allow_underscore, also '_' between digits, as YAML 1.1 "1_000") into
 * *out.  Returns false on junk, no digit, or outside int64. */
bool sdb_config_parse_int64(const char *s, bool allow_underscore, int64_t *out);

/* The name that name_at(table, i) gives for some i in [0, n) closest to
 * word, when close enough to be a likely typo (edit distance 1 for words
 * under 5 bytes, else 2); NULL otherwise.  For "did you mean". */
typedef const char *(*sdb_name_at_fn)(const void *table, int i);
const char *sdb_config_closest_name(const char *word, const void *table, int n,
                                    sdb_name_at_fn name_at);

/* Applies the STORMDB_DB_{HOST,PORT,NAME,USER,PASSWORD,SSLMODE} variables
 * (an empty one counts as unset) over cfg; used by sdb_config_parse between
 * the file and the flags, exposed for tests.  Reports a bad port or sslmode
 * as "PROG: error: invalid value ... for STORMDB_DB_PORT" (PROG is the
 * program name).  Returns the number of errors. */
int sdb_config_apply_env(sdb_config *cfg, const char *prog, FILE *err);

/* The effective configuration as a JSON object (jansson's json_t *, new
 * reference; NULL when out of memory), for the report's run.config:
 * database fields with the password and sslpassword masked ("********")
 * and the url scrubbed, the run's settings, thresholds and the workload
 * parameters as given (a parameter whose name has "pass" or ends in "url"
 * masked, as --print-config does). */
struct json_t;
struct json_t *sdb_config_json(const sdb_config *cfg);

/* Registers every secret of cfg with util's scrubber (sdb_add_secret): the
 * password, the url's password (as written and decoded) and sslpassword.
 * sdb_config_parse calls it; calling it again is harmless. */
void sdb_config_register_secrets(const sdb_config *cfg);

/* Prints the effective configuration for --print-config: every key with
 * its value and where it came from (a flag, env STORMDB_X, FILE:LINE,
 * PG* variables or libpq's defaults, the default), as YAML with the source
 * in a comment; secrets (password, sslpassword, the url's password) are
 * printed as ********.  w gives the workload's name and parameters. */
void sdb_config_print(const sdb_config *cfg, const sdb_workload_def *w, FILE *out);

/* Prints --help for workload w (argv0 is unused: the name is always
 * stormdb-<w->name>). */
void sdb_config_usage(const sdb_workload_def *w, const char *argv0, FILE *out);

/* Prints w's workload types, one a line, "  NAME  DESCRIPTION", the default
 * (first) marked; for --list and --help. */
void sdb_config_print_types(const sdb_workload_def *w, FILE *out);

#endif
