/*
 * fmt.c — text forms of floats, timestamps and dates (see fmt.h).
 *
 * Dates use Howard Hinnant's civil-from-days algorithms
 * (http://howardhinnant.github.io/date_algorithms.html): exact integer
 * arithmetic on the proleptic Gregorian calendar, no tables, no gmtime.
 */
#include "fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_DAY INT64_C(86400000000)

/* ---------------------------------------------------------------------- */
/* Floats.                                                                  */

/* Copies PostgreSQL's spelling of a non-finite v into buf; returns its
 * length, or 0 when v is finite. */
static size_t fmt_nonfinite(char *buf, double v)
{
    const char *s;
    if (isnan(v))
        s = "NaN";
    else if (isinf(v))
        s = v < 0 ? "-Infinity" : "Infinity";
    else
        return 0;
    size_t n = strlen(s);
    memcpy(buf, s, n + 1);
    return n;
}

static size_t put_uint(char *buf, uint64_t u, int width);
static const double pow10_exact[23];

/* Fast path of sdb_fmt_float for values with at most 9 decimals and fewer
 * than 2^53 units of the last decimal (money, decimals, most generated
 * values, in [1e-4, 1e15)): the first k for which r = round(v * 10^k)
 * gives r / 10^k == v.
 * Both that division and strtod round correctly, so the decimal text of
 * r * 10^-k reads back as v.  Returns 0 when v is not such a value. */
static size_t fmt_float_decimal(char *buf, double v)
{
    if (v == 0.0)
        return 0;   /* the slow path keeps the sign of -0 */
    double a = fabs(v);
    /* outside [1e-4, 1e15) %g's exponent form is the shorter text */
    if (!(a < 1e15) || a < 1e-4)
        return 0;
    for (int k = 0; k <= 9; k++) {
        double scaled = a * pow10_exact[k];
        if (scaled >= 9007199254740992.0)   /* 2^53 */
            return 0;
        double r = nearbyint(scaled);
        if (r / pow10_exact[k] != a)
            continue;
        uint64_t u = (uint64_t)r;
        uint64_t p = (uint64_t)pow10_exact[k];
        size_t n = 0;
        if (v < 0)
            buf[n++] = '-';
        n += put_uint(buf + n, u / p, 1);
        if (k > 0) {
            buf[n++] = '.';
            n += put_uint(buf + n, u % p, k);
        }
        buf[n] = '\0';
        return n;
    }
    return 0;
}

size_t sdb_fmt_float(char *buf, double v)
{
    size_t n = fmt_nonfinite(buf, v);
    if (n > 0)
        return n;
    n = fmt_float_decimal(buf, v);
    if (n > 0)
        return n;
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, SDB_FMT_FLOAT_MAX, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return (size_t)len;
}

/* Writes the decimal digits of u (at least `width`, zero-padded) at buf;
 * returns how many. */
static size_t put_uint(char *buf, uint64_t u, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    while (n < width)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return (size_t)n;
}

/* 10^k for 0 <= k <= 22, exactly. */
static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* a * 10^k, with one rounding when |k| <= 22. */
static double scale10(double a, int k)
{
    if (k >= 0 && k <= 22)
        return a * pow10_exact[k];
    if (k < 0 && k >= -22)
        return a / pow10_exact[-k];
    return a * pow(10.0, k);
}

/* The 6-digit mantissa m (100000..999999) and decimal exponent e of a > 0
 * such that a ≈ m * 10^(e-5). */
static void six_digits(double a, uint64_t *m, int *e)
{
    int ex = (int)floor(log10(a));
    double scaled = scale10(a, 5 - ex);
    if (scaled < 99999.5) {            /* log10 rounded up across a power */
        ex--;
        scaled = scale10(a, 5 - ex);
    }
    uint64_t mant = (uint64_t)llround(scaled);
    if (mant >= 1000000) {              /* 999999.5 and up rounds to 10^6 */
        mant /= 10;
        ex++;
    }
    *m = mant;
    *e = ex;
}

