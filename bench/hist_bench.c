/*
 * hist_bench.c — nanoseconds per sdb_hist_record over 100M values: prints
 * "N ns per recorded sample" and whether that is under the 50 ns target
 * (exit status 1 when it is not).
 *
 * Built by `make` as build/bench/bench_hist; or by hand from the source root:
 *   cc -O2 -std=c11 -Iruntime/src -Iruntime/include bench/hist_bench.c runtime/src/hist.c runtime/src/gen.c -lm -o /tmp/hist_bench && /tmp/hist_bench
 *
 * The values (log-uniform from 1 µs to 10 s) are made up front in a 1M-entry
 * table that is cycled, so the timing holds the recording only.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hist.h"
#include "stormdb.h"

enum { TABLE = 1 << 20, ROUNDS = 100 };   /* 100 x 1M ≈ 100M records */
enum { TARGET_NS = 50 };                  /* what recording may cost per sample */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    int64_t *values = malloc(TABLE * sizeof *values);
    sdb_hist *h = sdb_hist_new();
    if (!values || !h) {
        fprintf(stderr, "hist_bench: out of memory\n");
        return 1;
    }
    sdb_rng rng;
    sdb_rng_seed(&rng, 1, 0);
    for (int i = 0; i < TABLE; i++)
        values[i] = (int64_t)exp(log(1e3) + sdb_rng_double(&rng) * (log(1e10) - log(1e3)));

    double start = now_s();
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < TABLE; i++)
            sdb_hist_record(h, values[i]);
    double elapsed = now_s() - start;

    double n = (double)TABLE * ROUNDS;
    double ns = elapsed * 1e9 / n;
    printf("sdb_hist_record: %.2f ns per recorded sample (%.0f samples in %.2f s; "
           "target < %d ns: %s; p99 of the samples %lld ns)\n", ns, n, elapsed,
           TARGET_NS, ns < TARGET_NS ? "met" : "NOT met",
           (long long)sdb_hist_percentile(h, 99.0));
    sdb_hist_free(h);
    free(values);
    return ns < TARGET_NS ? 0 : 1;
}
