/*
 * test_gen.c — random streams, distributions, pgbench's functions, random
 * strings, sequences, run-time errors and checked division
 * (runtime/src/gen.c), and the string builder (runtime/src/strbuild.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "fmt.h"
#include "stormdb.h"

#define WHERE "test.swl:1:1"

static char arena_buf[SDB_ARENA_BYTES + 64];   /* +64: guard bytes checked after */

/* A zeroed context whose arena is arena_buf, with guard bytes after it. */
static void ctx_init(sdb_ctx *c, uint64_t seed, uint64_t stream)
{
    memset(c, 0, sizeof *c);
    memset(arena_buf, 0x5a, sizeof arena_buf);
    c->arena = arena_buf;
    sdb_rng_seed(&c->rng, seed, stream);
}

static void assert_guard_intact(void)
{
    for (size_t i = SDB_ARENA_BYTES; i < sizeof arena_buf; i++)
        assert_int_equal(arena_buf[i], 0x5a);
}

/* ---- rng ---- */

static void test_same_seed_same_sequence(void **state)
{
    (void)state;
    sdb_rng a, b;
    sdb_rng_seed(&a, 42, 7);
    sdb_rng_seed(&b, 42, 7);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sdb_rng_next(&a), sdb_rng_next(&b));
}

/* Different streams (and different seeds) give unrelated sequences: no
 * equal outputs at equal positions, and no shifted copies. */
static void test_streams_differ(void **state)
{
    (void)state;
    enum { N = 256 };
    uint64_t seq[4][N];
    const uint64_t seeds[4][2] = {{42, 0}, {42, 1}, {42, 2}, {43, 0}};
    for (int s = 0; s < 4; s++) {
        sdb_rng r;
        sdb_rng_seed(&r, seeds[s][0], seeds[s][1]);
        for (int i = 0; i < N; i++)
            seq[s][i] = sdb_rng_next(&r);
    }
    for (int s = 0; s < 4; s++)
        for (int t = s + 1; t < 4; t++)
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++)
                    assert_true(seq[s][i] != seq[t][j]);
}

/* Streams 0..999 of one seed all start differently. */
static void test_many_streams_distinct_starts(void **state)
{
    (void)state;
    enum { STREAMS = 1000 };
    uint64_t *first = malloc(STREAMS * sizeof *first);
    assert_non_null(first);
    for (int s = 0; s < STREAMS; s++) {
        sdb_rng r;
        sdb_rng_seed(&r, 1, (uint64_t)s);
        first[s] = sdb_rng_next(&r);
        for (int t = 0; t < s; t++)
            assert_true(first[t] != first[s]);
    }
    free(first);
}

/* The reference xoshiro256** output for state {1, 2, 3, 4}. */
static void test_xoshiro_reference(void **state)
{
    (void)state;
    sdb_rng r = {{1, 2, 3, 4}};
    const uint64_t want[] = {11520, 0, 1509978240, 1215971899390074240ull};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(sdb_rng_next(&r), want[i]);
}

static void test_double_range_and_mean(void **state)
{
    (void)state;
    sdb_rng r;
    sdb_rng_seed(&r, 9, 0);
    double sum = 0, lo = 1, hi = 0;
    int low_bit_set = 0;
    for (int i = 0; i < 1000000; i++) {
        double d = sdb_rng_double(&r);
        assert_true(d >= 0.0 && d < 1.0);
        sum += d;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        /* the 53rd bit is used: d * 2^53 is an integer, odd about half the time */
        low_bit_set += ((uint64_t)(d * 0x1.0p53) & 1) != 0;
    }
    assert_true(sum / 1e6 > 0.499 && sum / 1e6 < 0.501);
    assert_true(lo < 1e-5 && hi > 1 - 1e-5);
    assert_true(low_bit_set > 490000 && low_bit_set < 510000);
}

/* ---- uniform ---- */

static void test_uniform_bounds(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 2);
    const int64_t ranges[][2] = {
        {1, 10}, {-5, 5}, {0, 0}, {7, 7}, {INT64_MIN, INT64_MIN}, {INT64_MAX, INT64_MAX},
        {INT64_MIN, INT64_MIN + 3}, {INT64_MAX - 3, INT64_MAX}, {-1, 0},
        {INT64_MIN, -1}, {0, INT64_MAX}, {INT64_MIN + 1, INT64_MAX}, {INT64_MIN, INT64_MAX},
    };
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
        int64_t lo = ranges[k][0], hi = ranges[k][1];
        for (int i = 0; i < 20000; i++) {
            int64_t v = sdb_gen_uniform(&c, lo, hi, WHERE);
            assert_true(v >= lo && v <= hi);
        }
    }
    assert_null(c.error_msg);
}

/* The full int64 range reaches both halves and both signs evenly. */
static void test_uniform_full_range(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 3, 0);
    int negative = 0;
    for (int i = 0; i < 100000; i++)
        negative += sdb_gen_uniform(&c, INT64_MIN, INT64_MAX, WHERE) < 0;
    assert_true(negative > 49000 && negative < 51000);
}

/* Small ranges hit both ends, equally often. */
static void test_uniform_small_range_ends(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 4, 0);
    int counts[2] = {0, 0};
    for (int i = 0; i < 100000; i++)
        counts[sdb_gen_uniform(&c, INT64_MAX - 1, INT64_MAX, WHERE) - (INT64_MAX - 1)]++;
    assert_true(counts[0] > 49000 && counts[1] > 49000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sdb_gen_uniform(&c, -3, -3, WHERE), -3);
}

/* uniform(1, 10) over 1e6 draws: every value within 1% of 100000, and the
 * chi-square statistic below the 99.9% quantile for 9 degrees (27.88). */
static void test_uniform_chi_square(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 2024, 5);
    int64_t counts[11] = {0};
    for (int i = 0; i < 1000000; i++)
        counts[sdb_gen_uniform(&c, 1, 10, WHERE)]++;
    assert_int_equal(counts[0], 0);
    double chi2 = 0;
    for (int v = 1; v <= 10; v++) {
        assert_in_range(counts[v], 99000, 101000);
        double d = (double)counts[v] - 100000.0;
        chi2 += d * d / 100000.0;
    }
    assert_true(chi2 < 27.88);
}

/* Range n = 3 * 2^62.  Plain "x % n" would give results below 2^62 half
 * the time (not a third); multiply-shift without rejection would give
 * multiples of 3 half the time (not a third). */
static void test_uniform_no_bias_large_range(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 77, 1);
    const int64_t hi = (int64_t)(3 * (UINT64_C(1) << 62) - 1 - (UINT64_C(1) << 63));
    const int64_t lo = INT64_MIN;   /* [lo, hi] has 3 * 2^62 values */
    int below_quarter = 0, mult3 = 0;
    const int n = 300000;
    for (int i = 0; i < n; i++) {
        uint64_t off = (uint64_t)sdb_gen_uniform(&c, lo, hi, WHERE) - (uint64_t)lo;
        assert_true(off < 3 * (UINT64_C(1) << 62));
        below_quarter += off < (UINT64_C(1) << 62);
        mult3 += off % 3 == 0;
    }
    assert_in_range(below_quarter, n / 3 - 1500, n / 3 + 1500);
    assert_in_range(mult3, n / 3 - 1500, n / 3 + 1500);
}

