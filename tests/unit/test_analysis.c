/*
 * test_analysis.c — the progressive-run analysis (runtime/src/analysis.c):
 * every model recovers known parameters from synthetic data, exact and with
 * noise; Erlang C against table values; Little's law; differences and the
 * inflection; the recommendation; the confidence-interval helper; and
 * degenerate inputs that must give "not enough data", never NaN in the JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "analysis.h"

static const double usl_n[] = {1, 2, 4, 8, 16, 32, 64};
#define USL_NPTS 7

/* ---- helpers ---- */

/* Deterministic standard normal deviates (Box-Muller over a 64-bit LCG), so
 * the noisy tests are the same on every run. */
static double gauss(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u1 = ((*s >> 11) + 1.0) / 9007199254740994.0;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u2 = (*s >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* y[i] = model(x[i]) * (1 + rel * z_i) with z_i standard normal. */
static void synth(sdb_analysis_model m, const double *p, const double *x, int n, double rel,
                  uint64_t seed, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] = sdb_analysis_model_eval(m, p, x[i]) * (1 + (rel > 0 ? rel * gauss(&seed) : 0));
}

static void assert_rel(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fabs(want))) {
        print_error("got %.10g, want %.10g (relative tolerance %g)\n", got, want, tol);
        fail();
    }
}

static void assert_abs(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("got %.10g, want %.10g (absolute tolerance %g)\n", got, want, tol);
        fail();
    }
}

/* Fits m to the synthetic data and checks it converged and each parameter
 * is within rel_tol (relative) of the truth. */
static sdb_analysis_fit check_recovery(sdb_analysis_model m, const double *p, const double *x,
                                       int n, double noise, const double *rel_tol)
{
    double y[SDB_ANALYSIS_MAX_BANDS];
    sdb_analysis_fit f;
    synth(m, p, x, n, noise, 12345, y);
    sdb_analysis_fit_model(m, x, y, n, &f);
    print_message("  %-14s noise %4.1f%%: status %s, R2 %.6f, params", sdb_analysis_model_name(m),
                  noise * 100, sdb_analysis_fit_status_name(f.status), f.r2);
    for (int j = 0; j < f.nparam; j++)
        print_message(" %.6g (true %.6g)", f.p[j], p[j]);
    print_message("\n");
    assert_int_equal(f.status, SDB_ANALYSIS_FIT_OK);
    for (int j = 0; j < f.nparam; j++)
        assert_rel(f.p[j], p[j], rel_tol[j]);
    assert_true(f.r2 > (noise > 0 ? 0.99 : 1 - 1e-12));
    return f;
}

static sdb_analysis_input band(double n, double tps, double mean_ms, double p99_ms)
{
    sdb_analysis_input b = {n, tps, NAN, mean_ms, p99_ms, 0};
    return b;
}

/* The analysis as JSON text must exist and hold no NaN or Infinity. */
static void assert_json_clean(const sdb_analysis_result *r)
{
    json_t *j = sdb_analysis_json(r);
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    assert_null(strstr(s, "NaN"));
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "Infinity"));
    assert_null(strstr(s, "inf,"));
    free(s);
    json_decref(j);
}

/* ---- every model recovers its parameters ---- */

static void test_usl_exact(void **state)
{
    (void)state;
    const double p[3] = {1000, 0.05, 0.001}, tol[3] = {1e-6, 1e-5, 1e-5};
    sdb_analysis_fit f = check_recovery(SDB_ANALYSIS_USL, p, usl_n, USL_NPTS, 0, tol);
    assert_rel(f.peak_n, sqrt(0.95 / 0.001), 1e-5);
    assert_rel(f.peak_tps, sdb_analysis_model_eval(SDB_ANALYSIS_USL, p, sqrt(950)), 1e-6);
}

static void test_usl_noisy(void **state)
{
    (void)state;
    /* 1% noise on 7 points: sigma and kappa are the least determined
     * (a 1% error in X moves sigma by about 0.01 at N = 8) */
    const double p[3] = {1000, 0.05, 0.001}, tol[3] = {0.03, 0.3, 0.3};
    sdb_analysis_fit f = check_recovery(SDB_ANALYSIS_USL, p, usl_n, USL_NPTS, 0.01, tol);
    assert_rel(f.peak_n, sqrt(950), 0.2);
}

