/*
 * analysis.c — the analysis of a progressive run (see analysis.h and
 * docs/progressive.md).  Everything here is a pure function of its inputs.
 */
#include "analysis.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "util.h"

#define LM_MAX_IT 400          /* Levenberg-Marquardt iterations per start */
#define LM_STARTS 3            /* best grid points LM starts from */
#define T_Z975 1.959963984540054
#define ERLANG_MAX_SERVERS 1e6 /* c = N beyond this: no Erlang C view */

/* ---- small helpers ---- */

static bool finite_pos(double v)
{
    return isfinite(v) && v > 0;
}

static void note(char *dst, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, len, fmt, ap);
    va_end(ap);
}

/* Solves the k x k system A x = b (k <= 3) by Gaussian elimination with
 * partial pivoting; A and b are overwritten.  false when A is singular. */
static bool solve_small(int k, double A[3][3], double b[3], double x[3])
{
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c]))
                piv = r;
        if (!(fabs(A[piv][c]) > 0) || !isfinite(A[piv][c]))
            return false;
        if (piv != c) {
            for (int j = 0; j < k; j++) {
                double t = A[c][j];
                A[c][j] = A[piv][j];
                A[piv][j] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (int r = c + 1; r < k; r++) {
            double f = A[r][c] / A[c][c];
            for (int j = c; j < k; j++)
                A[r][j] -= f * A[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int c = k - 1; c >= 0; c--) {
        double s = b[c];
        for (int j = c + 1; j < k; j++)
            s -= A[c][j] * x[j];
        x[c] = s / A[c][c];
        if (!isfinite(x[c]))
            return false;
    }
    return true;
}

/* Ordinary least squares of y on the k basis values phi(x) (k <= 3), each
 * column scaled to a largest magnitude of 1 for conditioning.  false when
 * the normal equations are singular. */
static bool ols(int k, const double *x, const double *y, int n,
                void (*phi)(double, double *), double coef[3])
{
    double A[3][3] = {{0}}, b[3] = {0}, scale[3] = {0};
    double f[3];
    for (int i = 0; i < n; i++) {
        phi(x[i], f);
        for (int j = 0; j < k; j++)
            scale[j] = fmax(scale[j], fabs(f[j]));
    }
    for (int j = 0; j < k; j++)
        if (!(scale[j] > 0))
            return false;
    for (int i = 0; i < n; i++) {
        phi(x[i], f);
        for (int j = 0; j < k; j++) {
            f[j] /= scale[j];
            b[j] += f[j] * y[i];
        }
        for (int j = 0; j < k; j++)
            for (int l = 0; l < k; l++)
                A[j][l] += f[j] * f[l];
    }
    if (!solve_small(k, A, b, coef))
        return false;
    for (int j = 0; j < k; j++)
        coef[j] /= scale[j];
    return true;
}

static void phi_linear(double x, double *f) { f[0] = 1; f[1] = x; }
static void phi_log(double x, double *f) { f[0] = 1; f[1] = log(x); }
static void phi_quad(double x, double *f) { f[0] = 1; f[1] = x; f[2] = x * x; }

/* ---- models ---- */

static const char *const model_names[SDB_ANALYSIS_NMODELS] = {
    "linear", "log", "exp_saturation", "logistic", "usl"};
static const int model_nparam[SDB_ANALYSIS_NMODELS] = {2, 2, 2, 3, 3};
static const char *const param_names[SDB_ANALYSIS_NMODELS][3] = {
    {"a", "b", NULL}, {"a", "b", NULL}, {"a", "b", NULL},
    {"L", "k", "N0"}, {"lambda", "sigma", "kappa"}};

const char *sdb_analysis_model_name(sdb_analysis_model m)
{
    return m >= 0 && m < SDB_ANALYSIS_NMODELS ? model_names[m] : "?";
}

const char *sdb_analysis_fit_status_name(sdb_analysis_fit_status s)
{
    switch (s) {
    case SDB_ANALYSIS_FIT_OK: return "ok";
    case SDB_ANALYSIS_FIT_TOO_FEW: return "too_few_points";
    case SDB_ANALYSIS_FIT_NO_VARIANCE: return "no_variance";
    case SDB_ANALYSIS_FIT_BAD_INPUT: return "bad_input";
    case SDB_ANALYSIS_FIT_NO_CONVERGE: return "no_convergence";
    case SDB_ANALYSIS_FIT_UNDETERMINED: return "undetermined";
    }
    return "?";
}

double sdb_analysis_model_eval(sdb_analysis_model m, const double *p, double n)
{
    switch (m) {
    case SDB_ANALYSIS_LINEAR: return p[0] + p[1] * n;
    case SDB_ANALYSIS_LOG: return p[0] + p[1] * log(n);
    case SDB_ANALYSIS_EXPSAT: return p[0] * -expm1(-p[1] * n);
    case SDB_ANALYSIS_LOGISTIC: return p[0] / (1 + exp(-p[1] * (n - p[2])));
    case SDB_ANALYSIS_USL: return p[0] * n / (1 + p[1] * (n - 1) + p[2] * n * (n - 1));
    case SDB_ANALYSIS_NMODELS: break;
    }
    return NAN;
}

/* The partial derivatives of the (nonlinear) model at n into g. */
static void model_grad(sdb_analysis_model m, const double *p, double n, double *g)
{
    switch (m) {
    case SDB_ANALYSIS_EXPSAT: {
        double e = exp(-p[1] * n);
        g[0] = -expm1(-p[1] * n);
        g[1] = p[0] * n * e;
        break;
    }
    case SDB_ANALYSIS_LOGISTIC: {
        double s = 1 / (1 + exp(-p[1] * (n - p[2])));
        g[0] = s;
        g[1] = p[0] * s * (1 - s) * (n - p[2]);
        g[2] = -p[0] * s * (1 - s) * p[1];
        break;
    }
    case SDB_ANALYSIS_USL: {
        double d = 1 + p[1] * (n - 1) + p[2] * n * (n - 1);
        g[0] = n / d;
        g[1] = -p[0] * n * (n - 1) / (d * d);
        g[2] = -p[0] * n * n * (n - 1) / (d * d);
        break;
    }
    default:
        g[0] = g[1] = g[2] = NAN;
        break;
    }
}

/* ---- bounded Levenberg-Marquardt ---- */

typedef struct lm_problem {
    sdb_analysis_model m;
    const double *x, *y;
    int n, k;
    double lo[3], hi[3];      /* box bounds */
    bool search_limit[3][2];  /* bound j (0 lo, 1 hi) is a search limit, not
                               * a physical one: ending on it = undetermined */
} lm_problem;

static double rss_at(const lm_problem *pb, const double *p)
{
    double s = 0;
    for (int i = 0; i < pb->n; i++) {
        double r = pb->y[i] - sdb_analysis_model_eval(pb->m, p, pb->x[i]);
        s += r * r;
    }
    return isfinite(s) ? s : INFINITY;
}

/* One damped Gauss-Newton step from p at damping mu into pn, with the
 * parameters that sit on a bound and are pushed outward held fixed.  false
 * when the system is singular. */
static bool lm_step(const lm_problem *pb, const double JtJ[3][3], const double *Jtr,
                    const double *p, double mu, double *pn)
{
    int idx[3], k = 0;
    for (int j = 0; j < pb->k; j++) {
        bool held = (p[j] <= pb->lo[j] && Jtr[j] < 0) || (p[j] >= pb->hi[j] && Jtr[j] > 0);
        if (!held)
            idx[k++] = j;
    }
    double dmax = 0;
    for (int j = 0; j < pb->k; j++)
        dmax = fmax(dmax, JtJ[j][j]);
    double A[3][3], b[3], d[3] = {0};
    for (int a = 0; a < k; a++) {
        for (int c = 0; c < k; c++)
            A[a][c] = JtJ[idx[a]][idx[c]];
        A[a][a] += mu * fmax(JtJ[idx[a]][idx[a]], 1e-12 * dmax);
        b[a] = Jtr[idx[a]];
    }
    double x[3];
    if (k > 0 && !solve_small(k, A, b, x))
        return false;
    for (int a = 0; a < k; a++)
        d[idx[a]] = x[a];
    for (int j = 0; j < pb->k; j++)
        pn[j] = fmin(pb->hi[j], fmax(pb->lo[j], p[j] + d[j]));
    return true;
}

/* Minimises the RSS from p (updated in place) within the bounds.  Returns
 * the iterations used, or -1 when it did not converge within LM_MAX_IT. */
static int lm_run(const lm_problem *pb, double *p, double *rss_out)
{
    double mu = 1e-3, rss = rss_at(pb, p);
    double ysq = 0;
    for (int i = 0; i < pb->n; i++)
        ysq += pb->y[i] * pb->y[i];
    for (int it = 1; it <= LM_MAX_IT; it++) {
        double JtJ[3][3] = {{0}}, Jtr[3] = {0}, g[3];
        for (int i = 0; i < pb->n; i++) {
            model_grad(pb->m, p, pb->x[i], g);
            double r = pb->y[i] - sdb_analysis_model_eval(pb->m, p, pb->x[i]);
            for (int j = 0; j < pb->k; j++) {
                Jtr[j] += g[j] * r;
                for (int l = 0; l < pb->k; l++)
                    JtJ[j][l] += g[j] * g[l];
            }
        }
        double pn[3] = {p[0], p[1], p[2]}, rn = INFINITY;
        for (;;) {
            if (lm_step(pb, JtJ, Jtr, p, mu, pn))
                rn = rss_at(pb, pn);
            if (rn < rss)
                break;
            mu *= 4;
            if (mu > 1e16) {          /* no descent step left: a minimum */
                *rss_out = rss;
                return it;
            }
        }
        double dp = 0;
        for (int j = 0; j < pb->k; j++)
            dp = fmax(dp, fabs(pn[j] - p[j]) / fmax(fabs(p[j]), 1e-300));
        double drop = rss - rn;
        memcpy(p, pn, sizeof pn[0] * (size_t)pb->k);
        rss = rn;
        mu = fmax(mu / 3, 1e-12);
        if (rss <= 1e-28 * ysq || (drop <= 1e-12 * rss && dp < 1e-7)) {
            *rss_out = rss;
            return it;
        }
    }
    *rss_out = rss;
    return -1;
}

/* Starting points: the grid point's parameters and its RSS, best first. */
typedef struct lm_starts {
    int count;
    double p[LM_STARTS][3];
    double rss[LM_STARTS];
} lm_starts;

static void starts_offer(lm_starts *s, const lm_problem *pb, const double *p)
{
    double r = rss_at(pb, p);
    if (!isfinite(r))
        return;
    int pos = s->count < LM_STARTS ? s->count : LM_STARTS;
    while (pos > 0 && s->rss[pos - 1] > r)
        pos--;
    if (pos >= LM_STARTS)
        return;
    int last = s->count < LM_STARTS ? s->count : LM_STARTS - 1;
    for (int i = last; i > pos; i--) {
        s->rss[i] = s->rss[i - 1];
        memcpy(s->p[i], s->p[i - 1], sizeof s->p[i]);
    }
    s->rss[pos] = r;
    memcpy(s->p[pos], p, sizeof s->p[pos]);
    if (s->count < LM_STARTS)
        s->count++;
}

/* The least-squares value of the linear scale parameter p[0] for the other
 * parameters fixed (variable projection), put into p[0].  false if none. */
static bool project_scale(const lm_problem *pb, double *p)
{
    double num = 0, den = 0, q[3] = {1, p[1], p[2]};
    for (int i = 0; i < pb->n; i++) {
        double f = sdb_analysis_model_eval(pb->m, q, pb->x[i]);
        num += f * pb->y[i];
        den += f * f;
    }
    if (!(den > 0) || !isfinite(num / den))
        return false;
    p[0] = fmin(pb->hi[0], fmax(pb->lo[0], num / den));
    return true;
}

/* Offers the grid point (p1, p2) with its best scale to s. */
static void offer_grid(lm_starts *s, const lm_problem *pb, double p1, double p2)
{
    double p[3] = {0, p1, p2};
    if (project_scale(pb, p))
        starts_offer(s, pb, p);
}

static double geo(double lo, double hi, int i, int n)
{
    return lo * pow(hi / lo, (double)i / (n - 1));
}

/* The range of x: min, max and the smallest positive spacing. */
typedef struct xrange {
    double min, max, span, step;
    double ymax;
} xrange;

static xrange range_of(const double *x, const double *y, int n)
{
    xrange r = {x[0], x[0], 0, INFINITY, y[0]};
    for (int i = 1; i < n; i++) {
        r.min = fmin(r.min, x[i]);
        r.max = fmax(r.max, x[i]);
        r.ymax = fmax(r.ymax, y[i]);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (x[j] > x[i])
                r.step = fmin(r.step, x[j] - x[i]);
    r.span = r.max - r.min;
    if (!isfinite(r.step))
        r.step = 1;
    return r;
}

/* Bounds and grid starts of each nonlinear model. */
static void setup_expsat(lm_problem *pb, lm_starts *s, const xrange *r)
{
    pb->lo[0] = 0;
    pb->hi[0] = 1e3 * r->ymax;
    pb->lo[1] = 1e-4 / r->max;
    pb->hi[1] = 1e3 / r->min;
    pb->search_limit[0][1] = pb->search_limit[1][0] = pb->search_limit[1][1] = true;
    for (int i = 0; i < 60; i++)
        offer_grid(s, pb, geo(1e-3 / r->max, 30 / r->min, i, 60), 0);
}

static void setup_logistic(lm_problem *pb, lm_starts *s, const xrange *r)
{
    pb->lo[0] = 0;
    pb->hi[0] = 1e3 * r->ymax;
    pb->lo[1] = 1e-4 / r->span;
    pb->hi[1] = 1e3 / r->step;
    pb->lo[2] = r->min - 100 * r->span;
    pb->hi[2] = r->max + 100 * r->span;
    pb->search_limit[0][1] = true;
    for (int j = 1; j < 3; j++)
        pb->search_limit[j][0] = pb->search_limit[j][1] = true;
    for (int i = 0; i < 30; i++)
        for (int j = 0; j < 25; j++)
            offer_grid(s, pb, geo(0.1 / r->span, 100 / r->span, i, 30),
                       r->min - r->span + 3 * r->span * j / 24.0);
}

static void setup_usl(lm_problem *pb, lm_starts *s, const xrange *r)
{
    static const double sig[] = {0, 1e-3, 0.01, 0.03, 0.1, 0.3, 0.7};
    static const double kap[] = {0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1};
    (void)r;
    pb->lo[0] = 0;
    pb->hi[0] = INFINITY;
    pb->lo[1] = 0;
    pb->hi[1] = 1;
    pb->lo[2] = 0;
    pb->hi[2] = INFINITY;
    for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++)
        for (size_t j = 0; j < sizeof kap / sizeof kap[0]; j++)
            offer_grid(s, pb, sig[i], kap[j]);
    /* Gunther's linearisation: N/X = c0 + c1 N + c2 N^2 with
     * lambda = 1/(c0+c1+c2), kappa = c2 lambda, sigma = c1 lambda + kappa */
    double ny[SDB_ANALYSIS_MAX_BANDS], c[3];
    for (int i = 0; i < pb->n; i++)
        ny[i] = pb->y[i] > 0 ? pb->x[i] / pb->y[i] : NAN;
    bool all = true;
    for (int i = 0; i < pb->n; i++)
        all = all && isfinite(ny[i]);
    if (all && ols(3, pb->x, ny, pb->n, phi_quad, c) && c[0] + c[1] + c[2] > 0) {
        double lam = 1 / (c[0] + c[1] + c[2]);
        double kap0 = fmax(0, c[2] * lam);
        double p[3] = {lam, fmin(1, fmax(0, c[1] * lam + kap0)), kap0};
        starts_offer(s, pb, p);
    }
}

/* ---- fit statistics ---- */

static void fit_stats(sdb_analysis_fit *fit, const double *x, const double *y, int n)
{
    double mean = 0, sst = 0, rss = 0;
    for (int i = 0; i < n; i++)
        mean += y[i] / n;
    for (int i = 0; i < n; i++) {
        double r = y[i] - sdb_analysis_model_eval(fit->model, fit->p, x[i]);
        rss += r * r;
        sst += (y[i] - mean) * (y[i] - mean);
    }
    int k = fit->nparam, kk = k + 1;   /* kk also counts the error variance */
    fit->rss = rss;
    fit->r2 = 1 - rss / sst;
    fit->rmse = sqrt(rss / n);
    fit->adj_r2 = n > k + 1 ? 1 - (1 - fit->r2) * (n - 1) / (n - k - 1) : NAN;
    if (n > kk + 1) {
        double floor = n * pow(1e-10 * fabs(mean), 2);   /* exact fits: ln 0 */
        fit->aicc = n * log(fmax(rss, floor) / n) + 2.0 * kk
                    + 2.0 * kk * (kk + 1) / (n - kk - 1);
    }
}

static void usl_peak(sdb_analysis_fit *fit)
{
    double lam = fit->p[0], sig = fit->p[1], kap = fit->p[2];
    if (kap > 0) {
        fit->peak_n = sqrt((1 - sig) / kap);
        fit->peak_tps = sdb_analysis_model_eval(SDB_ANALYSIS_USL, fit->p, fit->peak_n);
    } else {
        fit->peak_n = INFINITY;
        fit->peak_tps = sig > 0 ? lam / sig : INFINITY;
    }
}

/* Fits a nonlinear model from its best grid starts; the fit keeps the
 * lowest-RSS converged run, or the last failure when none converged. */
static void fit_nonlinear(sdb_analysis_fit *fit, const double *x, const double *y, int n)
{
    lm_problem pb = {.m = fit->model, .x = x, .y = y, .n = n, .k = fit->nparam};
    lm_starts s = {0};
    xrange r = range_of(x, y, n);
    if (fit->model == SDB_ANALYSIS_EXPSAT)
        setup_expsat(&pb, &s, &r);
    else if (fit->model == SDB_ANALYSIS_LOGISTIC)
        setup_logistic(&pb, &s, &r);
    else
        setup_usl(&pb, &s, &r);
    double best = INFINITY;
    int its = 0;
    bool converged = false;
    for (int i = 0; i < s.count; i++) {
        double p[3], rss;
        memcpy(p, s.p[i], sizeof p);
        int it = lm_run(&pb, p, &rss);
        its += it > 0 ? it : LM_MAX_IT;
        if (it > 0 && rss < best) {
            best = rss;
            converged = true;
            memcpy(fit->p, p, sizeof p);
        } else if (!converged && rss < best) {
            best = rss;
            memcpy(fit->p, p, sizeof p);
        }
    }
    fit->iterations = its;
    if (s.count == 0) {
        fit->status = SDB_ANALYSIS_FIT_NO_CONVERGE;
        note(fit->note, sizeof fit->note, "no starting point with a finite residual");
        return;
    }
    if (!converged) {
        fit->status = SDB_ANALYSIS_FIT_NO_CONVERGE;
        note(fit->note, sizeof fit->note, "Levenberg-Marquardt did not converge in %d iterations "
             "from %d starts", LM_MAX_IT, s.count);
        return;
    }
    for (int j = 0; j < pb.k; j++) {
        bool at_lo = pb.search_limit[j][0] && fit->p[j] <= pb.lo[j] * (1 + 1e-9);
        bool at_hi = pb.search_limit[j][1] && fit->p[j] >= pb.hi[j] * (1 - 1e-9);
        if (at_lo || at_hi) {
            fit->status = SDB_ANALYSIS_FIT_UNDETERMINED;
            note(fit->note, sizeof fit->note, "%s ran to its search limit: the data do not "
                 "determine it", param_names[fit->model][j]);
            return;
        }
    }
}

/* Notes on a converged fit whose parameters are extrapolations. */
static void fit_caveats(sdb_analysis_fit *fit, const double *x, const double *y, int n)
{
    xrange r = range_of(x, y, n);
    if (fit->model == SDB_ANALYSIS_EXPSAT && fit->p[1] * r.max < 0.1) {
        fit->status = SDB_ANALYSIS_FIT_UNDETERMINED;
        note(fit->note, sizeof fit->note, "almost straight over the data (b*Nmax = %.3g): "
             "no ceiling in view, a is not determined", fit->p[1] * r.max);
    } else if (fit->model == SDB_ANALYSIS_LOGISTIC && fit->p[2] > r.max)
        note(fit->note, sizeof fit->note, "the midpoint N0 lies beyond the data: L is an "
             "extrapolation");
    else if (fit->model == SDB_ANALYSIS_USL && fit->p[2] > 0 && fit->peak_n > 2 * r.max)
        note(fit->note, sizeof fit->note, "the peak N* lies far beyond the data: an "
             "extrapolation");
    else if (fit->model == SDB_ANALYSIS_USL && fit->p[2] == 0)
        note(fit->note, sizeof fit->note, "kappa = 0: no retrograde scaling in the data, "
             "no peak");
}

void sdb_analysis_fit_model(sdb_analysis_model m, const double *x, const double *y, int n,
                            sdb_analysis_fit *fit)
{
    memset(fit, 0, sizeof *fit);
    fit->model = m;
    fit->nparam = model_nparam[m];
    fit->p[0] = fit->p[1] = fit->p[2] = NAN;
    fit->rss = fit->r2 = fit->adj_r2 = fit->rmse = fit->aicc = NAN;
    fit->peak_n = fit->peak_tps = NAN;
    if (n <= fit->nparam || n > SDB_ANALYSIS_MAX_BANDS) {
        fit->status = SDB_ANALYSIS_FIT_TOO_FEW;
        note(fit->note, sizeof fit->note, "%d points for %d parameters: need at least %d",
             n, fit->nparam, fit->nparam + 1);
        return;
    }
    double mean = 0, sst = 0;
    for (int i = 0; i < n; i++) {
        if (!finite_pos(x[i]) || !isfinite(y[i])) {
            fit->status = SDB_ANALYSIS_FIT_BAD_INPUT;
            note(fit->note, sizeof fit->note, "point %d is not finite or has N <= 0", i);
            return;
        }
        mean += y[i] / n;
    }
    for (int i = 0; i < n; i++)
        sst += (y[i] - mean) * (y[i] - mean);
    if (!(sst > n * pow(1e-9 * fabs(mean), 2)) || range_of(x, y, n).span <= 0) {
        fit->status = SDB_ANALYSIS_FIT_NO_VARIANCE;
        note(fit->note, sizeof fit->note, "%s does not vary: nothing to fit",
             sst > 0 ? "concurrency" : "throughput");
        return;
    }
    if (m == SDB_ANALYSIS_LINEAR || m == SDB_ANALYSIS_LOG) {
        if (!ols(2, x, y, n, m == SDB_ANALYSIS_LINEAR ? phi_linear : phi_log, fit->p)) {
            fit->status = SDB_ANALYSIS_FIT_BAD_INPUT;
            note(fit->note, sizeof fit->note, "singular normal equations");
            return;
        }
    } else {
        fit_nonlinear(fit, x, y, n);
    }
    if (fit->model == SDB_ANALYSIS_USL)
        usl_peak(fit);
    if (fit->status != SDB_ANALYSIS_FIT_OK)
        return;
    fit_stats(fit, x, y, n);
    fit_caveats(fit, x, y, n);
    if (fit->status != SDB_ANALYSIS_FIT_OK)      /* no statistics for a shape */
        fit->rss = fit->r2 = fit->adj_r2 = fit->rmse = fit->aicc = NAN;
    fit->eligible = fit->status == SDB_ANALYSIS_FIT_OK && isfinite(fit->aicc);
    if (!fit->eligible && !fit->note[0])
        note(fit->note, sizeof fit->note, "%d points: at least %d needed to compare it "
             "(AICc)", n, fit->nparam + 3);
}

/* ---- Erlang C and Student t ---- */

double sdb_analysis_erlang_c(int c, double a)
{
    if (c < 1 || !(a >= 0) || !isfinite(a))
        return NAN;
    if (a >= c)
        return 1;
    double b = 1;                         /* Erlang B, B(0) = 1 */
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    return b / (1 - rho * (1 - b));
}

double sdb_analysis_t975(int df)
{
    static const double t[30] = {
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624,
        2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787,
        2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
        2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407,
        2.045230, 2.042272};
    if (df < 1)
        return NAN;
    if (df <= 30)
        return t[df - 1];
    double z = T_Z975, v = df, z2 = z * z;
    return z + (z2 * z + z) / (4 * v) + (5 * pow(z, 5) + 16 * z2 * z + 3 * z) / (96 * v * v)
           + (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * z2 * z - 15 * z) / (384 * v * v * v);
}

sdb_analysis_rate sdb_analysis_rate_ci(const double *counts, int n, double interval_s)
{
    sdb_analysis_rate r = {NAN, NAN, NAN, 0, 0, false};
    if (n < 1 || !finite_pos(interval_s))
        return r;
    double total = 0;
    for (int i = 0; i < n; i++)
        total += counts[i];
    r.mean = total / (n * interval_s);
    if (n < 2 || !isfinite(r.mean))
        return r;
    int k = n > 30 ? 20 : n, m = n / k, first = n - k * m;
    double mean = 0, ss = 0;
    for (int b = 0; b < k; b++) {
        double s = 0;
        for (int i = 0; i < m; i++)
            s += counts[first + b * m + i];
        mean += s / (m * interval_s) / k;
    }
    for (int b = 0; b < k; b++) {
        double s = 0;
        for (int i = 0; i < m; i++)
            s += counts[first + b * m + i];
        double d = s / (m * interval_s) - mean;
        ss += d * d;
    }
    r.batches = k;
    r.df = k - 1;
    r.se = sqrt(ss / (k - 1) / k);
    r.half_width = sdb_analysis_t975(r.df) * r.se;
    r.ok = true;
    return r;
}

/* ---- the analysis ---- */

void sdb_analysis_options_default(sdb_analysis_options *o)
{
    o->budget_p99_ms = 0;
    o->near_best = 0.95;
    o->diminishing = 0.10;
    o->servers = 0;
    o->service_ms = 0;
}

/* Copies the usable bands into r in increasing N (stable). */
static void take_bands(const sdb_analysis_input *in, int n, sdb_analysis_result *r)
{
    for (int i = 0; i < n; i++) {
        if (!finite_pos(in[i].n) || !isfinite(in[i].tps) || in[i].tps < 0
            || r->nbands == SDB_ANALYSIS_MAX_BANDS) {
            r->ignored++;
            continue;
        }
        int pos = r->nbands++;
        while (pos > 0 && r->band[pos - 1].in.n > in[i].n) {
            r->band[pos] = r->band[pos - 1];
            pos--;
        }
        sdb_analysis_band *b = &r->band[pos];
        memset(b, 0, sizeof *b);
        b->in = in[i];
        b->src = i;
    }
}

static double se_of(const sdb_analysis_band *b)
{
    return finite_pos(b->in.tps_se) ? b->in.tps_se : NAN;
}

static void differences(sdb_analysis_result *r)
{
    int n = r->nbands;
    for (int i = 0; i < n; i++) {
        sdb_analysis_band *b = &r->band[i];
        b->gain = b->gain_rel = b->d2 = NAN;
        b->gain_significant = -1;
        if (i + 1 < n) {
            const sdb_analysis_band *nx = &r->band[i + 1];
            double h = nx->in.n - b->in.n, dx = nx->in.tps - b->in.tps;
            if (h > 0)
                b->gain = dx / h;
            double s1 = se_of(b), s2 = se_of(nx);
            if (h > 0 && isfinite(s1) && isfinite(s2))
                b->gain_significant = fabs(dx) > T_Z975 * sqrt(s1 * s1 + s2 * s2);
        }
    }
    for (int i = 1; i + 1 < n; i++) {
        const sdb_analysis_band *p = &r->band[i - 1], *nx = &r->band[i + 1];
        if (isfinite(p->gain) && isfinite(r->band[i].gain))
            r->band[i].d2 = 2 * (r->band[i].gain - p->gain) / (nx->in.n - p->in.n);
    }
    double g0 = n > 1 ? r->band[0].gain : NAN;
    for (int i = 0; i < n; i++)
        if (g0 > 0)
            r->band[i].gain_rel = r->band[i].gain / g0;
    /* diminishing returns: the gain falls below a fraction of the largest
     * gain before it (the first one on a concave curve; the steepest one
     * on an S-shaped curve, whose first gains are small) */
    r->diminishing = -1;
    double gmax = g0;
    for (int i = 1; i + 1 < n && gmax > 0; i++) {
        if (r->band[i].gain < r->opt.diminishing * gmax) {
            r->diminishing = i;
            break;
        }
        gmax = fmax(gmax, r->band[i].gain);
    }
    r->inflection = -1;
    r->inflection_n = NAN;
    int prev = -1;
    for (int i = 1; i + 1 < n; i++) {
        if (!isfinite(r->band[i].d2))
            continue;
        if (prev >= 0 && r->band[prev].d2 > 0 && r->band[i].d2 <= 0) {
            double d0 = r->band[prev].d2, d1 = r->band[i].d2;
            double n0 = r->band[prev].in.n, n1 = r->band[i].in.n;
            r->inflection_n = n0 + (n1 - n0) * d0 / (d0 - d1);
            r->inflection = r->inflection_n - n0 <= n1 - r->inflection_n ? prev : i;
            break;
        }
        prev = i;
    }
}

static void little_and_knee(sdb_analysis_result *r)
{
    double rmin = INFINITY, xmax = 0;
    for (int i = 0; i < r->nbands; i++) {
        sdb_analysis_band *b = &r->band[i];
        b->little_n = b->little_ratio = NAN;
        if (finite_pos(b->in.mean_ms)) {
            b->little_n = b->in.tps * b->in.mean_ms / 1000;
            b->little_ratio = b->little_n / b->in.n;
            rmin = fmin(rmin, b->in.mean_ms);
        }
        xmax = fmax(xmax, b->in.tps);
    }
    r->knee_bound_n = isfinite(rmin) && xmax > 0 ? rmin / 1000 * xmax : NAN;
    r->knee = -1;
    for (int i = 0; i + 1 < r->nbands; i++) {
        const sdb_analysis_band *b = &r->band[i], *nx = &r->band[i + 1];
        if (!finite_pos(b->in.mean_ms) || !finite_pos(nx->in.mean_ms) || !(b->in.tps > 0)
            || !(nx->in.n > b->in.n))
            continue;
        if (nx->in.mean_ms / b->in.mean_ms > nx->in.tps / b->in.tps) {
            r->knee = i;
            break;
        }
    }
}

static void erlang(sdb_analysis_result *r)
{
    double s = r->opt.service_ms;
    if (!finite_pos(s)) {
        s = INFINITY;
        for (int i = 0; i < r->nbands; i++)
            if (finite_pos(r->band[i].in.mean_ms))
                s = fmin(s, r->band[i].in.mean_ms);
    }
    r->service_ms = isfinite(s) ? s : NAN;
    for (int i = 0; i < r->nbands; i++) {
        sdb_analysis_band *b = &r->band[i];
        b->offered = b->rho = b->p_wait = b->wq_ms = b->pred_ms = b->meas_over_pred = NAN;
        if (r->opt.servers <= 0 && !(b->in.n <= ERLANG_MAX_SERVERS))
            continue;                     /* servers = 0: not computed */
        int c = r->opt.servers > 0 ? r->opt.servers : (int)fmax(1, round(b->in.n));
        b->servers = c;
        if (!isfinite(r->service_ms))
            continue;
        b->offered = b->in.tps * s / 1000;
        b->rho = b->offered / c;
        b->p_wait = sdb_analysis_erlang_c(c, b->offered);
        if (b->offered < c) {
            b->wq_ms = b->p_wait * s / (c - b->offered);
            b->pred_ms = s + b->wq_ms;
            if (finite_pos(b->in.mean_ms))
                b->meas_over_pred = b->in.mean_ms / b->pred_ms;
        } else {
            b->wq_ms = b->pred_ms = INFINITY;
        }
    }
}

/* Chooses the best eligible fit by AICc: among the fits within 2 of the
 * lowest AICc, the one with the fewest parameters (then the lowest AICc). */
static void choose_best(sdb_analysis_result *r)
{
    double amin = INFINITY;
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++)
        if (r->fit[m].eligible)
            amin = fmin(amin, r->fit[m].aicc);
    r->best = -1;
    if (!isfinite(amin)) {
        note(r->best_why, sizeof r->best_why, "no fit can be compared: AICc needs at least "
             "nparam + 3 bands and a converged fit");
        return;
    }
    int lowest = -1;
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++) {
        const sdb_analysis_fit *f = &r->fit[m];
        if (!f->eligible)
            continue;
        if (f->aicc == amin)
            lowest = m;
        if (f->aicc > amin + 2)
            continue;
        if (r->best < 0 || f->nparam < r->fit[r->best].nparam
            || (f->nparam == r->fit[r->best].nparam && f->aicc < r->fit[r->best].aicc))
            r->best = m;
    }
    if (r->best == lowest)
        note(r->best_why, sizeof r->best_why, "lowest AICc (%.1f)", amin);
    else
        note(r->best_why, sizeof r->best_why, "within 2 of the lowest AICc (%s, %.1f) with "
             "fewer parameters", model_names[lowest], amin);
}

