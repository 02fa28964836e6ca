/*
 * strbuild.c — building one string at a time in a context's arena
 * (concatenation, json{...}, array[...]; see stormdb.h "Building strings").
 *
 * The builder keeps its state in the arena and c->arena_used, so sdb_ctx
 * needs no field of its own.  Between sdb_sb_begin and sdb_sb_end nothing
 * but sdb_sb_* touches the arena (operands are evaluated before begin), and:
 *
 *   building:   the string so far is arena[start, arena_used); the
 *               SB_HEADER bytes just past it, arena[arena_used, +4), which
 *               no one else uses, hold start as a uint32.  Every append
 *               therefore needs room for its bytes plus the header.
 *   overflowed: arena_used == SB_FAILED | start.  SB_FAILED is far above
 *               SDB_ARENA_BYTES, so every other arena user would see a
 *               full arena; appends do nothing.
 *
 * sdb_sb_end restores arena_used to a real byte count: the end of the
 * string, or start after an overflow (dropping the partial string).
 */
#include <stdbool.h>
#include <string.h>

#include "fmt.h"
#include "stormdb.h"
#include "util.h"

#define SB_HEADER sizeof(uint32_t)
#define SB_FAILED ((size_t)1 << 40)

_Static_assert(SDB_ARENA_BYTES < SB_FAILED, "SB_FAILED must exceed any arena offset");

/* Start offset of the string being built, or false after an overflow. */
static bool sb_start(const sdb_ctx *c, size_t *start)
{
    if (c->arena_used & SB_FAILED) {
        *start = c->arena_used & ~SB_FAILED;
        return false;
    }
    uint32_t s;
    memcpy(&s, c->arena + c->arena_used, SB_HEADER);
    *start = s;
    return true;
}

/* Room for len more bytes at the top (with the header after them)?  If
 * not, switches to the overflowed state and returns NULL. */
static char *sb_reserve(sdb_ctx *c, size_t len, size_t *start)
{
    if (!sb_start(c, start))
        return NULL;
    if (len > SDB_ARENA_BYTES - SB_HEADER - c->arena_used) {
        c->arena_used = SB_FAILED | *start;
        return NULL;
    }
    return c->arena + c->arena_used;
}

/* Commits len bytes written at the top and moves the header past them. */
static void sb_commit(sdb_ctx *c, size_t len, size_t start)
{
    c->arena_used += len;
    uint32_t s = (uint32_t)start;
    memcpy(c->arena + c->arena_used, &s, SB_HEADER);
}

/* Starts a string at the arena top.  Without an arena, or with no room
 * even for the header, the builder starts overflowed. */
void sdb_sb_begin(sdb_ctx *c)
{
    size_t start = c->arena_used;
    if (c->arena == NULL || start > SDB_ARENA_BYTES - SB_HEADER) {
        c->arena_used = SB_FAILED | (start > SDB_ARENA_BYTES ? SDB_ARENA_BYTES : start);
        return;
    }
    sb_commit(c, 0, start);
}

/* Appends len bytes of s as they are (nothing after an overflow). */
void sdb_sb_raw(sdb_ctx *c, const char *s, uint32_t len)
{
    size_t start;
    char *out = sb_reserve(c, len, &start);
    if (out == NULL)
        return;
    memcpy(out, s, len);
    sb_commit(c, len, start);
}

/* Appends s as it is. */
void sdb_sb_str(sdb_ctx *c, sdb_str s)
{
    sdb_sb_raw(c, s.ptr, s.len);
}

/* Appends v in decimal. */
void sdb_sb_int(sdb_ctx *c, int64_t v)
{
    char buf[24];
    sdb_sb_raw(c, buf, (uint32_t)sdb_fmt_i64(buf, v));
}

/* Appends v in its shortest exact form (sdb_fmt_float). */
void sdb_sb_float(sdb_ctx *c, double v)
{
    char buf[SDB_FMT_FLOAT_MAX];
    sdb_sb_raw(c, buf, (uint32_t)sdb_fmt_float(buf, v));
}

/* Appends "YYYY-MM-DD HH:MM:SS[.ffffff]" (sdb_fmt_timestamp). */
void sdb_sb_timestamp(sdb_ctx *c, int64_t us)
{
    char buf[SDB_FMT_TIMESTAMP_MAX];
    sdb_sb_raw(c, buf, (uint32_t)sdb_fmt_timestamp(buf, us));
}

/* Appends "YYYY-MM-DD" (sdb_fmt_date). */
void sdb_sb_date(sdb_ctx *c, int64_t days)
{
    char buf[SDB_FMT_DATE_MAX];
    sdb_sb_raw(c, buf, (uint32_t)sdb_fmt_date(buf, days));
}

/* An escaper: the length of byte ch's escaped form (1 when it needs none)
 * and, when out != NULL, that form written at out. */
typedef size_t (*sb_escaper)(unsigned char ch, char *out);

/* JSON: \" \\ \b \f \n \r \t, \u00XX for the other control characters;
 * every other byte, UTF-8 included, as is (PostgreSQL checks the encoding). */
static size_t json_escape(unsigned char ch, char *out)
{
    static const char hex[16] = "0123456789abcdef";
    char short_form = 0;
    switch (ch) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    default: break;
    }
    if (short_form != 0) {
        if (out) {
            out[0] = '\\';
            out[1] = short_form;
        }
        return 2;
    }
    if (ch < 0x20) {
        if (out) {
            memcpy(out, "\\u00", 4);
            out[4] = hex[ch >> 4];
            out[5] = hex[ch & 15];
        }
        return 6;
    }
    if (out)
        out[0] = (char)ch;
    return 1;
}

/* PostgreSQL array element: " and \ preceded by a backslash. */
static size_t array_escape(unsigned char ch, char *out)
{
    size_t n = 0;
    if (ch == '"' || ch == '\\') {
        if (out)
            out[n] = '\\';
        n++;
    }
    if (out)
        out[n] = (char)ch;
    return n + 1;
}

/* Appends s between double quotes, each byte through escape. */
static void sb_quoted(sdb_ctx *c, sdb_str s, sb_escaper escape)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t len = 2;
    for (uint32_t i = 0; i < s.len; i++)
        len += escape(p[i], NULL);
    size_t start;
    char *out = sb_reserve(c, len, &start);
    if (out == NULL)
        return;
    size_t n = 0;
    out[n++] = '"';
    for (uint32_t i = 0; i < s.len; i++)
        n += escape(p[i], out + n);
    out[n++] = '"';
    sb_commit(c, n, start);
}

/* "s" as a JSON string (see json_escape). */
void sdb_sb_json_str(sdb_ctx *c, sdb_str s)
{
    sb_quoted(c, s, json_escape);
}

/* "s" as a PostgreSQL array element: always double-quoted (so NULL, empty
 * strings, commas, braces and spaces are literal), with " and \ escaped. */
void sdb_sb_array_str(sdb_ctx *c, sdb_str s)
{
    sb_quoted(c, s, array_escape);
}

/* The string built since sdb_sb_begin (in the arena, which keeps it); after
 * an overflow "" with a run-time error at `where`, and the arena as it was
 * at sdb_sb_begin. */
sdb_str sdb_sb_end(sdb_ctx *c, const char *where)
{
    size_t start;
    if (!sb_start(c, &start)) {
        c->arena_used = start;
        sdb_rt_error(c, where, "out of string space in one transaction or row");
        return (sdb_str){"", 0};
    }
    return (sdb_str){c->arena + start, (uint32_t)(c->arena_used - start)};
}
