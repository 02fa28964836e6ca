/*
 * probe.h — numbers read from the server around a run: the workload's
 * probes (before/after), the database's committed + rolled-back
 * transaction count (pg_stat_database), and the NURand C-Load the data was
 * made with.
 */
#ifndef SDB_PROBE_H
#define SDB_PROBE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "stormdb.h"

typedef struct sdb_probe_result {
    double before;          /* value before the run */
    double after;           /* value after the run */
    bool ok;                /* both values were read */
    char error[256];        /* why not, when !ok */
} sdb_probe_result;

/* Reads every probe of w into res[i].before (after == false) or .after.
 * A probe that fails or returns no number is marked !ok with its error;
 * the run goes on. */
void sdb_probes_read(PGconn *conn, const sdb_workload_def *w, sdb_probe_result *res,
                     bool after);

/* xact_commit + xact_rollback of the current database.  After a run, call
 * with settle = true: the workers' backends publish their counts when they
 * exit, so it waits (up to 2 s) until two reads 100 ms apart agree.
 * Returns false when the view cannot be read. */
bool sdb_server_xacts(PGconn *conn, bool settle, int64_t *xacts);

/* Runs w->nurand_load.  Returns 1 and fills c_load (a NULL column keeps
 * the value already there) when it returned a row, 0 when the workload has
 * no nurand_load or it returned no row, -1 on an error (printed). */
int sdb_nurand_read(PGconn *conn, const sdb_workload_def *w, int64_t c_load[3]);

#endif
