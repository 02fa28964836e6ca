/*
 * test_prom.c — the /metrics exposition (runtime/src/prom.c): golden
 * rendering with label values that need escaping, NaN quantiles for an
 * empty interval, a buffer too small, the snapshot fed by intervals, and a
 * port in use refused with its message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "prom.h"

static const sdb_prom_info odd_info = {
    .workload = "we\"ird\\name\nx", .type = "t", .version = "1.2.3", .workers = 7};

static void test_render_escapes_and_values(void **state)
{
    (void)state;
    sdb_prom_snapshot s = {
        .elapsed_s = 3, .transactions = 1234, .failures = 5, .tps = 411.5,
        .interval_count = 400, .quantile_s = {0.0005, 0.001, 0.0125, 0.25},
        .max_s = 0.5, .latency_sum_s = 2.5, .latency_count = 1234};
    char buf[8192];
    size_t n = sdb_prom_render(&odd_info, &s, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_non_null(strstr(buf, "stormdb_info{workload=\"we\\\"ird\\\\name\\nx\",type=\"t\","
                                "version=\"1.2.3\"} 1\n"));
    assert_non_null(strstr(buf, "# TYPE stormdb_transactions_total counter\n"
                                "stormdb_transactions_total 1234\n"));
    assert_non_null(strstr(buf, "stormdb_failures_total 5\n"));
    assert_non_null(strstr(buf, "stormdb_workers 7\n"));
    assert_non_null(strstr(buf, "stormdb_tps 411.5\n"));
    assert_non_null(strstr(buf, "# TYPE stormdb_latency_seconds summary\n"));
    assert_non_null(strstr(buf, "stormdb_latency_seconds{quantile=\"0.5\"} 0.0005\n"));
    assert_non_null(strstr(buf, "stormdb_latency_seconds{quantile=\"0.999\"} 0.25\n"));
    assert_non_null(strstr(buf, "stormdb_latency_seconds_sum 2.5\n"));
    assert_non_null(strstr(buf, "stormdb_latency_seconds_count 1234\n"));
    assert_non_null(strstr(buf, "# TYPE stormdb_latency_seconds_max gauge\n"
                                "stormdb_latency_seconds_max 0.5\n"));
    assert_int_equal(buf[n - 1], '\n');
    /* every line is a comment or one sample with no raw newline inside */
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(line[0] == '#' || strncmp(line, "stormdb_", 8) == 0);
        line = end + 1;
    }
}

static void test_render_empty_interval(void **state)
{
    (void)state;
    sdb_prom_snapshot s = {0};
    sdb_prom_info info = {.workload = "w", .type = "t", .version = "v", .workers = 1};
    char buf[8192];
    assert_true(sdb_prom_render(&info, &s, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "stormdb_latency_seconds{quantile=\"0.99\"} NaN\n"));
    assert_non_null(strstr(buf, "stormdb_latency_seconds_max 0\n"));
    assert_non_null(strstr(buf, "stormdb_transactions_total 0\n"));
    /* too small a buffer is refused, not overrun */
    char small[100];
    memset(small, 'x', sizeof small);
    assert_int_equal(sdb_prom_render(&info, &s, small, sizeof small), 0);
    assert_true(memchr(small, '\0', sizeof small) != NULL);
}

static void test_update_and_port_in_use(void **state)
{
    (void)state;
    sdb_prom_info info = {.workload = "w", .type = "t", .version = "v", .workers = 2};
    char err[256] = "";
    sdb_prom *p = sdb_prom_start(0, &info, err, sizeof err);
    assert_non_null(p);
    int port = sdb_prom_port(p);
    assert_true(port > 0 && port < 65536);

    char again[256] = "", want[256];
    assert_null(sdb_prom_start(port, &info, again, sizeof again));
    snprintf(want, sizeof want, "port %d is in use: pick another with --prometheus-port", port);
    assert_string_equal(again, want);

    sdb_hist *h = sdb_hist_new();
    assert_non_null(h);
    for (int i = 1; i <= 1000; i++)
        sdb_hist_record(h, i * INT64_C(1000));   /* 1 µs .. 1 ms */
    sdb_series_row row = {.t_s = 1, .length_s = 1, .done = 1000, .failed = 3};
    sdb_prom_update(p, &row, h);
    row.t_s = 2;
    sdb_prom_update(p, &row, h);
    sdb_hist_free(h);
    sdb_prom_snapshot s;
    sdb_prom_snapshot_get(p, &s);
    assert_true(s.elapsed_s == 2);
    assert_int_equal(s.transactions, 2000);
    assert_int_equal(s.failures, 6);
    assert_true(s.tps == 1000);
    assert_int_equal(s.interval_count, 1000);
    assert_int_equal(s.latency_count, 2000);
    assert_true(s.quantile_s[0] >= 500e-6 && s.quantile_s[0] <= 505e-6);
    assert_true(s.quantile_s[3] >= 999e-6 && s.quantile_s[3] <= 1000e-6);
    assert_true(s.max_s == 1e-3);
    assert_true(s.latency_sum_s > 1.0009 && s.latency_sum_s < 1.0011);   /* 2 x 500.5 ms */
    sdb_prom_stop(p);
    sdb_prom_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_escapes_and_values),
        cmocka_unit_test(test_render_empty_interval),
        cmocka_unit_test(test_update_and_port_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