static void test_uniform_lo_gt_hi(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 1);
    assert_int_equal(sdb_gen_uniform(&c, 5, 4, "a.swl:3:7"), 5);
    assert_string_equal(c.error_where, "a.swl:3:7");
    assert_string_equal(c.error_msg, "uniform(lo, hi) with lo > hi");
    /* only the first error is kept */
    assert_int_equal(sdb_gen_uniform(&c, INT64_MAX, INT64_MIN, "b.swl:1:1"), INT64_MAX);
    assert_string_equal(c.error_where, "a.swl:3:7");
}

/* ---- strings ---- */

static int char_index(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'Z')
        return 10 + ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return 36 + ch - 'a';
    return -1;
}

static void test_string_lengths_and_chars(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 11, 0);
    int64_t len_counts[11] = {0};
    int64_t char_counts[62] = {0};
    int64_t total_chars = 0;
    for (int i = 0; i < 200000; i++) {
        c.arena_used = 0;   /* as the runtime does per row */
        sdb_str s = sdb_gen_string(&c, 5, 10, WHERE);
        assert_true(s.len >= 5 && s.len <= 10);
        assert_ptr_equal(s.ptr, arena_buf);
        assert_int_equal(c.arena_used, s.len);
        len_counts[s.len]++;
        for (uint32_t k = 0; k < s.len; k++) {
            int idx = char_index(s.ptr[k]);
            assert_true(idx >= 0);
            char_counts[idx]++;
        }
        total_chars += s.len;
    }
    assert_null(c.error_msg);
    for (int l = 5; l <= 10; l++)   /* 200000 / 6 = 33333 each */
        assert_in_range(len_counts[l], 32333, 34333);
    double expect = (double)total_chars / 62.0;   /* about 24000 */
    for (int k = 0; k < 62; k++)
        assert_true(char_counts[k] > expect * 0.97 && char_counts[k] < expect * 1.03);
}

static void test_string_fixed_length_and_arena(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 12, 0);
    sdb_str a = sdb_gen_string(&c, 24, 24, WHERE);
    sdb_str b = sdb_gen_string(&c, 0, 0, WHERE);
    sdb_str d = sdb_gen_string(&c, 300, 300, WHERE);
    assert_int_equal(a.len, 24);
    assert_int_equal(b.len, 0);
    assert_int_equal(d.len, 300);
    assert_ptr_equal(a.ptr, arena_buf);
    assert_ptr_equal(d.ptr, arena_buf + 24);
    assert_int_equal(c.arena_used, 324);
    assert_null(c.error_msg);
    /* deterministic: same seed, same strings */
    char first[24];
    memcpy(first, a.ptr, 24);
    ctx_init(&c, 12, 0);
    a = sdb_gen_string(&c, 24, 24, WHERE);
    assert_memory_equal(a.ptr, first, 24);
}

/* The largest allowed string, twice, fills the arena exactly; a third
 * string of length 1 is an error and writes nothing. */
static void test_string_arena_full(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 13, 0);
    sdb_str a = sdb_gen_string(&c, SDB_ARENA_BYTES / 2, SDB_ARENA_BYTES / 2, WHERE);
    sdb_str b = sdb_gen_string(&c, SDB_ARENA_BYTES / 2, SDB_ARENA_BYTES / 2, WHERE);
    assert_int_equal(a.len, SDB_ARENA_BYTES / 2);
    assert_int_equal(b.len, SDB_ARENA_BYTES / 2);
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES);
    assert_null(c.error_msg);
    sdb_str e = sdb_gen_string(&c, 1, 1, "full.swl:2:2");
    assert_int_equal(e.len, 0);
    assert_non_null(e.ptr);
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES);
    assert_string_equal(c.error_where, "full.swl:2:2");
    assert_non_null(c.error_msg);
    assert_guard_intact();

    /* nearly full: 10 bytes left, a 20-byte string does not fit */
    ctx_init(&c, 13, 0);
    c.arena_used = SDB_ARENA_BYTES - 10;
    e = sdb_gen_string(&c, 20, 20, WHERE);
    assert_int_equal(e.len, 0);
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES - 10);
    assert_non_null(c.error_msg);
    assert_guard_intact();

    /* no arena at all */
    memset(&c, 0, sizeof c);
    e = sdb_gen_string(&c, 1, 1, WHERE);
    assert_int_equal(e.len, 0);
    assert_non_null(c.error_msg);
}

static void check_string_error(int64_t minlen, int64_t maxlen)
{
    sdb_ctx c;
    ctx_init(&c, 14, 0);
    sdb_str s = sdb_gen_string(&c, minlen, maxlen, "bad.swl:9:9");
    assert_int_equal(s.len, 0);
    assert_non_null(s.ptr);
    assert_int_equal(c.arena_used, 0);
    assert_string_equal(c.error_where, "bad.swl:9:9");
    assert_non_null(c.error_msg);
    assert_int_equal(arena_buf[0], 0x5a);   /* nothing written */
}

static void test_string_bad_lengths(void **state)
{
    (void)state;
    check_string_error(-1, 5);
    check_string_error(INT64_MIN, INT64_MIN);
    check_string_error(6, 5);
    check_string_error(0, SDB_ARENA_BYTES / 2 + 1);
    check_string_error(0, INT64_MAX);
}

static void test_str_lit(void **state)
{
    (void)state;
    static const char text[] = "hello";
    sdb_str s = sdb_str_lit(text, 5);
    assert_ptr_equal(s.ptr, text);
    assert_int_equal(s.len, 5);
}

/* ---- errors and division ---- */

static void test_rt_error_keeps_first(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 0, 0);
    assert_null(c.error_where);
    assert_null(c.error_msg);
    sdb_rt_error(&c, "x.swl:1:2", "first");
    sdb_rt_error(&c, "x.swl:3:4", "second");
    assert_string_equal(c.error_where, "x.swl:1:2");
    assert_string_equal(c.error_msg, "first");
}

static void test_division_ok(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 0, 0);
    assert_int_equal(sdb_div_i64(&c, 7, 2, WHERE), 3);
    assert_int_equal(sdb_div_i64(&c, -7, 2, WHERE), -3);
    assert_int_equal(sdb_mod_i64(&c, -7, 2, WHERE), -1);
    assert_int_equal(sdb_mod_i64(&c, 7, -2, WHERE), 1);
    assert_int_equal(sdb_div_i64(&c, INT64_MIN, 1, WHERE), INT64_MIN);
    assert_int_equal(sdb_div_i64(&c, INT64_MAX, -1, WHERE), -INT64_MAX);
    assert_true(sdb_div_f64(&c, 1.0, 4.0, WHERE) == 0.25);
    assert_null(c.error_msg);
}

static void check_div_error(int which, int64_t a, int64_t b, const char *msg)
{
    sdb_ctx c;
    ctx_init(&c, 0, 0);
    int64_t r = which == 0 ? sdb_div_i64(&c, a, b, "d.swl:5:6") : sdb_mod_i64(&c, a, b, "d.swl:5:6");
    assert_int_equal(r, 0);
    assert_string_equal(c.error_where, "d.swl:5:6");
    assert_string_equal(c.error_msg, msg);
}