static void fits(sdb_analysis_result *r)
{
    double x[SDB_ANALYSIS_MAX_BANDS], y[SDB_ANALYSIS_MAX_BANDS];
    for (int i = 0; i < r->nbands; i++) {
        x[i] = r->band[i].in.n;
        y[i] = r->band[i].in.tps;
    }
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++)
        sdb_analysis_fit_model((sdb_analysis_model)m, x, y, r->nbands, &r->fit[m]);
    choose_best(r);
}

/* ---- the recommendation ---- */

/* A throughput as text: thousands grouped above 1000, else 3 digits. */
static void fmt_tps(char *buf, size_t len, double x)
{
    if (!isfinite(x) || fabs(x) < 1000)
        snprintf(buf, len, "%.4g", x);
    else
        sdb_fmt_count(buf, len, (int64_t)llround(x));
}

static void fmt_ms(char *buf, size_t len, double ms)
{
    int d = ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0;
    snprintf(buf, len, "%.*f", d, ms);
}

static int pick_band(const sdb_analysis_result *r, double budget, double best_tps)
{
    int rec = -1;
    for (int i = 0; i < r->nbands; i++) {
        const sdb_analysis_band *b = &r->band[i];
        if (budget > 0) {
            if (isfinite(b->in.p99_ms) && b->in.p99_ms <= budget
                && (rec < 0 || b->in.tps > r->band[rec].in.tps))
                rec = i;
        } else if (b->in.tps >= r->opt.near_best * best_tps) {
            return i;
        }
    }
    return rec;
}

