/*
 * analysis.h — what a progressive (concurrency-scaling) run means: the
 * throughput curve's differences and inflection, least-squares fits of five
 * scaling models (linear, logarithmic, exponential saturation, logistic,
 * Universal Scalability Law) with the best chosen by AICc, Little's law and
 * the knee, an Erlang C view from measured service times, and a recommended
 * concurrency with its evidence.  docs/progressive.md explains the models.
 *
 * Pure functions: no I/O except the printer's FILE *, no libpq, no
 * allocation except the jansson objects of sdb_analysis_json.  The result is
 * a fixed-size struct the caller owns.  A quantity that cannot be computed
 * (too few bands, a fit that failed, a zero latency) is NAN in the struct and
 * null in the JSON, and the reason is stated in a status or note field.
 */
#ifndef SDB_ANALYSIS_H
#define SDB_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define SDB_ANALYSIS_MAX_BANDS 64   /* bands analysed; more are ignored (counted) */
#define SDB_ANALYSIS_NOTE_LEN 160
#define SDB_ANALYSIS_TEXT_LEN 480

/* What the caller measured in one band. */
typedef struct sdb_analysis_input {
    double n;             /* concurrency: workers (sessions) in flight, > 0 */
    double tps;           /* throughput, transactions/s */
    double tps_se;        /* standard error of tps, transactions/s; NAN or <= 0
                           * when unknown (sdb_analysis_rate_ci gives it) */
    double mean_ms;       /* mean latency, ms */
    double p99_ms;        /* 99th percentile latency, ms */
    int64_t errors;       /* failed transactions in the measured window */
} sdb_analysis_input;

/* Knobs; sdb_analysis_options_default sets every one. */
typedef struct sdb_analysis_options {
    double budget_p99_ms;     /* latency budget on p99, ms; <= 0: none */
    double near_best;         /* without a budget: smallest N reaching this
                               * fraction of the best throughput (0.95) */
    double diminishing;       /* a segment's marginal gain below this fraction
                               * of the largest gain before it (the first, on
                               * a concave curve) marks diminishing returns
                               * (0.10) */
    int servers;              /* Erlang C servers c; <= 0: c = N of the band
                               * (at most 1e6 either way) */
    double service_ms;        /* Erlang C service time S, ms; <= 0: the
                               * smallest mean latency measured */
} sdb_analysis_options;

typedef enum sdb_analysis_model {
    SDB_ANALYSIS_LINEAR,      /* X = a + bN                      p = {a, b} */
    SDB_ANALYSIS_LOG,         /* X = a + b ln N                  p = {a, b} */
    SDB_ANALYSIS_EXPSAT,      /* X = a(1 - e^(-bN))              p = {a, b} */
    SDB_ANALYSIS_LOGISTIC,    /* X = L / (1 + e^(-k(N - N0)))    p = {L, k, N0} */
    SDB_ANALYSIS_USL,         /* X = lN / (1 + s(N-1) + kN(N-1)) p = {lambda, sigma, kappa} */
    SDB_ANALYSIS_NMODELS
} sdb_analysis_model;

typedef enum sdb_analysis_fit_status {
    SDB_ANALYSIS_FIT_OK,
    SDB_ANALYSIS_FIT_TOO_FEW,       /* fewer bands than parameters + 1 */
    SDB_ANALYSIS_FIT_NO_VARIANCE,   /* throughput is the same in every band */
    SDB_ANALYSIS_FIT_BAD_INPUT,     /* the model cannot take these N (ln of N <= 0) */
    SDB_ANALYSIS_FIT_NO_CONVERGE,   /* the iteration did not converge: parameters
                                     * are the last iterate, not an optimum */
    SDB_ANALYSIS_FIT_UNDETERMINED   /* a parameter ran to a search limit, or the
                                     * shape leaves it open: the data do not
                                     * determine it (e.g. no saturation seen) */
} sdb_analysis_fit_status;

typedef struct sdb_analysis_fit {
    sdb_analysis_model model;
    sdb_analysis_fit_status status;
    int nparam;               /* parameters of the model, 2 or 3 */
    double p[3];              /* parameters, in the order of sdb_analysis_model */
    double rss;               /* residual sum of squares, tps^2 */
    double r2;                /* 1 - RSS/SS_tot; NAN when not OK */
    double adj_r2;            /* adjusted R^2; NAN when n <= nparam + 1 */
    double rmse;              /* sqrt(RSS / n), tps */
    double aicc;              /* corrected AIC (K = nparam + 1, the error
                               * variance counted); NAN when n <= nparam + 2 */
    int iterations;           /* Levenberg-Marquardt iterations (0: closed form) */
    bool eligible;            /* may be chosen as the best (OK, n >= nparam + 3) */
    double peak_n;            /* USL only: N* = sqrt((1 - sigma)/kappa);
                               * INFINITY when kappa = 0; else NAN */
    double peak_tps;          /* USL only: X(N*); lambda/sigma when kappa = 0
                               * (the Amdahl ceiling; INFINITY if sigma = 0 too) */
    char note[SDB_ANALYSIS_NOTE_LEN];
} sdb_analysis_fit;

