/*
 * gen.c — random numbers (xoshiro256**), value generators, run-time errors
 * and checked division for generated workload code (see stormdb.h).
 *
 * Everything here works on one sdb_ctx owned by the calling thread: no
 * locks, no allocation.  Strings are written into the context's arena.
 */
#include "stormdb.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#define PI 3.14159265358979323846

/* ---------------------------------------------------------------------- */
/* Random numbers.                                                          */

/* splitmix64's finaliser: a bijective mix of 64 bits. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* One step of the splitmix64 generator whose state is *x. */
static uint64_t splitmix64_next(uint64_t *x)
{
    *x += UINT64_C(0x9e3779b97f4a7c15);
    return mix64(*x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Seeds rng from (seed, stream): the splitmix64 generator is started at
 * mix(seed) ^ mix(stream + constant) — a bijection of stream for a fixed
 * seed — and its next four outputs fill the xoshiro state (never all zero:
 * splitmix64 outputs are distinct). */
void sdb_rng_seed(sdb_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = mix64(seed) ^ mix64(stream + UINT64_C(0x632be59bd9b4e019));
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64_next(&x);
}

/* Next 64 bits of xoshiro256** (Blackman & Vigna). */
uint64_t sdb_rng_next(sdb_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform double in [0, 1): the top 53 bits of one draw, times 2^-53. */
double sdb_rng_double(sdb_rng *rng)
{
    return (double)(sdb_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* ---------------------------------------------------------------------- */
/* Run-time errors and checked arithmetic.                                  */

/* Keeps the first error only; where and msg must outlive the run (they are
 * string constants in generated code or here). */
void sdb_rt_error(sdb_ctx *c, const char *where, const char *msg)
{
    if (c->error_msg != NULL)
        return;
    c->error_where = where ? where : "?";
    c->error_msg = msg ? msg : "run-time error";
}

/* True when a / b or a % b is defined in C; otherwise reports why. */
static bool division_ok(sdb_ctx *c, int64_t a, int64_t b, const char *where)
{
    if (b == 0) {
        sdb_rt_error(c, where, "division by zero");
        return false;
    }
    if (a == INT64_MIN && b == -1) {
        sdb_rt_error(c, where, "integer overflow in division");
        return false;
    }
    return true;
}

/* a / b truncated toward zero; 0 after reporting b == 0 or INT64_MIN / -1. */
int64_t sdb_div_i64(sdb_ctx *c, int64_t a, int64_t b, const char *where)
{
    return division_ok(c, a, b, where) ? a / b : 0;
}

/* a % b with the sign of a; 0 after reporting b == 0 or INT64_MIN % -1. */
int64_t sdb_mod_i64(sdb_ctx *c, int64_t a, int64_t b, const char *where)
{
    return division_ok(c, a, b, where) ? a % b : 0;
}

/* a / b; 0.0 after reporting b == 0.0. */
double sdb_div_f64(sdb_ctx *c, double a, double b, const char *where)
{
    if (b == 0.0) {
        sdb_rt_error(c, where, "division by zero");
        return 0.0;
    }
    return a / b;
}

/* ---------------------------------------------------------------------- */
/* Generators.                                                              */

/* The high and low 64 bits of the 128-bit product a * b. */
static inline uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *low)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 m = (unsigned __int128)a * b;
    *low = (uint64_t)m;
    return (uint64_t)(m >> 64);
#else
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *low = (mid << 32) | (ll & 0xffffffffu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* The int64 whose two's-complement bits are u (without implementation-
 * defined conversion). */
static inline int64_t from_u64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* Uniform in [0, n) for n >= 1, without bias: Lemire's multiply-shift,
 * rejecting the 2^64 mod n low products that would favour some results. */
static uint64_t uniform_below(sdb_rng *rng, uint64_t n)
{
    uint64_t low;
    uint64_t high = mul_64x64(sdb_rng_next(rng), n, &low);
    if (low < n) {
        uint64_t threshold = (0 - n) % n;   /* 2^64 mod n */
        while (low < threshold)
            high = mul_64x64(sdb_rng_next(rng), n, &low);
    }
    return high;
}

/* Uniform in [lo, hi] inclusive, any int64 range; lo > hi is reported and
 * gives lo.  The arithmetic is unsigned so that no range overflows. */
int64_t sdb_gen_uniform(sdb_ctx *c, int64_t lo, int64_t hi, const char *where)
{
    if (lo > hi) {
        sdb_rt_error(c, where, "uniform(lo, hi) with lo > hi");
        return lo;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;   /* hi - lo, 0 .. 2^64-1 */
    uint64_t offset = span == UINT64_MAX ? sdb_rng_next(&c->rng)
                                         : uniform_below(&c->rng, span + 1);
    return from_u64((uint64_t)lo + offset);   /* lo + offset modulo 2^64 */
}


/* Uniform in [lo, hi); lo == hi gives lo.  Non-finite bounds or lo > hi
 * are reported and give lo (0.0 when lo is not finite). */
double sdb_gen_uniform_float(sdb_ctx *c, double lo, double hi, const char *where)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        sdb_rt_error(c, where, "uniform_float bounds must be finite");
        return isfinite(lo) ? lo : 0.0;
    }
    if (lo > hi) {
        sdb_rt_error(c, where, "uniform_float(lo, hi) with lo > hi");
        return lo;
    }
    double u = sdb_rng_double(&c->rng);
    double span = hi - lo;
    double r = isinf(span) ? lo * (1.0 - u) + hi * u : lo + span * u;
    if (r >= hi && lo < hi)            /* rounding reached hi */
        r = nextafter(hi, lo);
    return r < lo ? lo : r;
}

/* lo and hi are rounded half away from zero to `digits` decimals, then a
 * uniform integer k between them (inclusive) is drawn and k / 10^digits
 * returned: the double nearest the decimal, which sdb_fmt_float prints as
 * that decimal when it has at most 15 significant digits.  Every decimal of
 * the range is equally likely.  Reported errors (digits outside 0..9,
 * non-finite or reversed bounds, |bound| * 10^digits > 2^53) give lo. */
double sdb_gen_uniform_decimal(sdb_ctx *c, double lo, double hi, int64_t digits,
                               const char *where)
{
    static const double pow10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (digits < 0 || digits > 9) {
        sdb_rt_error(c, where, "uniform_decimal digits must be 0..9");
        return lo;
    }
    if (!isfinite(lo) || !isfinite(hi) || lo > hi) {
        sdb_rt_error(c, where, "uniform_decimal(lo, hi) needs finite lo <= hi");
        return lo;
    }
    double scale = pow10[digits];
    double a = round(lo * scale), b = round(hi * scale);
    if (fabs(a) > 0x1.0p53 || fabs(b) > 0x1.0p53) {
        sdb_rt_error(c, where, "uniform_decimal bounds too large for that many digits");
        return lo;
    }
    return (double)sdb_gen_uniform(c, (int64_t)a, (int64_t)b, where) / scale;
}

/* pgbench's checks of random_*(lo, hi, ...): lo <= hi and hi - lo + 1
 * representable. */
static bool pgbench_range_ok(sdb_ctx *c, int64_t lo, int64_t hi, const char *where)
{
    if (lo > hi) {
        sdb_rt_error(c, where, "empty range given to random (lo > hi)");
        return false;
    }
    if ((uint64_t)hi - (uint64_t)lo >= (uint64_t)INT64_MAX) {
        sdb_rt_error(c, where, "random range is too large");
        return false;
    }
    return true;
}

/* lo + floor(n * r) for r in [0, 1), n = hi - lo + 1 (pgbench's last step
 * of random_gaussian / random_exponential); kept <= hi should the double
 * product round up to n. */
static int64_t scale_unit(int64_t lo, int64_t hi, double r)
{
    int64_t n = hi - lo + 1;   /* checked by pgbench_range_ok */
    int64_t off = (int64_t)((double)n * r);
    return off >= n ? hi : lo + off;
}

/* pgbench's pg_prng_double_normal: Box–Muller with u1, u2 in (0, 1]. */
static double std_normal(sdb_rng *rng)
{
    double u1 = 1.0 - sdb_rng_double(rng);
    double u2 = 1.0 - sdb_rng_double(rng);
    return sqrt(-2.0 * log(u1)) * sin(2.0 * PI * u2);
}

/* pgbench's getGaussianRand: a standard normal deviate redrawn until it is
 * in [-param, param), mapped linearly onto [lo, hi]. */
int64_t sdb_gen_gaussian(sdb_ctx *c, int64_t lo, int64_t hi, double param, const char *where)
{
    if (!pgbench_range_ok(c, lo, hi, where))
        return lo;
    if (!(param >= 2.0)) {
        sdb_rt_error(c, where, "gaussian parameter must be at least 2.0");
        return lo;
    }
    double z;
    do
        z = std_normal(&c->rng);
    while (z < -param || z >= param);
    return scale_unit(lo, hi, (z + param) / (param * 2.0));
}

/* pgbench's getExponentialRand: an exponential deviate of rate param cut
 * to [0, 1) by inversion, mapped onto [lo, hi]: the density at hi is
 * exp(-param) times the density at lo. */
int64_t sdb_gen_exponential(sdb_ctx *c, int64_t lo, int64_t hi, double param, const char *where)
{
    if (!pgbench_range_ok(c, lo, hi, where))
        return lo;
    if (!(param > 0.0)) {
        sdb_rt_error(c, where, "exponential parameter must be greater than zero");
        return lo;
    }
    double cut = exp(-param);
    double uniform = 1.0 - sdb_rng_double(&c->rng);   /* (0, 1] */
    double r = -log(cut + (1.0 - cut) * uniform) / param;
    return scale_unit(lo, hi, r);
}

/* pgbench's computeIterativeZipfian: Devroye's rejection method ("Non-
 * Uniform Random Variate Generation", 1986, pp. 550-551) for s > 1;
 * returns k in [1, n] with probability proportional to k^-s. */
static int64_t zipf_rank(sdb_rng *rng, int64_t n, double s)
{
    if (n <= 1)
        return 1;
    double b = pow(2.0, s - 1.0);
    for (;;) {
        double u = sdb_rng_double(rng), v = sdb_rng_double(rng);
        double x = floor(pow(u, -1.0 / (s - 1.0)));
        double t = pow(1.0 + 1.0 / x, s - 1.0);
        if (v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= (double)n)
            return (int64_t)x;
    }
}

/* pgbench's getZipfianRand: lo - 1 + zipf_rank(hi - lo + 1, s), so lo is
 * the most frequent value. */
int64_t sdb_gen_zipfian(sdb_ctx *c, int64_t lo, int64_t hi, double s, const char *where)
{
    if (!pgbench_range_ok(c, lo, hi, where))
        return lo;
    if (!(s >= 1.001 && s <= 1000.0)) {
        sdb_rt_error(c, where, "zipfian parameter must be in range [1.001, 1000]");
        return lo;
    }
    return lo - 1 + zipf_rank(&c->rng, hi - lo + 1, s);
}

/* mean + stddev * (Box–Muller deviate).  Non-finite arguments or a
 * negative stddev are reported and give 0.0. */
double sdb_gen_normal(sdb_ctx *c, double mean, double stddev, const char *where)
{
    if (!isfinite(mean) || !isfinite(stddev) || stddev < 0.0) {
        sdb_rt_error(c, where, "normal(mean, stddev) needs finite values and stddev >= 0");
        return 0.0;
    }
    return mean + stddev * std_normal(&c->rng);
}

/* -ln(u) * mean with u uniform in (0, 1], at most cap when cap > 0.  A mean
 * that is not finite and > 0 is reported and gives 0.0. */
double sdb_gen_exp_time(sdb_ctx *c, double mean, double cap, const char *where)
{
    if (!(mean > 0.0) || !isfinite(mean)) {
        sdb_rt_error(c, where, "exponential time needs a finite mean > 0");
        return 0.0;
    }
    double t = -log(1.0 - sdb_rng_double(&c->rng)) * mean;
    return cap > 0.0 && t > cap ? cap : t;
}

/* TPC-C 2.1.6: (((random(0, A) | random(x, y)) + C) % (y - x + 1)) + x,
 * computed modulo 2^64 so no range overflows.  C comes from c->nurand_c
 * (index 0, 1, 2 for A = 255, 1023, 8191; 0 for another A or when
 * c->nurand_c is NULL).  A < 0 or x > y is reported and gives x. */
int64_t sdb_gen_nurand(sdb_ctx *c, int64_t a, int64_t x, int64_t y, const char *where)
{
    if (a < 0 || x > y) {
        sdb_rt_error(c, where, "NURand(A, x, y) needs A >= 0 and x <= y");
        return x;
    }
    int idx = a == 255 ? 0 : a == 1023 ? 1 : a == 8191 ? 2 : -1;
    int64_t cc = idx >= 0 && c->nurand_c != NULL ? c->nurand_c[idx] : 0;
    int64_t r1 = sdb_gen_uniform(c, 0, a, where);
    int64_t r2 = sdb_gen_uniform(c, x, y, where);
    uint64_t sum = (uint64_t)(r1 | r2) + (uint64_t)cc;
    uint64_t span = (uint64_t)y - (uint64_t)x + 1;   /* 0 stands for 2^64 */
    return from_u64((uint64_t)x + (span != 0 ? sum % span : sum));
}

/* ---------------------------------------------------------------------- */
/* pgbench's deterministic functions: permute() and the hashes.            */

/* PostgreSQL's pg_prng (xoroshiro128** seeded by splitmix64), which
 * permute() needs to give pgbench's exact permutations. */
typedef struct pg_prng {
    uint64_t s0, s1;
} pg_prng;

static void pg_prng_seed(pg_prng *st, uint64_t seed)
{
    st->s0 = splitmix64_next(&seed);
    st->s1 = splitmix64_next(&seed);
    if (st->s0 == 0 && st->s1 == 0) {
        st->s0 = UINT64_C(0x5851F42D4C957F2D);
        st->s1 = UINT64_C(0x14057B7EF767814F);
    }
}

static uint64_t pg_prng_next(pg_prng *st)
{
    uint64_t s0 = st->s0, sx = st->s1 ^ s0;
    uint64_t val = rotl(s0 * 5, 7) * 9;
    st->s0 = rotl(s0, 24) ^ sx ^ (sx << 16);
    st->s1 = rotl(sx, 37);
    return val;
}

/* Position of the highest set bit of x != 0 (0..63). */
static int top_bit(uint64_t x)
{
    int pos = 0;
    for (int step = 32; step > 0; step /= 2) {
        if (x >> step) {
            x >>= step;
            pos += step;
        }
    }
    return pos;
}

/* pg_prng_uint64_range(st, 0, range): bitmask rejection. */
static uint64_t pg_prng_below_eq(pg_prng *st, uint64_t range)
{
    if (range == 0)
        return 0;
    int rshift = 63 - top_bit(range);
    uint64_t v;
    do
        v = pg_prng_next(st) >> rshift;
    while (v > range);
    return v;
}

/* One of permute()'s bijections on [0, mask]: multiply by an odd m, xor r,
 * rotate left by one within masklen bits. */
static uint64_t permute_half(uint64_t v, uint64_t m, uint64_t r, uint64_t mask, int masklen)
{
    v = ((v * m) ^ r) & mask;
    return ((v << 1) & mask) | (v >> (masklen - 1));
}

/* pgbench's permute(): six rounds of bijections on the lower and upper
 * overlapping power-of-two halves of [0, size) plus a random offset, from a
 * pg_prng seeded with seed.  i is taken as unsigned modulo size (as
 * pgbench's (uint64) i % size).  size <= 0 is reported and gives 0. */
int64_t sdb_gen_permute(sdb_ctx *c, int64_t i, int64_t size, int64_t seed, const char *where)
{
    if (size <= 0) {
        sdb_rt_error(c, where, "permute size parameter must be greater than zero");
        return 0;
    }
    if (size < 2)
        return 0;
    pg_prng st;
    pg_prng_seed(&st, (uint64_t)seed);
    uint64_t n = (uint64_t)size, v = (uint64_t)i % n;
    int masklen = top_bit(n);
    uint64_t mask = (UINT64_C(1) << masklen) - 1;
    for (int round = 0; round < 6; round++) {
        uint64_t m = (pg_prng_next(&st) & mask) | 1;
        uint64_t r = pg_prng_next(&st) & mask;
        if (v <= mask)
            v = permute_half(v, m, r, mask, masklen);
        m = (pg_prng_next(&st) & mask) | 1;
        r = pg_prng_next(&st) & mask;
        uint64_t t = n - 1 - v;
        if (t <= mask)
            v = n - 1 - permute_half(t, m, r, mask, masklen);
        v = (v + pg_prng_below_eq(&st, n - 1)) % n;
    }
    return (int64_t)v;
}

/* pgbench's getHashMurmur2: MurmurHash64A of the 8 bytes of v. */
int64_t sdb_hash_murmur2(int64_t v, int64_t seed)
{
    const uint64_t mul = UINT64_C(0xc6a4a7935bd1e995);
    const int rot = 47;
    uint64_t h = (uint64_t)seed ^ (mul * 8);
    uint64_t k = (uint64_t)v;
    k *= mul;
    k ^= k >> rot;
    k *= mul;
    h ^= k;
    h *= mul;
    h ^= h >> rot;
    h *= mul;
    h ^= h >> rot;
    return from_u64(h);
}

/* pgbench's getHashFnv1a: FNV-1a over the 8 bytes of v, low byte first,
 * with the offset basis xor seed. */
int64_t sdb_hash_fnv1a(int64_t v, int64_t seed)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)seed;
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++, u >>= 8) {
        h ^= u & 0xff;
        h *= UINT64_C(0x100000001b3);
    }
    return from_u64(h);
}

