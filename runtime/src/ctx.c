/*
 * ctx.c — what generated code calls to bind parameters, queue statements and
 * write COPY fields (stormdb.h).  All of it runs on the hot path: no locks,
 * no allocation (except growing a COPY buffer for an unusually long row),
 * no printf-family formatting (fmt.h formats floats, dates and times).
 */
#include <stdbool.h>
#include <stdio.h>
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
    if (c->parambuf_used + need > c->parambuf_cap) {
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

/* ---- COPY binary -------------------------------------------------------- */

void sdb_copybuf_binary_header(sdb_copybuf *b)
{
    static const char sig[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
    if (!reserve(b, 19))
        return;
    memcpy(b->buf + b->len, sig, sizeof sig);
    sdb_put_be32(b->buf + b->len + 11, 0);   /* flags */
    sdb_put_be32(b->buf + b->len + 15, 0);   /* header extension length */
    b->len += 19;
}

void sdb_copybuf_binary_trailer(sdb_copybuf *b)
{
    if (!reserve(b, 2))
        return;
    sdb_put_be16(b->buf + b->len, 0xFFFF);
    b->len += 2;
}

int sdb_copy_bin_kind(const char *typname, sdb_val_kind val)
{
    static const struct { const char *type; sdb_val_kind val; sdb_bin_kind bin; } map[] = {
        { "int2", SDB_VAL_INT, SDB_BIN_INT2 },
        { "int4", SDB_VAL_INT, SDB_BIN_INT4 },
        { "int8", SDB_VAL_INT, SDB_BIN_INT8 },
        { "numeric", SDB_VAL_INT, SDB_BIN_NUMERIC },
        { "numeric", SDB_VAL_FLOAT, SDB_BIN_NUMERIC },
        { "float8", SDB_VAL_FLOAT, SDB_BIN_FLOAT8 },
        { "text", SDB_VAL_STR, SDB_BIN_TEXT },
        { "varchar", SDB_VAL_STR, SDB_BIN_TEXT },
        { "bpchar", SDB_VAL_STR, SDB_BIN_TEXT },
        { "json", SDB_VAL_STR, SDB_BIN_TEXT },
        { "jsonb", SDB_VAL_STR, SDB_BIN_JSONB },
        { "uuid", SDB_VAL_STR, SDB_BIN_UUID },
        { "bool", SDB_VAL_BOOL, SDB_BIN_BOOL },
        { "timestamp", SDB_VAL_TS, SDB_BIN_TIMESTAMP },
        { "date", SDB_VAL_DATE, SDB_BIN_DATE },
    };
    /* a column of only NULLs so far: binary only where any later value
     * would go as its text form */
    if (val == SDB_VAL_NONE)
        return strcmp(typname, "text") == 0 || strcmp(typname, "varchar") == 0
               || strcmp(typname, "bpchar") == 0 ? SDB_BIN_TEXT : 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].val == val && strcmp(map[i].type, typname) == 0)
            return map[i].bin;
    return 0;
}

/* Records the kind of value written into the current column (probing). */
static void probe_note(sdb_copybuf *b, sdb_val_kind k)
{
    int col = b->nfields;
    if (col >= b->probe_cap)
        return;
    uint8_t *seen = &b->probe[col];
    if (*seen == SDB_VAL_NONE)
        *seen = (uint8_t)k;
    else if (k != SDB_VAL_NONE && *seen != k)
        *seen = SDB_VAL_MIXED;
}

/* Binary: starts a field of `bytes` bytes (-1 = NULL) in the next column,
 * writing the row's field count first.  Returns where the value goes, or
 * NULL when out of memory or past the last column (error set). */
static char *bin_field(sdb_copybuf *b, int32_t bytes)
{
    if (b->error[0] || !reserve(b, (size_t)(bytes > 0 ? bytes : 0) + 6))
        return NULL;
    if (b->nfields >= b->ncols) {
        snprintf(b->error, sizeof b->error, "a row has more than %d fields", b->ncols);
        return NULL;
    }
    if (b->nfields++ == 0) {
        sdb_put_be16(b->buf + b->len, (uint16_t)b->ncols);
        b->len += 2;
    }
    sdb_put_be32(b->buf + b->len, (uint32_t)bytes);
    b->len += 4;
    char *o = b->buf + b->len;
    b->len += bytes > 0 ? (size_t)bytes : 0;
    return o;
}

