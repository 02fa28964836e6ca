/* arrival.c — see arrival.h. */
#include "arrival.h"

#include <math.h>

double sdb_arrival_exp(sdb_rng *rng, double mean)
{
    /* 1 - u is in (0, 1]: the logarithm is finite and <= 0 */
    return -mean * log(1.0 - sdb_rng_double(rng));
}

/* Moves the schedule on by one exponential gap. */
static void advance(sdb_arrivals *a)
{
    double gap = sdb_arrival_exp(&a->rng, a->mean_ns) + a->carry_ns;
    int64_t whole = (int64_t)gap;
    a->carry_ns = gap - (double)whole;
    a->next_ns += whole;
}

void sdb_arrivals_init(sdb_arrivals *a, uint64_t seed, uint64_t stream, double rate_per_s,
                       int64_t start_ns)
{
    sdb_rng_seed(&a->rng, seed, stream);
    a->mean_ns = 1e9 / rate_per_s;
    a->next_ns = start_ns;
    a->carry_ns = 0;
    advance(a);
}

int64_t sdb_arrivals_take(sdb_arrivals *a)
{
    int64_t at = a->next_ns;
    advance(a);
    return at;
}

/* Arrivals counted one by one before the rest are estimated from the mean
 * gap (an absurd rate, or a client hours behind, must not stall a thread). */
#define COUNT_CAP 1000000

/* Consumes the untaken arrivals due before `until`; returns how many. */
static int64_t consume_before(sdb_arrivals *a, int64_t until)
{
    int64_t n = 0;
    while (a->next_ns < until && n < COUNT_CAP) {
        advance(a);
        n++;
    }
    if (a->next_ns < until) {
        n += (int64_t)((double)(until - a->next_ns) / a->mean_ns);
        a->next_ns = until;
    }
    return n;
}

int64_t sdb_arrivals_skip_late(sdb_arrivals *a, int64_t now, int64_t limit_ns)
{
    return consume_before(a, now - limit_ns);
}

int64_t sdb_arrivals_owed(sdb_arrivals *a, int64_t until)
{
    return consume_before(a, until);
}
