/*
 * pgstats.h — what the server did during a run, read on one monitoring
 * connection of its own: database, WAL and checkpoint counters, connections
 * by state, a wait-event profile, lock waits, the workload's tables
 * (autovacuum, dead tuples, size growth), the settings that matter and,
 * optionally, the run's top statements from pg_stat_statements.
 *
 * Lifecycle (all calls from one thread, "the main thread", except where
 * said):
 *   sdb_pgstats_start    before the run: connects, reads the settings and
 *                        the "before" snapshot, starts the wait sampler;
 *   sdb_pgstats_sample   at every summary interval: one snapshot, one
 *                        interval row of deltas;
 *   sdb_pgstats_stop     after the run (once the workers have closed their
 *                        connections): stops the sampler, takes the "after"
 *                        snapshot, computes the run's deltas, disconnects;
 *   sdb_pgstats_json / _console / _row_at   reports, after stop;
 *   sdb_pgstats_free.
 *
 * One connection serves the main thread and the wait sampler thread: its
 * queries are serialised by a mutex.  The sampler's query takes about a
 * millisecond, so the main thread waits at most that long; a second
 * connection would cost the server a backend for nothing and count against
 * max_connections.  The monitor's statement_timeout is 2 s, which bounds
 * any wait.  Every monitor query starts with the comment
 * SDB_PGSTATS_MARK, so it is told apart from the workload's statements.
 *
 * Ownership: sdb_pgstats owns everything it points to; the options and the
 * connection parameters are borrowed during sdb_pgstats_start only.
 * Counters a server version does not have are SDB_PGSTATS_NA (-1), and are
 * null in the JSON.
 */
#ifndef SDB_PGSTATS_H
#define SDB_PGSTATS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"

#define SDB_PGSTATS_NA INT64_C(-1)          /* counter not available */
#define SDB_PGSTATS_MARK "/* stormdb-monitor */"
#define SDB_PGSTATS_DEFAULT_SAMPLE_MS 100   /* wait-event sampling period */
#define SDB_PGSTATS_DEFAULT_TOP 10          /* top statements kept */
#define SDB_PGSTATS_ROW_TOP 3               /* wait events kept per interval row */
#define SDB_PGSTATS_MAX_WAITS 256           /* distinct wait events kept */
#define SDB_PGSTATS_MAX_LOCKS 32            /* distinct (locktype, mode) kept */

/* The counters of one snapshot, in the column order of the snapshot query
 * (sdb_pgstats_plan.snapshot_sql).  Times are µs (the server's ms × 1000). */
typedef enum sdb_pgstats_counter {
    SDB_PGS_XACT_COMMIT,      /* pg_stat_database, the run's database */
    SDB_PGS_XACT_ROLLBACK,
    SDB_PGS_BLKS_READ,
    SDB_PGS_BLKS_HIT,
    SDB_PGS_TUP_RETURNED,
    SDB_PGS_TUP_FETCHED,
    SDB_PGS_TUP_INSERTED,
    SDB_PGS_TUP_UPDATED,
    SDB_PGS_TUP_DELETED,
    SDB_PGS_TEMP_FILES,
    SDB_PGS_TEMP_BYTES,
    SDB_PGS_DEADLOCKS,
    SDB_PGS_CONFLICTS,
    SDB_PGS_WAL_RECORDS,      /* cluster-wide; pg_stat_wal (14+), else NA */
    SDB_PGS_WAL_FPI,          /* full-page images; 14+, else NA */
    SDB_PGS_WAL_BYTES,        /* pg_stat_wal (14+), else = WAL_LSN_BYTES */
    SDB_PGS_WAL_LSN_BYTES,    /* advance of pg_current_wal_lsn(), all versions
                               * (NA on a standby): includes page headers, and
                               * unlike pg_stat_* has no flush lag */
    SDB_PGS_CKPT_TIMED,       /* checkpoints started by checkpoint_timeout */
    SDB_PGS_CKPT_REQUESTED,   /* by CHECKPOINT, max_wal_size, ... */
    SDB_PGS_CKPT_WRITE_US,    /* time writing checkpoint buffers, µs */
    SDB_PGS_CKPT_SYNC_US,     /* time syncing them, µs */
    SDB_PGS_BUF_CHECKPOINT,   /* buffers written by the checkpointer */
    SDB_PGS_BUF_CLEAN,        /* by the background writer */
    SDB_PGS_BUF_BACKEND,      /* by client backends (pg_stat_io from 17) */
    SDB_PGS_NCOUNTERS
} sdb_pgstats_counter;

