/*
 * fmt.h — text forms of floats, timestamps and dates as PostgreSQL reads
 * and writes them, for binding parameters, COPY fields, built strings and
 * reading results.
 *
 * Every formatter writes into a caller's buffer of at least the *_MAX bytes
 * named beside it, adds a NUL (not counted) and returns the length.  None
 * allocates, takes a lock or touches global state; all are thread-safe.
 */
#ifndef SDB_FMT_H
#define SDB_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Buffer bytes, NUL included. */
#define SDB_FMT_FLOAT_MAX 32       /* "-2.2250738585072014e-308" is 24 */
#define SDB_FMT_TIMESTAMP_MAX 32   /* "9999-12-31 23:59:59.999999" is 26 */
#define SDB_FMT_DATE_MAX 16        /* "9999-12-31" is 10 */

/* Time limits of the formatters: 0001-01-01 00:00:00 .. 9999-12-31
 * 23:59:59.999999 UTC, in µs (or days) since 1970-01-01. */
#define SDB_FMT_MIN_DAYS INT64_C(-719162)
#define SDB_FMT_MAX_DAYS INT64_C(2932896)
#define SDB_FMT_MIN_US (SDB_FMT_MIN_DAYS * INT64_C(86400000000))
#define SDB_FMT_MAX_US ((SDB_FMT_MAX_DAYS + 1) * INT64_C(86400000000) - 1)

/* The shortest text that strtod reads back as exactly v: "%.15g", else
 * "%.16g", else "%.17g" — so 57.23 is "57.23", 0.1 is "0.1", 1e300 is
 * "1e+300", -0.0 is "-0" — and PostgreSQL's "NaN", "Infinity",
 * "-Infinity" for the non-finite values (float8 and numeric accept them). */
size_t sdb_fmt_float(char *buf, double v);

/* v with 6 significant digits, as printf's "%.6g" (up to one unit in the
 * last digit on exact ties), without printf: vector components, where the
 * text length matters more than the last bits.  Non-finite values as in
 * sdb_fmt_float.  buf >= SDB_FMT_FLOAT_MAX. */
size_t sdb_fmt_float6(char *buf, double v);

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC for us µs since the Unix epoch; the
 * fraction appears only when non-zero, without trailing zeros.  Negative us
 * (before 1970) are fine; values outside SDB_FMT_MIN_US..SDB_FMT_MAX_US
 * (years 1..9999) are clamped to the nearest limit.
 * buf >= SDB_FMT_TIMESTAMP_MAX. */
size_t sdb_fmt_timestamp(char *buf, int64_t us);

/* "YYYY-MM-DD" for days since 1970-01-01, clamped to years 1..9999.
 * buf >= SDB_FMT_DATE_MAX. */
size_t sdb_fmt_date(char *buf, int64_t days);

/* Reads PostgreSQL's ISO output of a timestamp or timestamptz:
 * "YYYY-MM-DD", optionally followed by " HH:MM:SS" (or "T" instead of the
 * space), optionally ".f" with 1 or more fraction digits (digits beyond the
 * sixth are ignored), optionally a UTC offset "+HH", "-HH:MM" or
 * "+HH:MM:SS" (the result is then converted to UTC), optionally " BC".
 * Years have 4 to 6 digits; beyond about 292000 AD/BC (µs since 1970 no
 * longer fit in int64, though PostgreSQL goes to 294276 AD) is -1.
 * "infinity" and "-infinity" give INT64_MAX and INT64_MIN.  Sets *us (µs since the epoch, UTC) and returns 0; returns -1
 * and leaves *us alone when s is malformed or names no real date/time. */
int sdb_parse_timestamp(const char *s, int64_t *us);

/* Reads "YYYY-MM-DD" (optionally " BC"; "infinity"/"-infinity" give
 * INT64_MAX/INT64_MIN) into days since 1970-01-01.  0 ok, -1 malformed
 * (*days untouched). */
int sdb_parse_date(const char *s, int64_t *days);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12,
 * d 1..31, not checked), and its inverse.  Exact for any int32 year. */
int64_t sdb_days_from_civil(int64_t y, int m, int d);
void sdb_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
