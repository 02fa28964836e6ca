/*
 * test_hdrlog.c — the HdrHistogram log writer (runtime/src/hdrlog.c).
 *
 * Known histograms are encoded and decoded back with a decoder written
 * here from the format's description (base64, cookie, zlib inflate, V2
 * header, ZigZag LEB128 counts with zero runs), and every count is checked
 * against counts computed here with HdrHistogram's own index formula
 * (hdr_calculate_bucket_config / counts_index_for for lowest 1, highest
 * 3.6e12, 2 significant digits), not hist.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "hdrlog.h"
#include "hist.h"

/* ---- HdrHistogram's layout, computed independently ---- */

typedef struct hdr_layout {
    int sub_bucket_half_count_magnitude;
    int64_t sub_bucket_half_count, sub_bucket_mask;
    int bucket_count, counts_len;
} hdr_layout;

/* HdrHistogram_c's hdr_calculate_bucket_config for (1, highest, digits). */
static hdr_layout hdr_config(int64_t highest, int digits)
{
    hdr_layout l;
    int64_t single_unit = 2;
    for (int i = 0; i < digits; i++)
        single_unit *= 10;
    int sub_bucket_count_magnitude = 0;
    while ((INT64_C(1) << sub_bucket_count_magnitude) < single_unit)
        sub_bucket_count_magnitude++;   /* ceil(log2(2 * 10^digits)) */
    l.sub_bucket_half_count_magnitude = sub_bucket_count_magnitude - 1;
    int64_t sub_bucket_count = INT64_C(1) << (l.sub_bucket_half_count_magnitude + 1);
    l.sub_bucket_half_count = sub_bucket_count / 2;
    l.sub_bucket_mask = sub_bucket_count - 1;   /* unit magnitude 0 */
    int64_t smallest_untrackable = sub_bucket_count;
    l.bucket_count = 1;
    while (smallest_untrackable <= highest) {
        smallest_untrackable <<= 1;
        l.bucket_count++;
    }
    l.counts_len = (int)((l.bucket_count + 1) * (sub_bucket_count / 2));
    return l;
}

/* HdrHistogram_c's counts_index_for. */
static int hdr_index(const hdr_layout *l, int64_t v)
{
    uint64_t u = (uint64_t)v | (uint64_t)l->sub_bucket_mask;
    int pow2ceiling = 64;
    while (!(u & (UINT64_C(1) << 63))) {
        u <<= 1;
        pow2ceiling--;
    }
    int bucket = pow2ceiling - (l->sub_bucket_half_count_magnitude + 1);
    int64_t sub = v >> bucket;
    return (int)(((int64_t)(bucket + 1) << l->sub_bucket_half_count_magnitude) +
                 (sub - l->sub_bucket_half_count));
}

/* ---- the decoder ---- */

typedef struct decoded {
    uint32_t cookie;
    int32_t payload_len, norm_offset, digits;
    int64_t lowest, highest;
    double ratio;
    int64_t *counts;   /* counts_len entries */
    int ncounts;       /* indexes covered by the payload */
} decoded;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int b64_value(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(a, c);
    return c && p ? (int)(p - a) : -1;
}

/* Decodes base64 text into out; returns the byte count. */
static size_t b64_decode(const char *s, uint8_t *out)
{
    size_t n = 0, len = strlen(s);
    assert_int_equal(len % 4, 0);
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' ? 0 : b64_value(s[i + k]);
        for (int k = 0; k < 4; k++)
            assert_true(v[k] >= 0);
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[n++] = (uint8_t)(w >> 16);
        if (s[i + 2] != '=')
            out[n++] = (uint8_t)(w >> 8);
        if (s[i + 3] != '=')
            out[n++] = (uint8_t)w;
    }
    return n;
}