/* "; the next band, N=32, adds 1.5% throughput (0.09% per added worker)
 * while p99 grows 40%" or why there is none. */
static void next_band_text(const sdb_analysis_result *r, char *buf, size_t len)
{
    const sdb_analysis_band *b = &r->band[r->rec];
    if (r->rec + 1 >= r->nbands) {
        note(buf, len, "; it is the highest concurrency measured, so the optimum may lie "
             "beyond it");
        return;
    }
    const sdb_analysis_band *nx = &r->band[r->rec + 1];
    double dx = b->in.tps > 0 ? (nx->in.tps / b->in.tps - 1) * 100 : NAN;
    double per = dx / (nx->in.n - b->in.n);
    char p99[64] = "";
    if (finite_pos(b->in.p99_ms) && isfinite(nx->in.p99_ms))
        note(p99, sizeof p99, " while p99 %s %.0f%%", nx->in.p99_ms >= b->in.p99_ms
             ? "grows" : "falls", fabs(nx->in.p99_ms / b->in.p99_ms - 1) * 100);
    char over[80] = "";
    if (r->opt.budget_p99_ms > 0 && !(nx->in.p99_ms <= r->opt.budget_p99_ms)) {
        char ms[32];
        fmt_ms(ms, sizeof ms, nx->in.p99_ms);
        note(over, sizeof over, " (%s ms, over the budget)", ms);
    }
    note(buf, len, "; the next band, N=%g, %s %.1f%% throughput (%.2f%% per added worker)%s%s",
         nx->in.n, dx >= 0 ? "adds" : "loses", fabs(dx), per, p99, over);
}

