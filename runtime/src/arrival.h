/*
 * arrival.h — the open-loop schedule of --rate: Poisson arrivals.
 *
 * A schedule is a clock, not a queue: it holds the scheduled (intended)
 * start of the next arrival no session has taken yet, and each take moves
 * it on by an exponentially distributed gap.  However far the client falls
 * behind, the memory stays the same; the arrivals it owes are the ones
 * between next_ns and now.
 *
 * Threading: one schedule per client thread, touched by that thread only.
 */
#ifndef SDB_ARRIVAL_H
#define SDB_ARRIVAL_H

#include <stdint.h>

#include "stormdb.h"

typedef struct sdb_arrivals {
    sdb_rng rng;        /* this schedule's own stream (deterministic from --seed) */
    double mean_ns;     /* mean gap between arrivals, ns (1e9 / rate) */
    int64_t next_ns;    /* monotonic ns: intended start of the next untaken arrival */
    double carry_ns;    /* the fraction of a ns the whole-ns gaps have dropped, in
                         * [0, 1): kept so that the mean rate is exact */
} sdb_arrivals;

/* An exponentially distributed value of the given mean (> 0) from rng:
 * -mean * ln(1 - u), u uniform in [0, 1).  Never negative; finite (at most
 * about 37 times the mean). */
double sdb_arrival_exp(sdb_rng *rng, double mean);

/* Starts a schedule of rate_per_s (> 0) arrivals per second whose first
 * arrival comes one exponential gap after start_ns, drawing from stream
 * `stream` of `seed`. */
void sdb_arrivals_init(sdb_arrivals *a, uint64_t seed, uint64_t stream, double rate_per_s,
                       int64_t start_ns);

/* Takes the next arrival: returns its intended start (monotonic ns) and
 * moves the schedule on by one gap. */
int64_t sdb_arrivals_take(sdb_arrivals *a);

/* Skips every untaken arrival whose intended start is more than limit_ns
 * before now (--latency-limit: they are already too late); returns how many
 * it skipped. */
int64_t sdb_arrivals_skip_late(sdb_arrivals *a, int64_t now, int64_t limit_ns);

/* Counts (and consumes) the untaken arrivals due before `until`: the ones
 * the run owed but never started. */
int64_t sdb_arrivals_owed(sdb_arrivals *a, int64_t until);

/* Both counts are exact up to a million arrivals; past that (an absurd rate,
 * or a client hours behind) the rest is estimated from the mean gap, so
 * that a thread never stalls counting. */

#endif