static void test_usl_amdahl(void **state)
{
    (void)state;
    /* kappa = 0: the fit sits on the bound, with no peak and the Amdahl
     * ceiling lambda/sigma */
    const double p[3] = {500, 0.02, 0};
    double y[USL_NPTS];
    sdb_analysis_fit f;
    synth(SDB_ANALYSIS_USL, p, usl_n, USL_NPTS, 0, 1, y);
    sdb_analysis_fit_model(SDB_ANALYSIS_USL, usl_n, y, USL_NPTS, &f);
    assert_int_equal(f.status, SDB_ANALYSIS_FIT_OK);
    assert_rel(f.p[0], 500, 1e-6);
    assert_rel(f.p[1], 0.02, 1e-5);
    assert_abs(f.p[2], 0, 0);          /* held on the bound, exactly */
    assert_true(isinf(f.peak_n));
    assert_rel(f.peak_tps, 500 / 0.02, 1e-5);
    assert_non_null(strstr(f.note, "no peak"));
}

static void test_linear(void **state)
{
    (void)state;
    const double p[2] = {50, 100}, tol0[2] = {1e-9, 1e-12}, tol1[2] = {0.6, 0.02};
    check_recovery(SDB_ANALYSIS_LINEAR, p, usl_n, USL_NPTS, 0, tol0);
    check_recovery(SDB_ANALYSIS_LINEAR, p, usl_n, USL_NPTS, 0.01, tol1);
}

static void test_log(void **state)
{
    (void)state;
    const double p[2] = {200, 500}, tol0[2] = {1e-9, 1e-12}, tol1[2] = {0.2, 0.03};
    check_recovery(SDB_ANALYSIS_LOG, p, usl_n, USL_NPTS, 0, tol0);
    check_recovery(SDB_ANALYSIS_LOG, p, usl_n, USL_NPTS, 0.01, tol1);
}

static void test_expsat(void **state)
{
    (void)state;
    const double p[2] = {10000, 0.1}, tol0[2] = {1e-6, 1e-6}, tol1[2] = {0.03, 0.1};
    check_recovery(SDB_ANALYSIS_EXPSAT, p, usl_n, USL_NPTS, 0, tol0);
    check_recovery(SDB_ANALYSIS_EXPSAT, p, usl_n, USL_NPTS, 0.01, tol1);
}

static void test_logistic(void **state)
{
    (void)state;
    static const double x[] = {1, 4, 8, 12, 16, 20, 24, 32, 48, 64};
    const double p[3] = {10000, 0.25, 16}, tol0[3] = {1e-6, 1e-6, 1e-6};
    const double tol1[3] = {0.03, 0.1, 0.05};
    check_recovery(SDB_ANALYSIS_LOGISTIC, p, x, 10, 0, tol0);
    check_recovery(SDB_ANALYSIS_LOGISTIC, p, x, 10, 0.01, tol1);
}

/* The nonlinear fits converge from their own starts for many noise draws,
 * and the worst error over the draws stays within the tolerance. */
static void many_seeds(sdb_analysis_model m, const double *p, const double *x, int n,
                       double noise, const double *tol)
{
    double worst[3] = {0, 0, 0}, y[SDB_ANALYSIS_MAX_BANDS];
    int np = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        sdb_analysis_fit f;
        synth(m, p, x, n, noise, seed * 7919, y);
        sdb_analysis_fit_model(m, x, y, n, &f);
        assert_int_equal(f.status, SDB_ANALYSIS_FIT_OK);
        np = f.nparam;
        for (int j = 0; j < np; j++)
            worst[j] = fmax(worst[j], fabs(f.p[j] - p[j]) / fabs(p[j]));
    }
    print_message("  %-14s 100 draws at %.1f%% noise, worst relative error:",
                  sdb_analysis_model_name(m), noise * 100);
    for (int j = 0; j < np; j++)
        print_message(" %.3g", worst[j]);
    print_message("\n");
    for (int j = 0; j < np; j++)
        assert_true(worst[j] <= tol[j]);
}