static void recommend(sdb_analysis_result *r)
{
    double best = 0, budget = r->opt.budget_p99_ms;
    int ibest = 0;
    for (int i = 0; i < r->nbands; i++)
        if (r->band[i].in.tps > best) {
            best = r->band[i].in.tps;
            ibest = i;
        }
    r->rec = -1;
    if (!(best > 0)) {
        note(r->rec_text, sizeof r->rec_text, "no recommendation: no band completed a "
             "transaction");
        return;
    }
    r->rec = pick_band(r, budget, best);
    char tps[32], ms[32], btps[32], next[256] = "", err[48] = "";
    if (r->rec < 0) {          /* nothing within the budget: the lowest p99 */
        for (int i = 0; i < r->nbands; i++)
            if (isfinite(r->band[i].in.p99_ms)
                && (r->rec < 0 || r->band[i].in.p99_ms < r->band[r->rec].in.p99_ms))
                r->rec = i;
        if (r->rec < 0) {
            note(r->rec_text, sizeof r->rec_text, "no recommendation: no band has a p99 "
                 "latency to hold against the budget");
            return;
        }
        const sdb_analysis_band *b = &r->band[r->rec];
        fmt_tps(tps, sizeof tps, b->in.tps);
        fmt_ms(ms, sizeof ms, b->in.p99_ms);
        note(r->rec_text, sizeof r->rec_text, "no band keeps p99 within the %g ms budget; "
             "the lowest p99 is at N=%g: %s ms with %s tps", budget, b->in.n, ms, tps);
        return;
    }
    const sdb_analysis_band *b = &r->band[r->rec];
    r->rec_within_budget = budget > 0;
    fmt_tps(tps, sizeof tps, b->in.tps);
    fmt_tps(btps, sizeof btps, best);
    next_band_text(r, next, sizeof next);
    if (b->in.errors > 0)
        note(err, sizeof err, ", %lld errors", (long long)b->in.errors);
    char rel[96];
    if (r->rec == ibest)
        note(rel, sizeof rel, "the best measured");
    else
        note(rel, sizeof rel, "%.0f%% of the best, %s tps at N=%g", b->in.tps / best * 100,
             btps, r->band[ibest].in.n);
    char lat[96] = "";
    if (isfinite(b->in.p99_ms)) {
        fmt_ms(ms, sizeof ms, b->in.p99_ms);
        if (budget > 0)
            note(lat, sizeof lat, ", p99 %s ms within the %g ms budget", ms, budget);
        else
            note(lat, sizeof lat, ", p99 %s ms", ms);
    }
    note(r->rec_text, sizeof r->rec_text, "N=%g: %s tps (%s)%s%s%s", b->in.n, tps, rel, lat,
         err, next);
}

