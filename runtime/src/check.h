/*
 * check.h — running a workload's checks (`check NAME "description": SQL;`).
 *
 * A check passes when its query returns exactly one row whose first column
 * is true ('t').  Each result is printed as
 *     PASS name — description
 *     FAIL name — description (got: VALUE)
 *     ERROR name — message at FILE:LINE:COL
 * then a summary line.  The results are kept in an sdb_check_report for the
 * JSON report.
 */
#ifndef SDB_CHECK_H
#define SDB_CHECK_H

#include <libpq-fe.h>
#include <stdio.h>

#include "stormdb.h"

typedef enum sdb_check_status {
    SDB_CHECK_PASS = 0,
    SDB_CHECK_FAIL,             /* ran, but did not return one true row */
    SDB_CHECK_ERROR             /* the server reported an error */
} sdb_check_status;

typedef struct sdb_check_result {
    const sdb_check_def *def;   /* the workload's check (static storage) */
    sdb_check_status status;
    char got[128];              /* FAIL: the first column's text (cut), "NULL",
                                 * "no rows" or "N rows"; else "" */
    char message[512];          /* ERROR: the server's message (one line) */
    double elapsed_ms;          /* the query's wall time, ms */
} sdb_check_result;

typedef struct sdb_check_report {
    int n;                      /* w->nchecks */
    int passed, failed, errors;
    sdb_check_result *results;  /* n results, in the workload's order; owned */
} sdb_check_report;

/* Runs every check of w on conn, one at a time, each in its own implicit
 * transaction, and fills r (freed with sdb_check_free, also after a
 * failure).  Returns 0 when every check passed, 1 when one failed or
 * erred, -1 when out of memory (printed). */
int sdb_check_run_all(PGconn *conn, const sdb_workload_def *w, sdb_check_report *r);

/* Prints each result and the summary line
 * "checks: N passed, N failed, N errors" to out. */
void sdb_check_print(FILE *out, const sdb_check_report *r);

/* The word of a status: "PASS", "FAIL", "ERROR". */
const char *sdb_check_status_name(sdb_check_status st);

/* Frees r's storage; r may be freed twice. */
void sdb_check_free(sdb_check_report *r);

#endif
