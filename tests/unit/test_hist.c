/*
 * test_hist.c — the log-linear latency histogram (runtime/src/hist.c)
 * against exact statistics of known samples.
 *
 * Exact percentile used as the reference: the smallest sample x such that at
 * least p% of the samples are <= x, i.e. the order statistic of rank
 * ceil(p/100 * N) (rank at least 1).  Sample sizes are multiples of 1000, so
 * p/100 * N is an integer for every p tested and this rank equals
 * HdrHistogram's rounded count_at_p.  The histogram must report a value in
 * [exact, exact * 1.01].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

#include <cmocka.h>

#include "hist.h"
#include "stormdb.h"

/* Percentiles checked, in tenths of a percent (p50 .. p100). */
static const int permille[] = {0, 1, 10, 250, 500, 900, 950, 990, 999, 1000};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Records sample[0..n) (n a multiple of 1000, values in range) into a new
 * histogram and checks count, min, max, mean, stddev and percentiles
 * against the exact figures.  Sorts sample. */
static void check_against_exact(int64_t *sample, size_t n)
{
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sdb_hist_record(h, sample[i]);
        sum += (double)sample[i];
    }
    qsort(sample, n, sizeof *sample, cmp_i64);
    double mean = sum / (double)n, var = 0;
    for (size_t i = 0; i < n; i++)
        var += ((double)sample[i] - mean) * ((double)sample[i] - mean);
    double stddev = sqrt(var / (double)n);

    assert_int_equal(sdb_hist_count(h), n);
    assert_int_equal(sdb_hist_min(h), sample[0]);
    assert_int_equal(sdb_hist_max(h), sample[n - 1]);
    assert_int_equal(sdb_hist_overflows(h), 0);
    assert_true(fabs(sdb_hist_mean(h) - mean) <= 0.005 * mean);
    assert_true(fabs(sdb_hist_mean(h) - mean) <= 1e-9 * mean);   /* the sum is exact */
    assert_true(fabs(sdb_hist_stddev(h) - stddev) <= 0.01 * stddev);

    for (size_t k = 0; k < sizeof permille / sizeof permille[0]; k++) {
        size_t rank = ((size_t)permille[k] * n + 999) / 1000;
        if (rank < 1)
            rank = 1;
        int64_t exact = sample[rank - 1];
        int64_t got = sdb_hist_percentile(h, permille[k] / 10.0);
        if (got < exact || (double)got > (double)exact * 1.01)
            fail_msg("p%.1f: histogram %lld, exact %lld", permille[k] / 10.0,
                     (long long)got, (long long)exact);
    }
    assert_int_equal(sdb_hist_percentile(h, 100.0), sample[n - 1]);
    sdb_hist_free(h);
}