/* The counter's name in the JSON ("xact_commit", "checkpoint_write_ms":
 * the two times are printed in ms). */
const char *sdb_pgstats_counter_name(sdb_pgstats_counter c);

/* Which queries and columns a server version needs.  Pure: no I/O. */
typedef struct sdb_pgstats_plan {
    int version_num;            /* server_version_num, e.g. 150018 */
    bool supported;             /* 12 <= major; false below 12 */
    bool tested;                /* 12 <= major <= 17 (newer use 17's plan) */
    bool wal_view;              /* pg_stat_wal (14+); else pg_current_wal_lsn() */
    bool checkpointer_view;     /* pg_stat_checkpointer (17+); else pg_stat_bgwriter */
    bool backend_writes_io;     /* backend writes from pg_stat_io (17+) */
    bool pgss_exec_time;        /* pg_stat_statements.total_exec_time (13+), else total_time */
    bool pgss_toplevel;         /* pg_stat_statements.toplevel exists (14+) */
    const char *wal_source;     /* "pg_stat_wal" | "pg_current_wal_lsn" */
    const char *checkpoint_source;  /* "pg_stat_bgwriter" | "pg_stat_checkpointer" */
    const char *backend_writes_source; /* "pg_stat_bgwriter" | "pg_stat_io" */
    const char *snapshot_sql;   /* $1 = the monitor's pid; SDB_PGS_NCOUNTERS
                                 * columns in counter order, then client
                                 * connections: total, active, idle, idle in
                                 * transaction, in the run's database */
    const char *pgss_total_col; /* "total_exec_time" | "total_time" */
} sdb_pgstats_plan;

/* The plan for server_version_num v (PQserverVersion).  Never fails; look
 * at .supported. */
sdb_pgstats_plan sdb_pgstats_plan_for(int v);

/* out[i] = after[i] - before[i] for every counter; NA where either is NA.
 * A counter that went down (its statistics were reset during the interval)
 * gives after[i], the count since the reset.  Returns true when a reset
 * was seen. */
bool sdb_pgstats_delta(const int64_t *after, const int64_t *before, int64_t *out);

/* 100 * hit / (hit + read), in percent; -1 when either is NA or there was
 * no block access at all (hit + read == 0).  No reads: 100. */
double sdb_pgstats_hit_ratio(int64_t hit, int64_t read);

/* One pg_stat_statements entry (a snapshot) or its delta over the run. */
typedef struct sdb_pgstats_stmt {
    int64_t queryid;
    int64_t calls;
    double total_ms;            /* total execution time, ms */
    int64_t rows;
    char *query;                /* normalised text (first 1000 bytes); owned
                                 * by the snapshot; borrowed by deltas */
} sdb_pgstats_stmt;

/* The statements that ran between two snapshots: for each entry of
 * `after` with calls above its entry in `before` (or not in `before`, or
 * fewer calls there: evicted or reset meanwhile, then its whole count),
 * the difference, into out (room for nafter).  Sorts `before` by queryid.
 * out is ordered by total_ms descending, then calls descending, then
 * queryid.  Returns the number of entries written. */
size_t sdb_pgstats_stmt_delta(sdb_pgstats_stmt *before, size_t nbefore,
                              const sdb_pgstats_stmt *after, size_t nafter,
                              sdb_pgstats_stmt *out);

/* One (wait_event_type, wait_event) of the profile.  Active client
 * backends that wait on nothing count as ("CPU", "CPU"). */
typedef struct sdb_pgstats_wait {
    char type[32];
    char event[64];
    int64_t samples;            /* backend-samples seen waiting on it */
    int64_t taken;              /* samples at the last interval row (main thread) */
} sdb_pgstats_wait;

typedef struct sdb_pgstats_lockwait {
    char locktype[32];          /* pg_locks.locktype: relation, transactionid, tuple ... */
    char mode[32];              /* the mode waited for */
    int64_t samples;            /* waiter-samples */
} sdb_pgstats_lockwait;

/* One interval between two snapshots (summary interval, or the last
 * stretch up to sdb_pgstats_stop). */
