/*
 * setup.h — creating, loading, checking and dropping a workload's tables.
 */
#ifndef SDB_SETUP_H
#define SDB_SETUP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "stormdb.h"

/* What exists of the workload's tables. */
typedef struct sdb_tables_state {
    int existing;            /* how many of w->tables exist */
    int owned;               /* ... of which carry SDB_OWNER_MARK */
    bool complete;           /* every table exists with SDB_COMPLETE_MARK */
    bool loaded;             /* every loaded table exists and has a row */
    char missing[512];       /* "a, b" (truncated) */
} sdb_tables_state;

/* Inspects the tables.  Returns 0, or 1 with a message printed. */
int sdb_tables_inspect(PGconn *conn, const sdb_workload_def *w, sdb_tables_state *st);

/*
 * Ownership.  When the schema of --setup/--rebuild creates a table of
 * w->tables, stormdb marks it with a comment line SDB_OWNER_MARK + workload
 * name ("created by stormdb workload pgbench"), appended to any comment the
 * schema gave it.  A comment lives with the table: dropping the table by
 * hand and recreating it loses the mark, pg_dump/pg_restore keep it, and no
 * extra table is needed.  A table without the mark (made by `pgbench -i`,
 * by hand, by another workload, or by a stormdb older than the mark) is
 * "foreign".
 */
#define SDB_OWNER_MARK "created by stormdb workload "
/* The comment line sdb_setup_run adds to every table of w->tables once the
 * whole setup (schema, load, after-load commands, vacuum) has finished: a
 * table with the owner mark but not this one belongs to a setup that was
 * interrupted, and --setup redoes it. */
#define SDB_COMPLETE_MARK "stormdb setup complete"

/* Drops the workload's tables that exist, only those of w->tables.  When
 * one of them is foreign: without force, drops nothing and prints an error
 * naming every foreign table and how to override (--force), returns 1;
 * with force, prints a warning naming them and drops them too.  Returns 0,
 * or 1 with a message printed. */
int sdb_tables_drop_checked(PGconn *conn, const sdb_workload_def *w, bool force);

/* sdb_tables_drop_checked(conn, w, false). */
int sdb_tables_drop(PGconn *conn, const sdb_workload_def *w);

/* The values every loader context needs besides the scale. */
typedef struct sdb_load_env {
    int64_t scale;
    uint64_t seed;
    const sdb_value *params;    /* w->nparams resolved values */
    const int64_t *nurand_c;    /* C-Load for A = 255, 1023, 8191 */
    int64_t *sequences;         /* w->nsequences shared counters */
    int threads;                /* loader connections; 0 = one per CPU, at least 2 */
} sdb_load_env;

/* Rows of one chunk of a load: fixed, so the rows made (and the random
 * stream of each) do not depend on the number of loader threads. */
#define SDB_LOAD_CHUNK_ROWS INT64_C(500000)
/* A load is split into chunks when it has at least two chunks' worth of
 * rows, or more than one chunk's and its COPY text is estimated (from a
 * sample of its rows) at more than this many bytes.  Below that, one
 * TRUNCATE + COPY FREEZE stream is as fast or faster: a table loaded in
 * parallel chunks needs a VACUUM (FREEZE) pass afterwards, and a second
 * chunk much smaller than the first gains little (whole set-ups measured on
 * 2 cores: pgbench's tables at scale 6, 0.56 s as one stream and 0.61 s in
 * two chunks; at scale 10 and 20, even; 1,000,000 rows of ten integer
 * columns, 0.91 s and 0.78 s). */
#define SDB_LOAD_PARALLEL_BYTES (64.0 * 1024 * 1024)

/*
 * Runs the schema, marks the tables of w->tables it created (those that
 * did not exist before it) as stormdb's (see SDB_OWNER_MARK), then loads
 * every table: each load is cut into chunks of
 * SDB_LOAD_CHUNK_ROWS rows, chunk k made from the random stream of (seed,
 * load index, k), and a pool of env->threads loader threads (each with its
 * own connection) takes chunks from a shared queue.  A load of one chunk
 * is TRUNCATE + COPY ... WITH (FREEZE) in one transaction; a load of several
 * is truncated once, then its chunks COPY in parallel.  Then, in parallel
 * on the pool's connections, VACUUM (FREEZE) of the tables loaded in
 * several chunks (their rows need the hint bits, frozen rows and
 * all-visible pages COPY FREEZE gave the others), then the after-load
 * commands (on conn), then ANALYZE of every loaded table, in parallel.
 * Prints progress every 2 s and timings.  An
 * interrupt (sdb_interrupted) aborts every COPY and cancels running
 * commands.  Returns 0, or 1 with a message printed (located at the .swl
 * command that failed).
 */
int sdb_setup_run(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                  const sdb_load_env *env);

/*
 * data_loading.mode sql or dump: loads the workload's tables from `file`
 * instead of its schema and loads.  A SQL file (mode sql, or a plain-text
 * pg_dump) runs with `psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f
 * FILE`; a custom, tar or directory dump (pg_dump -Fc/-Ft/-Fd) with
 * `pg_restore --no-owner --no-privileges --exit-on-error
 * --single-transaction -d DB FILE`: a file that fails leaves nothing.  They connect where conn is connected (host,
 * port, user, database and sslmode from it; the password through
 * PGPASSWORD in their environment, never on a command line).  Then every
 * table of the workload must exist (else the message names the missing
 * ones); they are marked as stormdb's, set up completely (SDB_OWNER_MARK,
 * SDB_COMPLETE_MARK) and analysed.  Returns 0, or 1 with a message.
 */
int sdb_setup_from_file(PGconn *conn, const sdb_workload_def *w, bool dump, const char *file);

/*
 * Makes sure every extension of w->extensions exists in the database: when
 * pg_extension has it, fine; else when pg_available_extensions lists it,
 * creates it (CREATE EXTENSION IF NOT EXISTS) when `create`, otherwise says
 * to run --setup; else reports that the server lacks it (with the Debian
 * package to install).  Returns 0; 1 after a database error or when the
 * extension is available but not created and !create; 2 when the server does
 * not have it.  Messages are printed.
 */
int sdb_setup_extensions(PGconn *conn, const sdb_workload_def *w, bool create);

/* Runs w->scale_query.  Returns 1 and sets *scale when it gave a positive
 * integer, 0 when the workload has none or it gave nothing usable, -1 on a
 * server error (printed). */
int sdb_scale_detect(PGconn *conn, const sdb_workload_def *w, int64_t *scale);

/* Runs a query of the workload's header (scale_query, nurand_load).
 * Returns its rows, or NULL after printing "WHERE: WHAT: message". */
PGresult *sdb_query_rows(PGconn *conn, const sdb_sql *q, const char *what);

/* Runs one command of the source; on error prints "WHERE: error: ..." and
 * returns 1. */
int sdb_exec_sql(PGconn *conn, const sdb_sql *cmd);

#endif
