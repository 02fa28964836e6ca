/*
 * test_gen.c — random streams, uniform integers, random strings, run-time
 * errors and checked division (runtime/src/gen.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
