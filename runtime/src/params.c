/* params.c — see params.h. */
#include "params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ECHO 60     /* bytes of a bad value quoted in a message */

const char *sdb_params_type_name(sdb_type type)
{
    switch (type) {
    case SDB_T_INT:    return "int";
    case SDB_T_FLOAT:  return "float";
    case SDB_T_STRING: return "string";
    case SDB_T_BOOL:   return "bool";
    }
    return "?";
}

const char *sdb_params_source_name(sdb_source src)
{
    switch (src) {
    case SDB_SRC_FILE: return "workload_config";
    case SDB_SRC_FLAG: return "--set";
    default:           return "default";
    }
}

/* ====================================================================== */
/* Typed parsing                                                           */

/* A finite decimal number: [sign] digits [. digits] [e [sign] digits], with
 * at least one digit before the exponent.  strtod alone would also take
 * hex, "inf", "nan" and leading spaces. */
static bool parse_float(const char *s, double *out)
{
    const char *p = s;
    bool digits = false;
    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits = true;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits = true;
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '\0')
        return false;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, int64_t *out)
{
    static const char *const yes[] = { "true", "on", "yes", "1", NULL };
    static const char *const no[] = { "false", "off", "no", "0", NULL };
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

int sdb_params_parse(sdb_type type, const char *text, sdb_value *out, const char **expects)
{
    sdb_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    bool ok = false;
    switch (type) {
    case SDB_T_INT:
        ok = sdb_config_parse_int64(text, true, &v.i);
        *expects = "an integer from -9223372036854775808 to 9223372036854775807";
        break;
    case SDB_T_FLOAT:
        ok = parse_float(text, &v.f);
        *expects = "a finite decimal number such as 1.5 or 2e-3";
        break;
    case SDB_T_BOOL:
        ok = parse_bool(text, &v.i);
        *expects = "true, false, on, off, yes, no, 1 or 0";
        break;
    case SDB_T_STRING:
        v.s.ptr = text;
        v.s.len = (uint32_t)strlen(text);
        ok = true;
        *expects = "a string";
        break;
    }
    if (!ok)
        return -1;
    *out = v;
    return 0;
}

/* The canonical text of v, heap-allocated ("4", "1.5", "true", the string);
 * NULL when out of memory.  Floats use the shortest form that reads back
 * exactly. */
static char *value_text(const sdb_value *v)
{
    char buf[40];
    switch (v->type) {
    case SDB_T_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        break;
    case SDB_T_FLOAT:
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v->f);
            if (strtod(buf, NULL) == v->f)
                break;
        }
        break;
    case SDB_T_BOOL:
        snprintf(buf, sizeof buf, "%s", v->i ? "true" : "false");
        break;
    case SDB_T_STRING: {
        char *s = malloc((size_t)v->s.len + 1);
        if (s) {
            memcpy(s, v->s.ptr, v->s.len);
            s[v->s.len] = '\0';
        }
        return s;
    }
    }
    return strdup(buf);
}

/* ====================================================================== */
/* Resolving                                                               */

void sdb_params_free(sdb_params *p)
{
    if (p->text)
        for (int i = 0; i < p->n; i++)
            free(p->text[i]);
    free(p->text);
    free(p->values);
    free(p->source);
    free(p->where);
    memset(p, 0, sizeof *p);
}

/* Sets parameter i to the value parsed from text.  Returns 0, -1 when the
 * text does not parse (*expects says what would), -2 when out of memory. */
static int set_value(sdb_params *p, const sdb_param_def *def, int i, const char *text,
                     const char **expects)
{
    sdb_value v;
    if (sdb_params_parse(def->type, text, &v, expects) != 0)
        return -1;
    char *canon = value_text(&v);
    if (canon == NULL)
        return -2;
    if (v.type == SDB_T_STRING)
        v.s.ptr = canon;           /* owned by p from now on */
    free(p->text[i]);
    p->text[i] = canon;
    p->values[i] = v;
    return 0;
}

static const char *param_name_at(const void *table, int i)
{
    return ((const sdb_param_def *)table)[i].name;
}

/* Prints "; workload W has parameters: a (int), b (string)" or "; workload W
 * has no parameters", then the end of the line. */
static void list_params(const sdb_workload_def *w, FILE *err)
{
    if (w->nparams == 0) {
        fprintf(err, "; workload %s has no parameters\n", w->name);
        return;
    }
    fprintf(err, "; workload %s has parameters:", w->name);
    for (int i = 0; i < w->nparams; i++)
        fprintf(err, "%s %s (%s)", i ? "," : "", w->params[i].name,
                sdb_params_type_name(w->params[i].type));
    fputc('\n', err);
}

/* Starts an error message about setting s: "FILE:LINE:COL: error: " (at the
 * key when at_name) or "PROG: error: ". */
static void setting_error_start(const sdb_setting *s, bool at_name, const char *prog,
                                FILE *err)
{
    const char *where = s->source == SDB_SRC_FILE
        ? (at_name ? s->name_where : s->where) : NULL;
    fprintf(err, "%s: error: ", where ? where : prog);
}

/* Applies one setting; returns 0, 1 after reporting a user error, or -2 when
 * out of memory. */