static void test_recovery_many_draws(void **state)
{
    (void)state;
    static const double xl[] = {1, 4, 8, 12, 16, 20, 24, 32, 48, 64};
    const double pu[3] = {1000, 0.05, 0.001}, tu[3] = {0.08, 0.3, 0.2};
    const double pe[2] = {10000, 0.1}, te[2] = {0.05, 0.2};
    const double pl[3] = {10000, 0.25, 16}, tl[3] = {0.05, 0.2, 0.1};
    many_seeds(SDB_ANALYSIS_USL, pu, usl_n, USL_NPTS, 0.01, tu);
    many_seeds(SDB_ANALYSIS_EXPSAT, pe, usl_n, USL_NPTS, 0.01, te);
    many_seeds(SDB_ANALYSIS_LOGISTIC, pl, xl, 10, 0.01, tl);
}

/* A model that cannot describe the data is marked, not silently wrong:
 * the exponential saturation of a straight line has no finite ceiling, and
 * such a fit is never chosen as the best. */
static void test_undetermined_is_marked(void **state)
{
    (void)state;
    const double p[2] = {0, 100};
    double y[USL_NPTS];
    sdb_analysis_fit f;
    synth(SDB_ANALYSIS_LINEAR, p, usl_n, USL_NPTS, 0, 1, y);
    sdb_analysis_fit_model(SDB_ANALYSIS_EXPSAT, usl_n, y, USL_NPTS, &f);
    print_message("  exp_saturation of a line: %s (%s)\n",
                  sdb_analysis_fit_status_name(f.status), f.note);
    assert_int_equal(f.status, SDB_ANALYSIS_FIT_UNDETERMINED);
    assert_false(f.eligible);
    assert_true(isnan(f.r2));
    sdb_analysis_fit_model(SDB_ANALYSIS_LOGISTIC, usl_n, y, USL_NPTS, &f);
    /* the logistic's best S-curve through a line is a real optimum, but a
     * visibly worse one than the exact linear fit (so AICc never picks it) */
    print_message("  logistic of a line: %s, R2 %.4f\n",
                  sdb_analysis_fit_status_name(f.status), f.r2);
    assert_int_equal(f.status, SDB_ANALYSIS_FIT_OK);
    assert_true(f.r2 < 0.999);
}

/* The best fit: the USL for USL data, and for a straight line the model
 * with the fewest parameters among those as good (linear). */
static void test_best_fit(void **state)
{
    (void)state;
    const double pu[3] = {1000, 0.05, 0.001}, pl[2] = {0, 100};
    double y[USL_NPTS];
    sdb_analysis_input in[USL_NPTS];
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    synth(SDB_ANALYSIS_USL, pu, usl_n, USL_NPTS, 0.005, 7, y);
    for (int i = 0; i < USL_NPTS; i++)
        in[i] = band(usl_n[i], y[i], usl_n[i] / y[i] * 1000, 3 * usl_n[i] / y[i] * 1000);
    sdb_analysis_analyse(in, USL_NPTS, NULL, r);
    assert_int_equal(r->best, SDB_ANALYSIS_USL);
    synth(SDB_ANALYSIS_LINEAR, pl, usl_n, USL_NPTS, 0.005, 7, y);
    for (int i = 0; i < USL_NPTS; i++)
        in[i].tps = y[i];
    sdb_analysis_analyse(in, USL_NPTS, NULL, r);
    print_message("  straight line: best %s (%s)\n", sdb_analysis_model_name(r->best), r->best_why);
    assert_int_equal(r->best, SDB_ANALYSIS_LINEAR);
    assert_json_clean(r);
    free(r);
}

/* ---- Erlang C ---- */

