/*
 * hist.c — fixed-memory log-linear latency histogram (HdrHistogram's
 * layout, fixed to lowest 1 ns, highest SDB_HIST_HIGHEST, 2 significant
 * digits).
 *
 * Layout (HdrHistogram_c's hdr_calculate_bucket_config with s = 2, L = 1):
 * the value range is cut into buckets whose width doubles from one to the
 * next; each bucket holds SUB_BUCKET_HALF_COUNT sub-buckets of equal width
 * (bucket 0 holds SUB_BUCKET_COUNT sub-buckets of width 1).  A value v in
 * bucket b lies in [128 << b, 256 << b) and its sub-bucket is 1 << b wide,
 * so the quantisation error is below 1/128 < 1% of v.  Values below 256 are
 * kept exactly.
 */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ceil(log2(2 * 10^2)) = 8 → sub_bucket_half_count_magnitude = 7. */
#define SUB_BUCKET_HALF_COUNT_MAGNITUDE 7
#define SUB_BUCKET_COUNT      (1 << (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1))   /* 256 */
#define SUB_BUCKET_HALF_COUNT (SUB_BUCKET_COUNT / 2)                           /* 128 */
#define SUB_BUCKET_MASK       ((uint64_t)SUB_BUCKET_COUNT - 1)
/* 1 + smallest k with (SUB_BUCKET_COUNT << k) > SDB_HIST_HIGHEST. */
#define BUCKET_COUNT 35
#define COUNTS_LEN   ((BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT)             /* 4608 */

_Static_assert(((int64_t)SUB_BUCKET_COUNT << (BUCKET_COUNT - 1)) > SDB_HIST_HIGHEST,
               "BUCKET_COUNT too small for SDB_HIST_HIGHEST");
_Static_assert(((int64_t)SUB_BUCKET_COUNT << (BUCKET_COUNT - 2)) <= SDB_HIST_HIGHEST,
               "BUCKET_COUNT larger than needed");

struct sdb_hist {
    int64_t total_count;        /* values recorded (clamped ones included) */
    int64_t min_ns;             /* INT64_MAX when empty */
    int64_t max_ns;             /* 0 when empty */
    uint64_t sum_lo_ns;         /* exact sum of recorded values, ns: low 64 bits */
    uint64_t sum_hi_ns;         /* ... and high 64 bits (carry) */
    int64_t overflows;          /* values clamped down to SDB_HIST_HIGHEST */
    int64_t counts[COUNTS_LEN]; /* occurrences per sub-bucket */
};

/* Number of leading zero bits of v; v is never 0 here (it is or-ed with
 * SUB_BUCKET_MASK). */
