/*
 * ctx.c — what generated code calls to bind parameters, queue statements and
 * write COPY fields (stormdb.h).  All of it runs on the hot path: no locks,
 * no allocation (except growing a COPY buffer for an unusually long row),
 * no printf-family formatting (fmt.h formats floats, dates and times).
 */
#include <stdlib.h>
#include <string.h>

#include "copybuf.h"
#include "fmt.h"
#include "stormdb.h"
#include "util.h"

/* Reserves `need` bytes of parameter text for parameter i of the statement
 * being bound; NULL (with a run-time error) when a limit is exceeded. */
static char *param_space(sdb_ctx *c, int i, size_t need, const char *what)
{
    if (i < 0 || i >= SDB_MAX_PARAMS || c->nparam_values + i >= SDB_MAX_BATCH_PARAMS) {
        sdb_rt_error(c, what, "too many parameters in one batch of statements");
        return NULL;
    }
    if (c->parambuf_used + need > sizeof c->parambuf) {
        sdb_rt_error(c, what, "too much parameter text in one batch of statements");
        return NULL;
    }
    return c->parambuf + c->parambuf_used;
}

/* Publishes the text just written at p (n bytes) as parameter i. */
static void param_set(sdb_ctx *c, int i, char *p, size_t n)
{
    p[n] = '\0';
    c->param_values[c->nparam_values + i] = p;
    c->param_lengths[c->nparam_values + i] = (int)n;
    c->parambuf_used += n + 1;
}

void sdb_bind_int(sdb_ctx *c, int i, int64_t v)
{
    char *p = param_space(c, i, 24, "sdb_bind_int");
    if (p)
        param_set(c, i, p, sdb_fmt_i64(p, v));
}

void sdb_bind_float(sdb_ctx *c, int i, double v)
{
    char *p = param_space(c, i, SDB_FMT_FLOAT_MAX, "sdb_bind_float");
    if (p)
        param_set(c, i, p, sdb_fmt_float(p, v));
}

void sdb_bind_bool(sdb_ctx *c, int i, int v)
{
    char *p = param_space(c, i, 2, "sdb_bind_bool");
    if (p) {
        p[0] = v ? 't' : 'f';
        param_set(c, i, p, 1);
    }
}

void sdb_bind_timestamp(sdb_ctx *c, int i, int64_t us)
{
    char *p = param_space(c, i, SDB_FMT_TIMESTAMP_MAX, "sdb_bind_timestamp");
    if (p)
        param_set(c, i, p, sdb_fmt_timestamp(p, us));
}

void sdb_bind_date(sdb_ctx *c, int i, int64_t days)
{
    char *p = param_space(c, i, SDB_FMT_DATE_MAX, "sdb_bind_date");
    if (p)
        param_set(c, i, p, sdb_fmt_date(p, days));
}

void sdb_bind_str(sdb_ctx *c, int i, sdb_str v)
{
    /* libpq reads text parameters up to a NUL, so the value is copied with
     * a terminator (an arena string has none). */
    char *p = param_space(c, i, (size_t)v.len + 1, "sdb_bind_str");
    if (p) {
        memcpy(p, v.ptr, v.len);
        param_set(c, i, p, v.len);
    }
}

void sdb_bind_null(sdb_ctx *c, int i)
{
    if (i < 0 || i >= SDB_MAX_PARAMS || c->nparam_values + i >= SDB_MAX_BATCH_PARAMS) {
        sdb_rt_error(c, "sdb_bind_null", "too many parameters in one batch of statements");
        return;
    }
    c->param_values[c->nparam_values + i] = NULL;
    c->param_lengths[c->nparam_values + i] = 0;
}