void sdb_analysis_analyse(const sdb_analysis_input *bands, int n, const sdb_analysis_options *opt,
                          sdb_analysis_result *out)
{
    memset(out, 0, sizeof *out);
    if (opt)
        out->opt = *opt;
    else
        sdb_analysis_options_default(&out->opt);
    if (!(out->opt.near_best > 0 && out->opt.near_best <= 1))
        out->opt.near_best = 0.95;
    if (!(out->opt.diminishing >= 0 && out->opt.diminishing < 1))
        out->opt.diminishing = 0.10;
    if (out->opt.servers > ERLANG_MAX_SERVERS)
        out->opt.servers = (int)ERLANG_MAX_SERVERS;
    take_bands(bands, bands ? n : 0, out);
    int distinct = out->nbands > 0;
    for (int i = 1; i < out->nbands; i++)
        distinct += out->band[i].in.n > out->band[i - 1].in.n;
    out->enough = distinct >= 2;
    differences(out);
    little_and_knee(out);
    erlang(out);
    fits(out);
    if (out->enough) {
        recommend(out);
        note(out->status, sizeof out->status, "ok");
    } else {
        out->rec = -1;
        note(out->status, sizeof out->status, "not enough data: %d usable band%s with %d "
             "distinct concurrency level%s (at least 2 are needed; fits need 3 or 4, the "
             "best-fit choice 5 or 6)", out->nbands, out->nbands == 1 ? "" : "s", distinct,
             distinct == 1 ? "" : "s");
        note(out->rec_text, sizeof out->rec_text, "no recommendation: %s", out->status);
    }
}