/* One band after analysis, in increasing N. */
typedef struct sdb_analysis_band {
    sdb_analysis_input in;          /* as given */
    int src;                  /* its index in the caller's array */
    double gain;              /* marginal gain to the next band, tps per added
                               * worker: (X[i+1]-X[i])/(N[i+1]-N[i]); NAN on the last */
    double gain_rel;          /* gain / the first segment's gain */
    int gain_significant;     /* 1: |dX| > 1.96 sqrt(se[i]^2 + se[i+1]^2),
                               * 0: within noise, -1: standard errors unknown */
    double d2;                /* second difference at this band (interior
                               * bands, uneven spacing), tps per worker^2; else NAN */
    double little_n;          /* X * R: concurrency implied by Little's law */
    double little_ratio;      /* little_n / N */
    /* Erlang C (M/M/c) from the measured service time */
    int servers;              /* c; 0 when N > 1e6 and c = N (not computed) */
    double offered;           /* a = X * S, Erlangs */
    double rho;               /* a / c */
    double p_wait;            /* C(c, a); 1 when saturated */
    double wq_ms;             /* predicted mean wait P_W * S / (c - a); INFINITY
                               * when saturated */
    double pred_ms;           /* predicted response S + W_q */
    double meas_over_pred;    /* measured mean / predicted */
} sdb_analysis_band;

typedef struct sdb_analysis_result {
    int nbands;
    sdb_analysis_band band[SDB_ANALYSIS_MAX_BANDS];
    bool enough;              /* at least 2 valid bands with distinct N */
    char status[SDB_ANALYSIS_NOTE_LEN]; /* "ok" or why little could be computed */
    int ignored;              /* input bands dropped (non-finite or N <= 0) */

    /* 1. differences */
    int inflection;           /* band index where d2 turns from > 0 to <= 0; -1 */
    double inflection_n;      /* N where d2 crosses 0 (interpolated); NAN */
    int diminishing;          /* first band whose gain < diminishing * the
                               * largest gain before it; -1 */

    /* 2. fits */
    sdb_analysis_fit fit[SDB_ANALYSIS_NMODELS];
    int best;                 /* sdb_analysis_model of the best fit, -1 when none */
    char best_why[SDB_ANALYSIS_NOTE_LEN];

    /* 3. Little's law and the knee */
    int knee;                 /* last band before latency grows faster than
                               * throughput (R[i+1]/R[i] > X[i+1]/X[i]); -1 */
    double knee_bound_n;      /* operational-bound knee R_min * X_max; NAN */

    /* 4. Erlang C */
    double service_ms;        /* S used, ms; NAN when no positive latency */

    /* 5. recommendation */
    int rec;                  /* recommended band index; -1 */
    bool rec_within_budget;   /* with a budget: it meets the budget */
    char rec_text[SDB_ANALYSIS_TEXT_LEN];

    sdb_analysis_options opt;       /* the options used */
} sdb_analysis_result;

/* A rate with its 95% confidence interval. */
typedef struct sdb_analysis_rate {
    double mean;              /* completions per second over all intervals */
    double se;                /* its standard error */
    double half_width;        /* 95% half-width, t(0.975, df) * se */
    int df;                   /* degrees of freedom of t */
    int batches;              /* samples behind se: intervals or batch means */
    bool ok;                  /* false: fewer than 2 intervals (se, half_width NAN) */
} sdb_analysis_rate;

/* Sets every option to its default: no budget, near_best 0.95,
 * diminishing 0.10, c = N, S = the smallest mean latency. */
void sdb_analysis_options_default(sdb_analysis_options *o);

/* Analyses n bands (any order) into *out, which it overwrites.  opt may be
 * NULL for the defaults.  Never fails: bands that cannot be used are counted
 * in out->ignored, and whatever needs more data than given is marked
 * (out->enough, the fit statuses, -1 indices, NAN values). */
void sdb_analysis_analyse(const sdb_analysis_input *bands, int n, const sdb_analysis_options *opt,
                          sdb_analysis_result *out);

/* Fits one model to the points (x[i], y[i]), i < n, by least squares into
 * *fit (closed form for linear and log, bounded Levenberg-Marquardt from
 * several starts for the others).  Used by sdb_analysis_analyse; exposed for tests. */
void sdb_analysis_fit_model(sdb_analysis_model m, const double *x, const double *y, int n,
                            sdb_analysis_fit *fit);

/* The model's value at N for parameters p. */
double sdb_analysis_model_eval(sdb_analysis_model m, const double *p, double n);

/* "linear", "log", "exp_saturation", "logistic", "usl". */
const char *sdb_analysis_model_name(sdb_analysis_model m);
/* "ok", "too_few_points", ... */
const char *sdb_analysis_fit_status_name(sdb_analysis_fit_status s);

/* Erlang C: the probability that an arrival waits in an M/M/c queue with c
 * servers and offered load a Erlangs, computed through the Erlang B
 * recursion.  1 when a >= c; NAN when c < 1 or a < 0 or a is not finite. */
double sdb_analysis_erlang_c(int c, double a);

/* Student t quantile t(0.975, df) for df >= 1 (table to 30, then a
 * Cornish-Fisher expansion); NAN for df < 1. */
double sdb_analysis_t975(int df);

/* The mean rate and its 95% confidence interval from n counts of
 * completions in consecutive intervals of interval_s seconds each, taken as
 * independent samples.  More than 30 intervals are grouped into 20 batches
 * of equal size (batch means, the remainder at the start dropped from the
 * variance, not from the mean) so that short-range correlation does not
 * shrink the interval. */
sdb_analysis_rate sdb_analysis_rate_ci(const double *counts, int n, double interval_s);

/* The analysis as a JSON object (new reference), NULL when out of memory.
 * Non-finite numbers are null. */
json_t *sdb_analysis_json(const sdb_analysis_result *r);

/* A compact console summary: one line per band, the fits, the knee and the
 * recommendation. */
void sdb_analysis_print(FILE *f, const sdb_analysis_result *r);

#endif