typedef struct sdb_pgstats_row {
    double t_s;                 /* end, seconds since the "before" snapshot */
    double length_s;            /* its length, s */
    int64_t d[SDB_PGS_NCOUNTERS];   /* deltas; NA where not available */
    bool reset;                 /* a counter was reset during it */
    double hit_ratio_pct;       /* -1 = no block access */
    double wal_bytes_per_s;     /* from wal_lsn_bytes (no lag), else wal_bytes;
                                 * -1 = not available */
    int conn_total, conn_active, conn_idle, conn_idle_in_tx, conn_in_db;
                                /* client backends at its end (the monitor
                                 * excluded); -1 = not read */
    int64_t wait_ticks;         /* sampler polls during it */
    int64_t lock_waiter_samples;/* backends seen waiting on a lock, summed over polls */
    int ntop;                   /* entries in top[] */
    struct {
        char name[100];         /* "Lock:transactionid", "CPU" */
        int64_t samples;        /* backend-samples during the interval */
    } top[SDB_PGSTATS_ROW_TOP];
} sdb_pgstats_row;

/* One workload table before and after the run (pg_stat_user_tables). */
typedef struct sdb_pgstats_table {
    char *name;                 /* as the workload names it */
    bool found;                 /* present in pg_stat_user_tables both times */
    int64_t n_live_tup, n_dead_tup;         /* after */
    int64_t n_dead_tup_before;
    int64_t vacuum, autovacuum, analyze, autoanalyze;   /* runs during the run */
    int64_t n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del; /* during the run */
    int64_t table_bytes_before, table_bytes_after;   /* pg_table_size (with TOAST) */
    int64_t index_bytes_before, index_bytes_after;   /* pg_indexes_size */
    bool found_raw[2];          /* internal: the before and after reads */
    int64_t raw[2][12];
} sdb_pgstats_table;

/* Whether the top statements could be collected. */
typedef enum sdb_pgstats_pgss_status {
    SDB_PGSS_OFF,               /* not asked for */
    SDB_PGSS_OK,
    SDB_PGSS_NOT_AVAILABLE,     /* the extension is not on the server (contrib) */
    SDB_PGSS_NOT_PRELOADED,     /* not in shared_preload_libraries */
    SDB_PGSS_NOT_INSTALLED,     /* no CREATE EXTENSION in the run's database */
    SDB_PGSS_ERROR              /* a query failed */
} sdb_pgstats_pgss_status;

typedef struct sdb_pgstats_opts {
    const sdb_conninfo *ci;     /* the run's connection parameters; the
                                 * monitor connects with them as
                                 * application_name "stormdb-monitor" */
    const char *const *tables;  /* the workload's tables (copied) */
    int ntables;
    int sample_ms;              /* wait-event sampling period; 0 = 100 ms,
                                 * < 0 = no sampler (no wait profile, no lock waits) */
    bool statements;            /* --pg-stat-statements */
    int top_statements;         /* statements kept; 0 = SDB_PGSTATS_DEFAULT_TOP */
} sdb_pgstats_opts;

/* The monitor.  Fields are written by the main thread, except those under
 * `lock`, which the sampler thread also writes. */
typedef struct sdb_pgstats {
    sdb_pgstats_plan plan;
    PGconn *conn;               /* NULL after stop; guarded by lock */
    int monitor_pid;
    char dbid[16];              /* the run's database oid, text */
    char dbname[128];
    char server_version[32];    /* "15.18" */
    int max_connections;        /* -1 = not read */
    char **setting_names, **setting_values; /* nsettings each, owned */
    int nsettings;
    char **tables_list;         /* the workload's table names, owned */
    int ntables_list;
    char *tables_param;         /* them as a text[] literal (owned) */

    int64_t t0_ns, last_ns;     /* monotonic times of the first and last snapshot */
    int64_t before[SDB_PGS_NCOUNTERS], last[SDB_PGS_NCOUNTERS], after[SDB_PGS_NCOUNTERS];
    bool have_before, have_after;
    int64_t run[SDB_PGS_NCOUNTERS];     /* after - before */
    bool run_reset;
    double run_s;               /* before to after snapshot, s */
    int peak_conn_total, peak_conn_active, peak_conn_in_db;

    sdb_pgstats_row *rows;      /* intervals (owned) */
    size_t nrows, caprows;

    sdb_pgstats_table *tables;  /* ntables_list entries (owned) */

    sdb_pgstats_pgss_status pgss_status;
    char pgss_message[256];     /* why not, when not OK */
    char *pgss_relation;        /* quoted "schema".pg_stat_statements (owned) */
    sdb_pgstats_stmt *pgss_before, *pgss_after;   /* snapshots (owned) */
    size_t npgss_before, npgss_after;
    sdb_pgstats_stmt *top;      /* the run's top statements, at most top_max
                                 * (queries borrowed from pgss_after) */
    size_t ntop, top_max;

    /* the sampler thread */
    int sample_ms;              /* 0 = no sampler */
    pthread_t sampler;
    bool sampler_running;       /* main thread only */
    pthread_mutex_t lock;       /* guards conn and everything below */
    pthread_cond_t wake;        /* signalled by stop; CLOCK_MONOTONIC */
    bool stopping;
    int64_t wait_ticks;         /* polls made */
    int64_t wait_backend_samples;   /* active backends seen, summed over polls */
    sdb_pgstats_wait waits[SDB_PGSTATS_MAX_WAITS];
    int nwaits;
    int64_t waits_dropped;      /* samples of events beyond MAX_WAITS */
    int64_t wait_ticks_taken;   /* wait_ticks at the last interval row */
    int64_t lock_samples_with_waiters;  /* polls that saw a lock waiter */
    int64_t lock_waiter_samples;        /* waiters, summed over polls */
    int64_t lock_waiter_taken;          /* lock_waiter_samples at the last row */
    int lock_max_waiters;       /* most waiters seen in one poll */
    sdb_pgstats_lockwait locks[SDB_PGSTATS_MAX_LOCKS];
    int nlocks;
    /* the monitor's own cost */
    int64_t queries;            /* queries sent */
    int64_t query_ns;           /* their total round-trip time */
    int64_t query_max_ns;
    int64_t sampler_queries, sampler_ns;    /* of which the sampler's */
    int64_t errors;             /* failed queries (the first is printed) */
    char first_error[256];
} sdb_pgstats;