/* ---- JSON ---- */

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jidx_n(const sdb_analysis_result *r, int i)
{
    return i >= 0 && i < r->nbands ? json_real(r->band[i].in.n) : json_null();
}

/* json_object_set_new that records a failure in *ok. */
static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (!o || !v || json_object_set_new(o, k, v) != 0)
        *ok = false;
}

static json_t *band_json(const sdb_analysis_band *b, bool *ok)
{
    json_t *o = json_object(), *e = json_object();
    put(o, "n", jnum(b->in.n), ok);
    put(o, "tps", jnum(b->in.tps), ok);
    put(o, "tps_se", jnum(se_of(b)), ok);
    put(o, "mean_ms", jnum(b->in.mean_ms), ok);
    put(o, "p99_ms", jnum(b->in.p99_ms), ok);
    put(o, "errors", json_integer(b->in.errors), ok);
    put(o, "gain_per_worker", jnum(b->gain), ok);
    put(o, "gain_relative", jnum(b->gain_rel), ok);
    put(o, "gain_significant", b->gain_significant < 0 ? json_null()
                               : json_boolean(b->gain_significant), ok);
    put(o, "second_difference", jnum(b->d2), ok);
    put(o, "little_concurrency", jnum(b->little_n), ok);
    put(o, "little_ratio", jnum(b->little_ratio), ok);
    put(e, "servers", b->servers > 0 ? json_integer(b->servers) : json_null(), ok);
    put(e, "offered_erlangs", jnum(b->offered), ok);
    put(e, "utilisation", jnum(b->rho), ok);
    put(e, "p_wait", jnum(b->p_wait), ok);
    put(e, "saturated", json_boolean(b->rho >= 1), ok);
    put(e, "wait_ms", jnum(b->wq_ms), ok);
    put(e, "predicted_ms", jnum(b->pred_ms), ok);
    put(e, "measured_over_predicted", jnum(b->meas_over_pred), ok);
    put(o, "erlang_c", e, ok);
    return o;
}

