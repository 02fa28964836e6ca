/*
 * test_fmt.c — text of floats, timestamps and dates, and reading them back
 * (runtime/src/fmt.c), and of integers (util.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "fmt.h"
#include "stormdb.h"
#include "util.h"

#define US_PER_DAY INT64_C(86400000000)

/* ---- integers ---- */

static void check_i64(int64_t v, const char *want)
{
    char buf[24];
    memset(buf, 'x', sizeof buf);
    size_t n = sdb_fmt_i64(buf, v);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    assert_int_equal(buf[n], 'x');   /* writes nothing past the digits */
}

static void test_i64_examples(void **state)
{
    (void)state;
    check_i64(0, "0");
    check_i64(7, "7");
    check_i64(-7, "-7");
    check_i64(10, "10");
    check_i64(99, "99");
    check_i64(100, "100");
    check_i64(-100, "-100");
    check_i64(9999, "9999");
    check_i64(10000, "10000");
    check_i64(100001, "100001");
    check_i64(1234567890123, "1234567890123");
    check_i64(INT64_MAX, "9223372036854775807");
    check_i64(INT64_MIN, "-9223372036854775808");
    check_i64(INT64_MIN + 1, "-9223372036854775807");
}

/* Agrees with printf around every power of ten and on a spread of values. */
static void test_i64_matches_printf(void **state)
{
    (void)state;
    char want[32];
    int64_t p = 1;
    for (int k = 0; k <= 18; k++, p = k <= 18 ? p * 10 : p) {   /* 10^18 at most */
        for (int64_t d = -2; d <= 2; d++) {
            int64_t v = p + d;
            snprintf(want, sizeof want, "%lld", (long long)v);
            check_i64(v, want);
            snprintf(want, sizeof want, "%lld", (long long)-v);
            check_i64(-v, want);
        }
    }
    uint64_t x = 88172645463325252u;   /* xorshift64 */
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (int64_t)(x >> (i % 64));
        if (i % 2)
            v = (int64_t)((uint64_t)0 - (uint64_t)v);   /* no overflow at INT64_MIN */
        snprintf(want, sizeof want, "%lld", (long long)v);
        check_i64(v, want);
    }
}

/* ---- floats ---- */

/* buf holds want, NUL-terminated, and n is its length. */
static void assert_formatted(const char *buf, size_t n, const char *want)
{
    assert_int_equal(n, strlen(want));
    assert_string_equal(buf, want);
}

static void check_float(double v, const char *want)
{
    char buf[SDB_FMT_FLOAT_MAX];
    memset(buf, 'x', sizeof buf);
    assert_formatted(buf, sdb_fmt_float(buf, v), want);
}

static void test_float_examples(void **state)
{
    (void)state;
    check_float(57.23, "57.23");
    check_float(0.1, "0.1");
    check_float(1e300, "1e+300");
    check_float(-0.0, "-0");
    check_float(0.0, "0");
    check_float(100.0, "100");
    check_float(-12.5, "-12.5");
    check_float(1e15, "1e+15");
    check_float(123456789012345.0, "123456789012345");
    check_float(1.0 / 3.0, "0.3333333333333333");
    check_float(0.1 + 0.2, "0.30000000000000004");
    check_float(1.7976931348623157e308, "1.7976931348623157e+308");
    check_float(5e-324, "4.94065645841247e-324");
    check_float(NAN, "NaN");
    check_float(-NAN, "NaN");
    check_float(INFINITY, "Infinity");
    check_float(-INFINITY, "-Infinity");
}