/* One ZigZag LEB128 value at p (at most 9 bytes, the ninth holds 8 bits). */
static int64_t zigzag_read(const uint8_t *p, size_t *pos, size_t end)
{
    uint64_t u = 0;
    for (int k = 0;; k++) {
        assert_true(*pos < end);
        uint8_t b = p[(*pos)++];
        if (k == 8) {
            u |= (uint64_t)b << 56;
            break;
        }
        u |= (uint64_t)(b & 0x7f) << (7 * k);
        if (!(b & 0x80))
            break;
    }
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Decodes an uncompressed V2 encoding into d (counts_len entries). */
static void decode_v2(const uint8_t *buf, size_t len, int counts_len, decoded *d)
{
    assert_true(len >= 40);
    d->cookie = be32(buf);
    d->payload_len = (int32_t)be32(buf + 4);
    d->norm_offset = (int32_t)be32(buf + 8);
    d->digits = (int32_t)be32(buf + 12);
    d->lowest = (int64_t)be64(buf + 16);
    d->highest = (int64_t)be64(buf + 24);
    uint64_t bits = be64(buf + 32);
    memcpy(&d->ratio, &bits, sizeof d->ratio);
    assert_int_equal((size_t)d->payload_len, len - 40);
    d->counts = calloc((size_t)counts_len, sizeof *d->counts);
    assert_non_null(d->counts);
    size_t pos = 40;
    int idx = 0;
    while (pos < len) {
        int64_t v = zigzag_read(buf, &pos, len);
        if (v < 0) {
            idx += (int)-v;
        } else {
            assert_true(idx < counts_len);
            d->counts[idx++] = v;
        }
        assert_true(idx <= counts_len);
    }
    d->ncounts = idx;
}

/* Decodes the base64 of a compressed histogram into d. */
static void decode_b64(const char *text, int counts_len, decoded *d)
{
    size_t cap = strlen(text);
    uint8_t *raw = malloc(cap);
    assert_non_null(raw);
    size_t n = b64_decode(text, raw);
    assert_true(n >= 8);
    assert_int_equal(be32(raw), 0x1c849314);
    assert_int_equal(be32(raw + 4), n - 8);
    uLongf out_len = (uLongf)(40 + 9 * (size_t)counts_len);
    uint8_t *out = malloc(out_len);
    assert_non_null(out);
    assert_int_equal(uncompress(out, &out_len, raw + 8, (uLong)(n - 8)), Z_OK);
    decode_v2(out, out_len, counts_len, d);
    free(out);
    free(raw);
}

/* Encodes h as a log line would (compressed, base64) and returns the text
 * (caller frees). */
static char *encode_b64(const sdb_hist *h)
{
    size_t scap = sdb_hdrlog_v2_bound(), zcap = sdb_hdrlog_compressed_bound();
    size_t bcap = (zcap + 2) / 3 * 4 + 1;
    uint8_t *scratch = malloc(scap), *z = malloc(zcap);
    char *b = malloc(bcap);
    assert_true(scratch && z && b);
    size_t zlen = sdb_hdrlog_encode_compressed(h, scratch, scap, z, zcap);
    assert_true(zlen > 8);
    assert_int_equal(sdb_hdrlog_base64(z, zlen, b, bcap), (zlen + 2) / 3 * 4);
    free(scratch);
    free(z);
    return b;
}

/* The expected counts, built with HdrHistogram's formula. */
typedef struct expected {
    hdr_layout l;
    int64_t *counts;
    int64_t max;
} expected;

static void expected_init(expected *e)
{
    e->l = hdr_config(SDB_HIST_HIGHEST, 2);
    e->counts = calloc((size_t)e->l.counts_len, sizeof *e->counts);
    assert_non_null(e->counts);
    e->max = 0;
}

static void record_both(sdb_hist *h, expected *e, int64_t v, int64_t n)
{
    sdb_hist_record_n(h, v, n);
    e->counts[hdr_index(&e->l, v)] += n;
    if (v > e->max)
        e->max = v;
}

/* Encodes h, decodes it, checks the header and every count against e. */
static void check_roundtrip(const sdb_hist *h, const expected *e)
{
    char *text = encode_b64(h);
    decoded d;
    decode_b64(text, e->l.counts_len, &d);
    assert_int_equal(d.cookie, 0x1c849313);
    assert_int_equal(d.norm_offset, 0);
    assert_int_equal(d.digits, 2);
    assert_int_equal(d.lowest, 1);
    assert_int_equal(d.highest, INT64_C(3600000000000));
    assert_true(d.ratio == 1.0);
    /* the payload stops at the max's index, as HdrHistogram's does */
    assert_int_equal(d.ncounts, hdr_index(&e->l, e->max) + 1);
    for (int i = 0; i < e->l.counts_len; i++) {
        if (d.counts[i] != e->counts[i])
            fail_msg("index %d: decoded %lld, expected %lld", i, (long long)d.counts[i],
                     (long long)e->counts[i]);
    }
    free(d.counts);
    free(text);
}

/* ---- tests ---- */

/* hist.c's layout is HdrHistogram's, index for index. */
static void test_layout_matches_hdrhistogram(void **state)
{
    (void)state;
    hdr_layout l = hdr_config(SDB_HIST_HIGHEST, SDB_HIST_SIGNIFICANT_DIGITS);
    assert_int_equal(l.bucket_count, 35);
    assert_int_equal(l.counts_len, 4608);
    assert_int_equal(sdb_hist_counts_len(), l.counts_len);
    for (int64_t v = 0; v < 100000; v++)
        assert_int_equal(sdb_hist_index_of(v), hdr_index(&l, v));
    for (int64_t v = 100000; v <= SDB_HIST_HIGHEST; v += v / 997 + 1) {
        assert_int_equal(sdb_hist_index_of(v), hdr_index(&l, v));
        assert_int_equal(sdb_hist_index_of(v - 1), hdr_index(&l, v - 1));
    }
    assert_int_equal(sdb_hist_index_of(SDB_HIST_HIGHEST), hdr_index(&l, SDB_HIST_HIGHEST));
    /* every index's lowest value maps back to it */
    for (int i = 0; i < l.counts_len; i++) {
        int64_t low = sdb_hist_index_lowest(i);
        if (low > SDB_HIST_HIGHEST)
            break;
        assert_int_equal(hdr_index(&l, low), i);
    }
}

static void test_empty(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    expected e;
    expected_init(&e);
    check_roundtrip(h, &e);
    free(e.counts);
    sdb_hist_free(h);
}

static void test_small_exact_values(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    expected e;
    expected_init(&e);
    for (int64_t v = 0; v < 300; v += (v % 7) + 1)
        record_both(h, &e, v, v + 1);
    check_roundtrip(h, &e);
    free(e.counts);
    sdb_hist_free(h);
}

/* Counts that need multi-byte varints, up to the nine-byte form. */
static void test_large_counts(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    expected e;
    expected_init(&e);
    record_both(h, &e, 1000, 127);
    record_both(h, &e, 2000, 128);
    record_both(h, &e, 3000, INT64_C(1) << 20);
    record_both(h, &e, 1000000, INT64_C(1) << 40);
    record_both(h, &e, 5000000, (INT64_C(1) << 60) + 12345);
    check_roundtrip(h, &e);
    free(e.counts);
    sdb_hist_free(h);
}

/* A spread of latencies from 1 µs to the top of the range (1 h). */
static void test_wide_range(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    expected e;
    expected_init(&e);
    uint64_t x = 88172645463325252u;   /* xorshift64 */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int shift = (int)(x % 32);
        int64_t v = 1000 + (int64_t)((x >> 8) & ((UINT64_C(1) << shift) - 1));
        record_both(h, &e, v, 1);
    }
    record_both(h, &e, SDB_HIST_HIGHEST, 3);
    check_roundtrip(h, &e);
    free(e.counts);
    sdb_hist_free(h);
}