/* A standard normal variate (Box-Muller). */
static double normal(sdb_rng *r)
{
    double u1 = 1.0 - sdb_rng_double(r);   /* (0, 1] */
    double u2 = sdb_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* A sample generator: the i-th of n values, drawing from r if it wants. */
typedef int64_t (*draw_fn)(sdb_rng *r, size_t i, size_t n);

/* One sample: n values made by draw from an rng seeded with seed. */
typedef struct sample_spec {
    size_t n;          /* a multiple of 1000 */
    uint64_t seed;
    draw_fn draw;
} sample_spec;

/* Makes the sample *state (a sample_spec) and checks it with
 * check_against_exact. */
static void test_sample(void **state)
{
    const sample_spec *spec = *state;
    int64_t *s = malloc(spec->n * sizeof *s);
    assert_non_null(s);
    sdb_rng r;
    sdb_rng_seed(&r, spec->seed, 0);
    for (size_t i = 0; i < spec->n; i++)
        s[i] = spec->draw(&r, i, spec->n);
    check_against_exact(s, spec->n);
    free(s);
}

/* n, n-1, ..., 1: recorded in descending order. */
static int64_t draw_descending(sdb_rng *r, size_t i, size_t n)
{
    (void)r;
    return (int64_t)(n - i);
}

/* Log-normal around 1 ms (sigma 1.5): values from a few µs to seconds. */
static int64_t draw_lognormal(sdb_rng *r, size_t i, size_t n)
{
    (void)i, (void)n;
    return (int64_t)exp(log(1e6) + 1.5 * normal(r)) + 1;
}

/* Two modes: 95% near 200 µs, 5% near 80 ms. */
static int64_t draw_bimodal(sdb_rng *r, size_t i, size_t n)
{
    (void)i, (void)n;
    double centre = sdb_rng_double(r) < 0.95 ? 200e3 : 80e6;
    double v = centre * (1.0 + 0.1 * normal(r));
    return v < 1 ? 1 : (int64_t)v;
}

/* Log-uniform from 1 µs to 10 s. */
static int64_t draw_us_to_s(sdb_rng *r, size_t i, size_t n)
{
    (void)i, (void)n;
    return (int64_t)exp(log(1e3) + sdb_rng_double(r) * (log(1e10) - log(1e3)));
}

/* Uniform in [1 h - 10 min, 1 h], the top of the range. */
static int64_t draw_near_highest(sdb_rng *r, size_t i, size_t n)
{
    (void)i, (void)n;
    return SDB_HIST_HIGHEST - (int64_t)(sdb_rng_double(r) * 600e9);
}

static sample_spec sequence_1_to_1e6 = {1000000, 0, draw_descending};
static sample_spec lognormal = {500000, 12345, draw_lognormal};
static sample_spec bimodal = {200000, 777, draw_bimodal};
static sample_spec us_to_s = {300000, 4242, draw_us_to_s};
static sample_spec near_highest = {10000, 5, draw_near_highest};

/* Values below 256 ns are kept exactly. */
static void test_small_values_exact(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    for (int v = 0; v < 256; v++)
        sdb_hist_record_n(h, v, 4);   /* 1024 values */
    assert_int_equal(sdb_hist_count(h), 1024);
    assert_int_equal(sdb_hist_min(h), 0);
    assert_int_equal(sdb_hist_max(h), 255);
    assert_int_equal(sdb_hist_percentile(h, 50.0), 127);    /* rank 512 */
    assert_int_equal(sdb_hist_percentile(h, 25.0), 63);     /* rank 256 */
    assert_int_equal(sdb_hist_percentile(h, 0.0), 0);
    assert_true(fabs(sdb_hist_mean(h) - 127.5) < 1e-9);
    sdb_hist_free(h);
}

static void test_empty(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    assert_int_equal(sdb_hist_count(h), 0);
    assert_int_equal(sdb_hist_min(h), 0);
    assert_int_equal(sdb_hist_max(h), 0);
    assert_true(sdb_hist_mean(h) == 0.0);
    assert_true(sdb_hist_stddev(h) == 0.0);
    assert_int_equal(sdb_hist_percentile(h, 50.0), 0);
    assert_int_equal(sdb_hist_percentile(h, 100.0), 0);
    assert_int_equal(sdb_hist_overflows(h), 0);
    sdb_hist_free(h);
    sdb_hist_free(NULL);
}

static void test_single_value(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    sdb_hist_record(h, 123456789);
    assert_int_equal(sdb_hist_min(h), 123456789);
    assert_int_equal(sdb_hist_max(h), 123456789);
    assert_int_equal(sdb_hist_percentile(h, 0.0), 123456789);
    assert_int_equal(sdb_hist_percentile(h, 50.0), 123456789);   /* capped at max */
    assert_int_equal(sdb_hist_percentile(h, 100.0), 123456789);
    assert_true(sdb_hist_mean(h) == 123456789.0);
    assert_true(sdb_hist_stddev(h) < 0.01 * 123456789.0);
    sdb_hist_free(h);
}

/* Merging two halves gives the same figures as one histogram of all. */
static void test_merge_halves(void **state)
{
    (void)state;
    sdb_hist *all = sdb_hist_new(), *a = sdb_hist_new(), *b = sdb_hist_new();
    assert_true(all && a && b);
    sdb_rng r;
    sdb_rng_seed(&r, 99, 0);
    for (int i = 0; i < 200000; i++) {
        int64_t v = (int64_t)exp(log(1e5) + 2.0 * normal(&r));
        sdb_hist_record(all, v);
        sdb_hist_record(i % 3 == 0 ? a : b, v);
    }
    sdb_hist_record(all, INT64_MAX);
    sdb_hist_record(b, INT64_MAX);
    sdb_hist_merge(a, b);
    assert_int_equal(sdb_hist_count(a), sdb_hist_count(all));
    assert_int_equal(sdb_hist_min(a), sdb_hist_min(all));
    assert_int_equal(sdb_hist_max(a), sdb_hist_max(all));
    assert_int_equal(sdb_hist_overflows(a), 1);
    assert_true(sdb_hist_mean(a) == sdb_hist_mean(all));
    assert_true(sdb_hist_stddev(a) == sdb_hist_stddev(all));
    for (int p = 0; p <= 1000; p++)
        assert_int_equal(sdb_hist_percentile(a, p / 10.0), sdb_hist_percentile(all, p / 10.0));

    /* merging an empty histogram changes nothing, and into an empty one copies */
    sdb_hist *empty = sdb_hist_new();
    assert_non_null(empty);
    sdb_hist_merge(a, empty);
    assert_int_equal(sdb_hist_min(a), sdb_hist_min(all));
    sdb_hist_merge(empty, all);
    assert_int_equal(sdb_hist_min(empty), sdb_hist_min(all));
    assert_int_equal(sdb_hist_percentile(empty, 99.0), sdb_hist_percentile(all, 99.0));
    sdb_hist_free(empty);
    sdb_hist_free(all);
    sdb_hist_free(a);
    sdb_hist_free(b);
}

static void test_clamping(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    sdb_hist_record(h, -5);
    sdb_hist_record(h, INT64_MIN);
    assert_int_equal(sdb_hist_min(h), 0);
    assert_int_equal(sdb_hist_max(h), 0);
    assert_int_equal(sdb_hist_overflows(h), 0);   /* negatives are not overflows */

    sdb_hist_record(h, SDB_HIST_HIGHEST);         /* in range */
    assert_int_equal(sdb_hist_overflows(h), 0);
    sdb_hist_record(h, SDB_HIST_HIGHEST + 1);
    sdb_hist_record(h, INT64_MAX);
    assert_int_equal(sdb_hist_overflows(h), 2);
    assert_int_equal(sdb_hist_count(h), 5);
    assert_int_equal(sdb_hist_max(h), SDB_HIST_HIGHEST);
    assert_int_equal(sdb_hist_percentile(h, 100.0), SDB_HIST_HIGHEST);
    assert_int_equal(sdb_hist_percentile(h, 40.0), 0);   /* rank 2 */
    int64_t p80 = sdb_hist_percentile(h, 80.0);          /* rank 4: 1 h */
    assert_true(p80 >= SDB_HIST_HIGHEST * 99 / 100 && p80 <= SDB_HIST_HIGHEST);
    assert_true(fabs(sdb_hist_mean(h) - 3.0 * (double)SDB_HIST_HIGHEST / 5.0) < 1.0);

    sdb_hist_reset(h);
    assert_int_equal(sdb_hist_count(h), 0);
    assert_int_equal(sdb_hist_overflows(h), 0);
    assert_int_equal(sdb_hist_min(h), 0);
    assert_int_equal(sdb_hist_percentile(h, 50.0), 0);
    sdb_hist_record(h, 1000);
    assert_int_equal(sdb_hist_min(h), 1000);   /* reset restored the empty min */
    sdb_hist_free(h);
}

/* The rank is p% of the count rounded to nearest (HdrHistogram), not
 * rounded up: of 1..10, p14 is rank round(1.4) = 1, p15 rank 2.  p outside
 * [0, 100] is clamped, NaN taken as 0. */
static void test_percentile_rank(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    for (int v = 1; v <= 10; v++)
        sdb_hist_record(h, v);
    assert_int_equal(sdb_hist_percentile(h, 14.0), 1);
    assert_int_equal(sdb_hist_percentile(h, 15.0), 2);
    assert_int_equal(sdb_hist_percentile(h, 94.0), 9);
    assert_int_equal(sdb_hist_percentile(h, 95.0), 10);
    assert_int_equal(sdb_hist_percentile(h, -10.0), 1);
    assert_int_equal(sdb_hist_percentile(h, 150.0), 10);
    assert_int_equal(sdb_hist_percentile(h, NAN), 1);
    sdb_hist_free(h);
}

/* record_n equals n calls of record, including the exact sum of huge
 * counts that overflow 64 bits. */
static void test_record_n(void **state)
{
    (void)state;
    sdb_hist *a = sdb_hist_new(), *b = sdb_hist_new();
    assert_true(a && b);
    for (int i = 0; i < 1000; i++)
        sdb_hist_record(a, 5000000);
    sdb_hist_record_n(b, 5000000, 1000);
    sdb_hist_record_n(b, 7, 0);    /* no-op */
    sdb_hist_record_n(b, 7, -3);   /* no-op */
    assert_int_equal(sdb_hist_count(b), 1000);
    assert_true(sdb_hist_mean(a) == sdb_hist_mean(b));
    assert_int_equal(sdb_hist_percentile(a, 50.0), sdb_hist_percentile(b, 50.0));
    assert_int_equal(sdb_hist_min(b), 5000000);

    /* 2^40 values of 1 h: sum ~ 3.96e24, far beyond 2^64 */
    sdb_hist_reset(b);
    const int64_t many = INT64_C(1) << 40;
    sdb_hist_record_n(b, INT64_MAX, many);
    sdb_hist_record_n(b, SDB_HIST_HIGHEST, many);
    assert_int_equal(sdb_hist_count(b), 2 * many);
    assert_int_equal(sdb_hist_overflows(b), many);
    assert_true(fabs(sdb_hist_mean(b) - (double)SDB_HIST_HIGHEST) < 1e-6 * (double)SDB_HIST_HIGHEST);
    sdb_hist_record_n(b, 0, 2 * many);   /* mean halves */
    assert_true(fabs(sdb_hist_mean(b) - (double)SDB_HIST_HIGHEST / 2) < 1e-6 * (double)SDB_HIST_HIGHEST);
    assert_int_equal(sdb_hist_percentile(b, 50.0), 0);
    sdb_hist_free(a);
    sdb_hist_free(b);
}

/* The exact sum survives many single records of large values. */
static void test_sum_carry(void **state)
{
    (void)state;
    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    sdb_hist_record_n(h, SDB_HIST_HIGHEST, 5000000);   /* 1.8e19 > 2^64 */
    sdb_hist_record(h, SDB_HIST_HIGHEST);
    assert_true(fabs(sdb_hist_mean(h) - (double)SDB_HIST_HIGHEST) < 1.0);
    sdb_hist *g = sdb_hist_new();
    assert_non_null(g);
    for (int i = 0; i < 6000000; i++)   /* 2.16e19, crosses 2^64 once */
        sdb_hist_record(g, SDB_HIST_HIGHEST);
    sdb_hist_merge(g, h);
    assert_true(fabs(sdb_hist_mean(g) - (double)SDB_HIST_HIGHEST) < 1.0);
    sdb_hist_free(h);
    sdb_hist_free(g);
}

static void test_bytes(void **state)
{
    (void)state;
    /* 36 buckets-halves * 128 counters * 8 bytes, plus the summary fields */
    assert_true(sdb_hist_bytes() >= 36 * 128 * 8);
    assert_true(sdb_hist_bytes() < 36 * 128 * 8 + 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"sample_1_to_1e6", test_sample, NULL, NULL, &sequence_1_to_1e6},
        {"sample_lognormal", test_sample, NULL, NULL, &lognormal},
        {"sample_bimodal", test_sample, NULL, NULL, &bimodal},
        {"sample_us_to_s", test_sample, NULL, NULL, &us_to_s},
        {"sample_near_highest", test_sample, NULL, NULL, &near_highest},
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_merge_halves),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_percentile_rank),
        cmocka_unit_test(test_record_n),
        cmocka_unit_test(test_sum_carry),
        cmocka_unit_test(test_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