static int apply_setting(sdb_params *p, const sdb_workload_def *w, const sdb_setting *s,
                         const char *prog, FILE *err)
{
    const char *what = s->source == SDB_SRC_FILE ? "in workload_config" : "for --set";
    int i = 0;
    while (i < w->nparams && strcmp(w->params[i].name, s->name) != 0)
        i++;
    if (i == w->nparams) {
        setting_error_start(s, true, prog, err);
        fprintf(err, "unknown parameter '%.*s' %s", MAX_ECHO, s->name, what);
        const char *guess = sdb_config_closest_name(s->name, w->params, w->nparams,
                                                    param_name_at);
        if (guess)
            fprintf(err, " (did you mean '%s'?)", guess);
        list_params(w, err);
        return 1;
    }
    const char *expects;
    int rc = set_value(p, &w->params[i], i, s->value, &expects);
    if (rc == -2)
        return -2;
    if (rc == -1) {
        int n = (int)strlen(s->value);
        setting_error_start(s, false, prog, err);
        fprintf(err, "invalid value '%.*s%s' for %s%s (a parameter of type %s): "
                "expected %s\n", n > MAX_ECHO ? MAX_ECHO : n, s->value,
                n > MAX_ECHO ? "..." : "",
                s->source == SDB_SRC_FILE ? "workload_config." : "--set ", s->name,
                sdb_params_type_name(w->params[i].type), expects);
        return 1;
    }
    p->source[i] = s->source;
    p->where[i] = s->source == SDB_SRC_FILE ? s->where : NULL;
    return 0;
}

int sdb_params_resolve(sdb_params *p, const sdb_workload_def *w, const sdb_config *cfg,
                       const char *prog, FILE *err)
{
    memset(p, 0, sizeof *p);
    size_t n = w->nparams > 0 ? (size_t)w->nparams : 1;
    p->values = calloc(n, sizeof *p->values);
    p->text = calloc(n, sizeof *p->text);
    p->source = calloc(n, sizeof *p->source);
    p->where = calloc(n, sizeof *p->where);
    p->n = w->nparams;
    if (!p->values || !p->text || !p->source || !p->where)
        goto oom;
    for (int i = 0; i < w->nparams; i++) {
        const sdb_param_def *def = &w->params[i];
        const char *expects;
        int rc = set_value(p, def, i, def->default_text, &expects);
        if (rc == -2)
            goto oom;
        if (rc == -1) {
            fprintf(err, "%s: internal error: %s: the default '%s' of parameter '%s' is "
                    "not %s (params.c)\n", prog, def->where, def->default_text, def->name,
                    expects);
            sdb_params_free(p);
            return 2;
        }
        p->source[i] = SDB_SRC_DEFAULT;
    }
    /* File settings first, then flags: flags win whatever the order given. */
    int errors = 0;
    const sdb_source order[] = { SDB_SRC_FILE, SDB_SRC_FLAG };
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < cfg->nsettings; k++) {
            if (cfg->settings[k].source != order[pass])
                continue;
            int rc = apply_setting(p, w, &cfg->settings[k], prog, err);
            if (rc == -2)
                goto oom;
            errors += rc;
        }
    }
    if (errors) {
        sdb_params_free(p);
        return 2;
    }
    return 0;
oom:
    fprintf(err, "%s: error: out of memory\n", prog);
    sdb_params_free(p);
    return 2;
}

void sdb_params_describe(const sdb_params *p, const sdb_workload_def *w, char *buf,
                         size_t len)
{
    if (len == 0)
        return;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < p->n && i < w->nparams; i++) {
        const char *quote = p->values[i].type == SDB_T_STRING ? "\"" : "";
        int n = snprintf(buf + used, len - used, "%s%s=%s%s%s (%s)", i ? ", " : "",
                         w->params[i].name, quote, p->text[i], quote,
                         sdb_params_source_name(p->source[i]));
        if (n < 0 || (size_t)n >= len - used) {
            if (len >= 4)
                memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)n;
    }
}

/* ====================================================================== */
/* NURand constants                                                        */

/* The random stream of the constants: apart from the workers' (small
 * numbers) and the loaders' (bit 62 set). */
#define NURAND_STREAM (UINT64_C(3) << 61)

/* Uniform integer in [0, n) (n > 0, small: the bias is negligible). */
static int64_t below(sdb_rng *rng, int64_t n)
{
    return (int64_t)(sdb_rng_double(rng) * (double)n);
}

void sdb_params_nurand_run(uint64_t seed, const int64_t c_load[3], int64_t c_run[3])
{
    static const int64_t a[3] = { 255, 1023, 8191 };
    sdb_rng rng;
    sdb_rng_seed(&rng, seed, NURAND_STREAM + 1);
    int64_t load = c_load[0] < 0 ? 0 : c_load[0] > 255 ? 255 : c_load[0];
    int64_t ok[256];
    int nok = 0;
    for (int64_t c = 0; c <= 255; c++) {
        int64_t delta = c > load ? c - load : load - c;
        if (delta >= 65 && delta <= 119 && delta != 96 && delta != 112)
            ok[nok++] = c;
    }
    /* never empty: c_load + 65.. fits when c_load <= 136, c_load - 65..
     * when c_load >= 65 */
    c_run[0] = ok[below(&rng, nok)];
    for (int i = 1; i < 3; i++)
        c_run[i] = below(&rng, a[i] + 1);
}

void sdb_params_nurand(uint64_t seed, int64_t c_load[3], int64_t c_run[3])
{
    static const int64_t a[3] = { 255, 1023, 8191 };
    sdb_rng rng;
    sdb_rng_seed(&rng, seed, NURAND_STREAM);
    for (int i = 0; i < 3; i++)
        c_load[i] = below(&rng, a[i] + 1);
    sdb_params_nurand_run(seed, c_load, c_run);
}