/* ---------------------------------------------------------------------- */
/* Choices and sequences.                                                   */

/* U < p for U uniform in [0, 1): always false for p <= 0 (or NaN), always
 * true for p >= 1; one draw either way. */
int sdb_gen_chance(sdb_ctx *c, double p)
{
    return sdb_rng_double(&c->rng) < p;
}

/* The first i with cum[i] > r, where r = U * cum[n-1]: linear scan for
 * small n, binary search beyond.  cum == NULL: uniform.  n <= 0 gives 0;
 * non-increasing or non-positive weights give n - 1 when nothing exceeds r. */
int sdb_gen_pick(sdb_ctx *c, const double *cum, int n)
{
    if (n <= 1)
        return 0;
    if (cum == NULL)
        return (int)uniform_below(&c->rng, (uint64_t)n);
    double r = sdb_rng_double(&c->rng) * cum[n - 1];
    if (n <= 16) {
        for (int i = 0; i < n; i++)
            if (cum[i] > r)
                return i;
        return n - 1;
    }
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cum[mid] > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* c->sequences[seq] counts the values handed out (the runtime zeroes it);
 * the k-th (0-based) is start + k * step, computed modulo 2^64.  One atomic
 * fetch-add, so the first value and every later one are each given out
 * exactly once across threads.  No sequences or seq < 0 gives start. */
int64_t sdb_seq_next(sdb_ctx *c, int seq, int64_t start, int64_t step)
{
    if (c->sequences == NULL || seq < 0)
        return start;
    int64_t k = __atomic_fetch_add(&c->sequences[seq], 1, __ATOMIC_RELAXED);
    return from_u64((uint64_t)start + (uint64_t)k * (uint64_t)step);
}

/* ---------------------------------------------------------------------- */
/* Strings.                                                                 */

static const char out_of_space[] = "out of string space in one transaction or row";

/* Bytes free at the arena top (0 without an arena). */
static size_t arena_room(const sdb_ctx *c)
{
    if (c->arena == NULL || c->arena_used > SDB_ARENA_BYTES)
        return 0;
    return SDB_ARENA_BYTES - c->arena_used;
}

/* Reserves len bytes at the arena top and returns them; NULL (reported)
 * when they do not fit or there is no arena. */
static char *arena_take(sdb_ctx *c, size_t len, const char *where)
{
    if (c->arena == NULL || len > arena_room(c)) {
        sdb_rt_error(c, where, out_of_space);
        return NULL;
    }
    char *p = c->arena + c->arena_used;
    c->arena_used += len;
    return p;
}

static const sdb_str empty_str = {"", 0};

/* A character class drawn `bits` bits at a time, draws >= n rejected. */
typedef struct charset {
    const char *chars;
    unsigned n;
    unsigned bits;
} charset;

static const char alnum[62] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const charset set_alnum = {alnum, 62, 6};
static const charset set_alpha = {alnum + 10, 52, 6};
static const charset set_digits = {alnum, 10, 4};

/* Fills out[0..len) with uniform characters of cs, 64 / bits draws per
 * 64-bit random number (a draw >= cs->n is skipped).  Inlined into each
 * caller, whose constant charset turns the loop's shifts and bounds into
 * constants; branch-free apart from the loop (the character at a skipped
 * draw is written, then overwritten by the next one). */
static inline __attribute__((always_inline)) void fill_chars(sdb_rng *rng, const charset *cs,
                                                             char *out, size_t len)
{
    const unsigned per_word = 64 / cs->bits, mask = (1u << cs->bits) - 1;
    size_t filled = 0;
    while (filled < len) {
        uint64_t bits = sdb_rng_next(rng);
        for (unsigned k = 0; k < per_word && filled < len; k++, bits >>= cs->bits) {
            unsigned v = (unsigned)(bits & mask);
            bool ok = v < cs->n;
            out[filled] = cs->chars[ok ? v : 0];
            filled += ok;
        }
    }
}

_Static_assert(SDB_ARENA_BYTES / 2 == 32768, "update the message in length_ok");

/* Reports lengths that string generators refuse. */
static bool length_ok(sdb_ctx *c, int64_t minlen, int64_t maxlen, const char *where)
{
    if (minlen < 0) {
        sdb_rt_error(c, where, "string length is negative");
        return false;
    }
    if (minlen > maxlen) {
        sdb_rt_error(c, where, "string lengths with min > max");
        return false;
    }
    if (maxlen > SDB_ARENA_BYTES / 2) {
        sdb_rt_error(c, where, "string length over 32768 (SDB_ARENA_BYTES / 2)");
        return false;
    }
    return true;
}

/* Characters of cs, length uniform in [minlen, maxlen], at the arena top.
 * Bad lengths and a full arena are reported and give ""; nothing is
 * written then. */
static inline __attribute__((always_inline)) sdb_str
random_chars(sdb_ctx *c, const charset *cs, int64_t minlen, int64_t maxlen, const char *where)
{
    if (!length_ok(c, minlen, maxlen, where))
        return empty_str;
    size_t len = (size_t)sdb_gen_uniform(c, minlen, maxlen, where);
    char *out = arena_take(c, len, where);
    if (out == NULL)
        return empty_str;
    fill_chars(&c->rng, cs, out, len);
    return (sdb_str){out, (uint32_t)len};
}

/* [0-9A-Za-z] characters; see random_chars. */
sdb_str sdb_gen_string(sdb_ctx *c, int64_t minlen, int64_t maxlen, const char *where)
{
    return random_chars(c, &set_alnum, minlen, maxlen, where);
}

/* [A-Za-z] characters; see random_chars. */
sdb_str sdb_gen_alpha(sdb_ctx *c, int64_t minlen, int64_t maxlen, const char *where)
{
    return random_chars(c, &set_alpha, minlen, maxlen, where);
}

/* [0-9] characters; see random_chars. */
sdb_str sdb_gen_numeric(sdb_ctx *c, int64_t minlen, int64_t maxlen, const char *where)
{
    return random_chars(c, &set_digits, minlen, maxlen, where);
}

/* One chance(pct / 100) draw; when it hits, a uniform position in
 * [0, s.len - marker.len] and a copy of s in the arena with marker over it.
 * pct outside 0..100 or s shorter than marker is reported and gives s. */
sdb_str sdb_gen_marker(sdb_ctx *c, sdb_str s, sdb_str marker, double pct, const char *where)
{
    if (!(pct >= 0.0 && pct <= 100.0)) {
        sdb_rt_error(c, where, "marker percentage must be 0..100");
        return s;
    }
    if (s.len < marker.len) {
        sdb_rt_error(c, where, "marker longer than the string it marks");
        return s;
    }
    if (!sdb_gen_chance(c, pct / 100.0))
        return s;
    size_t pos = (size_t)uniform_below(&c->rng, (uint64_t)(s.len - marker.len) + 1);
    char *out = arena_take(c, s.len, where);
    if (out == NULL)
        return empty_str;
    memcpy(out, s.ptr, s.len);
    memcpy(out + pos, marker.ptr, marker.len);
    return (sdb_str){out, s.len};
}

/* The items of list chosen by the `digits` decimal digits of n, most
 * significant first.  Reported errors (a list of < 10 items, digits outside
 * 1..18, n outside [0, 10^digits), full arena) give "". */
sdb_str sdb_gen_syllables(sdb_ctx *c, int64_t n, int64_t digits, const sdb_list *list,
                          const char *where)
{
    if (list == NULL || list->n < 10) {
        sdb_rt_error(c, where, "syllables needs a list of at least 10 items");
        return empty_str;
    }
    if (digits < 1 || digits > 18) {
        sdb_rt_error(c, where, "syllables digits must be 1..18");
        return empty_str;
    }
    int idx[18];
    int64_t rest = n;
    for (int64_t k = digits - 1; k >= 0; k--) {
        idx[k] = (int)(rest % 10);
        rest /= 10;
    }
    if (n < 0 || rest != 0) {
        sdb_rt_error(c, where, "syllables number out of range for its digits");
        return empty_str;
    }
    size_t len = 0;
    for (int64_t k = 0; k < digits; k++)
        len += list->items[idx[k]].len;
    char *out = arena_take(c, len, where);
    if (out == NULL)
        return empty_str;
    size_t pos = 0;
    for (int64_t k = 0; k < digits; k++) {
        sdb_str item = list->items[idx[k]];
        memcpy(out + pos, item.ptr, item.len);
        pos += item.len;
    }
    return (sdb_str){out, (uint32_t)len};
}

static bool list_ok(sdb_ctx *c, const sdb_list *list, const char *where)
{
    if (list == NULL || list->n < 1 || list->items == NULL) {
        sdb_rt_error(c, where, "word list is empty");
        return false;
    }
    return true;
}

/* A count uniform in [min, max], then that many uniform items of list
 * joined by single spaces, at the arena top.  Reported errors (empty list,
 * bad counts, full arena) give "" and leave the arena as it was. */
sdb_str sdb_gen_words(sdb_ctx *c, const sdb_list *list, int64_t min, int64_t max,
                      const char *where)
{
    if (!list_ok(c, list, where))
        return empty_str;
    if (min < 0 || min > max) {
        sdb_rt_error(c, where, "words(min, max) needs 0 <= min <= max");
        return empty_str;
    }
    int64_t count = sdb_gen_uniform(c, min, max, where);
    size_t room = arena_room(c), len = 0;
    char *out = c->arena == NULL ? NULL : c->arena + c->arena_used;
    for (int64_t k = 0; k < count; k++) {
        sdb_str w = list->items[uniform_below(&c->rng, (uint64_t)list->n)];
        size_t need = (k > 0) + (size_t)w.len;
        if (out == NULL || need > room - len) {
            sdb_rt_error(c, where, out_of_space);
            return empty_str;
        }
        if (k > 0)
            out[len++] = ' ';
        memcpy(out + len, w.ptr, w.len);
        len += w.len;
    }
    if (out == NULL) {          /* count == 0 without an arena */
        sdb_rt_error(c, where, out_of_space);
        return empty_str;
    }
    c->arena_used += len;
    return (sdb_str){out, (uint32_t)len};
}

/* A length uniform in [minlen, maxlen], filled with uniform items of list
 * separated by spaces; the last item is cut to fit, and a space that would
 * end the text is replaced by the next item's first character.  Errors as
 * sdb_gen_string's, plus an empty list. */
sdb_str sdb_gen_text(sdb_ctx *c, const sdb_list *list, int64_t minlen, int64_t maxlen,
                     const char *where)
{
    if (!list_ok(c, list, where) || !length_ok(c, minlen, maxlen, where))
        return empty_str;
    size_t len = (size_t)sdb_gen_uniform(c, minlen, maxlen, where);
    char *out = arena_take(c, len, where);
    if (out == NULL)
        return empty_str;
    size_t pos = 0;
    for (bool first = true; pos < len; first = false) {
        if (!first && len - pos > 1)
            out[pos++] = ' ';
        sdb_str w = list->items[uniform_below(&c->rng, (uint64_t)list->n)];
        size_t take = w.len < len - pos ? w.len : len - pos;
        memcpy(out + pos, w.ptr, take);
        pos += take;
    }
    return (sdb_str){out, (uint32_t)len};
}

/* 128 random bits with the version (4) and variant (10) bits set, as
 * "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx" in lowercase. */
sdb_str sdb_gen_uuid(sdb_ctx *c)
{
    static const char hex[16] = "0123456789abcdef";
    uint64_t hi = sdb_rng_next(&c->rng), lo = sdb_rng_next(&c->rng);
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    char *out = arena_take(c, 36, "uuid()");
    if (out == NULL)
        return empty_str;
    size_t pos = 0;
    for (int nib = 0; nib < 32; nib++) {
        if (nib == 8 || nib == 12 || nib == 16 || nib == 20)
            out[pos++] = '-';
        uint64_t word = nib < 16 ? hi : lo;
        out[pos++] = hex[(word >> (60 - 4 * (nib % 16))) & 15];
    }
    return (sdb_str){out, 36};
}

/* One vector component: dist 0 uniform in [-1, 1), dist 1 standard normal. */
static double vector_component(sdb_rng *rng, int64_t dist)
{
    return dist == 0 ? 2.0 * sdb_rng_double(rng) - 1.0 : std_normal(rng);
}

/* "[x1,...,xdim]" with 6 significant digits per component (sdb_fmt_float6).
 * To normalise without storing the components, they are drawn once for the
 * norm, then the random state is rewound and the same ones drawn again.
 * Reported errors (dim outside 1..16000, dist not 0 or 1, full arena — a
 * 64 KiB arena holds about 5000 components) give "" with the arena as it
 * was. */
sdb_str sdb_gen_vector(sdb_ctx *c, int64_t dim, int64_t dist, int normalize, const char *where)
{
    if (dim < 1 || dim > 16000) {
        sdb_rt_error(c, where, "vector dimension must be 1..16000");
        return empty_str;
    }
    if (dist != 0 && dist != 1) {
        sdb_rt_error(c, where, "vector distribution must be 0 (uniform) or 1 (normal)");
        return empty_str;
    }
    double scale = 1.0;
    if (normalize) {
        sdb_rng start = c->rng;
        double sum2 = 0.0;
        for (int64_t i = 0; i < dim; i++) {
            double x = vector_component(&c->rng, dist);
            sum2 += x * x;
        }
        if (sum2 > 0.0)
            scale = 1.0 / sqrt(sum2);
        c->rng = start;
    }
    size_t room = arena_room(c), len = 0;
    char *out = c->arena == NULL ? NULL : c->arena + c->arena_used;
    for (int64_t i = 0; i < dim; i++) {
        char num[SDB_FMT_FLOAT_MAX];
        size_t n = sdb_fmt_float6(num, vector_component(&c->rng, dist) * scale);
        if (out == NULL || n + 2 > room - len) {    /* '[' or ',' before, ']' after */
            sdb_rt_error(c, where, out_of_space);
            return empty_str;
        }
        out[len++] = i == 0 ? '[' : ',';
        memcpy(out + len, num, n);
        len += n;
    }
    out[len++] = ']';
    c->arena_used += len;
    return (sdb_str){out, (uint32_t)len};
}

/* ---------------------------------------------------------------------- */
/* Times.                                                                   */

/* Wall-clock time (CLOCK_REALTIME) in µs since the Unix epoch. */
int64_t sdb_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Uniform µs in [lo_us, hi_us]; errors as sdb_gen_uniform's. */
int64_t sdb_gen_timestamp(sdb_ctx *c, int64_t lo_us, int64_t hi_us, const char *where)
{
    return sdb_gen_uniform(c, lo_us, hi_us, where);
}

/* Uniform day in [lo_days, hi_days]; errors as sdb_gen_uniform's. */
int64_t sdb_gen_date(sdb_ctx *c, int64_t lo_days, int64_t hi_days, const char *where)
{
    return sdb_gen_uniform(c, lo_days, hi_days, where);
}

/* {s, len}; s is not copied. */
sdb_str sdb_str_lit(const char *s, uint32_t len)
{
    return (sdb_str){s, len};
}