static int bin_col(const sdb_copybuf *b)
{
    return b->nfields < b->ncols ? b->bin[b->nfields] : 0;
}

static void bin_mismatch(sdb_copybuf *b, const char *what)
{
    if (!b->error[0])
        snprintf(b->error, sizeof b->error, "column %d got %s, which its binary COPY "
                 "encoding cannot take", b->nfields + 1, what);
}

/* Numeric's binary form of a decimal text ("-12.5", "3", "1e+20", "NaN",
 * "Infinity"): base-10000 digits with weight, sign and display scale. */
static void bin_numeric_text(sdb_copybuf *b, const char *t, size_t n)
{
    uint16_t sign = 0;
    if (n == 3 && memcmp(t, "NaN", 3) == 0)
        sign = 0xC000;
    else if (n == 8 && memcmp(t, "Infinity", 8) == 0)
        sign = 0xD000;
    else if (n == 9 && memcmp(t, "-Infinity", 9) == 0)
        sign = 0xF000;
    if (sign) {
        char *o = bin_field(b, 8);
        if (o) {
            sdb_put_be16(o, 0);
            sdb_put_be16(o + 2, 0);
            sdb_put_be16(o + 4, sign);
            sdb_put_be16(o + 6, 0);
        }
        return;
    }
    const char *p = t, *end = t + n;
    if (p < end && *p == '-') {
        sign = 0x4000;
        p++;
    }
    /* the decimal digits, and the position of the point among them */
    char digits[64];
    int nd = 0, point = -1, exp10 = 0;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nd < (int)sizeof digits)
                digits[nd++] = *p;
        } else if (*p == '.') {
            point = nd;
        } else if (*p == 'e' || *p == 'E') {
            exp10 = atoi(p + 1);
            break;
        }
    }
    if (point < 0)
        point = nd;
    int dscale = nd - point - exp10;   /* digits after the point */
    point += exp10;
    if (dscale < 0)
        dscale = 0;
    /* the digits d[i] stand for 10^(point - 1 - i); group them by four,
     * aligned so that groups break at the point */
    int first = point - 1;                       /* exponent of digits[0] */
    int top = first >= 0 ? first / 4 : -((-first + 3) / 4);    /* its group */
    int16_t groups[40];
    int ng = 0;
    int weight = top;
    int16_t acc = 0;
    int cur = top;
    bool any = false;
    for (int i = 0; i < nd; i++) {
        int e = first - i;
        int g = e >= 0 ? e / 4 : -((-e + 3) / 4);
        while (g < cur) {
            if (ng < 40)
                groups[ng++] = acc;
            acc = 0;
            cur--;
        }
        static const int16_t pow10[4] = {1, 10, 100, 1000};
        acc = (int16_t)(acc + (digits[i] - '0') * pow10[e - g * 4]);
        any = true;
    }
    if (any && ng < 40)
        groups[ng++] = acc;
    /* strip leading and trailing zero groups */
    int lo = 0;
    while (lo < ng && groups[lo] == 0) {
        lo++;
        weight--;
    }
    while (ng > lo && groups[ng - 1] == 0)
        ng--;
    int count = ng - lo;
    if (count == 0) {
        weight = 0;
        sign = 0;
    }
    char *o = bin_field(b, 8 + 2 * count);
    if (!o)
        return;
    sdb_put_be16(o, (uint16_t)count);
    sdb_put_be16(o + 2, (uint16_t)(int16_t)weight);
    sdb_put_be16(o + 4, sign);
    sdb_put_be16(o + 6, (uint16_t)dscale);
    for (int i = 0; i < count; i++)
        sdb_put_be16(o + 8 + 2 * i, (uint16_t)groups[lo + i]);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* uuid's 16 bytes from its text (the forms uuid_in takes: 32 hex digits,
 * optionally with hyphens after groups of four and in braces). */