static void test_base64(void **state)
{
    (void)state;
    char out[16];
    const uint8_t in[] = "foobar";
    assert_int_equal(sdb_hdrlog_base64(in, 0, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(sdb_hdrlog_base64(in, 1, out, sizeof out), 4);
    assert_string_equal(out, "Zg==");
    assert_int_equal(sdb_hdrlog_base64(in, 2, out, sizeof out), 4);
    assert_string_equal(out, "Zm8=");
    assert_int_equal(sdb_hdrlog_base64(in, 6, out, sizeof out), 8);
    assert_string_equal(out, "Zm9vYmFy");
    assert_int_equal(sdb_hdrlog_base64(in, 6, out, 8), 0);   /* no room for the NUL */
}

/* Reads the whole file at path (NUL terminated; caller frees). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A whole log: header, one line per interval, FILE.tmp renamed. */
static void test_log_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_hdrlog-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], tmp[256];
    snprintf(path, sizeof path, "%s/run.hlog", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    char err[256] = "";
    sdb_hdrlog *log = sdb_hdrlog_open(path, 1764000000.25, err, sizeof err);
    assert_non_null(log);
    assert_int_equal(access(tmp, F_OK), 0);
    assert_int_not_equal(access(path, F_OK), 0);

    sdb_hist *h = sdb_hist_new();
    expected e[3];
    for (int k = 0; k < 3; k++) {
        expected_init(&e[k]);
        sdb_hist_reset(h);
        for (int i = 0; i <= k * 100; i++)
            record_both(h, &e[k], 50000 + i * 1000 * (k + 1), k + 1);
        assert_int_equal(sdb_hdrlog_write(log, k, k == 2 ? 0.5 : 1.0, h), 0);
    }
    assert_int_equal(sdb_hdrlog_close(log, err, sizeof err), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);

    char *text = slurp(path);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    assert_string_equal(line, "#[Histogram log format version 1.3]");
    line = strtok_r(NULL, "\n", &save);
    assert_true(strncmp(line, "#[StartTime: 1764000000.250 (seconds since epoch), ", 51) == 0);
    line = strtok_r(NULL, "\n", &save);
    assert_string_equal(line, "#[BaseTime: 1764000000.250 (seconds since epoch)]");
    line = strtok_r(NULL, "\n", &save);
    assert_string_equal(line, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                              "\"Interval_Compressed_Histogram\"");
    for (int k = 0; k < 3; k++) {
        line = strtok_r(NULL, "\n", &save);
        assert_non_null(line);
        double start, length, max_ms;
        char b64[65536];
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%65535s", &start, &length, &max_ms, b64), 4);
        assert_true(start == k);
        assert_true(length == (k == 2 ? 0.5 : 1.0));
        assert_true(max_ms * 1e6 > (double)e[k].max - 1 && max_ms * 1e6 < (double)e[k].max + 1);
        decoded d;
        decode_b64(b64, e[k].l.counts_len, &d);
        for (int i = 0; i < e[k].l.counts_len; i++)
            assert_int_equal(d.counts[i], e[k].counts[i]);
        free(d.counts);
        free(e[k].counts);
    }
    assert_null(strtok_r(NULL, "\n", &save));
    free(text);
    sdb_hist_free(h);
    remove(path);
    rmdir(dir);
}

/* An aborted log leaves neither file; an uncreatable one says why. */
static void test_abort_and_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_hdrlog-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], tmp[256], err[256] = "";
    snprintf(path, sizeof path, "%s/run.hlog", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    sdb_hdrlog *log = sdb_hdrlog_open(path, 0, err, sizeof err);
    assert_non_null(log);
    sdb_hdrlog_abort(log);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_not_equal(access(path, F_OK), 0);

    snprintf(path, sizeof path, "%s/no/such/dir/run.hlog", dir);
    assert_null(sdb_hdrlog_open(path, 0, err, sizeof err));
    assert_non_null(strstr(err, "cannot create"));
    assert_non_null(strstr(err, "run.hlog.tmp"));
    sdb_hdrlog_abort(NULL);
    assert_int_equal(sdb_hdrlog_close(NULL, err, sizeof err), 0);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_matches_hdrhistogram),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_small_exact_values),
        cmocka_unit_test(test_large_counts),
        cmocka_unit_test(test_wide_range),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_log_file),
        cmocka_unit_test(test_abort_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
