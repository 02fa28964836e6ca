/*
 * hdrlog.c — HdrHistogram interval log writer (see hdrlog.h).
 *
 * The V2 encoding (HdrHistogram's AbstractHistogram.encodeIntoByteBuffer,
 * HdrHistogram_c's hdr_encode_compressed), all integers big-endian:
 *
 *   int32  cookie                      0x1c849313
 *   int32  payload length (bytes of the counts that follow)
 *   int32  normalizing index offset    0
 *   int32  significant digits          2
 *   int64  lowest discernible value    1
 *   int64  highest trackable value     3600000000000
 *   double integer-to-double ratio     1.0
 *   counts[0 .. index_of(max)]: each a ZigZag LEB128 varint; a run of k
 *   zero counts is written as the single value -k.
 *
 * Compressed: int32 cookie 0x1c849314, int32 length of the zlib stream,
 * then the zlib (RFC 1950) stream of the V2 encoding.
 *
 * hist.c keeps HdrHistogram's own layout for (1, 3.6e12, 2 digits), so
 * counts are copied index for index; test_hdrlog.c checks the layout
 * against HdrHistogram's formulas.
 */
#include "hdrlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "util.h"

#define MAX_LEB128_BYTES 9   /* a 64-bit ZigZag value: 8 groups of 7 bits, then 8 */

struct sdb_hdrlog {
    FILE *f;                /* path.tmp, open for writing */
    char *path;             /* the final name */
    char *tmp_path;         /* path + ".tmp" */
    int write_errno;        /* first write error; 0 = none */
    uint8_t *v2;            /* scratch: the V2 encoding (v2_cap bytes) */
    size_t v2_cap;
    uint8_t *zbuf;          /* the compressed form (zcap bytes) */
    size_t zcap;
    char *b64;              /* its base64 (b64_cap bytes) */
    size_t b64_cap;
};

/* Writes v as HdrHistogram's ZigZag LEB128: 7 bits a byte, low first, the
 * high bit set when more follow; the ninth byte, if reached, holds 8 bits.
 * Returns the bytes written (1..9). */
static size_t put_zigzag(uint8_t *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    size_t n = 0;
    while (n < MAX_LEB128_BYTES - 1 && u >= 0x80) {
        p[n++] = (uint8_t)((u & 0x7f) | 0x80);
        u >>= 7;
    }
    p[n++] = (uint8_t)u;
    return n;
}

/* Room for the header and one varint per count (the worst case). */
size_t sdb_hdrlog_v2_bound(void)
{
    return SDB_HDRLOG_V2_HEADER_BYTES + (size_t)sdb_hist_counts_len() * MAX_LEB128_BYTES;
}

size_t sdb_hdrlog_compressed_bound(void)
{
    return 8 + (size_t)compressBound((uLong)sdb_hdrlog_v2_bound());
}

/* The V2 encoding of h into out (see the top of this file).  Encodes the
 * counts up to the index of h's max, as HdrHistogram does (an empty
 * histogram: one run of one zero).  Returns its length, or 0 when cap is
 * too small. */
size_t sdb_hdrlog_encode_v2(const sdb_hist *h, uint8_t *out, size_t cap)
{
    int limit = sdb_hist_index_of(sdb_hist_max(h)) + 1;
    size_t need = SDB_HDRLOG_V2_HEADER_BYTES + (size_t)limit * MAX_LEB128_BYTES;
    if (cap < need)
        return 0;
    size_t n = SDB_HDRLOG_V2_HEADER_BYTES;
    for (int i = 0; i < limit;) {
        int64_t c = sdb_hist_count_at(h, i++);
        if (c == 0) {
            int64_t zeros = 1;
            while (i < limit && sdb_hist_count_at(h, i) == 0) {
                zeros++;
                i++;
            }
            c = -zeros;
        }
        n += put_zigzag(out + n, c);
    }
    const double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    sdb_put_be32(out, SDB_HDRLOG_ENCODING_COOKIE);
    sdb_put_be32(out + 4, (uint32_t)(n - SDB_HDRLOG_V2_HEADER_BYTES));
    sdb_put_be32(out + 8, 0);   /* normalizing index offset */
    sdb_put_be32(out + 12, SDB_HIST_SIGNIFICANT_DIGITS);
    sdb_put_be64(out + 16, (uint64_t)SDB_HIST_LOWEST);
    sdb_put_be64(out + 24, (uint64_t)SDB_HIST_HIGHEST);
    sdb_put_be64(out + 32, ratio_bits);
    return n;
}

/* The compressed form of h into out; scratch holds the V2 encoding.
 * Returns its length, or 0 when a buffer is too small or zlib fails. */