static void test_division_errors(void **state)
{
    (void)state;
    check_div_error(0, 5, 0, "division by zero");
    check_div_error(1, 5, 0, "division by zero");
    check_div_error(0, INT64_MIN, 0, "division by zero");
    check_div_error(0, INT64_MIN, -1, "integer overflow in division");
    check_div_error(1, INT64_MIN, -1, "integer overflow in division");

    sdb_ctx c;
    ctx_init(&c, 0, 0);
    assert_true(sdb_div_f64(&c, 3.0, 0.0, "f.swl:1:1") == 0.0);
    assert_string_equal(c.error_msg, "division by zero");
    ctx_init(&c, 0, 0);
    assert_true(sdb_div_f64(&c, 3.0, -0.0, "f.swl:1:1") == 0.0);
    assert_string_equal(c.error_where, "f.swl:1:1");
}

/* ---- uniform floats and decimals ---- */

static void test_uniform_float(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 21, 0);
    double sum = 0, lo = 10, hi = -10;
    for (int i = 0; i < 1000000; i++) {
        double v = sdb_gen_uniform_float(&c, -2.0, 3.0, WHERE);
        assert_true(v >= -2.0 && v < 3.0);
        sum += v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    assert_true(fabs(sum / 1e6 - 0.5) < 0.005);
    assert_true(lo < -1.999 && hi > 2.999);
    assert_true(sdb_gen_uniform_float(&c, 7.5, 7.5, WHERE) == 7.5);
    double huge = sdb_gen_uniform_float(&c, -1.7976931348623157e308, 1.7976931348623157e308, WHERE);
    assert_true(isfinite(huge));
    assert_null(c.error_msg);
    assert_true(sdb_gen_uniform_float(&c, 2.0, 1.0, "u.swl:1:1") == 2.0);
    assert_string_equal(c.error_where, "u.swl:1:1");
    ctx_init(&c, 21, 0);
    sdb_gen_uniform_float(&c, 0.0, INFINITY, WHERE);
    assert_non_null(c.error_msg);
}

/* Decimals within [lo, hi] whose shortest text has at most `digits`
 * decimals and reads back as k / 10^digits. */
static void test_uniform_decimal_digits(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 22, 0);
    int saw_lo = 0, saw_hi = 0, saw_four = 0;
    for (int i = 0; i < 1000000; i++) {
        double v = sdb_gen_uniform_decimal(&c, 0.0, 0.5, 4, WHERE);
        assert_true(v >= 0.0 && v <= 0.5);
        char buf[SDB_FMT_FLOAT_MAX];
        sdb_fmt_float(buf, v);
        const char *dot = strchr(buf, '.');
        size_t decimals = dot ? strlen(dot + 1) : 0;
        assert_true(decimals <= 4);
        assert_null(strchr(buf, 'e'));
        double k = v * 1e4;
        assert_true(fabs(k - round(k)) < 1e-6);
        saw_lo += v == 0.0;
        saw_hi += v == 0.5;
        saw_four += decimals == 4;
    }
    assert_true(saw_lo > 100 && saw_hi > 100 && saw_four > 800000);
    assert_null(c.error_msg);
}

/* TPC-C-like prices: every decimal of [1.00, 1.05] equally likely, bounds
 * included; bounds off the grid round half away from zero. */
static void test_uniform_decimal_grid(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 23, 0);
    int counts[6] = {0};
    for (int i = 0; i < 600000; i++) {
        double v = sdb_gen_uniform_decimal(&c, 1.00, 1.05, 2, WHERE);
        char buf[SDB_FMT_FLOAT_MAX];
        sdb_fmt_float(buf, v);
        int k = (int)llround((v - 1.0) * 100);
        assert_in_range(k, 0, 5);
        const char *want[6] = {"1", "1.01", "1.02", "1.03", "1.04", "1.05"};
        assert_string_equal(buf, want[k]);
        counts[k]++;
    }
    for (int k = 0; k < 6; k++)
        assert_in_range(counts[k], 98500, 101500);
    int64_t mn = 100, mx = -100;
    for (int i = 0; i < 10000; i++) {
        double v = sdb_gen_uniform_decimal(&c, -5.5, 5.5, 0, WHERE);
        assert_true(v == round(v));
        mn = (int64_t)v < mn ? (int64_t)v : mn;
        mx = (int64_t)v > mx ? (int64_t)v : mx;
    }
    assert_int_equal(mn, -6);
    assert_int_equal(mx, 6);
    assert_null(c.error_msg);
}

static void test_uniform_decimal_errors(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_true(sdb_gen_uniform_decimal(&c, 1.0, 2.0, 10, "d.swl:1:1") == 1.0);
    assert_non_null(c.error_msg);
    ctx_init(&c, 1, 0);
    assert_true(sdb_gen_uniform_decimal(&c, 2.0, 1.0, 2, WHERE) == 2.0);
    assert_non_null(c.error_msg);
    ctx_init(&c, 1, 0);
    sdb_gen_uniform_decimal(&c, 0.0, 1e10, 9, WHERE);
    assert_non_null(c.error_msg);
    ctx_init(&c, 1, 0);
    sdb_gen_uniform_decimal(&c, NAN, 1.0, 2, WHERE);
    assert_non_null(c.error_msg);
}

/* ---- pgbench's distributions ---- */

static double phi_interval(double z) /* P(-z <= Z < z) */
{
    return erf(z / sqrt(2.0));
}

/* random_gaussian(1, 1000, 2.5): the middle half of the range holds
 * P(|Z| < 1.25) / P(|Z| < 2.5) of the draws; symmetric about 500.5. */
static void test_gaussian_shape(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 31, 0);
    const int n = 1000000;
    int middle = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = sdb_gen_gaussian(&c, 1, 1000, 2.5, WHERE);
        assert_in_range(v, 1, 1000);
        middle += v >= 251 && v < 751;
        sum += (double)v;
    }
    double want = phi_interval(1.25) / phi_interval(2.5);   /* 0.7986 */
    assert_true(fabs((double)middle / n - want) < 0.002);
    assert_true(fabs(sum / n - 500.5) < 1.0);
    /* a large parameter concentrates the values: 10 sigma over the range */
    int near = 0;
    for (int i = 0; i < 100000; i++) {
        int64_t v = sdb_gen_gaussian(&c, 1000, 1999, 10.0, WHERE);
        assert_in_range(v, 1000, 1999);
        near += v >= 1450 && v < 1550;   /* |Z| < 1 */
    }
    assert_true(fabs(near / 1e5 - phi_interval(1.0)) < 0.006);
    assert_null(c.error_msg);
}

/* random_exponential(0, 999, 2): P(v < 500) = (1 - e^-1) / (1 - e^-2) and
 * mean 1000 * (1/2 - e^-2 / (1 - e^-2)) - 0.5. */
static void test_exponential_shape(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 32, 0);
    const int n = 1000000;
    int low = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = sdb_gen_exponential(&c, 0, 999, 2.0, WHERE);
        assert_in_range(v, 0, 999);
        low += v < 500;
        sum += (double)v;
    }
    double p_low = (1 - exp(-1.0)) / (1 - exp(-2.0));
    double mean = 1000 * (0.5 - exp(-2.0) / (1 - exp(-2.0))) - 0.5;
    assert_true(fabs((double)low / n - p_low) < 0.002);
    assert_true(fabs(sum / n - mean) < 1.0);
    assert_null(c.error_msg);
}

