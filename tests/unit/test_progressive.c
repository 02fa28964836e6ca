/* test_progressive.c — the bands each strategy plans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "progressive.h"

static int plan(sdb_config *cfg, int *w, int *c)
{
    return sdb_progressive_plan(cfg, w, c);
}

static void expect(const int *got, int n, const int *want, int nwant)
{
    assert_int_equal(n, nwant);
    for (int i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

static void test_strategies(void **state)
{
    (void)state;
    sdb_config cfg;
    sdb_config_init(&cfg);
    int w[SDB_PROG_MAX_BANDS], c[SDB_PROG_MAX_BANDS];
    cfg.workers = 8;
    /* linear: 5 bands from 1 to the run's workers, connections = workers */
    int n = plan(&cfg, w, c);
    expect(w, n, (int[]){1, 3, 5, 6, 8}, 5);
    expect(c, n, (int[]){1, 3, 5, 6, 8}, 5);
    /* linear over a range with fewer distinct values than bands */
    cfg.progressive.min_workers = 2;
    cfg.progressive.max_workers = 4;
    cfg.progressive.bands = 6;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){2, 3, 4}, 3);
    /* exponential: doubling, and the maximum */
    cfg.progressive.strategy = SDB_PROG_EXPONENTIAL;
    cfg.progressive.min_workers = 3;
    cfg.progressive.max_workers = 40;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){3, 6, 12, 24, 40}, 5);
    /* ... cut to `bands` when given, keeping both ends */
    cfg.progressive.bands = 3;
    cfg.progressive.bands_set = true;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){3, 12, 40}, 3);
    /* fibonacci: the minimum, Fibonacci numbers above it, the maximum */
    cfg.progressive.strategy = SDB_PROG_FIBONACCI;
    cfg.progressive.bands_set = false;
    cfg.progressive.min_workers = 4;
    cfg.progressive.max_workers = 30;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){4, 5, 8, 13, 21, 30}, 6);
    /* connections in step with the bands when a range is given ... */
    cfg.progressive.strategy = SDB_PROG_LINEAR;
    cfg.progressive.bands = 3;
    cfg.progressive.min_workers = 10;
    cfg.progressive.max_workers = 30;
    cfg.progressive.min_connections = 5;
    cfg.progressive.max_connections = 15;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){10, 20, 30}, 3);
    expect(c, n, (int[]){5, 10, 15}, 3);
    /* ... except synchronized: connections = workers */
    cfg.progressive.strategy = SDB_PROG_SYNCHRONIZED;
    n = plan(&cfg, w, c);
    expect(c, n, (int[]){10, 20, 30}, 3);
    /* a single value: one band */
    cfg.progressive.strategy = SDB_PROG_LINEAR;
    cfg.progressive.min_workers = cfg.progressive.max_workers = 7;
    n = plan(&cfg, w, c);
    expect(w, n, (int[]){7}, 1);
    sdb_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strategies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