static json_t *fit_json(const sdb_analysis_fit *f, bool *ok)
{
    json_t *o = json_object(), *p = json_object();
    put(o, "model", json_string(model_names[f->model]), ok);
    put(o, "status", json_string(sdb_analysis_fit_status_name(f->status)), ok);
    for (int j = 0; j < f->nparam; j++)
        put(p, param_names[f->model][j], jnum(f->p[j]), ok);
    put(o, "params", p, ok);
    put(o, "r2", jnum(f->r2), ok);
    put(o, "adj_r2", jnum(f->adj_r2), ok);
    put(o, "rmse", jnum(f->rmse), ok);
    put(o, "aicc", jnum(f->aicc), ok);
    put(o, "iterations", json_integer(f->iterations), ok);
    put(o, "eligible", json_boolean(f->eligible), ok);
    if (f->model == SDB_ANALYSIS_USL) {
        put(o, "peak_n", jnum(f->peak_n), ok);
        put(o, "peak_tps", jnum(f->peak_tps), ok);
        put(o, "peak", json_string(f->status != SDB_ANALYSIS_FIT_OK ? "unknown"
                                   : isfinite(f->peak_n) ? "finite" : "none"), ok);
    }
    put(o, "note", json_string(f->note), ok);
    return o;
}

static json_t *options_json(const sdb_analysis_options *o, bool *ok)
{
    json_t *j = json_object();
    put(j, "budget_p99_ms", o->budget_p99_ms > 0 ? jnum(o->budget_p99_ms) : json_null(), ok);
    put(j, "near_best", jnum(o->near_best), ok);
    put(j, "diminishing", jnum(o->diminishing), ok);
    put(j, "servers", o->servers > 0 ? json_integer(o->servers) : json_null(), ok);
    put(j, "service_ms", o->service_ms > 0 ? jnum(o->service_ms) : json_null(), ok);
    return j;
}