/* random_zipfian(1, 100, s): rank k has probability k^-s / H(100, s). */
static void check_zipf(double s, uint64_t seed)
{
    sdb_ctx c;
    ctx_init(&c, seed, 0);
    const int n = 1000000;
    int counts[101] = {0};
    for (int i = 0; i < n; i++) {
        int64_t v = sdb_gen_zipfian(&c, 1, 100, s, WHERE);
        assert_in_range(v, 1, 100);
        counts[v]++;
    }
    double h = 0;
    for (int k = 1; k <= 100; k++)
        h += pow(k, -s);
    for (int k = 1; k <= 10; k++)
        assert_true(fabs(counts[k] / (double)n - pow(k, -s) / h) < 0.003);
    assert_null(c.error_msg);
}

static void test_zipfian_shape(void **state)
{
    (void)state;
    check_zipf(1.5, 33);
    check_zipf(1.01, 34);
    check_zipf(3.0, 35);
    sdb_ctx c;
    ctx_init(&c, 36, 0);
    for (int i = 0; i < 10000; i++)
        assert_in_range(sdb_gen_zipfian(&c, 4000, 4999, 1.5, WHERE), 4000, 4999);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sdb_gen_zipfian(&c, 7, 7, 2.0, WHERE), 7);
}

static void check_param_error(int which, double param, const char *msg)
{
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    int64_t v = which == 0   ? sdb_gen_gaussian(&c, 3, 9, param, "p.swl:2:3")
                : which == 1 ? sdb_gen_exponential(&c, 3, 9, param, "p.swl:2:3")
                             : sdb_gen_zipfian(&c, 3, 9, param, "p.swl:2:3");
    assert_int_equal(v, 3);
    assert_string_equal(c.error_where, "p.swl:2:3");
    assert_string_equal(c.error_msg, msg);
}

/* pgbench's parameter limits and range checks. */
static void test_pgbench_distribution_errors(void **state)
{
    (void)state;
    const char *gauss = "gaussian parameter must be at least 2.0";
    const char *expo = "exponential parameter must be greater than zero";
    const char *zipf = "zipfian parameter must be in range [1.001, 1000]";
    check_param_error(0, 1.999, gauss);
    check_param_error(0, NAN, gauss);
    check_param_error(1, 0.0, expo);
    check_param_error(1, -1.0, expo);
    check_param_error(2, 1.0, zipf);
    check_param_error(2, 1000.5, zipf);
    check_param_error(2, NAN, zipf);
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_in_range(sdb_gen_gaussian(&c, 0, 10, 2.0, WHERE), 0, 10);
    assert_int_equal(sdb_gen_gaussian(&c, 4, 4, 2.0, WHERE), 4);
    int64_t e = sdb_gen_exponential(&c, -5, 5, 1e-9, WHERE);
    assert_true(e >= -5 && e <= 5);
    assert_in_range(sdb_gen_zipfian(&c, 1, 10, 1000.0, WHERE), 1, 10);
    assert_null(c.error_msg);    /* limits and a one-value range are fine */
    assert_int_equal(sdb_gen_exponential(&c, 5, 4, 1.0, WHERE), 5);
    assert_string_equal(c.error_msg, "empty range given to random (lo > hi)");
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_zipfian(&c, INT64_MIN, INT64_MAX, 2.0, WHERE), INT64_MIN);
    assert_string_equal(c.error_msg, "random range is too large");
}

/* ---- normal and think times ---- */

static void test_normal(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 41, 0);
    const int n = 1000000;
    double sum = 0, sum2 = 0;
    int within1 = 0;
    for (int i = 0; i < n; i++) {
        double v = sdb_gen_normal(&c, 10.0, 2.0, WHERE);
        sum += v;
        sum2 += v * v;
        within1 += fabs(v - 10.0) < 2.0;
    }
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    assert_true(fabs(mean - 10.0) < 0.01);
    assert_true(fabs(sd - 2.0) < 0.01);
    assert_true(fabs((double)within1 / n - phi_interval(1.0)) < 0.002);
    assert_true(sdb_gen_normal(&c, 3.0, 0.0, WHERE) == 3.0);
    assert_null(c.error_msg);
    sdb_gen_normal(&c, 0.0, -1.0, "n.swl:1:1");
    assert_string_equal(c.error_where, "n.swl:1:1");
}

/* Mean 5 uncapped; capped at 10 the mean is 5 (1 - e^-2) and e^-2 of the
 * draws are exactly 10. */
static void test_exp_time(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 42, 0);
    const int n = 1000000;
    double sum = 0, sum_cap = 0;
    int capped = 0;
    for (int i = 0; i < n; i++) {
        double t = sdb_gen_exp_time(&c, 5.0, 0.0, WHERE);
        assert_true(t >= 0.0 && isfinite(t));
        sum += t;
        double u = sdb_gen_exp_time(&c, 5.0, 10.0, WHERE);
        assert_true(u >= 0.0 && u <= 10.0);
        sum_cap += u;
        capped += u == 10.0;
    }
    assert_true(fabs(sum / n - 5.0) < 0.02);
    assert_true(fabs(sum_cap / n - 5.0 * (1 - exp(-2.0))) < 0.02);
    assert_true(fabs((double)capped / n - exp(-2.0)) < 0.002);
    assert_null(c.error_msg);
    assert_true(sdb_gen_exp_time(&c, 0.0, 0.0, WHERE) == 0.0);
    assert_non_null(c.error_msg);
}

/* ---- NURand ---- */

static void test_nurand_range_and_skew(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 51, 0);
    static const int64_t cs[3] = {123, 259, 7911};
    c.nurand_c = cs;
    int *counts = calloc(3001, sizeof *counts);
    assert_non_null(counts);
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        int64_t v = sdb_gen_nurand(&c, 1023, 1, 3000, WHERE);
        assert_in_range(v, 1, 3000);
        counts[v]++;
        assert_in_range(sdb_gen_nurand(&c, 255, 0, 999, WHERE), 0, 999);
        assert_in_range(sdb_gen_nurand(&c, 8191, 1, 100000, WHERE), 1, 100000);
    }
    int mn = n, mx = 0;
    for (int v = 1; v <= 3000; v++) {
        mn = counts[v] < mn ? counts[v] : mn;
        mx = counts[v] > mx ? counts[v] : mx;
    }
    /* uniform would give about 333 each; NURand is strongly skewed */
    assert_true(mx > 3 * 333);
    assert_true(mn < 333 / 3);
    free(counts);
    assert_null(c.error_msg);
}

/* The same stream with C = 0 and with C: each result is the C = 0 one
 * shifted by C modulo the range, and C is taken by A (255, 1023, 8191). */
static void test_nurand_uses_c(void **state)
{
    (void)state;
    static const int64_t cs[3] = {77, 500, 4000};
    const int64_t as[4] = {255, 1023, 8191, 100};
    const int64_t want_c[4] = {77, 500, 4000, 0};
    for (int k = 0; k < 4; k++) {
        sdb_ctx with_c, without;
        ctx_init(&with_c, 52, 0);
        ctx_init(&without, 52, 0);
        with_c.nurand_c = cs;   /* without.nurand_c stays NULL: C = 0 */
        for (int i = 0; i < 10000; i++) {
            int64_t a = sdb_gen_nurand(&with_c, as[k], 1, 3000, WHERE);
            int64_t b = sdb_gen_nurand(&without, as[k], 1, 3000, WHERE);
            assert_int_equal(a, (b - 1 + want_c[k]) % 3000 + 1);
        }
    }
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_nurand(&c, 255, 10, 5, "r.swl:1:1"), 10);
    assert_string_equal(c.error_where, "r.swl:1:1");
}

