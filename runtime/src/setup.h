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
    bool loaded;             /* every loaded table exists and has a row */
    char missing[512];       /* "a, b" (truncated) */
} sdb_tables_state;

/* Inspects the tables.  Returns 0, or 1 with a message printed. */
int sdb_tables_inspect(PGconn *conn, const sdb_workload_def *w, sdb_tables_state *st);

/* Drops the workload's tables (only those its schema creates).  Returns 0 or
 * 1 with a message printed. */
int sdb_tables_drop(PGconn *conn, const sdb_workload_def *w);

/* Runs the schema, loads every table (in parallel, one connection per table,
 * COPY FREEZE), then the after-load commands.  Prints progress and timings.
 * Returns 0, or 1 with a message printed (located at the .swl command that
 * failed). */
int sdb_setup_run(PGconn *conn, const sdb_conninfo *ci, const sdb_workload_def *w,
                  int64_t scale, uint64_t seed);

/* Runs w->scale_query.  Returns 1 and sets *scale when it gave a positive
 * integer, 0 when the workload has none or it gave nothing usable, -1 on a
 * server error (printed). */
int sdb_scale_detect(PGconn *conn, const sdb_workload_def *w, int64_t *scale);

/* Runs one command of the source; on error prints "WHERE: error: ..." and
 * returns 1. */
int sdb_exec_sql(PGconn *conn, const sdb_sql *cmd);

#endif