/* Deterministic 64-bit values for the round-trip tests. */
static uint64_t next_bits(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* 1e6 random bit patterns (every finite double is possible) read back
 * exactly, sign of zero included. */
static void test_float_round_trip_random(void **state)
{
    (void)state;
    uint64_t x = 12345;
    int tested = 0, needed17 = 0;
    for (int i = 0; i < 1000000; i++) {
        uint64_t bits = next_bits(&x);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        char buf[SDB_FMT_FLOAT_MAX];
        size_t n = sdb_fmt_float(buf, v);
        assert_true(n < SDB_FMT_FLOAT_MAX);
        assert_int_equal(n, strlen(buf));
        double back = strtod(buf, NULL);
        assert_memory_equal(&back, &v, sizeof v);
        needed17 += n >= 23;    /* "-d.dddddddddddddddde-xxx" */
        tested++;
    }
    assert_true(tested > 990000);
    assert_true(needed17 > 0);
}

/* Decimals with up to 15 significant digits print as themselves: the
 * shortest form, not 17 digits. */
static void test_float_shortest_decimals(void **state)
{
    (void)state;
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    uint64_t x = 99;
    for (int i = 0; i < 200000; i++) {
        int d = (int)(next_bits(&x) % 10);
        int64_t k = (int64_t)(next_bits(&x) % UINT64_C(100000000000000));   /* < 1e14 */
        double v = (double)k / pow10[d];
        if (v < 1e-4)
            continue;
        char want[64];
        snprintf(want, sizeof want, "%.*f", d, v);
        if (d > 0) {   /* trim trailing zeros and a bare point */
            size_t n = strlen(want);
            while (want[n - 1] == '0')
                want[--n] = '\0';
            if (want[n - 1] == '.')
                want[--n] = '\0';
        }
        if (strlen(want) > 16)      /* %g would switch to e+ notation */
            continue;
        char buf[SDB_FMT_FLOAT_MAX];
        sdb_fmt_float(buf, v);
        assert_string_equal(buf, want);
    }
}

static void check_float6(double v, const char *want)
{
    char buf[SDB_FMT_FLOAT_MAX];
    assert_formatted(buf, sdb_fmt_float6(buf, v), want);
}

static void test_float6_examples(void **state)
{
    (void)state;
    check_float6(0.0, "0");
    check_float6(-0.0, "-0");
    check_float6(1.0, "1");
    check_float6(-3.25, "-3.25");
    check_float6(0.1, "0.1");
    check_float6(1.0 / 3.0, "0.333333");
    check_float6(-2.0 / 3.0, "-0.666667");
    check_float6(123456.0, "123456");
    check_float6(1234567.0, "1.23457e+06");
    check_float6(999999.7, "1e+06");
    check_float6(0.0001, "0.0001");
    check_float6(0.00001234567, "1.23457e-05");
    check_float6(1e-300, "1e-300");
    check_float6(1e100, "1e+100");
    check_float6(NAN, "NaN");
    check_float6(-INFINITY, "-Infinity");
}

/* Against printf's %.6g over many magnitudes: equal text, except possibly
 * on exact ties, and then within one unit of the sixth digit. */
static void test_float6_matches_printf(void **state)
{
    (void)state;
    uint64_t x = 7;
    int differ = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = (double)(next_bits(&x) >> 11) * 0x1.0p-53;
        int e = (int)(next_bits(&x) % 41) - 20;
        double v = (2.0 * u - 1.0) * pow(10.0, e);
        char mine[SDB_FMT_FLOAT_MAX], libc[64];
        sdb_fmt_float6(mine, v);
        snprintf(libc, sizeof libc, "%.6g", v);
        if (strcmp(mine, libc) != 0) {
            differ++;
            double a = strtod(mine, NULL), b = strtod(libc, NULL);
            assert_true(fabs(a - b) <= 1.01e-5 * fabs(b));
        }
    }
    assert_true(differ < n / 1000);
}

/* ---- timestamps and dates ---- */

static void check_ts(int64_t us, const char *want)
{
    char buf[SDB_FMT_TIMESTAMP_MAX];
    assert_formatted(buf, sdb_fmt_timestamp(buf, us), want);
}

static void check_date(int64_t days, const char *want)
{
    char buf[SDB_FMT_DATE_MAX];
    assert_formatted(buf, sdb_fmt_date(buf, days), want);
}

static void test_timestamp_examples(void **state)
{
    (void)state;
    check_ts(0, "1970-01-01 00:00:00");
    check_ts(1, "1970-01-01 00:00:00.000001");
    check_ts(500000, "1970-01-01 00:00:00.5");
    check_ts(-1, "1969-12-31 23:59:59.999999");
    check_ts(-US_PER_DAY, "1969-12-31 00:00:00");
    check_ts(INT64_C(951782400000000), "2000-02-29 00:00:00");
    check_ts(INT64_C(1706704496123000), "2024-01-31 12:34:56.123");
    check_ts(INT64_C(-2208988800000000), "1900-01-01 00:00:00");
    check_ts(SDB_FMT_MAX_US, "9999-12-31 23:59:59.999999");
    check_ts(SDB_FMT_MIN_US, "0001-01-01 00:00:00");
    /* clamped */
    check_ts(SDB_FMT_MAX_US + 1, "9999-12-31 23:59:59.999999");
    check_ts(INT64_MAX, "9999-12-31 23:59:59.999999");
    check_ts(SDB_FMT_MIN_US - 1, "0001-01-01 00:00:00");
    check_ts(INT64_MIN, "0001-01-01 00:00:00");
}