/* ---- permute and hashes ---- */

static void test_permute_pgbench_values(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    /* src/bin/pgbench/t/001_pgbench_with_server.pl */
    assert_int_equal(sdb_gen_permute(&c, 0, 2, 5431, WHERE), 0);
    assert_int_equal(sdb_gen_permute(&c, 1, 2, 5431, WHERE), 1);
    assert_int_equal(sdb_gen_permute(&c, 0, 2, 5433, WHERE), 1);
    assert_int_equal(sdb_gen_permute(&c, 1, 2, 5433, WHERE), 0);
    const int64_t size = INT64_MAX - 10;
    const int64_t want[7] = {
        520382784483822430, 1143715004660802862, 447293596416496998, 916527772266572956,
        2763809008686028849, 8648551549198294572, 4542876852200565125,
    };
    for (int k = 0; k < 7; k++)
        assert_int_equal(sdb_gen_permute(&c, size - 1 - k, size, 5432, WHERE), want[k]);
    assert_null(c.error_msg);
}

/* A bijection of [0, size) for many sizes and seeds; i outside the range is
 * taken (as unsigned) modulo size; the permutation depends on the seed. */
static void test_permute_bijection(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    const int64_t seeds[] = {0, 1, 5432, -1, INT64_MIN};
    char *seen = malloc(1000003);
    assert_non_null(seen);
    for (int64_t size = 1; size <= 300; size++) {
        for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
            memset(seen, 0, (size_t)size);
            for (int64_t i = 0; i < size; i++) {
                int64_t p = sdb_gen_permute(&c, i, size, seeds[s], WHERE);
                assert_in_range(p, 0, size - 1);
                assert_int_equal(seen[p], 0);
                seen[p] = 1;
                assert_int_equal(sdb_gen_permute(&c, i + size, size, seeds[s], WHERE), p);
            }
        }
    }
    const int64_t big = 1000003;
    memset(seen, 0, (size_t)big);
    int fixed = 0;
    for (int64_t i = 0; i < big; i++) {
        int64_t p = sdb_gen_permute(&c, i, big, 77, WHERE);
        assert_int_equal(seen[p], 0);
        seen[p] = 1;
        fixed += p == i;
    }
    assert_true(fixed < 20);   /* a random permutation has about 1 */
    free(seen);
    uint64_t m1 = UINT64_MAX % 10;
    assert_int_equal(sdb_gen_permute(&c, -1, 10, 9, WHERE), sdb_gen_permute(&c, (int64_t)m1, 10, 9, WHERE));
    int same = 0;
    for (int64_t i = 0; i < 1000; i++)
        same += sdb_gen_permute(&c, i, 1000, 1, WHERE) == sdb_gen_permute(&c, i, 1000, 2, WHERE);
    assert_true(same < 20);
    assert_null(c.error_msg);
    assert_int_equal(sdb_gen_permute(&c, 3, 0, 1, "q.swl:4:4"), 0);
    assert_string_equal(c.error_msg, "permute size parameter must be greater than zero");
}

static void test_hashes_pgbench_values(void **state)
{
    (void)state;
    /* src/bin/pgbench/t/001_pgbench_with_server.pl, commands 49 and 51 */
    assert_int_equal(sdb_hash_murmur2(10, 5432), -5817877081768721676);
    assert_int_equal(sdb_hash_fnv1a(10, 5432), -7793829335365542153);
    assert_true(sdb_hash_murmur2(10, 5433) != sdb_hash_murmur2(10, 5432));
    assert_true(sdb_hash_fnv1a(11, 5432) != sdb_hash_fnv1a(10, 5432));
    /* FNV-1a by its definition, byte by byte, for a negative value */
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ 7;
    uint64_t v = (uint64_t)INT64_C(-123456789);
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= UINT64_C(0x100000001b3);
    }
    assert_int_equal((uint64_t)sdb_hash_fnv1a(-123456789, 7), h);
}

/* ---- chance and pick ---- */

static void test_chance(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 61, 0);
    int hits = 0;
    for (int i = 0; i < 1000000; i++)
        hits += sdb_gen_chance(&c, 0.3);
    assert_in_range(hits, 298500, 301500);
    for (int i = 0; i < 10000; i++) {
        assert_false(sdb_gen_chance(&c, 0.0));
        assert_false(sdb_gen_chance(&c, -1.0));
        assert_false(sdb_gen_chance(&c, NAN));
        assert_true(sdb_gen_chance(&c, 1.0));
        assert_true(sdb_gen_chance(&c, 2.0));
    }
}

static void check_pick(const double *cum, int n, const double *p, uint64_t seed)
{
    sdb_ctx c;
    ctx_init(&c, seed, 0);
    int counts[128] = {0};
    const int draws = 1000000;
    for (int i = 0; i < draws; i++) {
        int k = sdb_gen_pick(&c, cum, n);
        assert_in_range(k, 0, n - 1);
        counts[k]++;
    }
    for (int k = 0; k < n; k++) {
        if (p[k] == 0.0)
            assert_int_equal(counts[k], 0);
        else
            assert_true(fabs(counts[k] / (double)draws - p[k]) < 0.003);
    }
}

/* Small n (linear scan) and large n (binary search), with zero weights
 * at the start, middle and end; cum == NULL is uniform. */
static void test_pick(void **state)
{
    (void)state;
    const double cum4[4] = {1, 3, 6, 10};
    const double p4[4] = {0.1, 0.2, 0.3, 0.4};
    check_pick(cum4, 4, p4, 62);
    const double cum5[5] = {0, 2, 2, 4, 4};
    const double p5[5] = {0, 0.5, 0, 0.5, 0};
    check_pick(cum5, 5, p5, 63);
    double cum100[100], p100[100];
    double total = 0;
    for (int k = 0; k < 100; k++) {
        double w = (k == 0 || k == 50 || k == 99) ? 0.0 : (double)(k % 7 + 1);
        total += w;
        cum100[k] = total;
        p100[k] = w;
    }
    for (int k = 0; k < 100; k++)
        p100[k] /= total;
    check_pick(cum100, 100, p100, 64);
    double uni[7];
    for (int k = 0; k < 7; k++)
        uni[k] = 1.0 / 7;
    check_pick(NULL, 7, uni, 65);
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_pick(&c, NULL, 1), 0);
    assert_int_equal(sdb_gen_pick(&c, NULL, 0), 0);
}

/* ---- sequences ---- */

enum { SEQ_PER_THREAD = 200000 };

typedef struct seq_job {
    int64_t *counters;
    int64_t *out;
} seq_job;

static void *seq_worker(void *arg)
{
    seq_job *job = arg;
    sdb_ctx c;
    memset(&c, 0, sizeof c);
    c.sequences = job->counters;
    for (int i = 0; i < SEQ_PER_THREAD; i++)
        job->out[i] = sdb_seq_next(&c, 1, 5, 3);
    return NULL;
}

/* Two threads share sequence 1 (start 5, step 3): every value from the
 * first, 5, is handed out exactly once; sequence 0 is left alone. */
