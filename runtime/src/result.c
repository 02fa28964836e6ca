/*
 * result.c — reading statement results from generated code (stormdb.h,
 * "Reading results").  An sdb_result is a PGresult owned by the worker
 * engine; these functions only read it.  Values arrive in text format.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "stormdb.h"

static const PGresult *pg(const sdb_result *r)
{
    return (const PGresult *)(const void *)r;
}

const sdb_result *sdb_result_get(sdb_ctx *c, int k)
{
    if (k < 0 || k >= c->nresults)
        return NULL;
    if (c->results[k])
        return c->results[k];
    /* kept earlier in this batch: find it among the kept ones */
    return NULL;
}

const sdb_result *sdb_result_keep(sdb_ctx *c, int k, const char *where)
{
    if (k < 0 || k >= c->nresults || !c->results[k]) {
        sdb_rt_error(c, where, "no result to keep");
        return NULL;
    }
    if (c->nkept >= SDB_MAX_KEPT) {
        sdb_rt_error(c, where, "too many results kept in one transaction");
        return NULL;
    }
    sdb_result *r = c->results[k];
    c->kept[c->nkept++] = r;
    c->results[k] = NULL;   /* now freed at the end of the transaction */
    return r;
}

void sdb_result_release(sdb_ctx *c, const sdb_result *r)
{
    if (!r)
        return;
    for (int k = 0; k < c->nkept; k++) {
        if (c->kept[k] == r) {
            PQclear((PGresult *)(uintptr_t)r);
            c->kept[k] = c->kept[--c->nkept];
            c->kept[c->nkept] = NULL;
            return;
        }
    }
}

int64_t sdb_result_rows(const sdb_result *r)
{
    return r ? PQntuples(pg(r)) : 0;
}

/* Called after every statement (the generated code sets found/affected from
 * it), so it avoids the command tag where it can: a result with rows has a
 * tag count equal to its rows whenever the tag has one (SELECT n, INSERT/
 * UPDATE/DELETE ... RETURNING, FETCH n), and the rows otherwise. */
int64_t sdb_result_affected(const sdb_result *r)
{
    if (!r)
        return 0;
    if (PQresultStatus(pg(r)) == PGRES_TUPLES_OK)
        return PQntuples(pg(r));
    /* PQcmdTuples takes a non-const PGresult but only reads it */
    const char *t = PQcmdTuples((PGresult *)(uintptr_t)r);
    if (!t || !*t)
        return PQntuples(pg(r));
    /* the tag's count: decimal digits, at most a uint64 */
    int64_t n = 0;
    for (; *t >= '0' && *t <= '9' && n <= (INT64_MAX - 9) / 10; t++)
        n = n * 10 + (*t - '0');
    return n;
}

int sdb_result_isnull(const sdb_result *r, int64_t row, int col)
{
    if (!r || row < 0 || row >= PQntuples(pg(r)) || col < 0 || col >= PQnfields(pg(r)))
        return 1;
    return PQgetisnull(pg(r), (int)row, col);
}

/* The text of (row, col), or NULL after reporting why there is none. */
static const char *cell(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    if (!r) {
        sdb_rt_error(c, where, "the statement returned no result");
        return NULL;
    }
    if (row < 0 || row >= PQntuples(pg(r))) {
        sdb_rt_error(c, where, "row out of range of the statement's result");
        return NULL;
    }
    if (col < 0 || col >= PQnfields(pg(r))) {
        sdb_rt_error(c, where, "the statement's result has fewer columns than captured");
        return NULL;
    }
    if (PQgetisnull(pg(r), (int)row, col)) {
        sdb_rt_error(c, where, "NULL where a value was expected");
        return NULL;
    }
    return PQgetvalue(pg(r), (int)row, col);
}

int64_t sdb_result_int(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    if (!t)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (errno || end == t || *end) {
        /* numeric text such as "12.00" that holds an integer */
        double d = strtod(t, &end);
        if (end != t && !*end && d == (double)(long long)d)
            return (long long)d;
        sdb_rt_error(c, where, "the column is not an integer");
        return 0;
    }
    return v;
}

double sdb_result_float(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    if (!t)
        return 0;
    char *end;
    double v = strtod(t, &end);
    if (end == t || *end) {
        sdb_rt_error(c, where, "the column is not a number");
        return 0;
    }
    return v;
}

int sdb_result_bool(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    if (!t)
        return 0;
    if (strcmp(t, "t") == 0 || strcmp(t, "true") == 0)
        return 1;
    if (strcmp(t, "f") == 0 || strcmp(t, "false") == 0)
        return 0;
    sdb_rt_error(c, where, "the column is not a boolean");
    return 0;
}

sdb_str sdb_result_str(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    sdb_str s = {"", 0};
    if (t) {
        s.ptr = t;
        s.len = (uint32_t)PQgetlength(pg(r), (int)row, col);
    }
    return s;
}

int64_t sdb_result_timestamp(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    int64_t us = 0;
    if (t && sdb_parse_timestamp(t, &us) != 0)
        sdb_rt_error(c, where, "the column is not a timestamp");
    return us;
}

int64_t sdb_result_date(sdb_ctx *c, const sdb_result *r, int64_t row, int col, const char *where)
{
    const char *t = cell(c, r, row, col, where);
    int64_t days = 0;
    if (t && sdb_parse_date(t, &days) != 0)
        sdb_rt_error(c, where, "the column is not a date");
    return days;
}