static void test_erlang_c_table(void **state)
{
    (void)state;
    assert_rel(sdb_analysis_erlang_c(2, 1), 1.0 / 3, 1e-12);
    assert_rel(sdb_analysis_erlang_c(10, 8), 0.4091801507964435, 1e-10);
    assert_rel(sdb_analysis_erlang_c(10, 9), 0.668731524107697, 1e-10);
    assert_rel(sdb_analysis_erlang_c(12, 9), 0.26603468446866246, 1e-10);
    assert_rel(sdb_analysis_erlang_c(16, 9), 0.02490888806514546, 1e-10);
    assert_rel(sdb_analysis_erlang_c(1, 0.5), 0.5, 1e-12);       /* M/M/1: rho */
    assert_rel(sdb_analysis_erlang_c(100, 95), 0.5064568539130208, 1e-9);
    assert_rel(sdb_analysis_erlang_c(5000, 4900), sdb_analysis_erlang_c(5000, 4900), 0);
    assert_true(sdb_analysis_erlang_c(5000, 4900) > 0 && sdb_analysis_erlang_c(5000, 4900) < 1);
    assert_abs(sdb_analysis_erlang_c(4, 0), 0, 0);
    assert_abs(sdb_analysis_erlang_c(4, 4), 1, 0);
    assert_abs(sdb_analysis_erlang_c(4, 7), 1, 0);
    assert_true(isnan(sdb_analysis_erlang_c(0, 1)));
    assert_true(isnan(sdb_analysis_erlang_c(4, NAN)));
    assert_true(isnan(sdb_analysis_erlang_c(4, -1)));
}

/* The per-band view with a configured server count: S = 10 ms, c = 10,
 * X = 900 tps, so a = 9 and W_q = 0.6687 * 10 / 1 = 6.687 ms. */
static void test_erlang_bands(void **state)
{
    (void)state;
    sdb_analysis_input in[3] = {band(1, 100, 10, 12), band(8, 600, 13, 20),
                                band(16, 900, 17.8, 40)};
    sdb_analysis_options o;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_options_default(&o);
    o.servers = 10;
    sdb_analysis_analyse(in, 3, &o, r);
    assert_rel(r->service_ms, 10, 1e-12);
    const sdb_analysis_band *b = &r->band[2];
    assert_int_equal(b->servers, 10);
    assert_rel(b->offered, 9, 1e-12);
    assert_rel(b->rho, 0.9, 1e-12);
    assert_rel(b->p_wait, 0.668731524107697, 1e-10);
    assert_rel(b->wq_ms, 6.68731524107697, 1e-10);
    assert_rel(b->pred_ms, 16.68731524107697, 1e-10);
    assert_rel(b->meas_over_pred, 17.8 / 16.68731524107697, 1e-10);
    /* c = N by default; a band past saturation is flagged, not divided by 0 */
    o.servers = 0;
    o.service_ms = 30;
    sdb_analysis_analyse(in, 3, &o, r);
    assert_int_equal(r->band[0].servers, 1);
    assert_rel(r->band[0].rho, 3, 1e-12);
    assert_abs(r->band[0].p_wait, 1, 0);
    assert_true(isinf(r->band[0].wq_ms));
    assert_json_clean(r);
    free(r);
}

/* ---- Little's law and the knee ---- */

static void test_little_and_knee(void **state)
{
    (void)state;
    /* R = N/X exactly except the last band, where the client only keeps
     * half of its workers busy (ratio 0.5).  Latency grows faster than
     * throughput first between N = 8 (X 7600) and N = 16 (X 9000): the knee
     * is N = 8.  R_min * X_max = 1.05 ms * 9000 tps = 9.45. */
    static const double n[] = {1, 2, 4, 8, 16, 32};
    static const double x[] = {950, 1900, 3800, 7600, 9000, 9100};
    sdb_analysis_input in[6];
    for (int i = 0; i < 6; i++)
        in[i] = band(n[i], x[i], n[i] / x[i] * 1000, 2 * n[i] / x[i] * 1000);
    in[5].mean_ms /= 2;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_analyse(in, 6, NULL, r);
    for (int i = 0; i < 5; i++)
        assert_rel(r->band[i].little_ratio, 1, 1e-12);
    assert_rel(r->band[5].little_ratio, 0.5, 1e-12);
    assert_rel(r->band[3].little_n, 8, 1e-12);
    assert_int_equal(r->knee, 3);
    assert_rel(r->knee_bound_n, 1000.0 / 950 * 9100 / 1000, 1e-12);
    free(r);
}

/* ---- differences and the inflection ---- */