static void test_seq_two_threads(void **state)
{
    (void)state;
    int64_t counters[2] = {0, 0};
    int64_t *out = malloc(2 * SEQ_PER_THREAD * sizeof *out);
    assert_non_null(out);
    seq_job jobs[2] = {{counters, out}, {counters, out + SEQ_PER_THREAD}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, seq_worker, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    char *seen = calloc(2 * SEQ_PER_THREAD, 1);
    assert_non_null(seen);
    for (int i = 0; i < 2 * SEQ_PER_THREAD; i++) {
        int64_t v = out[i];
        assert_int_equal((v - 5) % 3, 0);
        int64_t k = (v - 5) / 3;
        assert_in_range(k, 0, 2 * SEQ_PER_THREAD - 1);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
    }
    assert_int_equal(counters[0], 0);
    assert_int_equal(counters[1], 2 * SEQ_PER_THREAD);
    free(seen);
    free(out);
}

static void test_seq_single(void **state)
{
    (void)state;
    int64_t counters[1] = {0};
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    c.sequences = counters;
    assert_int_equal(sdb_seq_next(&c, 0, 100, -2), 100);
    assert_int_equal(sdb_seq_next(&c, 0, 100, -2), 98);
    assert_int_equal(sdb_seq_next(&c, 0, 100, -2), 96);
    c.sequences = NULL;
    assert_int_equal(sdb_seq_next(&c, 0, 100, -2), 100);
}

/* ---- more strings ---- */

static void test_alpha_and_numeric(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 71, 0);
    int letters[128] = {0};
    for (int i = 0; i < 100000; i++) {
        c.arena_used = 0;
        sdb_str a = sdb_gen_alpha(&c, 8, 16, WHERE);
        assert_true(a.len >= 8 && a.len <= 16);
        for (uint32_t k = 0; k < a.len; k++) {
            unsigned char ch = (unsigned char)a.ptr[k];
            assert_true((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'));
            letters[ch]++;
        }
        sdb_str d = sdb_gen_numeric(&c, 9, 9, WHERE);
        assert_int_equal(d.len, 9);
        for (uint32_t k = 0; k < d.len; k++) {
            assert_true(d.ptr[k] >= '0' && d.ptr[k] <= '9');
            letters[(unsigned char)d.ptr[k]]++;
        }
    }
    for (int ch = 'A'; ch <= 'z'; ch++)   /* 1.2M letters / 52 = 23077 each */
        if (ch <= 'Z' || ch >= 'a')
            assert_in_range(letters[ch], 22000, 24200);
    for (int ch = '0'; ch <= '9'; ch++)   /* 900000 / 10 */
        assert_in_range(letters[ch], 88500, 91500);
    assert_null(c.error_msg);
    sdb_gen_numeric(&c, 3, 2, WHERE);
    assert_non_null(c.error_msg);
}

static const char base50[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX";

/* ORIGINAL in 10% of 50-character strings, at every position 0..42, the
 * rest of the string and its length unchanged. */
static void test_marker(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 72, 0);
    sdb_str s = sdb_str_lit(base50, 50), mark = sdb_str_lit("ORIGINAL", 8);
    int marked = 0, positions[43] = {0};
    for (int i = 0; i < 100000; i++) {
        c.arena_used = 0;
        sdb_str r = sdb_gen_marker(&c, s, mark, 10.0, WHERE);
        assert_int_equal(r.len, 50);
        if (r.ptr == base50)
            continue;
        marked++;
        const char *at = memmem(r.ptr, r.len, "ORIGINAL", 8);
        assert_non_null(at);
        size_t pos = (size_t)(at - r.ptr);
        assert_true(pos <= 42);
        positions[pos]++;
        assert_memory_equal(r.ptr, base50, pos);
        assert_memory_equal(r.ptr + pos + 8, base50 + pos + 8, 50 - pos - 8);
    }
    assert_in_range(marked, 9500, 10500);
    for (int p = 0; p <= 42; p++)
        assert_true(positions[p] > 100);
    for (int i = 0; i < 1000; i++) {
        assert_ptr_equal(sdb_gen_marker(&c, s, mark, 0.0, WHERE).ptr, base50);
        assert_true(sdb_gen_marker(&c, s, mark, 100.0, WHERE).ptr != base50);
    }
    assert_null(c.error_msg);
    sdb_str short_s = sdb_str_lit("abc", 3);
    assert_ptr_equal(sdb_gen_marker(&c, short_s, mark, 50.0, "m.swl:1:1").ptr, short_s.ptr);
    assert_string_equal(c.error_where, "m.swl:1:1");
    ctx_init(&c, 72, 0);
    sdb_gen_marker(&c, s, mark, 101.0, WHERE);
    assert_non_null(c.error_msg);
}

#define S(lit) {lit, sizeof lit - 1}
static const sdb_str syllable_items[10] = {
    S("BAR"), S("OUGHT"), S("ABLE"), S("PRI"), S("PRES"),
    S("ESE"), S("ANTI"), S("CALLY"), S("ATION"), S("EING"),
};
static const sdb_list syllables = {syllable_items, 10};

static void check_syllables(int64_t n, const char *want)
{
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    sdb_str s = sdb_gen_syllables(&c, n, 3, &syllables, WHERE);
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.ptr, want, s.len);
    assert_null(c.error_msg);
}

/* TPC-C 4.3.2.3's C_LAST examples. */
static void test_syllables(void **state)
{
    (void)state;
    check_syllables(0, "BARBARBAR");
    check_syllables(371, "PRICALLYOUGHT");
    check_syllables(999, "EINGEINGEING");
    check_syllables(40, "BARPRESBAR");
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_syllables(&c, 1000, 3, &syllables, "s.swl:1:1").len, 0);
    assert_string_equal(c.error_where, "s.swl:1:1");
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_syllables(&c, -1, 3, &syllables, WHERE).len, 0);
    assert_non_null(c.error_msg);
    const sdb_list nine = {syllable_items, 9};
    ctx_init(&c, 1, 0);
    assert_int_equal(sdb_gen_syllables(&c, 5, 3, &nine, WHERE).len, 0);
    assert_non_null(c.error_msg);
}

static const sdb_str word_items[5] = {S("alpha"), S("beta"), S("gamma"), S("delta"), S("e")};
static const sdb_list words = {word_items, 5};

static bool is_word(const char *p, size_t len)
{
    for (int k = 0; k < words.n; k++)
        if (word_items[k].len == len && memcmp(word_items[k].ptr, p, len) == 0)
            return true;
    return false;
}

static void test_words(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 73, 0);
    int count_seen[6] = {0};
    for (int i = 0; i < 20000; i++) {
        c.arena_used = 0;
        sdb_str s = sdb_gen_words(&c, &words, 2, 5, WHERE);
        assert_int_equal(c.arena_used, s.len);
        int count = 0;
        size_t start = 0;
        for (size_t k = 0; k <= s.len; k++) {
            if (k == s.len || s.ptr[k] == ' ') {
                assert_true(is_word(s.ptr + start, k - start));
                count++;
                start = k + 1;
            }
        }
        assert_in_range(count, 2, 5);
        count_seen[count]++;
    }
    for (int k = 2; k <= 5; k++)
        assert_in_range(count_seen[k], 4500, 5500);
    assert_int_equal(sdb_gen_words(&c, &words, 0, 0, WHERE).len, 0);
    assert_null(c.error_msg);
    sdb_gen_words(&c, &words, 3, 1, WHERE);
    assert_non_null(c.error_msg);
}

/* Exact lengths, no space at either end or doubled, whole words but the
 * last (which may be cut, or carry one character of a next word). */