static void bin_uuid(sdb_copybuf *b, sdb_str v)
{
    unsigned char out[16];
    uint32_t i = 0, n = v.len;
    const char *s = v.ptr;
    bool brace = n > 0 && s[0] == '{';
    if (brace) {
        i = 1;
        if (n < 2 || s[n - 1] != '}') {
            snprintf(b->error, sizeof b->error, "invalid uuid in column %d", b->nfields + 1);
            return;
        }
        n--;
    }
    int got = 0;
    for (; i < n && got < 32; i++) {
        if (s[i] == '-' && got > 0 && got % 4 == 0)
            continue;
        int h = hexval(s[i]);
        if (h < 0)
            break;
        if (got % 2 == 0)
            out[got / 2] = (unsigned char)(h << 4);
        else
            out[got / 2] |= (unsigned char)h;
        got++;
    }
    if (got != 32 || i != n) {
        snprintf(b->error, sizeof b->error, "invalid uuid '%.*s' in column %d",
                 (int)(v.len < 40 ? v.len : 40), v.ptr, b->nfields + 1);
        return;
    }
    char *o = bin_field(b, 16);
    if (o)
        memcpy(o, out, 16);
}

static void bin_int(sdb_copybuf *b, int64_t v)
{
    char *o;
    switch (bin_col(b)) {
    case SDB_BIN_INT2:
    case SDB_BIN_INT4: {
        bool small = bin_col(b) == SDB_BIN_INT2;
        if (small ? (v < INT16_MIN || v > INT16_MAX) : (v < INT32_MIN || v > INT32_MAX)) {
            snprintf(b->error, sizeof b->error, "value %lld is out of range for column %d "
                     "(%s)", (long long)v, b->nfields + 1, small ? "smallint" : "integer");
            return;
        }
        if ((o = bin_field(b, small ? 2 : 4))) {
            if (small)
                sdb_put_be16(o, (uint16_t)(int16_t)v);
            else
                sdb_put_be32(o, (uint32_t)(int32_t)v);
        }
        return;
    }
    case SDB_BIN_INT8:
        if ((o = bin_field(b, 8)))
            sdb_put_be64(o, (uint64_t)v);
        return;
    case SDB_BIN_NUMERIC: {
        char t[24];
        bin_numeric_text(b, t, sdb_fmt_i64(t, v));
        return;
    }
    default:
        bin_mismatch(b, "an integer");
    }
}

static void bin_float(sdb_copybuf *b, double v)
{
    char *o;
    switch (bin_col(b)) {
    case SDB_BIN_FLOAT8: {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        if ((o = bin_field(b, 8)))
            sdb_put_be64(o, bits);
        return;
    }
    case SDB_BIN_NUMERIC: {
        char t[SDB_FMT_FLOAT_MAX];
        bin_numeric_text(b, t, sdb_fmt_float(t, v));
        return;
    }
    default:
        bin_mismatch(b, "a float");
    }
}

static void bin_str(sdb_copybuf *b, sdb_str v)
{
    char *o;
    switch (bin_col(b)) {
    case SDB_BIN_TEXT:
        if ((o = bin_field(b, (int32_t)v.len)))
            memcpy(o, v.ptr, v.len);
        return;
    case SDB_BIN_JSONB:
        if ((o = bin_field(b, (int32_t)v.len + 1))) {
            o[0] = 1;
            memcpy(o + 1, v.ptr, v.len);
        }
        return;
    case SDB_BIN_UUID:
        bin_uuid(b, v);
        return;
    default:
        bin_mismatch(b, "a string");
    }
}

/* A column sent as text in binary COPY (SDB_BIN_TEXT) takes any value as
 * the text the text COPY would send. */
static bool bin_as_text(sdb_copybuf *b, const char *t, size_t n)
{
    if (bin_col(b) != SDB_BIN_TEXT)
        return false;
    char *o = bin_field(b, (int32_t)n);
    if (o)
        memcpy(o, t, n);
    return true;
}

void sdb_copybuf_end_row(sdb_copybuf *b)
{
    if (b->bin) {
        if (b->nfields != b->ncols && !b->error[0])
            snprintf(b->error, sizeof b->error, "a row has %d fields, not %d", b->nfields,
                     b->ncols);
        b->nfields = 0;
        return;
    }
    if (!reserve(b, 1))
        return;
    b->buf[b->len++] = '\n';
    b->nfields = 0;
}