static void test_differences_uneven(void **state)
{
    (void)state;
    /* X = 100 N^2 at uneven N: first differences are 100 (N_i + N_i+1) and
     * the second difference is exactly 200 at every interior band */
    static const double n[] = {1, 2, 5, 6, 10};
    sdb_analysis_input in[5];
    for (int i = 4; i >= 0; i--)       /* given out of order on purpose */
        in[4 - i] = band(n[i], 100 * n[i] * n[i], 1, 2);
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_analyse(in, 5, NULL, r);
    for (int i = 0; i < 4; i++) {
        assert_rel(r->band[i].in.n, n[i], 0);
        assert_rel(r->band[i].gain, 100 * (n[i] + n[i + 1]), 1e-12);
    }
    assert_true(isnan(r->band[4].gain));
    assert_true(isnan(r->band[0].d2));
    for (int i = 1; i < 4; i++)
        assert_rel(r->band[i].d2, 200, 1e-12);
    assert_int_equal(r->inflection, -1);      /* convex throughout */
    assert_int_equal(r->band[0].src, 4);
    free(r);
}

static void test_inflection_logistic(void **state)
{
    (void)state;
    /* A logistic with its inflection at N0 = 20, sampled every 4 workers:
     * d2 turns negative between 20 and 24 and the interpolated zero is
     * close to 20. */
    const double p[3] = {10000, 0.2, 20};
    sdb_analysis_input in[12];
    for (int i = 0; i < 12; i++) {
        double nn = 4 + 4 * i;
        in[i] = band(nn, sdb_analysis_model_eval(SDB_ANALYSIS_LOGISTIC, p, nn), 1, 2);
    }
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_analyse(in, 12, NULL, r);
    print_message("  inflection at N=%.3f (true 20), diminishing from N=%g\n", r->inflection_n,
                  r->band[r->diminishing].in.n);
    assert_abs(r->inflection_n, 20, 2);
    assert_rel(r->band[r->inflection].in.n, 20, 0);
    /* the steepest gain (16 -> 20, 20 -> 24) is 474.9 tps/worker; the
     * first below 10% of it is 24.6 on the segment from N = 40 (the one
     * from 36 is 53.0) */
    assert_rel(r->band[r->diminishing].in.n, 40, 0);
    assert_rel(r->fit[SDB_ANALYSIS_LOGISTIC].p[2], 20, 1e-6);
    free(r);
}

/* Standard errors decide whether a gain is distinguishable from noise. */
static void test_gain_significance(void **state)
{
    (void)state;
    sdb_analysis_input in[3] = {band(1, 1000, 1, 2), band(2, 1900, 1, 2), band(4, 1950, 2, 4)};
    in[0].tps_se = in[1].tps_se = in[2].tps_se = 20;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_analyse(in, 3, NULL, r);
    assert_int_equal(r->band[0].gain_significant, 1);
    assert_int_equal(r->band[1].gain_significant, 0);   /* 50 < 1.96 * 28.3 */
    in[2].tps_se = NAN;
    sdb_analysis_analyse(in, 3, NULL, r);
    assert_int_equal(r->band[1].gain_significant, -1);
    free(r);
}

/* ---- the recommendation ---- */

static const double rec_n[] = {1, 2, 4, 8, 16, 32, 64};
static const double rec_x[] = {1000, 1950, 3800, 7000, 12400, 12650, 11000};
static const double rec_p99[] = {1.2, 1.3, 1.6, 2.5, 4.1, 5.74, 20};

static void rec_bands(sdb_analysis_input *in)
{
    for (int i = 0; i < 7; i++)
        in[i] = band(rec_n[i], rec_x[i], rec_n[i] / rec_x[i] * 1000, rec_p99[i]);
}

static void test_recommend_budget(void **state)
{
    (void)state;
    sdb_analysis_input in[7];
    sdb_analysis_options o;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    rec_bands(in);
    sdb_analysis_options_default(&o);
    o.budget_p99_ms = 5;
    sdb_analysis_analyse(in, 7, &o, r);
    print_message("  budget 5 ms: %s\n", r->rec_text);
    assert_rel(r->band[r->rec].in.n, 16, 0);
    assert_true(r->rec_within_budget);
    assert_non_null(strstr(r->rec_text, "N=16: 12,400 tps (98% of the best, 12,650 tps at N=32)"));
    assert_non_null(strstr(r->rec_text, "p99 4.10 ms within the 5 ms budget"));
    assert_non_null(strstr(r->rec_text, "the next band, N=32, adds 2.0% throughput"));
    assert_non_null(strstr(r->rec_text, "p99 grows 40%"));
    assert_non_null(strstr(r->rec_text, "over the budget"));
    /* a generous budget: the best band */
    o.budget_p99_ms = 10;
    sdb_analysis_analyse(in, 7, &o, r);
    assert_rel(r->band[r->rec].in.n, 32, 0);
    assert_non_null(strstr(r->rec_text, "(the best measured)"));
    /* an impossible budget: said so, with the lowest p99 */
    o.budget_p99_ms = 1;
    sdb_analysis_analyse(in, 7, &o, r);
    print_message("  budget 1 ms: %s\n", r->rec_text);
    assert_false(r->rec_within_budget);
    assert_rel(r->band[r->rec].in.n, 1, 0);
    assert_non_null(strstr(r->rec_text, "no band keeps p99 within the 1 ms budget"));
    assert_json_clean(r);
    free(r);
}