static void test_text(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 74, 0);
    int64_t lens[61] = {0};
    for (int i = 0; i < 50000; i++) {
        c.arena_used = 0;
        sdb_str s = sdb_gen_text(&c, &words, 20, 60, WHERE);
        assert_true(s.len >= 20 && s.len <= 60);
        lens[s.len]++;
        assert_true(s.ptr[0] != ' ' && s.ptr[s.len - 1] != ' ');
        size_t start = 0;
        for (size_t k = 0; k < s.len; k++) {
            if (s.ptr[k] == ' ') {
                assert_true(k > start);
                assert_true(is_word(s.ptr + start, k - start));
                start = k + 1;
            }
        }
    }
    for (int l = 20; l <= 60; l++)   /* 50000 / 41 = 1220 */
        assert_in_range(lens[l], 1000, 1450);
    assert_null(c.error_msg);
    c.arena_used = 0;
    assert_int_equal(sdb_gen_text(&c, &words, 0, 0, WHERE).len, 0);
    const sdb_list none = {word_items, 0};
    sdb_gen_text(&c, &none, 1, 5, WHERE);
    assert_non_null(c.error_msg);
}

static void test_uuid(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 75, 0);
    enum { N = 2000 };
    char (*all)[37] = calloc(N, sizeof *all);
    assert_non_null(all);
    int variant[4] = {0};
    for (int i = 0; i < N; i++) {
        c.arena_used = 0;
        sdb_str u = sdb_gen_uuid(&c);
        assert_int_equal(u.len, 36);
        for (int k = 0; k < 36; k++) {
            char ch = u.ptr[k];
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(ch, '-');
            else
                assert_true((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
        }
        assert_int_equal(u.ptr[14], '4');
        const char *v = strchr("89ab", u.ptr[19]);
        assert_non_null(v);
        variant[v - "89ab"]++;
        memcpy(all[i], u.ptr, 36);
        for (int j = 0; j < i; j++)
            assert_true(memcmp(all[j], all[i], 36) != 0);
    }
    for (int k = 0; k < 4; k++)
        assert_in_range(variant[k], 400, 600);
    free(all);
}

/* Parses "[x,...]" into out (up to max); returns the count, -1 if malformed. */
static int parse_vector(sdb_str s, double *out, int max)
{
    char *text = malloc(s.len + 1);
    memcpy(text, s.ptr, s.len);
    text[s.len] = '\0';
    int n = -1;
    if (text[0] == '[' && text[s.len - 1] == ']') {
        char *p = text + 1;
        n = 0;
        for (;;) {
            char *end;
            double v = strtod(p, &end);
            if (end == p || n == max || (*end != ',' && *end != ']')) {
                n = -1;
                break;
            }
            out[n++] = v;
            if (*end == ']') {
                n = end + 1 == text + s.len ? n : -1;
                break;
            }
            p = end + 1;
        }
    }
    free(text);
    return n;
}

static void test_vector(void **state)
{
    (void)state;
    static double x[2000], y[2000];
    sdb_ctx c;
    ctx_init(&c, 76, 0);
    for (int i = 0; i < 1000; i++) {
        c.arena_used = 0;
        sdb_str s = sdb_gen_vector(&c, 3, 0, 0, WHERE);
        assert_int_equal(parse_vector(s, x, 2000), 3);
        for (int k = 0; k < 3; k++)
            assert_true(x[k] >= -1.0 && x[k] <= 1.0);
    }
    const int dims[3] = {1, 100, 1536};
    for (int d = 0; d < 3; d++) {
        for (int dist = 0; dist <= 1; dist++) {
            c.arena_used = 0;
            sdb_rng start = c.rng;
            sdb_str s = sdb_gen_vector(&c, dims[d], dist, 1, WHERE);
            assert_int_equal(parse_vector(s, x, 2000), dims[d]);
            double norm = 0;
            for (int k = 0; k < dims[d]; k++)
                norm += x[k] * x[k];
            assert_true(fabs(sqrt(norm) - 1.0) < 1e-4);
            /* the same draws unnormalised point the same way */
            c.rng = start;
            c.arena_used = 0;
            s = sdb_gen_vector(&c, dims[d], dist, 0, WHERE);
            assert_int_equal(parse_vector(s, y, 2000), dims[d]);
            double ynorm = 0;
            for (int k = 0; k < dims[d]; k++)
                ynorm += y[k] * y[k];
            for (int k = 0; k < dims[d]; k++)
                assert_true(fabs(x[k] - y[k] / sqrt(ynorm)) < 1e-5);
        }
    }
    /* normal components: variance 1 */
    c.arena_used = 0;
    sdb_str s = sdb_gen_vector(&c, 2000, 1, 0, WHERE);
    assert_int_equal(parse_vector(s, x, 2000), 2000);
    double sum2 = 0;
    for (int k = 0; k < 2000; k++)
        sum2 += x[k] * x[k];
    assert_true(fabs(sum2 / 2000 - 1.0) < 0.1);
    assert_null(c.error_msg);
    /* too long for the arena, and bad arguments */
    c.arena_used = 0;
    assert_int_equal(sdb_gen_vector(&c, 16000, 0, 0, "v.swl:1:1").len, 0);
    assert_int_equal(c.arena_used, 0);
    assert_string_equal(c.error_where, "v.swl:1:1");
    ctx_init(&c, 76, 0);
    assert_int_equal(sdb_gen_vector(&c, 0, 0, 0, WHERE).len, 0);
    assert_non_null(c.error_msg);
    ctx_init(&c, 76, 0);
    assert_int_equal(sdb_gen_vector(&c, 3, 2, 0, WHERE).len, 0);
    assert_non_null(c.error_msg);
    assert_guard_intact();
}

/* ---- times ---- */

static void test_times(void **state)
{
    (void)state;
    int64_t now = sdb_now_us();
    int64_t wall = (int64_t)time(NULL) * 1000000;
    assert_true(now > wall - 2000000 && now < wall + 2000000);
    sdb_ctx c;
    ctx_init(&c, 81, 0);
    const int64_t lo = INT64_C(-2208988800000000), hi = INT64_C(1706704496123456);
    for (int i = 0; i < 100000; i++) {
        int64_t t = sdb_gen_timestamp(&c, lo, hi, WHERE);
        assert_true(t >= lo && t <= hi);
        int64_t d = sdb_gen_date(&c, -800, 19753, WHERE);
        assert_true(d >= -800 && d <= 19753);
    }
    assert_null(c.error_msg);
}

/* ---- string builder ---- */

static sdb_str build_one(sdb_ctx *c, void (*add)(sdb_ctx *, sdb_str), const char *in, size_t len)
{
    sdb_sb_begin(c);
    add(c, (sdb_str){in, (uint32_t)len});
    return sdb_sb_end(c, WHERE);
}

static void assert_str(sdb_str s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.ptr, want, s.len);
}