json_t *sdb_analysis_json(const sdb_analysis_result *r)
{
    bool ok = true;
    json_t *o = json_object(), *bands = json_array(), *fitsj = json_array();
    json_t *diff = json_object(), *lit = json_object(), *rec = json_object();
    put(o, "status", json_string(r->status), &ok);
    put(o, "enough_data", json_boolean(r->enough), &ok);
    put(o, "bands_ignored", json_integer(r->ignored), &ok);
    put(o, "options", options_json(&r->opt, &ok), &ok);
    for (int i = 0; i < r->nbands && bands; i++)
        if (json_array_append_new(bands, band_json(&r->band[i], &ok)) != 0)
            ok = false;
    put(o, "bands", bands, &ok);
    put(diff, "inflection_n", jnum(r->inflection_n), &ok);
    put(diff, "inflection_band_n", jidx_n(r, r->inflection), &ok);
    put(diff, "diminishing_from_n", jidx_n(r, r->diminishing), &ok);
    put(o, "differences", diff, &ok);
    for (int m = 0; m < SDB_ANALYSIS_NMODELS && fitsj; m++)
        if (json_array_append_new(fitsj, fit_json(&r->fit[m], &ok)) != 0)
            ok = false;
    put(o, "fits", fitsj, &ok);
    put(o, "best_fit", r->best >= 0 ? json_string(model_names[r->best]) : json_null(), &ok);
    put(o, "best_fit_reason", json_string(r->best_why), &ok);
    put(lit, "knee_n", jidx_n(r, r->knee), &ok);
    put(lit, "knee_bound_n", jnum(r->knee_bound_n), &ok);
    put(lit, "service_ms", jnum(r->service_ms), &ok);
    put(o, "queueing", lit, &ok);
    put(rec, "n", jidx_n(r, r->rec), &ok);
    put(rec, "tps", r->rec >= 0 ? jnum(r->band[r->rec].in.tps) : json_null(), &ok);
    put(rec, "p99_ms", r->rec >= 0 ? jnum(r->band[r->rec].in.p99_ms) : json_null(), &ok);
    put(rec, "within_budget", r->opt.budget_p99_ms > 0 && r->rec >= 0
                              ? json_boolean(r->rec_within_budget) : json_null(), &ok);
    put(rec, "text", json_string(r->rec_text), &ok);
    put(o, "recommendation", rec, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- console ---- */

static void print_fit(FILE *f, const sdb_analysis_fit *ft, bool best)
{
    fprintf(f, "  %c %-14s", best ? '*' : ' ', model_names[ft->model]);
    if (ft->status != SDB_ANALYSIS_FIT_OK) {
        fprintf(f, " %s: %s\n", sdb_analysis_fit_status_name(ft->status), ft->note);
        return;
    }
    fprintf(f, " R2 %.4f  RMSE %-9.4g", ft->r2, ft->rmse);
    for (int j = 0; j < ft->nparam; j++)
        fprintf(f, " %s=%.4g", param_names[ft->model][j], ft->p[j]);
    if (ft->model == SDB_ANALYSIS_USL && isfinite(ft->peak_n))
        fprintf(f, "  N*=%.1f (%.4g tps)", ft->peak_n, ft->peak_tps);
    else if (ft->model == SDB_ANALYSIS_USL)
        fprintf(f, "  no peak");
    if (ft->note[0])
        fprintf(f, "  [%s]", ft->note);
    fputc('\n', f);
}

/* A number in a column of width w with d decimals, or "-" (or "sat" for
 * an infinite queueing prediction) when it is not finite. */
static void col(FILE *f, int w, int d, double v)
{
    if (isfinite(v))
        fprintf(f, " %*.*f", w, d, v);
    else
        fprintf(f, " %*s", w, isinf(v) ? "sat" : "-");
}

void sdb_analysis_print(FILE *f, const sdb_analysis_result *r)
{
    fprintf(f, "scaling analysis: %d band%s", r->nbands, r->nbands == 1 ? "" : "s");
    if (r->ignored)
        fprintf(f, " (%d ignored)", r->ignored);
    fprintf(f, "%s%s\n", r->enough ? "" : ": ", r->enough ? "" : r->status);
    fprintf(f, "  %7s %11s %9s %9s %9s %11s %6s %6s %10s\n", "N", "tps", "+-se", "mean ms",
            "p99 ms", "gain/worker", "XR/N", "rho", "M/M/c ms");
    for (int i = 0; i < r->nbands; i++) {
        const sdb_analysis_band *b = &r->band[i];
        fprintf(f, "  %7g", b->in.n);
        col(f, 11, 1, b->in.tps);
        col(f, 9, 1, se_of(b));
        col(f, 9, 3, b->in.mean_ms);
        col(f, 9, 3, b->in.p99_ms);
        col(f, 11, 2, b->gain);
        col(f, 6, 2, b->little_ratio);
        col(f, 6, 2, b->rho);
        col(f, 10, 3, b->pred_ms);
        fputc('\n', f);
    }
    if (!r->enough)
        return;
    fprintf(f, "  fits (* best: %s):\n", r->best >= 0 ? r->best_why : "none");
    for (int m = 0; m < SDB_ANALYSIS_NMODELS; m++)
        print_fit(f, &r->fit[m], m == r->best);
    if (r->inflection >= 0)
        fprintf(f, "  inflection near N=%.1f;", r->inflection_n);
    else
        fprintf(f, "  no inflection;");
    if (r->diminishing >= 0)
        fprintf(f, " gain below %.0f%% of the steepest from N=%g;", r->opt.diminishing * 100,
                r->band[r->diminishing].in.n);
    if (r->knee >= 0)
        fprintf(f, " knee (latency outgrows throughput) after N=%g;", r->band[r->knee].in.n);
    else
        fprintf(f, " no knee;");
    if (isfinite(r->knee_bound_n))
        fprintf(f, " bound R_min*X_max = %.1f", r->knee_bound_n);
    fprintf(f, "\n  recommendation: %s\n", r->rec_text);
}