/*
 * Connects the monitor, reads the version, the settings and the "before"
 * snapshot (database counters, tables, pg_stat_statements when asked),
 * and starts the sampler thread.  When pg_stat_statements is asked for but
 * cannot be used, says why (a warning) and goes on without it.  Returns the
 * monitor, or NULL with a message in err when it cannot connect, the
 * server is older than 12, the first snapshot fails or memory runs out:
 * the run can go on without it.
 */
sdb_pgstats *sdb_pgstats_start(const sdb_pgstats_opts *o, char *err, size_t errlen);

/* Takes a snapshot and appends the interval since the previous one as a
 * row.  Main thread.  A failed snapshot adds no row (the next row spans
 * both intervals) and returns false; the first failure is printed. */
bool sdb_pgstats_sample(sdb_pgstats *p);

/* Stops the sampler, closes the last interval row, waits (up to 2 s) until
 * the database's transaction counters settle (exiting backends publish
 * their counts late), takes the "after" snapshot of counters, tables and
 * statements, computes the run's deltas and disconnects.  Returns false
 * when the after snapshot failed (the run deltas are then missing).
 * Calling it twice does nothing the second time. */
bool sdb_pgstats_stop(sdb_pgstats *p);

/* Frees p (stops it first when needed); p may be NULL. */
void sdb_pgstats_free(sdb_pgstats *p);

/* The interval rows: sdb_pgstats_nrows of them, row i (NULL when out of
 * range).  Valid until sdb_pgstats_sample/stop/free. */
size_t sdb_pgstats_nrows(const sdb_pgstats *p);
const sdb_pgstats_row *sdb_pgstats_row_at(const sdb_pgstats *p, size_t i);

/* CSV columns for a time series: the header (with a leading comma, no
 * newline) and one row's fields (same order; a NULL row prints empty
 * fields): pg_wal_bytes (the WAL position's advance, else pg_stat_wal's
 * bytes), pg_wal_bytes_per_s, pg_hit_ratio_pct,
 * pg_xact_commit, pg_conn_active, pg_lock_waiters, then
 * pg_wait1..3 (name) and pg_wait1..3_samples. */
void sdb_pgstats_csv_header(FILE *out);
void sdb_pgstats_csv_fields(FILE *out, const sdb_pgstats_row *row);

/* The JSON object "server" (structure in docs/pgstats.md); a new
 * reference, NULL when out of memory.  After stop. */
json_t *sdb_pgstats_json(const sdb_pgstats *p);

/* The console "Server" section.  After stop. */
void sdb_pgstats_console(FILE *out, const sdb_pgstats *p);

/* The wait profile sorted by samples (descending, then name), into out
 * (room for SDB_PGSTATS_MAX_WAITS); returns the count.  After stop. */
int sdb_pgstats_wait_profile(const sdb_pgstats *p, sdb_pgstats_wait *out);

#endif