size_t sdb_hdrlog_encode_compressed(const sdb_hist *h, uint8_t *scratch, size_t scratch_cap,
                                    uint8_t *out, size_t cap)
{
    size_t v2_len = sdb_hdrlog_encode_v2(h, scratch, scratch_cap);
    if (v2_len == 0 || cap < 8)
        return 0;
    uLongf zlen = (uLongf)(cap - 8);
    if (compress2(out + 8, &zlen, scratch, (uLong)v2_len, Z_BEST_COMPRESSION) != Z_OK)
        return 0;
    sdb_put_be32(out, SDB_HDRLOG_COMPRESSION_COOKIE);
    sdb_put_be32(out + 4, (uint32_t)zlen);
    return 8 + (size_t)zlen;
}

size_t sdb_hdrlog_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = (n + 2) / 3 * 4;
    if (cap < len + 1)
        return 0;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return len;
}

/* Frees the log's memory (the file is already closed). */
static void log_free(sdb_hdrlog *log)
{
    free(log->path);
    free(log->tmp_path);
    free(log->v2);
    free(log->zbuf);
    free(log->b64);
    free(log);
}

/* Writes the four header lines; false on a write error. */
static bool write_header(FILE *f, double start_unix)
{
    char date[64];
    time_t t = (time_t)start_unix;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm) == 0)
        snprintf(date, sizeof date, "?");
    fprintf(f, "#[Histogram log format version 1.3]\n");
    fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_unix, date);
    fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", start_unix);
    fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
               "\"Interval_Compressed_Histogram\"\n");
    return !ferror(f);
}

sdb_hdrlog *sdb_hdrlog_open(const char *path, double start_unix, char *err, size_t errlen)
{
    sdb_hdrlog *log = calloc(1, sizeof *log);
    size_t plen = strlen(path);
    if (!log || !(log->path = strdup(path)) || !(log->tmp_path = malloc(plen + 5))) {
        snprintf(err, errlen, "out of memory");
        if (log)
            log_free(log);
        return NULL;
    }
    memcpy(log->tmp_path, path, plen);
    memcpy(log->tmp_path + plen, ".tmp", 5);
    log->v2_cap = sdb_hdrlog_v2_bound();
    log->zcap = sdb_hdrlog_compressed_bound();
    log->b64_cap = (log->zcap + 2) / 3 * 4 + 1;
    log->v2 = malloc(log->v2_cap);
    log->zbuf = malloc(log->zcap);
    log->b64 = malloc(log->b64_cap);
    if (!log->v2 || !log->zbuf || !log->b64) {
        snprintf(err, errlen, "out of memory");
        log_free(log);
        return NULL;
    }
    log->f = fopen(log->tmp_path, "w");
    if (!log->f) {
        snprintf(err, errlen, "cannot create %s: %s", log->tmp_path, strerror(errno));
        log_free(log);
        return NULL;
    }
    if (!write_header(log->f, start_unix))
        log->write_errno = errno ? errno : EIO;
    return log;
}

int sdb_hdrlog_write(sdb_hdrlog *log, double start_s, double length_s, const sdb_hist *h)
{
    if (log->write_errno)
        return -1;
    size_t zlen = sdb_hdrlog_encode_compressed(h, log->v2, log->v2_cap, log->zbuf, log->zcap);
    if (zlen == 0) {
        log->write_errno = ENOMEM;   /* cannot happen: the buffers are at their bounds */
        return -1;
    }
    sdb_hdrlog_base64(log->zbuf, zlen, log->b64, log->b64_cap);
    /* max in ms with ns resolution (HdrHistogram's readers parse any
     * decimal; Java writes %.3f, which would round sub-µs detail away) */
    if (fprintf(log->f, "%.3f,%.3f,%.6f,%s\n", start_s, length_s,
                (double)sdb_hist_max(h) / 1e6, log->b64) < 0) {
        log->write_errno = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

int sdb_hdrlog_close(sdb_hdrlog *log, char *err, size_t errlen)
{
    if (!log)
        return 0;
    int e = log->write_errno;
    if (fflush(log->f) != 0 && !e)
        e = errno ? errno : EIO;
    if (fclose(log->f) != 0 && !e)
        e = errno ? errno : EIO;
    int rc = 0;
    if (e) {
        snprintf(err, errlen, "cannot write %s: %s", log->tmp_path, strerror(e));
        remove(log->tmp_path);
        rc = -1;
    } else if (rename(log->tmp_path, log->path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", log->tmp_path, log->path,
                 strerror(errno));
        remove(log->tmp_path);
        rc = -1;
    }
    log_free(log);
    return rc;
}

void sdb_hdrlog_abort(sdb_hdrlog *log)
{
    if (!log)
        return;
    fclose(log->f);
    remove(log->tmp_path);
    log_free(log);
}