static void test_recommend_no_budget(void **state)
{
    (void)state;
    sdb_analysis_input in[7];
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    rec_bands(in);
    sdb_analysis_analyse(in, 7, NULL, r);
    print_message("  no budget: %s\n", r->rec_text);
    /* 95% of 12,650 is 12,017.5: N = 16 is the smallest band above it */
    assert_rel(r->band[r->rec].in.n, 16, 0);
    assert_non_null(strstr(r->rec_text, "N=16: 12,400 tps (98% of the best"));
    assert_null(strstr(r->rec_text, "budget"));
    /* the best at the highest N: the text says the optimum may lie beyond */
    in[6].tps = 20000;
    sdb_analysis_analyse(in, 7, NULL, r);
    assert_rel(r->band[r->rec].in.n, 64, 0);
    assert_non_null(strstr(r->rec_text, "highest concurrency measured"));
    free(r);
}

/* ---- confidence intervals ---- */

static void test_rate_ci(void **state)
{
    (void)state;
    /* mean 100, deviations 0 10 -10 5 -5: s^2 = 250/4, se = sqrt(62.5/5),
     * t(0.975, 4) = 2.776445, half-width 9.8162 */
    const double c[5] = {100, 110, 90, 105, 95};
    sdb_analysis_rate r = sdb_analysis_rate_ci(c, 5, 1);
    assert_true(r.ok);
    assert_rel(r.mean, 100, 1e-12);
    assert_rel(r.se, sqrt(12.5), 1e-12);
    assert_int_equal(r.df, 4);
    assert_rel(r.half_width, 9.816215, 1e-6);
    /* intervals of 2 s halve the rates */
    r = sdb_analysis_rate_ci(c, 5, 2);
    assert_rel(r.mean, 50, 1e-12);
    assert_rel(r.half_width, 9.816215 / 2, 1e-6);
    /* 41 intervals: 20 batches of 2, the first interval left out of the
     * variance but not of the mean; batch b is {100+b, 100+b} except that
     * batch 0 is {90, 110} (same mean) */
    double many[41];
    many[0] = 1000;
    for (int b = 0; b < 20; b++)
        many[1 + 2 * b] = many[2 + 2 * b] = 100 + b;
    many[1] = 90;
    many[2] = 110;
    r = sdb_analysis_rate_ci(many, 41, 1);
    assert_int_equal(r.batches, 20);
    assert_int_equal(r.df, 19);
    double sum = 1000;
    for (int i = 1; i < 41; i++)
        sum += many[i];
    assert_rel(r.mean, sum / 41, 1e-12);
    /* batch means 100..119: variance of 0..19 is 35, se = sqrt(35/20) */
    assert_rel(r.se, sqrt(35.0 / 20), 1e-12);
    assert_rel(r.half_width, 2.093024 * sqrt(35.0 / 20), 1e-6);
    /* too few */
    r = sdb_analysis_rate_ci(c, 1, 1);
    assert_false(r.ok);
    assert_rel(r.mean, 100, 0);
    assert_true(isnan(r.half_width));
    r = sdb_analysis_rate_ci(c, 0, 1);
    assert_false(r.ok);
    assert_true(isnan(r.mean));
}

static void test_t975(void **state)
{
    (void)state;
    assert_rel(sdb_analysis_t975(1), 12.706205, 1e-6);
    assert_rel(sdb_analysis_t975(30), 2.042272, 1e-6);
    assert_rel(sdb_analysis_t975(40), 2.021075, 1e-5);
    assert_rel(sdb_analysis_t975(120), 1.979930, 1e-5);
    assert_rel(sdb_analysis_t975(1000), 1.962339, 1e-6);
    assert_true(isnan(sdb_analysis_t975(0)));
}

