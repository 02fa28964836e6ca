/* probe.c — see probe.h. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "setup.h"
#include "util.h"

/* The first column of the first row of sql as a number. */
static bool read_number(PGconn *conn, const char *sql, double *v, char *err, size_t errlen)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = false;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        sdb_conn_error(conn, res, err, errlen);
    } else if (PQntuples(res) < 1 || PQnfields(res) < 1 || PQgetisnull(res, 0, 0)) {
        snprintf(err, errlen, "the query returned no number");
    } else {
        char *end;
        const char *t = PQgetvalue(res, 0, 0);
        *v = strtod(t, &end);
        ok = end != t && *end == '\0';
        if (!ok)
            snprintf(err, errlen, "the query returned '%.60s', not a number", t);
    }
    PQclear(res);
    return ok;
}

void sdb_probes_read(PGconn *conn, const sdb_workload_def *w, sdb_probe_result *res,
                     bool after)
{
    for (int i = 0; i < w->nprobes; i++) {
        sdb_probe_result *p = &res[i];
        if (after && !p->ok && p->error[0])
            continue;   /* failed before the run: keep that error */
        double v = 0;
        char err[160];
        if (read_number(conn, w->probes[i].sql, &v, err, sizeof err)) {
            if (after) {
                p->after = v;
            } else {
                p->before = v;
                p->ok = true;
            }
        } else {
            p->ok = false;
            snprintf(p->error, sizeof p->error, "%.80s: %s", w->probes[i].where, err);
            sdb_warn("probe %s: %s", w->probes[i].name, p->error);
        }
    }
}

bool sdb_server_xacts(PGconn *conn, bool settle, int64_t *xacts)
{
    static const char sql[] =
        "SELECT xact_commit + xact_rollback FROM pg_stat_database "
        "WHERE datname = current_database()";
    char err[256];
    double v = 0, prev = -1;
    for (int tries = 0; tries < 20; tries++) {
        /* a new snapshot of the statistics each time */
        PQclear(PQexec(conn, "SELECT pg_stat_clear_snapshot()"));
        if (!read_number(conn, sql, &v, err, sizeof err))
            return false;
        if (!settle || v == prev)
            break;
        prev = v;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    *xacts = (int64_t)v;
    return true;
}

int sdb_nurand_read(PGconn *conn, const sdb_workload_def *w, int64_t c_load[3])
{
    if (!w->nurand_load)
        return 0;
    PGresult *res = sdb_query_rows(conn, w->nurand_load, "nurand_load");
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) >= 1) {
        for (int i = 0; i < 3 && i < PQnfields(res); i++)
            if (!PQgetisnull(res, 0, i))
                c_load[i] = strtoll(PQgetvalue(res, 0, i), NULL, 10);
        rc = 1;
    }
    PQclear(res);
    return rc;
}