static void test_sb_values(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    c.arena_used = 10;
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "id=", 3);
    sdb_sb_int(&c, -42);
    sdb_sb_raw(&c, ",", 1);
    sdb_sb_int(&c, INT64_MIN);
    sdb_sb_str(&c, sdb_str_lit(",p=", 3));
    sdb_sb_float(&c, 57.23);
    sdb_sb_raw(&c, ",", 1);
    sdb_sb_timestamp(&c, 1500000);
    sdb_sb_raw(&c, ",", 1);
    sdb_sb_date(&c, -1);
    sdb_str s = sdb_sb_end(&c, WHERE);
    assert_str(s, "id=-42,-9223372036854775808,p=57.23,1970-01-01 00:00:01.5,1969-12-31");
    assert_ptr_equal(s.ptr, arena_buf + 10);
    assert_int_equal(c.arena_used, 10 + s.len);
    /* a second string follows the first; an empty one is fine */
    sdb_str e = build_one(&c, sdb_sb_str, "", 0);
    assert_int_equal(e.len, 0);
    sdb_str t = build_one(&c, sdb_sb_str, "xyz", 3);
    assert_str(t, "xyz");
    assert_ptr_equal(t.ptr, s.ptr + s.len);
    assert_str(s, "id=-42,-9223372036854775808,p=57.23,1970-01-01 00:00:01.5,1969-12-31");
    assert_null(c.error_msg);
}

static void test_sb_json_escaping(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    static const char in[] = "a\"b\\c/\b\f\n\r\t\x01\x1f\x7f caf\xc3\xa9 \xe2\x82\xac";
    sdb_str s = build_one(&c, sdb_sb_json_str, in, sizeof in - 1);
    assert_str(s, "\"a\\\"b\\\\c/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f caf\xc3\xa9 \xe2\x82\xac\"");
    assert_str(build_one(&c, sdb_sb_json_str, "", 0), "\"\"");
    static const char nul[3] = {'x', 0, 'y'};
    assert_str(build_one(&c, sdb_sb_json_str, nul, 3), "\"x\\u0000y\"");
    /* json{...} as generated code builds it */
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "{", 1);
    sdb_sb_json_str(&c, sdb_str_lit("k\"1", 3));
    sdb_sb_raw(&c, ":", 1);
    sdb_sb_int(&c, 7);
    sdb_sb_raw(&c, "}", 1);
    assert_str(sdb_sb_end(&c, WHERE), "{\"k\\\"1\":7}");
    assert_null(c.error_msg);
}

static void test_sb_array_escaping(void **state)
{
    (void)state;
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    assert_str(build_one(&c, sdb_sb_array_str, "a\"b\\c, {}", 9), "\"a\\\"b\\\\c, {}\"");
    assert_str(build_one(&c, sdb_sb_array_str, "", 0), "\"\"");
    assert_str(build_one(&c, sdb_sb_array_str, "NULL", 4), "\"NULL\"");
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "{", 1);
    sdb_sb_array_str(&c, sdb_str_lit("x y", 3));
    sdb_sb_raw(&c, ",", 1);
    sdb_sb_array_str(&c, sdb_str_lit("\\", 1));
    sdb_sb_raw(&c, "}", 1);
    assert_str(sdb_sb_end(&c, WHERE), "{\"x y\",\"\\\\\"}");
    assert_null(c.error_msg);
}

/* Overflow: "" with an error at `where`, appends after it ignored, the
 * arena back where the string began, nothing written past the arena; the
 * arena is usable again after. */
static void test_sb_overflow(void **state)
{
    (void)state;
    static const char big[64] = {0};
    sdb_ctx c;
    ctx_init(&c, 1, 0);
    /* 10 bytes left: 6 fit (4 are the builder's mark past the string) */
    c.arena_used = SDB_ARENA_BYTES - 10;
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "abcdef", 6);
    sdb_str s = sdb_sb_end(&c, WHERE);
    assert_str(s, "abcdef");
    assert_null(c.error_msg);
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES - 4);

    c.arena_used = SDB_ARENA_BYTES - 10;
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "abc", 3);
    sdb_sb_raw(&c, big, 20);
    sdb_sb_raw(&c, "z", 1);     /* would fit, but the string is lost already */
    sdb_sb_json_str(&c, sdb_str_lit("q", 1));
    s = sdb_sb_end(&c, "o.swl:3:4");
    assert_int_equal(s.len, 0);
    assert_non_null(s.ptr);
    assert_string_equal(c.error_where, "o.swl:3:4");
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES - 10);
    assert_guard_intact();

    /* full arena at begin, and no arena at all */
    ctx_init(&c, 1, 0);
    c.arena_used = SDB_ARENA_BYTES;
    sdb_sb_begin(&c);
    sdb_sb_int(&c, 1);
    assert_int_equal(sdb_sb_end(&c, WHERE).len, 0);
    assert_non_null(c.error_msg);
    assert_int_equal(c.arena_used, SDB_ARENA_BYTES);
    assert_guard_intact();
    memset(&c, 0, sizeof c);
    sdb_sb_begin(&c);
    sdb_sb_raw(&c, "x", 1);
    assert_int_equal(sdb_sb_end(&c, WHERE).len, 0);
    assert_non_null(c.error_msg);
    assert_int_equal(c.arena_used, 0);

    /* after an overflow the arena works again */
    ctx_init(&c, 1, 0);
    c.arena_used = SDB_ARENA_BYTES - 100;
    sdb_sb_begin(&c);
    for (int i = 0; i < 10; i++)
        sdb_sb_raw(&c, big, 64);
    assert_int_equal(sdb_sb_end(&c, WHERE).len, 0);
    sdb_str a = sdb_gen_string(&c, 50, 50, WHERE);
    assert_int_equal(a.len, 50);
    assert_ptr_equal(a.ptr, arena_buf + SDB_ARENA_BYTES - 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_sequence),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_many_streams_distinct_starts),
        cmocka_unit_test(test_xoshiro_reference),
        cmocka_unit_test(test_double_range_and_mean),
        cmocka_unit_test(test_uniform_bounds),
        cmocka_unit_test(test_uniform_full_range),
        cmocka_unit_test(test_uniform_small_range_ends),
        cmocka_unit_test(test_uniform_chi_square),
        cmocka_unit_test(test_uniform_no_bias_large_range),
        cmocka_unit_test(test_uniform_lo_gt_hi),
        cmocka_unit_test(test_string_lengths_and_chars),
        cmocka_unit_test(test_string_fixed_length_and_arena),
        cmocka_unit_test(test_string_arena_full),
        cmocka_unit_test(test_string_bad_lengths),
        cmocka_unit_test(test_str_lit),
        cmocka_unit_test(test_rt_error_keeps_first),
        cmocka_unit_test(test_division_ok),
        cmocka_unit_test(test_division_errors),
        cmocka_unit_test(test_uniform_float),
        cmocka_unit_test(test_uniform_decimal_digits),
        cmocka_unit_test(test_uniform_decimal_grid),
        cmocka_unit_test(test_uniform_decimal_errors),
        cmocka_unit_test(test_gaussian_shape),
        cmocka_unit_test(test_exponential_shape),
        cmocka_unit_test(test_zipfian_shape),
        cmocka_unit_test(test_pgbench_distribution_errors),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_exp_time),
        cmocka_unit_test(test_nurand_range_and_skew),
        cmocka_unit_test(test_nurand_uses_c),
        cmocka_unit_test(test_permute_pgbench_values),
        cmocka_unit_test(test_permute_bijection),
        cmocka_unit_test(test_hashes_pgbench_values),
        cmocka_unit_test(test_chance),
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_seq_two_threads),
        cmocka_unit_test(test_seq_single),
        cmocka_unit_test(test_alpha_and_numeric),
        cmocka_unit_test(test_marker),
        cmocka_unit_test(test_syllables),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_sb_values),
        cmocka_unit_test(test_sb_json_escaping),
        cmocka_unit_test(test_sb_array_escaping),
        cmocka_unit_test(test_sb_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