/* ---- degenerate inputs ---- */

static void assert_no_fit(const sdb_analysis_result *r)
{
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++) {
        assert_int_not_equal(r->fit[m].status, SDB_ANALYSIS_FIT_OK);
        assert_false(r->fit[m].eligible);
        assert_true(r->fit[m].note[0] != 0);
    }
    assert_int_equal(r->best, -1);
}

static void test_degenerate_counts(void **state)
{
    (void)state;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_input in[3] = {band(4, 1000, 4, 8), band(8, 1800, 4.4, 9), band(16, 2000, 8, 20)};

    sdb_analysis_analyse(NULL, 0, NULL, r);
    assert_false(r->enough);
    assert_int_equal(r->rec, -1);
    assert_non_null(strstr(r->status, "not enough data"));
    assert_no_fit(r);
    assert_json_clean(r);

    sdb_analysis_analyse(in, 1, NULL, r);       /* one band */
    assert_false(r->enough);
    assert_int_equal(r->rec, -1);
    assert_non_null(strstr(r->rec_text, "not enough data: 1 usable band"));
    assert_rel(r->band[0].little_ratio, 1, 1e-12);
    assert_no_fit(r);
    assert_json_clean(r);

    sdb_analysis_analyse(in, 2, NULL, r);       /* two bands: differences, no fits */
    assert_true(r->enough);
    assert_rel(r->band[0].gain, 200, 1e-12);
    assert_int_equal(r->fit[SDB_ANALYSIS_LINEAR].status, SDB_ANALYSIS_FIT_TOO_FEW);
    assert_no_fit(r);
    assert_rel(r->band[r->rec].in.n, 8, 0);
    assert_json_clean(r);

    sdb_analysis_analyse(in, 3, NULL, r);       /* three: fits, none comparable */
    assert_int_equal(r->fit[SDB_ANALYSIS_LINEAR].status, SDB_ANALYSIS_FIT_OK);
    assert_false(r->fit[SDB_ANALYSIS_LINEAR].eligible);
    assert_int_equal(r->fit[SDB_ANALYSIS_USL].status, SDB_ANALYSIS_FIT_TOO_FEW);
    assert_int_equal(r->best, -1);
    assert_json_clean(r);

    in[1].n = 4;                                 /* two bands at one N */
    sdb_analysis_analyse(in, 2, NULL, r);
    assert_false(r->enough);
    assert_true(isnan(r->band[0].gain));
    assert_json_clean(r);
    free(r);
}

static void test_degenerate_values(void **state)
{
    (void)state;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    sdb_analysis_input in[7];

    for (int i = 0; i < 7; i++)                  /* all equal X */
        in[i] = band(usl_n[i], 5000, usl_n[i] / 5, usl_n[i] / 2);
    sdb_analysis_analyse(in, 7, NULL, r);
    assert_true(r->enough);
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++)
        assert_int_equal(r->fit[m].status, SDB_ANALYSIS_FIT_NO_VARIANCE);
    assert_rel(r->band[r->rec].in.n, 1, 0);
    assert_rel(r->band[0].gain, 0, 0);
    assert_json_clean(r);

    for (int i = 0; i < 7; i++)                  /* zero latency */
        in[i] = band(usl_n[i], 1000 * usl_n[i], 0, 0);
    sdb_analysis_analyse(in, 7, NULL, r);
    assert_true(isnan(r->service_ms));
    assert_true(isnan(r->band[3].little_ratio));
    assert_true(isnan(r->band[3].pred_ms));
    assert_int_equal(r->knee, -1);
    assert_true(isnan(r->knee_bound_n));
    assert_int_equal(r->fit[SDB_ANALYSIS_LINEAR].status, SDB_ANALYSIS_FIT_OK);
    assert_json_clean(r);

    for (int i = 0; i < 7; i++)                  /* NaN and nonsense */
        in[i] = band(usl_n[i], 1000 * usl_n[i], NAN, NAN);
    in[1].tps = NAN;
    in[2].n = 0;
    in[3].n = -4;
    in[4].tps = -1;
    in[5].n = INFINITY;
    sdb_analysis_analyse(in, 7, NULL, r);
    assert_int_equal(r->ignored, 5);
    assert_int_equal(r->nbands, 2);
    assert_true(r->enough);
    assert_rel(r->band[r->rec].in.n, 64, 0);
    assert_json_clean(r);

    in[0] = band(2, 100, 10, 20);                /* absurdly many workers */
    in[1] = band(3e12, 200, 1e10, 2e10);
    sdb_analysis_analyse(in, 2, NULL, r);
    assert_true(r->enough);
    assert_int_equal(r->band[1].servers, 0);
    assert_true(isnan(r->band[1].p_wait));
    assert_json_clean(r);

    for (int i = 0; i < 7; i++)                  /* no throughput at all */
        in[i] = band(usl_n[i], 0, NAN, NAN);
    sdb_analysis_analyse(in, 7, NULL, r);
    assert_int_equal(r->rec, -1);
    assert_non_null(strstr(r->rec_text, "no recommendation"));
    assert_json_clean(r);

    /* the printer survives every one of these */
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    sdb_analysis_print(devnull, r);
    sdb_analysis_analyse(NULL, 0, NULL, r);
    sdb_analysis_print(devnull, r);
    fclose(devnull);
    free(r);
}

