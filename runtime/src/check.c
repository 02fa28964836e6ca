/* check.c — see check.h. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "util.h"

const char *sdb_check_status_name(sdb_check_status st)
{
    switch (st) {
    case SDB_CHECK_PASS:  return "PASS";
    case SDB_CHECK_FAIL:  return "FAIL";
    case SDB_CHECK_ERROR: return "ERROR";
    }
    return "?";
}

/* Judges a query's rows: passes on one row whose first column is 't';
 * otherwise records what came back in r->got. */
static void judge(const PGresult *res, sdb_check_result *r)
{
    int rows = PQntuples(res);
    if (rows != 1 || PQnfields(res) < 1) {
        r->status = SDB_CHECK_FAIL;
        if (PQnfields(res) < 1)
            snprintf(r->got, sizeof r->got, "no columns");
        else if (rows == 0)
            snprintf(r->got, sizeof r->got, "no rows");
        else
            snprintf(r->got, sizeof r->got, "%d rows", rows);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        r->status = SDB_CHECK_FAIL;
        snprintf(r->got, sizeof r->got, "NULL");
        return;
    }
    const char *v = PQgetvalue(res, 0, 0);
    if (strcmp(v, "t") == 0) {
        r->status = SDB_CHECK_PASS;
        return;
    }
    r->status = SDB_CHECK_FAIL;
    size_t n = strlen(v);
    if (n >= sizeof r->got)
        snprintf(r->got, sizeof r->got, "%.*s...", (int)sizeof r->got - 4, v);
    else
        memcpy(r->got, v, n + 1);
}

/* Runs one check into r. */
static void run_one(PGconn *conn, const sdb_check_def *def, sdb_check_result *r)
{
    memset(r, 0, sizeof *r);
    r->def = def;
    int64_t t0 = sdb_now_ns();
    /* the extended protocol: one command only, no parameters pasted in */
    PGresult *res = PQexecParams(conn, def->sql, 0, NULL, NULL, NULL, NULL, 0);
    r->elapsed_ms = (double)(sdb_now_ns() - t0) / 1e6;
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        judge(res, r);
    } else if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        r->status = SDB_CHECK_FAIL;
        snprintf(r->got, sizeof r->got, "no rows (not a query)");
    } else {
        r->status = SDB_CHECK_ERROR;
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        if (primary)
            sdb_scrub(r->message, sizeof r->message, primary);
        else
            sdb_conn_error(conn, res, r->message, sizeof r->message);
    }
    PQclear(res);
}

int sdb_check_run_all(PGconn *conn, const sdb_workload_def *w, sdb_check_report *r)
{
    memset(r, 0, sizeof *r);
    if (w->nchecks <= 0)
        return 0;
    r->results = calloc((size_t)w->nchecks, sizeof *r->results);
    if (r->results == NULL) {
        sdb_error("out of memory");
        return -1;
    }
    r->n = w->nchecks;
    for (int i = 0; i < w->nchecks; i++) {
        run_one(conn, &w->checks[i], &r->results[i]);
        switch (r->results[i].status) {
        case SDB_CHECK_PASS:  r->passed++; break;
        case SDB_CHECK_FAIL:  r->failed++; break;
        case SDB_CHECK_ERROR: r->errors++; break;
        }
    }
    return r->failed || r->errors ? 1 : 0;
}

void sdb_check_print(FILE *out, const sdb_check_report *r)
{
    for (int i = 0; i < r->n; i++) {
        const sdb_check_result *c = &r->results[i];
        const char *desc = c->def->description ? c->def->description : "";
        fprintf(out, "%s %s", sdb_check_status_name(c->status), c->def->name);
        if (c->status == SDB_CHECK_ERROR) {
            fprintf(out, " \u2014 %s at %s\n", c->message, c->def->where);
            continue;
        }
        if (*desc)
            fprintf(out, " \u2014 %s", desc);
        if (c->status == SDB_CHECK_FAIL)
            fprintf(out, " (got: %s)", c->got);
        fputc('\n', out);
    }
    fprintf(out, "checks: %d passed, %d failed, %d error%s\n", r->passed, r->failed,
            r->errors, r->errors == 1 ? "" : "s");
}

void sdb_check_free(sdb_check_report *r)
{
    free(r->results);
    memset(r, 0, sizeof *r);
}
