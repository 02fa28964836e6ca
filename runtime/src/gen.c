/*
 * gen.c — random numbers (xoshiro256**), value generators, run-time errors
 * and checked division for generated workload code (see stormdb.h).
 *
 * Everything here works on one sdb_ctx owned by the calling thread: no
 * locks, no allocation.  Strings are written into the context's arena.
 */
#include "stormdb.h"

#include <stdbool.h>

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
    /* lo + offset computed modulo 2^64, converted back without UB */
    uint64_t u = (uint64_t)lo + offset;
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

_Static_assert(SDB_ARENA_BYTES / 2 == 32768, "update the message in sdb_gen_string");

static const char alnum[62] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Fills out[0..len) with uniform alphanumeric characters, ten 6-bit draws
 * per 64-bit random number; draws of 62 and 63 are rejected. */
static void fill_alnum(sdb_rng *rng, char *out, size_t len)
{
    size_t filled = 0;
    while (filled < len) {
        uint64_t bits = sdb_rng_next(rng);
        for (int k = 0; k < 10 && filled < len; k++, bits >>= 6) {
            unsigned v = (unsigned)(bits & 63);
            if (v < 62)
                out[filled++] = alnum[v];
        }
    }
}

/* Random alphanumeric string of uniform length in [minlen, maxlen], written
 * at c->arena + c->arena_used (which it advances).  Bad lengths and a full
 * arena are reported and give an empty string; nothing is written then. */
sdb_str sdb_gen_string(sdb_ctx *c, int64_t minlen, int64_t maxlen, const char *where)
{
    sdb_str empty = {"", 0};
    if (minlen < 0) {
        sdb_rt_error(c, where, "string length is negative");
        return empty;
    }
    if (minlen > maxlen) {
        sdb_rt_error(c, where, "string(min, max) with min > max");
        return empty;
    }
    if (maxlen > SDB_ARENA_BYTES / 2) {
        sdb_rt_error(c, where, "string length over 32768 (SDB_ARENA_BYTES / 2)");
        return empty;
    }
    size_t len = (size_t)sdb_gen_uniform(c, minlen, maxlen, where);
    if (c->arena == NULL || c->arena_used > SDB_ARENA_BYTES
        || len > SDB_ARENA_BYTES - c->arena_used) {
        sdb_rt_error(c, where, "out of string space in one transaction or row");
        return empty;
    }
    char *out = c->arena + c->arena_used;
    fill_alnum(&c->rng, out, len);
    c->arena_used += len;
    return (sdb_str){out, (uint32_t)len};
}

/* {s, len}; s is not copied. */
sdb_str sdb_str_lit(const char *s, uint32_t len)
{
    return (sdb_str){s, len};
}