/* A full run over USL data: the console summary and the JSON carry it. */
static void test_json_and_print(void **state)
{
    (void)state;
    const double p[3] = {1000, 0.05, 0.001};
    double y[USL_NPTS];
    sdb_analysis_input in[USL_NPTS];
    sdb_analysis_options o;
    sdb_analysis_result *r = malloc(sizeof *r);
    assert_non_null(r);
    synth(SDB_ANALYSIS_USL, p, usl_n, USL_NPTS, 0.01, 99, y);
    for (int i = 0; i < USL_NPTS; i++) {
        in[i] = band(usl_n[i], y[i], usl_n[i] / y[i] * 1000, 2.5 * usl_n[i] / y[i] * 1000);
        in[i].tps_se = 0.005 * y[i];
    }
    sdb_analysis_options_default(&o);
    o.budget_p99_ms = 8;
    o.servers = 16;
    sdb_analysis_analyse(in, USL_NPTS, &o, r);
    sdb_analysis_print(stdout, r);
    json_t *j = sdb_analysis_json(r);
    assert_non_null(j);
    json_t *fits = json_object_get(j, "fits");
    assert_int_equal(json_array_size(fits), SDB_ANALYSIS_NMODELS);
    json_t *usl = json_array_get(fits, SDB_ANALYSIS_USL);
    assert_string_equal(json_string_value(json_object_get(usl, "model")), "usl");
    assert_true(json_is_real(json_object_get(json_object_get(usl, "params"), "sigma")));
    assert_true(json_is_real(json_object_get(usl, "peak_n")));
    assert_string_equal(json_string_value(json_object_get(j, "best_fit")), "usl");
    assert_int_equal(json_array_size(json_object_get(j, "bands")), USL_NPTS);
    assert_true(json_is_real(json_object_get(json_object_get(j, "recommendation"), "n")));
    json_decref(j);
    assert_json_clean(r);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usl_exact),
        cmocka_unit_test(test_usl_noisy),
        cmocka_unit_test(test_usl_amdahl),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_expsat),
        cmocka_unit_test(test_logistic),
        cmocka_unit_test(test_recovery_many_draws),
        cmocka_unit_test(test_undetermined_is_marked),
        cmocka_unit_test(test_best_fit),
        cmocka_unit_test(test_erlang_c_table),
        cmocka_unit_test(test_erlang_bands),
        cmocka_unit_test(test_little_and_knee),
        cmocka_unit_test(test_differences_uneven),
        cmocka_unit_test(test_inflection_logistic),
        cmocka_unit_test(test_gain_significance),
        cmocka_unit_test(test_recommend_budget),
        cmocka_unit_test(test_recommend_no_budget),
        cmocka_unit_test(test_rate_ci),
        cmocka_unit_test(test_t975),
        cmocka_unit_test(test_degenerate_counts),
        cmocka_unit_test(test_degenerate_values),
        cmocka_unit_test(test_json_and_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