size_t sdb_fmt_float6(char *buf, double v)
{
    size_t n = fmt_nonfinite(buf, v);
    if (n > 0)
        return n;
    if (signbit(v))
        buf[n++] = '-';
    double a = fabs(v);
    if (a == 0.0) {
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    uint64_t m;
    int e;
    six_digits(a, &m, &e);
    int ndig = 6;
    while (m % 10 == 0) {               /* %g drops trailing zeros */
        m /= 10;
        ndig--;
    }
    char digits[8];
    put_uint(digits, m, ndig);
    if (e < -4 || e >= 6) {             /* d.ddddde+XX */
        buf[n++] = digits[0];
        if (ndig > 1) {
            buf[n++] = '.';
            memcpy(buf + n, digits + 1, (size_t)ndig - 1);
            n += (size_t)ndig - 1;
        }
        buf[n++] = 'e';
        buf[n++] = e < 0 ? '-' : '+';
        n += put_uint(buf + n, (uint64_t)(e < 0 ? -e : e), 2);
    } else if (e < 0) {                 /* 0.000ddd */
        buf[n++] = '0';
        buf[n++] = '.';
        for (int z = -1; z > e; z--)
            buf[n++] = '0';
        memcpy(buf + n, digits, (size_t)ndig);
        n += (size_t)ndig;
    } else {                            /* ddd[.ddd], integer part e+1 digits */
        for (int i = 0; i <= e; i++)
            buf[n++] = i < ndig ? digits[i] : '0';
        if (ndig > e + 1) {
            buf[n++] = '.';
            memcpy(buf + n, digits + e + 1, (size_t)(ndig - e - 1));
            n += (size_t)(ndig - e - 1);
        }
    }
    buf[n] = '\0';
    return n;
}

/* ---------------------------------------------------------------------- */
/* Calendar.                                                                */

/* Floor division for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t sdb_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void sdb_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);       /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                             /* 0..11, from March */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Writes "YYYY-MM-DD" for days (already within the limits); returns 10. */
static size_t put_date(char *buf, int64_t days)
{
    int64_t y;
    int m, d;
    sdb_civil_from_days(days, &y, &m, &d);
    size_t n = put_uint(buf, (uint64_t)y, 4);
    buf[n++] = '-';
    n += put_uint(buf + n, (uint64_t)m, 2);
    buf[n++] = '-';
    n += put_uint(buf + n, (uint64_t)d, 2);
    return n;
}

size_t sdb_fmt_date(char *buf, int64_t days)
{
    size_t n = put_date(buf, clamp(days, SDB_FMT_MIN_DAYS, SDB_FMT_MAX_DAYS));
    buf[n] = '\0';
    return n;
}

size_t sdb_fmt_timestamp(char *buf, int64_t us)
{
    us = clamp(us, SDB_FMT_MIN_US, SDB_FMT_MAX_US);
    int64_t days = floor_div(us, US_PER_DAY);
    int64_t rem = us - days * US_PER_DAY;           /* 0 .. US_PER_DAY-1 */
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    size_t n = put_date(buf, days);
    buf[n++] = ' ';
    n += put_uint(buf + n, (uint64_t)(secs / 3600), 2);
    buf[n++] = ':';
    n += put_uint(buf + n, (uint64_t)(secs / 60 % 60), 2);
    buf[n++] = ':';
    n += put_uint(buf + n, (uint64_t)(secs % 60), 2);
    if (frac != 0) {
        int width = 6;
        while (frac % 10 == 0) {
            frac /= 10;
            width--;
        }
        buf[n++] = '.';
        n += put_uint(buf + n, (uint64_t)frac, width);
    }
    buf[n] = '\0';
    return n;
}

/* ---------------------------------------------------------------------- */
/* Parsing.                                                                 */

/* Reads between min and max digits at *p into *out and advances *p;
 * false when fewer than min digits are there. */
static bool read_digits(const char **p, int min, int max, int64_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    int n = 0;
    while (n < max && s[n] >= '0' && s[n] <= '9') {
        v = v * 10 + (s[n] - '0');
        n++;
    }
    if (n < min)
        return false;
    *p = s + n;
    *out = v;
    return true;
}

static bool expect(const char **p, char ch)
{
    if (**p != ch)
        return false;
    (*p)++;
    return true;
}

/* A calendar date as written: year (>= 1, astronomical after " BC" is
 * applied), month 1..12, day 1..31. */
typedef struct civil_date {
    int64_t y;
    int m, d;
} civil_date;

/* Reads "YYYY-MM-DD" (4 to 6 year digits) into *cd. */
static bool read_ymd(const char **p, civil_date *cd)
{
    int64_t y, m, d;
    if (!read_digits(p, 4, 6, &y) || !expect(p, '-') || !read_digits(p, 2, 2, &m)
        || !expect(p, '-') || !read_digits(p, 2, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *cd = (civil_date){y, (int)m, (int)d};
    return true;
}

/* Reads an optional " BC", which makes year y the astronomical 1 - y. */
static void read_era(const char **p, civil_date *cd)
{
    if (strncmp(*p, " BC", 3) == 0) {
        *p += 3;
        cd->y = 1 - cd->y;
    }
}

/* Days since the epoch of *cd; false when the month has no such day. */
static bool civil_to_days(const civil_date *cd, int64_t *days)
{
    if (cd->d > days_in_month(cd->y, cd->m))
        return false;
    *days = sdb_days_from_civil(cd->y, cd->m, cd->d);
    return true;
}

/* "infinity" / "-infinity": sets *v to INT64_MAX / INT64_MIN. */
static bool read_infinity(const char *s, int64_t *v)
{
    if (strcmp(s, "infinity") == 0) {
        *v = INT64_MAX;
        return true;
    }
    if (strcmp(s, "-infinity") == 0) {
        *v = INT64_MIN;
        return true;
    }
    return false;
}

int sdb_parse_date(const char *s, int64_t *days)
{
    if (read_infinity(s, days))
        return 0;
    const char *p = s;
    civil_date cd;
    int64_t v;
    if (!read_ymd(&p, &cd))
        return -1;
    read_era(&p, &cd);
    if (*p != '\0' || !civil_to_days(&cd, &v))
        return -1;
    *days = v;
    return 0;
}

/* Reads "HH:MM:SS[.fff]" into µs since midnight. */
static bool read_time(const char **p, int64_t *us)
{
    int64_t h, mi, se, frac = 0;
    if (!read_digits(p, 2, 2, &h) || !expect(p, ':') || !read_digits(p, 2, 2, &mi)
        || !expect(p, ':') || !read_digits(p, 2, 2, &se))
        return false;
    if (h > 23 || mi > 59 || se > 59)
        return false;
    if (**p == '.') {
        (*p)++;
        int n = 0;
        while (**p >= '0' && **p <= '9') {
            if (n < 6)
                frac = frac * 10 + (**p - '0');
            n++;
            (*p)++;
        }
        if (n == 0)
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    *us = ((h * 60 + mi) * 60 + se) * 1000000 + frac;
    return true;
}

/* Reads an optional "+HH[:MM[:SS]]" / "-..." offset into µs east of UTC. */
static bool read_offset(const char **p, int64_t *off_us)
{
    *off_us = 0;
    char sign = **p;
    if (sign != '+' && sign != '-')
        return true;
    (*p)++;
    int64_t h, mi = 0, se = 0;
    if (!read_digits(p, 2, 2, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!read_digits(p, 2, 2, &mi))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!read_digits(p, 2, 2, &se))
                return false;
        }
    }
    if (mi > 59 || se > 59)
        return false;
    int64_t off = ((h * 60 + mi) * 60 + se) * 1000000;
    *off_us = sign == '-' ? -off : off;
    return true;
}

int sdb_parse_timestamp(const char *s, int64_t *us)
{
    if (read_infinity(s, us))
        return 0;
    const char *p = s;
    civil_date cd;
    int64_t days, tod = 0, off = 0;
    if (!read_ymd(&p, &cd))
        return -1;
    if ((*p == ' ' || *p == 'T') && p[1] >= '0' && p[1] <= '9') {
        p++;
        if (!read_time(&p, &tod) || !read_offset(&p, &off))
            return -1;
    }
    read_era(&p, &cd);
    if (*p != '\0' || !civil_to_days(&cd, &days))
        return -1;
    /* µs that int64 cannot hold (the margin covers the time of day and an
     * offset of up to 99 hours) */
    if (days > INT64_MAX / US_PER_DAY - 8 || days < INT64_MIN / US_PER_DAY + 8)
        return -1;
    *us = days * US_PER_DAY + tod - off;
    return 0;
}
