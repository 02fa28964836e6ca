/*
 * test_arrival.c — the open-loop schedule (runtime/src/arrival.c): the
 * exponential draw has the right distribution, a schedule keeps its rate,
 * is deterministic per (seed, stream), and skipping and counting owed
 * arrivals consume exactly the ones due, in constant time at absurd rates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "arrival.h"
#include "stormdb.h"

#define NSAMPLES 1000000

/* |got - want| <= tol * want */
static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol * fabs(want))
        fail_msg("got %g, want %g within %g%%", got, want, tol * 100);
}

/* Mean, standard deviation and tail of a million draws of mean 2.5 ms:
 * an exponential distribution has stddev = mean and P(X > mean) = 1/e. */
static void test_exp_distribution(void **state)
{
    (void)state;
    sdb_rng rng;
    sdb_rng_seed(&rng, 42, 7);
    const double mean = 2.5e6;
    double sum = 0, sumsq = 0;
    long above = 0;
    for (int i = 0; i < NSAMPLES; i++) {
        double x = sdb_arrival_exp(&rng, mean);
        assert_true(x >= 0 && isfinite(x));
        sum += x;
        sumsq += x * x;
        above += x > mean;
    }
    double m = sum / NSAMPLES;
    double sd = sqrt(sumsq / NSAMPLES - m * m);
    assert_near(m, mean, 0.005);
    assert_near(sd, mean, 0.01);
    assert_near((double)above / NSAMPLES, exp(-1.0), 0.01);
}

/* 100,000 arrivals at 1000/s take 100 s (within 1%), in order, from one
 * gap after the start. */
static void test_schedule_rate(void **state)
{
    (void)state;
    sdb_arrivals a;
    const int64_t start = INT64_C(5000000000);
    sdb_arrivals_init(&a, 1, 2, 1000, start);
    int64_t prev = start, first = a.next_ns;
    assert_true(first >= start);
    for (int i = 0; i < 100000; i++) {
        int64_t at = sdb_arrivals_take(&a);
        assert_true(at >= prev);
        prev = at;
    }
    assert_int_equal(sdb_arrivals_take(&a) >= prev, 1);
    assert_near((double)(prev - start), 100e9, 0.01);
}

/* The same (seed, stream) gives the same arrivals; another stream or seed
 * does not. */
static void test_schedule_deterministic(void **state)
{
    (void)state;
    sdb_arrivals a, b, c, d;
    sdb_arrivals_init(&a, 99, 3, 250, 0);
    sdb_arrivals_init(&b, 99, 3, 250, 0);
    sdb_arrivals_init(&c, 99, 4, 250, 0);
    sdb_arrivals_init(&d, 98, 3, 250, 0);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t x = sdb_arrivals_take(&a);
        assert_int_equal(x, sdb_arrivals_take(&b));
        same_c += x == sdb_arrivals_take(&c);
        same_d += x == sdb_arrivals_take(&d);
    }
    assert_true(same_c < 10);
    assert_true(same_d < 10);
}

/* --latency-limit: at 10 s with a 1 s limit, the arrivals of the first
 * 9 s are skipped (about 9000 at 1000/s) and the next one is within the
 * limit; with nothing late, nothing is skipped. */
static void test_skip_late(void **state)
{
    (void)state;
    sdb_arrivals a, ref;
    sdb_arrivals_init(&a, 5, 6, 1000, 0);
    sdb_arrivals_init(&ref, 5, 6, 1000, 0);
    const int64_t now = INT64_C(10000000000), limit = INT64_C(1000000000);
    int64_t skipped = sdb_arrivals_skip_late(&a, now, limit);
    /* exactly the arrivals before now - limit */
    int64_t want = 0;
    while (ref.next_ns < now - limit) {
        sdb_arrivals_take(&ref);
        want++;
    }
    assert_int_equal(skipped, want);
    assert_near((double)skipped, 9000, 0.05);
    int64_t at = sdb_arrivals_take(&a);
    assert_true(at >= now - limit);
    assert_int_equal(at, sdb_arrivals_take(&ref));
    assert_int_equal(sdb_arrivals_skip_late(&a, at, limit), 0);
}

/* Owed arrivals: the ones due before `until`, counted and consumed. */
static void test_owed(void **state)
{
    (void)state;
    sdb_arrivals a;
    sdb_arrivals_init(&a, 8, 9, 2000, 0);
    int64_t n = sdb_arrivals_owed(&a, INT64_C(5000000000));
    assert_near((double)n, 10000, 0.05);
    assert_true(a.next_ns >= INT64_C(5000000000));
    assert_int_equal(sdb_arrivals_owed(&a, INT64_C(5000000000)), 0);
}

/* Gaps below a nanosecond: the fractions are carried, so the rate holds;
 * and an absurd backlog is estimated, not counted one by one. */
static void test_sub_ns_gaps(void **state)
{
    (void)state;
    sdb_arrivals a;
    sdb_arrivals_init(&a, 3, 3, 4e9, 0);   /* mean gap 0.25 ns */
    for (int i = 0; i < 400000; i++)
        sdb_arrivals_take(&a);
    assert_near((double)a.next_ns, 100000, 0.02);
    sdb_arrivals_init(&a, 3, 3, 1e12, 0);  /* a trillion per second */
    int64_t n = sdb_arrivals_owed(&a, INT64_C(1000000000));
    assert_near((double)n, 1e12, 0.01);
    assert_true(a.next_ns >= INT64_C(1000000000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp_distribution),
        cmocka_unit_test(test_schedule_rate),
        cmocka_unit_test(test_schedule_deterministic),
        cmocka_unit_test(test_skip_late),
        cmocka_unit_test(test_owed),
        cmocka_unit_test(test_sub_ns_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
