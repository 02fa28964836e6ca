/*
 * ctx.c — what generated code calls to bind parameters, queue statements and
 * write COPY fields (stormdb.h).  All of it runs on the hot path: no locks,
 * no allocation (except growing a COPY buffer for an unusually long row),
 * no formatted printing for integers and strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copybuf.h"
#include "stormdb.h"
#include "util.h"

static char *param_space(sdb_ctx *c, int i, size_t need, const char *what)
{
    if (i < 0 || i >= SDB_MAX_PARAMS) {
        sdb_rt_error(c, what, "parameter index out of range");
        return NULL;
    }
    if (c->parambuf_used + need > sizeof c->parambuf) {
        sdb_rt_error(c, what, "too much parameter text in one statement");
        return NULL;
    }
    return c->parambuf + c->parambuf_used;
}

void sdb_bind_int(sdb_ctx *c, int i, int64_t v)
{
    char *p = param_space(c, i, 24, "sdb_bind_int");
    if (!p)
        return;
    size_t n = sdb_fmt_i64(p, v);
    p[n] = '\0';
    c->param_values[i] = p;
    c->param_lengths[i] = (int)n;
    c->parambuf_used += n + 1;
}

void sdb_bind_float(sdb_ctx *c, int i, double v)
{
    char *p = param_space(c, i, 32, "sdb_bind_float");
    if (!p)
        return;
    int n = snprintf(p, 32, "%.17g", v);
    c->param_values[i] = p;
    c->param_lengths[i] = n;
    c->parambuf_used += (size_t)n + 1;
}

void sdb_bind_str(sdb_ctx *c, int i, sdb_str v)
{
    /* libpq reads text parameters up to a NUL, so the value is copied with
     * a terminator (an arena string has none). */
    char *p = param_space(c, i, (size_t)v.len + 1, "sdb_bind_str");
    if (!p)
        return;
    memcpy(p, v.ptr, v.len);
    p[v.len] = '\0';
    c->param_values[i] = p;
    c->param_lengths[i] = (int)v.len;
    c->parambuf_used += (size_t)v.len + 1;
}

void sdb_bind_null(sdb_ctx *c, int i)
{
    if (i < 0 || i >= SDB_MAX_PARAMS) {
        sdb_rt_error(c, "sdb_bind_null", "parameter index out of range");
        return;
    }
    c->param_values[i] = NULL;
    c->param_lengths[i] = 0;
}

void sdb_exec(sdb_ctx *c, int stmt, int nparams)
{
    c->stmt = stmt;
    c->nparams = nparams;
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
    if (!reserve(b, 32))
        return;
    separator(b);
    b->len += (size_t)snprintf(b->buf + b->len, 32, "%.17g", v);
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