static inline int leading_zeros(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(v);
#else
    int n = 0;
    while (!(v & (UINT64_C(1) << 63))) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* The counts[] index of value v (0 <= v <= SDB_HIST_HIGHEST). */
static inline int counts_index(int64_t v)
{
    uint64_t u = (uint64_t)v;
    int bucket = 64 - leading_zeros(u | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
    int sub = (int)(u >> bucket);
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
}

/* The lowest value (ns) that maps to counts[i], and the width of that
 * sub-bucket (ns) in *width. */
static int64_t index_lowest_value(int i, int64_t *width)
{
    int bucket = (i >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    int sub = (i & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if (bucket < 0) {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    *width = INT64_C(1) << bucket;
    return (int64_t)sub << bucket;
}

/* Clamps a raw value into [0, SDB_HIST_HIGHEST]. */
static inline int64_t clamp_value(int64_t v)
{
    v = v < 0 ? 0 : v;
    return v > SDB_HIST_HIGHEST ? SDB_HIST_HIGHEST : v;
}

/* Adds value * n to the 128-bit sum (value <= SDB_HIST_HIGHEST < 2^42,
 * 0 < n < 2^63), multiplying with 32-bit limbs so that no 128-bit type is
 * needed:  value * n = hh * 2^64 + mid * 2^32 + ll. */
static void sum_add_product(sdb_hist *h, uint64_t value, uint64_t n)
{
    uint64_t v_lo = value & 0xffffffffu, v_hi = value >> 32;   /* v_hi < 2^10 */
    uint64_t n_lo = n & 0xffffffffu, n_hi = n >> 32;           /* n_hi < 2^31 */
    uint64_t ll = v_lo * n_lo;
    uint64_t mid = v_hi * n_lo + v_lo * n_hi;                  /* < 2^42 + 2^63 */
    uint64_t hh = v_hi * n_hi;
    uint64_t low = ll + (mid << 32);
    uint64_t high = hh + (mid >> 32) + (low < ll);
    h->sum_lo_ns += low;
    h->sum_hi_ns += high + (h->sum_lo_ns < low);
}

/* Allocates an empty histogram (sdb_hist_bytes() bytes, zeroed once here).
 * Returns NULL when out of memory.  The caller owns it (sdb_hist_free). */
sdb_hist *sdb_hist_new(void)
{
    sdb_hist *h = calloc(1, sizeof *h);
    if (h)
        h->min_ns = INT64_MAX;
    return h;
}

/* Frees h; NULL is allowed. */
void sdb_hist_free(sdb_hist *h)
{
    free(h);
}

/* Empties h, keeping its memory. */
void sdb_hist_reset(sdb_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min_ns = INT64_MAX;
}

/* Records one value: clamps it, bumps one counter and the summary fields.
 * Hot path: no lock, no allocation, no branch beyond the clamps. */
void sdb_hist_record(sdb_hist *h, int64_t value_ns)
{
    int64_t v = clamp_value(value_ns);
    h->overflows += value_ns > SDB_HIST_HIGHEST;
    h->counts[counts_index(v)]++;
    h->total_count++;
    h->min_ns = v < h->min_ns ? v : h->min_ns;
    h->max_ns = v > h->max_ns ? v : h->max_ns;
    h->sum_lo_ns += (uint64_t)v;
    h->sum_hi_ns += h->sum_lo_ns < (uint64_t)v;
}

/* Records `count` occurrences of value_ns; count <= 0 records nothing. */
void sdb_hist_record_n(sdb_hist *h, int64_t value_ns, int64_t count)
{
    if (count <= 0)
        return;
    int64_t v = clamp_value(value_ns);
    if (value_ns > SDB_HIST_HIGHEST)
        h->overflows += count;
    h->counts[counts_index(v)] += count;
    h->total_count += count;
    h->min_ns = v < h->min_ns ? v : h->min_ns;
    h->max_ns = v > h->max_ns ? v : h->max_ns;
    sum_add_product(h, (uint64_t)v, (uint64_t)count);
}

/* Adds every count of src into dst (both have the same fixed layout);
 * src is unchanged. */
void sdb_hist_merge(sdb_hist *dst, const sdb_hist *src)
{
    for (int i = 0; i < COUNTS_LEN; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count += src->total_count;
    dst->overflows += src->overflows;
    dst->min_ns = src->min_ns < dst->min_ns ? src->min_ns : dst->min_ns;
    dst->max_ns = src->max_ns > dst->max_ns ? src->max_ns : dst->max_ns;
    dst->sum_lo_ns += src->sum_lo_ns;
    dst->sum_hi_ns += src->sum_hi_ns + (dst->sum_lo_ns < src->sum_lo_ns);
}

/* Number of values recorded. */
int64_t sdb_hist_count(const sdb_hist *h)
{
    return h->total_count;
}

/* Exact smallest recorded (clamped) value, ns; 0 when empty. */
int64_t sdb_hist_min(const sdb_hist *h)
{
    return h->total_count ? h->min_ns : 0;
}

/* Exact largest recorded (clamped) value, ns; 0 when empty. */
int64_t sdb_hist_max(const sdb_hist *h)
{
    return h->max_ns;
}

/* Mean (ns) from the exact 128-bit sum; 0 when empty. */
double sdb_hist_mean(const sdb_hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double sum = (double)h->sum_hi_ns * 18446744073709551616.0 + (double)h->sum_lo_ns;
    return sum / (double)h->total_count;
}

/* Population standard deviation (ns) around the exact mean, taking each
 * sub-bucket's values at its midpoint; 0 when empty. */
double sdb_hist_stddev(const sdb_hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double mean = sdb_hist_mean(h);
    double acc = 0.0;
    for (int i = 0; i < COUNTS_LEN; i++) {
        if (h->counts[i] == 0)
            continue;
        int64_t width;
        int64_t mid = index_lowest_value(i, &width) + (width >> 1);
        double d = (double)mid - mean;
        acc += d * d * (double)h->counts[i];
    }
    return sqrt(acc / (double)h->total_count);
}

/* Value (ns) at percentile p, HdrHistogram's definition: with
 * n = (int64)(p/100 * count + 0.5), at least 1, walk the sub-buckets until
 * the cumulative count reaches n and return the highest value equivalent to
 * that sub-bucket, capped at max().  p is clamped to [0, 100] (NaN → 0).
 * 0 when empty. */
int64_t sdb_hist_percentile(const sdb_hist *h, double p)
{
    if (h->total_count == 0)
        return 0;
    if (!(p >= 0.0))
        p = 0.0;
    if (p > 100.0)
        p = 100.0;
    int64_t wanted = (int64_t)(p / 100.0 * (double)h->total_count + 0.5);
    if (wanted < 1)
        wanted = 1;
    if (wanted > h->total_count)
        wanted = h->total_count;
    int64_t seen = 0;
    for (int i = 0; i < COUNTS_LEN; i++) {
        seen += h->counts[i];
        if (seen >= wanted) {
            int64_t width;
            int64_t highest = index_lowest_value(i, &width) + width - 1;
            return highest < h->max_ns ? highest : h->max_ns;
        }
    }
    return h->max_ns;   /* not reached: the counts add up to total_count */
}

/* Values clamped because they were above SDB_HIST_HIGHEST. */
int64_t sdb_hist_overflows(const sdb_hist *h)
{
    return h->overflows;
}

/* Bytes one histogram allocates (about 36 KiB). */
size_t sdb_hist_bytes(void)
{
    return sizeof(sdb_hist);
}

/* Length of the counts array. */
int sdb_hist_counts_len(void)
{
    return COUNTS_LEN;
}

/* The count at index i; 0 outside [0, COUNTS_LEN). */
int64_t sdb_hist_count_at(const sdb_hist *h, int i)
{
    return i >= 0 && i < COUNTS_LEN ? h->counts[i] : 0;
}

/* The counts index of value_ns, clamped into the trackable range first. */
int sdb_hist_index_of(int64_t value_ns)
{
    return counts_index(clamp_value(value_ns));
}

/* The lowest value (ns) of the sub-bucket at index i (0 <= i < COUNTS_LEN). */
int64_t sdb_hist_index_lowest(int i)
{
    int64_t width;
    return index_lowest_value(i, &width);
}