void sdb_copy_int(sdb_copybuf *b, int64_t v)
{
    if (b->bin) {
        if (bin_col(b) == SDB_BIN_TEXT) {
            char t[24];
            bin_as_text(b, t, sdb_fmt_i64(t, v));
        } else {
            bin_int(b, v);
        }
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_INT);
    if (!reserve(b, 24))
        return;
    separator(b);
    b->len += sdb_fmt_i64(b->buf + b->len, v);
}

void sdb_copy_float(sdb_copybuf *b, double v)
{
    if (b->bin) {
        if (bin_col(b) == SDB_BIN_TEXT) {
            char t[SDB_FMT_FLOAT_MAX];
            bin_as_text(b, t, sdb_fmt_float(t, v));
        } else {
            bin_float(b, v);
        }
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_FLOAT);
    if (!reserve(b, SDB_FMT_FLOAT_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_float(b->buf + b->len, v);
}

void sdb_copy_bool(sdb_copybuf *b, int v)
{
    if (b->bin) {
        char *o;
        if (bin_as_text(b, v ? "t" : "f", 1))
            return;
        if (bin_col(b) != SDB_BIN_BOOL)
            bin_mismatch(b, "a boolean");
        else if ((o = bin_field(b, 1)))
            o[0] = v ? 1 : 0;
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_BOOL);
    if (!reserve(b, 1))
        return;
    separator(b);
    b->buf[b->len++] = v ? 't' : 'f';
}

/* µs from 1970 to 2000-01-01, PostgreSQL's epoch; days likewise */
#define PG_EPOCH_US INT64_C(946684800000000)
#define PG_EPOCH_DAYS 10957

void sdb_copy_timestamp(sdb_copybuf *b, int64_t us)
{
    if (b->bin) {
        char t[SDB_FMT_TIMESTAMP_MAX], *o;
        if (bin_as_text(b, t, sdb_fmt_timestamp(t, us)))
            return;
        if (bin_col(b) != SDB_BIN_TIMESTAMP) {
            bin_mismatch(b, "a timestamp");
        } else if ((o = bin_field(b, 8))) {
            /* clamped to years 1..9999, as the text form is */
            if (us < SDB_FMT_MIN_US)
                us = SDB_FMT_MIN_US;
            if (us > SDB_FMT_MAX_US)
                us = SDB_FMT_MAX_US;
            sdb_put_be64(o, (uint64_t)(us - PG_EPOCH_US));
        }
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_TS);
    if (!reserve(b, SDB_FMT_TIMESTAMP_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_timestamp(b->buf + b->len, us);
}

void sdb_copy_date(sdb_copybuf *b, int64_t days)
{
    if (b->bin) {
        char t[SDB_FMT_DATE_MAX], *o;
        if (bin_as_text(b, t, sdb_fmt_date(t, days)))
            return;
        if (bin_col(b) != SDB_BIN_DATE) {
            bin_mismatch(b, "a date");
        } else if ((o = bin_field(b, 4))) {
            if (days < SDB_FMT_MIN_DAYS)
                days = SDB_FMT_MIN_DAYS;
            if (days > SDB_FMT_MAX_DAYS)
                days = SDB_FMT_MAX_DAYS;
            sdb_put_be32(o, (uint32_t)(int32_t)(days - PG_EPOCH_DAYS));
        }
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_DATE);
    if (!reserve(b, SDB_FMT_DATE_MAX))
        return;
    separator(b);
    b->len += sdb_fmt_date(b->buf + b->len, days);
}

void sdb_copy_null(sdb_copybuf *b)
{
    if (b->bin) {
        bin_field(b, -1);
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_NONE);
    if (!reserve(b, 2))
        return;
    separator(b);
    b->buf[b->len++] = '\\';
    b->buf[b->len++] = 'N';
}

void sdb_copy_str(sdb_copybuf *b, sdb_str v)
{
    if (b->bin) {
        bin_str(b, v);
        return;
    }
    if (b->probe)
        probe_note(b, SDB_VAL_STR);
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