void sdb_exec(sdb_ctx *c, int stmt, int nparams)
{
    if (c->nbatch >= SDB_MAX_BATCH) {
        sdb_rt_error(c, "sdb_exec", "too many statements in one batch");
        return;
    }
    if (nparams < 0 || c->nparam_values + nparams > SDB_MAX_BATCH_PARAMS) {
        sdb_rt_error(c, "sdb_exec", "too many parameters in one batch of statements");
        return;
    }
    c->batch[c->nbatch].stmt = stmt;
    c->batch[c->nbatch].nparams = nparams;
    c->batch[c->nbatch].first = c->nparam_values;
    c->nbatch++;
    c->nparam_values += nparams;
}

void sdb_count(sdb_ctx *c, int i, int64_t n)
{
    if (c->counters && i >= 0)
        c->counters[i] += n;
}

void sdb_sleep(sdb_ctx *c, double seconds)
{
    /* NaN and negative waits are 0; anything over a day is a day */
    c->sleep_ns = seconds > 0 ? (seconds < 86400 ? (int64_t)(seconds * 1e9) : INT64_C(86400000000000)) : 0;
}

/* ---- COPY text ---------------------------------------------------------- */

bool sdb_copybuf_init(sdb_copybuf *b)
{
    memset(b, 0, sizeof *b);
    b->cap = SDB_COPY_FLUSH * 2;
    b->buf = malloc(b->cap);
    return b->buf != NULL;
}

void sdb_copybuf_free(sdb_copybuf *b)
{
    free(b->buf);
    memset(b, 0, sizeof *b);
}

void sdb_copybuf_clear(sdb_copybuf *b)
{
    b->len = 0;
    b->nfields = 0;
}

/* Makes room for `need` more bytes plus a separator; false when out of
 * memory (the row is then dropped and the load fails). */
static bool reserve(sdb_copybuf *b, size_t need)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= need + 2)
        return true;
    size_t ncap = b->cap * 2;
    while (ncap - b->len < need + 2)
        ncap *= 2;
    char *nb = realloc(b->buf, ncap);
    if (!nb) {
        b->oom = true;
        return false;
    }
    b->buf = nb;
    b->cap = ncap;
    return true;
}

static void separator(sdb_copybuf *b)
{
    if (b->nfields++ > 0)
        b->buf[b->len++] = '\t';
}

void sdb_copybuf_end_row(sdb_copybuf *b)
{
    if (!reserve(b, 1))
        return;
    b->buf[b->len++] = '\n';
    b->nfields = 0;
}

void sdb_copy_int(sdb_copybuf *b, int64_t v)
{
    if (!reserve(b, 24))
        return;
    separator(b);
    b->len += sdb_fmt_i64(b->buf + b->len, v);
}

void sdb_copy_float(sdb_copybuf *b, double v)
{
    if (!reserve(b, SDB_FMT_FLOAT_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_float(b->buf + b->len, v);
}

void sdb_copy_bool(sdb_copybuf *b, int v)
{
    if (!reserve(b, 1))
        return;
    separator(b);
    b->buf[b->len++] = v ? 't' : 'f';
}

void sdb_copy_timestamp(sdb_copybuf *b, int64_t us)
{
    if (!reserve(b, SDB_FMT_TIMESTAMP_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_timestamp(b->buf + b->len, us);
}

void sdb_copy_date(sdb_copybuf *b, int64_t days)
{
    if (!reserve(b, SDB_FMT_DATE_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_date(b->buf + b->len, days);
}

void sdb_copy_null(sdb_copybuf *b)
{
    if (!reserve(b, 2))
        return;
    separator(b);
    b->buf[b->len++] = '\\';
    b->buf[b->len++] = 'N';
}

void sdb_copy_str(sdb_copybuf *b, sdb_str v)
{
    /* Worst case every byte is escaped into two. */
    if (!reserve(b, (size_t)v.len * 2))
        return;
    separator(b);
    char *o = b->buf + b->len;
    for (uint32_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        switch (ch) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        default: *o++ = (char)ch; break;
        }
    }
    b->len = (size_t)(o - b->buf);
}