static void test_date_examples(void **state)
{
    (void)state;
    check_date(0, "1970-01-01");
    check_date(-1, "1969-12-31");
    check_date(19753, "2024-01-31");
    check_date(11016, "2000-02-29");
    check_date(SDB_FMT_MIN_DAYS, "0001-01-01");
    check_date(SDB_FMT_MAX_DAYS, "9999-12-31");
    check_date(INT64_MIN, "0001-01-01");
    check_date(INT64_MAX, "9999-12-31");
    assert_int_equal(sdb_days_from_civil(1, 1, 1), SDB_FMT_MIN_DAYS);
    assert_int_equal(sdb_days_from_civil(9999, 12, 31), SDB_FMT_MAX_DAYS);
}

static int month_length(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m == 2 && leap ? 29 : len[m - 1];
}

/* Every day from 0001-01-01 to 9999-12-31 against a plain calendar walk,
 * and parsed back. */
static void test_every_date(void **state)
{
    (void)state;
    int y = 1, m = 1, d = 1;
    for (int64_t days = SDB_FMT_MIN_DAYS; days <= SDB_FMT_MAX_DAYS; days++) {
        char buf[SDB_FMT_DATE_MAX];
        sdb_fmt_date(buf, days);
        assert_int_equal(buf[0] - '0', y / 1000);
        assert_int_equal((buf[1] - '0') * 100 + (buf[2] - '0') * 10 + (buf[3] - '0'), y % 1000);
        assert_int_equal((buf[5] - '0') * 10 + (buf[6] - '0'), m);
        assert_int_equal((buf[8] - '0') * 10 + (buf[9] - '0'), d);
        int64_t back = -42;
        assert_int_equal(sdb_parse_date(buf, &back), 0);
        assert_int_equal(back, days);
        if (++d > month_length(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(y, 10000);
}

/* 1e6 random µs over the whole range, and values near day boundaries and
 * the epoch, format and parse back exactly. */
static void test_timestamp_round_trip(void **state)
{
    (void)state;
    uint64_t x = 5;
    const uint64_t span = (uint64_t)(SDB_FMT_MAX_US - SDB_FMT_MIN_US) + 1;
    for (int i = 0; i < 1200000; i++) {
        int64_t us;
        if (i < 1000000)
            us = SDB_FMT_MIN_US + (int64_t)(next_bits(&x) % span);
        else    /* near midnight of some day, either side of the epoch */
            us = ((int64_t)(next_bits(&x) % 200000) - 100000) * US_PER_DAY
                 + (int64_t)(next_bits(&x) % 5) - 2;
        char buf[SDB_FMT_TIMESTAMP_MAX];
        sdb_fmt_timestamp(buf, us);
        int64_t back = 0;
        assert_int_equal(sdb_parse_timestamp(buf, &back), 0);
        assert_int_equal(back, us);
    }
}

static void check_parse_ts(const char *s, int64_t want)
{
    int64_t got = -7;
    assert_int_equal(sdb_parse_timestamp(s, &got), 0);
    assert_int_equal(got, want);
}

static void test_parse_timestamp_forms(void **state)
{
    (void)state;
    const int64_t day = INT64_C(19753) * US_PER_DAY;   /* 2024-01-31 */
    const int64_t t = ((12 * 60 + 34) * 60 + 56) * INT64_C(1000000);
    check_parse_ts("2024-01-31", day);
    check_parse_ts("2024-01-31 12:34:56", day + t);
    check_parse_ts("2024-01-31T12:34:56", day + t);
    check_parse_ts("2024-01-31 12:34:56.5", day + t + 500000);
    check_parse_ts("2024-01-31 12:34:56.000001", day + t + 1);
    check_parse_ts("2024-01-31 12:34:56.1234567", day + t + 123456);
    check_parse_ts("2024-01-31 12:34:56+00", day + t);
    check_parse_ts("2024-01-31 12:34:56.5+00", day + t + 500000);
    check_parse_ts("2024-01-31 12:34:56+05:30", day + t - INT64_C(19800000000));
    check_parse_ts("2024-01-31 12:34:56-08", day + t + INT64_C(28800000000));
    check_parse_ts("2024-01-31 12:34:56+00:19:32", day + t - INT64_C(1172000000));
    check_parse_ts("1969-12-31 23:59:59.999999", -1);
    check_parse_ts("0001-01-01 00:00:00", SDB_FMT_MIN_US);
    check_parse_ts("10000-01-01 00:00:00", sdb_days_from_civil(10000, 1, 1) * US_PER_DAY);
    check_parse_ts("0001-12-31 00:00:00 BC", sdb_days_from_civil(0, 12, 31) * US_PER_DAY);
    check_parse_ts("0001-01-01 00:00:00+00 BC", sdb_days_from_civil(0, 1, 1) * US_PER_DAY);
    check_parse_ts("290000-01-01", sdb_days_from_civil(290000, 1, 1) * US_PER_DAY);
    check_parse_ts("infinity", INT64_MAX);
    check_parse_ts("-infinity", INT64_MIN);
}

static void check_bad_ts(const char *s)
{
    int64_t got = 1234;
    assert_int_equal(sdb_parse_timestamp(s, &got), -1);
    assert_int_equal(got, 1234);
}

static void test_parse_timestamp_malformed(void **state)
{
    (void)state;
    const char *bad[] = {
        "", " ", "2024", "2024-1-31", "24-01-31", "2024-01-31x", "2024-01-31 ",
        "2024-02-30", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-04-31", "0000-01-01", "2024-01-31 24:00:00", "2024-01-31 12:60:00",
        "2024-01-31 12:34:60", "2024-01-31 12:34", "2024-01-31 1:34:56",
        "2024-01-31 12:34:56.", "2024-01-31 12:34:56+", "2024-01-31 12:34:56+5",
        "2024-01-31 12:34:56+05:3", "2024-01-31 12:34:56+05:60", "2024-01-31 12:34:56 +00",
        "2024-01-31 12:34:56Z", "2024-01-31 12:34:56 AD", "1234567-01-01", "Infinity",
        "-2024-01-31", "2024-01-31  12:34:56", "294276-12-31 23:59:59",
        "999999-01-01 00:00:00", "292000-01-01 BC",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad_ts(bad[i]);
}

static void test_parse_date(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(sdb_parse_date("2024-01-31", &d), 0);
    assert_int_equal(d, 19753);
    assert_int_equal(sdb_parse_date("2000-02-29", &d), 0);
    assert_int_equal(d, 11016);
    assert_int_equal(sdb_parse_date("1969-12-31", &d), 0);
    assert_int_equal(d, -1);
    assert_int_equal(sdb_parse_date("0005-02-29 BC", &d), 0);   /* 5 BC = year -4, leap */
    assert_int_equal(d, sdb_days_from_civil(-4, 2, 29));
    assert_int_equal(sdb_parse_date("999999-12-31", &d), 0);
    assert_int_equal(d, sdb_days_from_civil(999999, 12, 31));
    assert_int_equal(sdb_parse_date("infinity", &d), 0);
    assert_int_equal(d, INT64_MAX);
    const char *bad[] = {"", "2024-01-31 00:00:00", "2024-02-30", "0004-02-29 BC",
                         "2024-01-3", "2024/01/31", "2024-01-31 BCE"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 77;
        assert_int_equal(sdb_parse_date(bad[i], &d), -1);
        assert_int_equal(d, 77);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_examples),
        cmocka_unit_test(test_float_round_trip_random),
        cmocka_unit_test(test_float_shortest_decimals),
        cmocka_unit_test(test_float6_examples),
        cmocka_unit_test(test_i64_examples),
        cmocka_unit_test(test_i64_matches_printf),
        cmocka_unit_test(test_float6_matches_printf),
        cmocka_unit_test(test_timestamp_examples),
        cmocka_unit_test(test_date_examples),
        cmocka_unit_test(test_every_date),
        cmocka_unit_test(test_timestamp_round_trip),
        cmocka_unit_test(test_parse_timestamp_forms),
        cmocka_unit_test(test_parse_timestamp_malformed),
        cmocka_unit_test(test_parse_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
