/* config.c — see config.h.
 *
 * Three parts: value parsers (integers, durations), the YAML loader (a walk
 * over libyaml's document tree driven by tables of known keys), and the
 * command-line parser (getopt_long, run twice: once to find -c and the
 * structural errors, once to apply the values over the file's).
 *
 * Messages go to the caller's FILE; nothing here prints a password: values
 * are echoed only for keys that are not secret, and a source line is shown
 * only when no secret key or value lies on it.
 */
#include "config.h"
#include "params.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

/* Built-in defaults, shared by sdb_config_init and the --help text. */
#define DEFAULT_SCALE          1
#define DEFAULT_DURATION_S     30.0
#define DEFAULT_WORKERS        4
#define DEFAULT_SUMMARY_S      10.0

/* Valid ranges. */
#define MAX_SCALE              INT64_C(1000000000)
#define MAX_WORKERS            10000
#define MAX_CONNECTIONS        10000
#define MAX_THREADS            1024
#define MAX_DURATION_S         (10.0 * 365.25 * 86400.0)   /* 10 years */
#define MAX_CONFIG_BYTES       (16L * 1024 * 1024)
#define MAX_ECHO               60    /* bytes of a bad value quoted in a message */

static const char *const sslmodes[] = {
    "disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL
};

/* ====================================================================== */
/* Small helpers                                                           */

/* Replaces *field with a copy of value (NULL or "" leave it NULL).
 * Returns 0, or -1 when out of memory (*field is then NULL). */
static int set_str(char **field, const char *value)
{
    free(*field);
    *field = NULL;
    if (value == NULL || *value == '\0')
        return 0;
    *field = strdup(value);
    return *field ? 0 : -1;
}

/* Reads the whole of s as unsigned decimal digits (with allow_underscore,
 * also '_' between digits, as YAML 1.1 "1_000") into *out.  Returns false
 * on junk, on no digit, or when the value exceeds limit. */
static bool parse_digits(const char *s, bool allow_underscore, uint64_t limit,
                         uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s == '_' && allow_underscore && s[1] >= '0' && s[1] <= '9')
            continue;
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool sdb_config_parse_int64(const char *s, bool allow_underscore, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-')
        neg = (*s++ == '-');
    uint64_t v;
    if (!parse_digits(s, allow_underscore,
                      neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &v))
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Seconds per duration unit; NULL unit = end of table. */
static const struct { const char *unit; double seconds; } duration_units[] = {
    { "ns", 1e-9 }, { "us", 1e-6 }, { "\xc2\xb5s", 1e-6 }, { "ms", 1e-3 },
    { "s", 1.0 }, { "m", 60.0 }, { "h", 3600.0 }, { NULL, 0.0 }
};

/* Reads one unsigned decimal number ("12", "1.5", ".5", "2.") at *p.
 * Returns false when there is no digit. */
static bool read_decimal(const char **p, double *value)
{
    const char *s = *p;
    double v = 0.0, scale = 1.0;
    bool digits = false;
    for (; *s >= '0' && *s <= '9'; s++, digits = true)
        v = v * 10.0 + (*s - '0');
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, digits = true) {
            scale /= 10.0;
            v += (*s - '0') * scale;
        }
    }
    *p = s;
    *value = v;
    return digits;
}

int sdb_parse_duration(const char *text, double *seconds)
{
    if (text == NULL)
        return -1;
    const char *p = text;
    double total = 0.0, v;
    if (!read_decimal(&p, &v))
        return -1;
    if (*p == '\0') {
        total = v;                       /* a bare number: seconds */
    } else {
        for (;;) {
            size_t best = 0;
            double unit = 0.0;
            for (int i = 0; duration_units[i].unit; i++) {
                size_t n = strlen(duration_units[i].unit);
                if (n > best && strncmp(p, duration_units[i].unit, n) == 0) {
                    best = n;
                    unit = duration_units[i].seconds;
                }
            }
            if (best == 0)
                return -1;
            total += v * unit;
            p += best;
            if (*p == '\0')
                break;
            if (!read_decimal(&p, &v))
                return -1;
        }
    }
    if (!isfinite(total) || total > MAX_DURATION_S)
        return -1;
    *seconds = total;
    return 0;
}

/* Edit distance with adjacent transpositions (optimal string alignment),
 * for "did you mean".  Strings longer than 63 bytes compare as far apart. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *sdb_config_closest_name(const char *word, const void *table, int n,
                                    sdb_name_at_fn name_at)
{
    int limit = strlen(word) < 5 ? 1 : 2;
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int dist = edit_distance(word, name_at(table, i));
        if (dist < best_d) {
            best_d = dist;
            best = name_at(table, i);
        }
    }
    return best;
}

/* True when a key name looks like it holds a secret ("password",
 * "db_pass", "PassWord"...). */
static bool key_is_secret(const char *key)
{
    for (const char *s = key; *s; s++) {
        static const char pat[] = "pass";
        size_t i = 0;
        while (i < 4 && s[i] && (s[i] | 0x20) == pat[i])
            i++;
        if (i == 4)
            return true;
    }
    return false;
}

static bool one_of(const char *value, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(value, list[i]) == 0)
            return true;
    return false;
}

/* ====================================================================== */
/* Defaults                                                                */

/* A seed that differs from run to run: the clock and the pid, mixed with
 * splitmix64's finalizer. */
static uint64_t clock_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    z ^= (uint64_t)getpid() << 32;
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void sdb_config_init(sdb_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_source = SDB_SRC_DEFAULT;
    cfg->scale = DEFAULT_SCALE;
    cfg->duration_s = DEFAULT_DURATION_S;
    cfg->workers = DEFAULT_WORKERS;
    cfg->connections = DEFAULT_WORKERS;
    cfg->threads = 0;
    cfg->summary_interval_s = DEFAULT_SUMMARY_S;
    cfg->seed = clock_seed();
}

void sdb_config_free(sdb_config *cfg)
{
    char **strings[] = {
        &cfg->host, &cfg->port, &cfg->dbname, &cfg->user, &cfg->password,
        &cfg->sslmode, &cfg->config_path, &cfg->workload, &cfg->workload_where,
        &cfg->json_path
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
    for (int i = 0; i < cfg->nsettings; i++) {
        sdb_setting *st = &cfg->settings[i];
        free(st->name);
        free(st->value);
        free(st->name_where);
        free(st->where);
    }
    free(cfg->settings);
    cfg->settings = NULL;
    cfg->nsettings = 0;
}

/* Appends a parameter setting (copies of every string; the locations may be
 * NULL).  Returns 0, or -1 when out of memory (nothing appended). */
static int add_setting(sdb_config *cfg, const char *name, size_t name_len,
                       const char *value, const char *name_where, const char *where,
                       sdb_source source)
{
    sdb_setting *bigger = realloc(cfg->settings,
                                  ((size_t)cfg->nsettings + 1) * sizeof *bigger);
    if (bigger == NULL)
        return -1;
    cfg->settings = bigger;
    sdb_setting st = { strndup(name, name_len), strdup(value),
                       name_where ? strdup(name_where) : NULL,
                       where ? strdup(where) : NULL, source };
    if (!st.name || !st.value || (name_where && !st.name_where) || (where && !st.where)) {
        free(st.name);
        free(st.value);
        free(st.name_where);
        free(st.where);
        return -1;
    }
    cfg->settings[cfg->nsettings++] = st;
    return 0;
}

bool sdb_config_db_configured(const sdb_config *cfg)
{
    if (cfg->db_source == SDB_SRC_FILE || cfg->db_source == SDB_SRC_FLAG)
        return true;
    static const char *const vars[] = {
        "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", NULL
    };
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return true;
    }
    return false;
}

/* ====================================================================== */
/* YAML                                                                    */

typedef struct yaml_ctx {
    sdb_config *cfg;
    const char *path;
    FILE *err;
    yaml_document_t *doc;
    const char *text;         /* the file's bytes, for source lines */
    size_t len;               /* bytes */
    const yaml_node_t *key;   /* the key whose value is being checked */
    int errors;               /* count of errors reported */
} yaml_ctx;

/* The handler of one known key: checks the value node and stores it. */
typedef void (*key_fn)(yaml_ctx *y, const char *key, yaml_node_t *value);

typedef struct key_spec {
    const char *name;
    key_fn apply;             /* NULL: a key of the original not supported yet */
} key_spec;

static const char *spec_name_at(const void *table, int i)
{
    return ((const key_spec *)table)[i].name;
}

static const char *node_kind(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping"
         : n->type == YAML_SEQUENCE_NODE ? "a sequence" : "a scalar";
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* True when line (0-based) holds any part of a secret key or its value. */
static bool line_is_secret(const yaml_ctx *y, size_t line)
{
    yaml_document_t *doc = y->doc;
    for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (n->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            yaml_node_t *v = yaml_document_get_node(doc, p->value);
            if (k && v && k->type == YAML_SCALAR_NODE && key_is_secret(scalar(k))
                && line >= k->start_mark.line && line <= v->end_mark.line)
                return true;
        }
    }
    return false;
}

/* Prints source line m.line and a caret under m.column (a column counts
 * characters; tabs are copied so the caret lines up). */
static void print_source_line(const yaml_ctx *y, yaml_mark_t m)
{
    const char *s = y->text, *end = y->text + y->len;
    for (size_t line = 0; line < m.line && s < end; s++)
        if (*s == '\n')
            line++;
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (eol == NULL)
        eol = end;
    if (eol > s && eol[-1] == '\r')
        eol--;
    fprintf(y->err, "  %.*s\n  ", (int)(eol - s), s);
    size_t col = 0;
    for (const char *c = s; c < eol && col < m.column; c++) {
        if (((unsigned char)*c & 0xC0) == 0x80)
            continue;                       /* UTF-8 continuation byte */
        fputc(*c == '\t' ? '\t' : ' ', y->err);
        col++;
    }
    fputs("^\n", y->err);
}

/* Prints "FILE:LINE:COL: SEVERITY: message" for node n. */
static void vreport(const yaml_ctx *y, const yaml_node_t *n, const char *severity,
                    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void vreport(const yaml_ctx *y, const yaml_node_t *n, const char *severity,
                    const char *fmt, va_list ap)
{
    fprintf(y->err, "%s:%zu:%zu: %s: ", y->path, n->start_mark.line + 1,
            n->start_mark.column + 1, severity);
    vfprintf(y->err, fmt, ap);
    fputc('\n', y->err);
}

/* Reports an error at node n and counts it; with show_source, also prints
 * the source line and a caret unless a secret lies on that line. */
static void yaml_error(yaml_ctx *y, const yaml_node_t *n, bool show_source,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void yaml_error(yaml_ctx *y, const yaml_node_t *n, bool show_source,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(y, n, "error", fmt, ap);
    va_end(ap);
    if (show_source && !line_is_secret(y, n->start_mark.line))
        print_source_line(y, n->start_mark);
    y->errors++;
}

static void yaml_warning(yaml_ctx *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void yaml_warning(yaml_ctx *y, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(y, n, "warning", fmt, ap);
    va_end(ap);
}

static void yaml_oom(yaml_ctx *y, const yaml_node_t *n)
{
    yaml_error(y, n, false, "out of memory");
}

typedef enum { VAL_OK, VAL_NULL, VAL_BAD } val_status;

/* Checks that v is a scalar; `expects` names the valid form for the
 * message ("an integer from 1 to 10000").  Returns VAL_NULL for a YAML null
 * (the key then keeps its current value), VAL_BAD after reporting. */
static val_status want_scalar(yaml_ctx *y, const char *key, const yaml_node_t *v,
                              const char *expects)
{
    if (v->type != YAML_SCALAR_NODE) {
        /* at the key: a block collection starts on the line below it */
        yaml_error(y, y->key ? y->key : v, !key_is_secret(key),
                   "'%s' expects %s, not %s", key, expects, node_kind(v));
        return VAL_BAD;
    }
    if (strlen(scalar(v)) != v->data.scalar.length) {
        yaml_error(y, v, false, "'%s' contains a NUL character", key);
        return VAL_BAD;
    }
    if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
        if (one_of(scalar(v), nulls))
            return VAL_NULL;
    }
    return VAL_OK;
}

/* Reports a bad scalar value: the value is quoted (cut at MAX_ECHO bytes)
 * unless the key is secret. */
static void bad_value(yaml_ctx *y, const char *key, const yaml_node_t *v,
                      const char *expects)
{
    if (key_is_secret(key)) {
        yaml_error(y, v, false, "invalid value for '%s': expected %s", key, expects);
        return;
    }
    const char *text = scalar(v);
    int n = (int)strlen(text);
    yaml_error(y, v, true, "invalid value '%.*s%s' for '%s': expected %s",
               n > MAX_ECHO ? MAX_ECHO : n, text, n > MAX_ECHO ? "..." : "",
               key, expects);
}

static void range_text(char *buf, size_t len, int64_t lo, int64_t hi)
{
    snprintf(buf, len, "an integer from %lld to %lld", (long long)lo, (long long)hi);
}

/* An integer value in [lo, hi]; returns true and sets *out when valid. */
static bool yaml_int(yaml_ctx *y, const char *key, const yaml_node_t *v,
                     int64_t lo, int64_t hi, int64_t *out)
{
    char expects[80];
    range_text(expects, sizeof expects, lo, hi);
    if (want_scalar(y, key, v, expects) != VAL_OK)
        return false;
    int64_t n;
    if (!sdb_config_parse_int64(scalar(v), true, &n) || n < lo || n > hi) {
        bad_value(y, key, v, expects);
        return false;
    }
    *out = n;
    return true;
}

#define DURATION_FORM "a duration such as 90s, 1.5m, 1h30m or 500ms"

/* A duration value, > 0 (or >= 0 with zero_ok); returns true and sets
 * *out when valid. */
static bool yaml_duration(yaml_ctx *y, const char *key, const yaml_node_t *v,
                          bool zero_ok, double *out)
{
    const char *expects = zero_ok
        ? DURATION_FORM " (0 = off), at most 10 years"
        : DURATION_FORM ", greater than 0 and at most 10 years";
    if (want_scalar(y, key, v, expects) != VAL_OK)
        return false;
    double s;
    if (sdb_parse_duration(scalar(v), &s) != 0 || (s <= 0.0 && !zero_ok)) {
        bad_value(y, key, v, expects);
        return false;
    }
    *out = s;
    return true;
}

/* A text database field: any scalar; null or "" leaves it unset. */
static void yaml_db_text(yaml_ctx *y, const char *key, const yaml_node_t *v,
                         char **field)
{
    if (want_scalar(y, key, v, "a string") != VAL_OK || *scalar(v) == '\0')
        return;
    if (set_str(field, scalar(v)) != 0)
        yaml_oom(y, v);
    y->cfg->db_source = SDB_SRC_FILE;
}

static void db_host(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_db_text(y, key, v, &y->cfg->host);
}

static void db_dbname(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_db_text(y, key, v, &y->cfg->dbname);
}

static void db_username(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_db_text(y, key, v, &y->cfg->user);
}

static void db_password(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_db_text(y, key, v, &y->cfg->password);
}

static void db_port(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t port;
    if (!yaml_int(y, key, v, 1, 65535, &port))
        return;
    char text[8];
    snprintf(text, sizeof text, "%d", (int)port);
    if (set_str(&y->cfg->port, text) != 0)
        yaml_oom(y, v);
    y->cfg->db_source = SDB_SRC_FILE;
}

#define SSLMODE_FORM "one of disable, allow, prefer, require, verify-ca, verify-full"

static void db_sslmode(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    val_status st = want_scalar(y, key, v, SSLMODE_FORM);
    if (st != VAL_OK)
        return;
    if (!one_of(scalar(v), sslmodes)) {
        bad_value(y, key, v, SSLMODE_FORM);
        return;
    }
    if (set_str(&y->cfg->sslmode, scalar(v)) != 0)
        yaml_oom(y, v);
    y->cfg->db_source = SDB_SRC_FILE;
}

/* Writes "FILE:LINE:COL" of node n into buf. */
static void node_where(const yaml_ctx *y, const yaml_node_t *n, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%zu:%zu", y->path, n->start_mark.line + 1,
             n->start_mark.column + 1);
}

static void top_workload(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a workload type name") != VAL_OK)
        return;
    char where[512];
    node_where(y, v, where, sizeof where);
    if (set_str(&y->cfg->workload, scalar(v)) != 0
        || set_str(&y->cfg->workload_where, where) != 0)
        yaml_oom(y, v);
}

static void top_scale(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (yaml_int(y, key, v, 1, MAX_SCALE, &y->cfg->scale))
        y->cfg->scale_set = true;
}

static void top_duration(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_duration(y, key, v, false, &y->cfg->duration_s);
}

static void top_workers(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 1, MAX_WORKERS, &n))
        y->cfg->workers = (int)n;
}

static void top_connections(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 1, MAX_CONNECTIONS, &n)) {
        y->cfg->connections = (int)n;
        y->cfg->connections_set = true;
    }
}

static void top_summary_interval(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_duration(y, key, v, true, &y->cfg->summary_interval_s);
}

static void top_database(yaml_ctx *y, const char *key, yaml_node_t *v);
static void top_workload_config(yaml_ctx *y, const char *key, yaml_node_t *v);

static const key_spec database_keys[] = {
    { "host", db_host },
    { "port", db_port },
    { "dbname", db_dbname },
    { "username", db_username },
    { "password", db_password },
    { "sslmode", db_sslmode },
    { "type", NULL },
};

static const key_spec top_keys[] = {
    { "database", top_database },
    { "workload", top_workload },
    { "scale", top_scale },
    { "duration", top_duration },
    { "workers", top_workers },
    { "connections", top_connections },
    { "summary_interval", top_summary_interval },
    { "workload_config", top_workload_config },
    /* the original's other keys (audit §2.1), not supported yet */
    { "data_loading", NULL },
    { "mode", NULL },
    { "progressive", NULL },
    { "collect_pg_stats", NULL },
    { "pg_stats_statements", NULL },
    { "connection_mode", NULL },
    { "plugins", NULL },
    { "results_backend", NULL },
    { "test_metadata", NULL },
    { "metrics", NULL },
};

#define NKEYS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* The key of pair p of a mapping whose pairs start at first: reports and
 * returns NULL when it is not a scalar or was given before in the mapping;
 * otherwise writes prefix + key (for messages) into key and returns it. */
static yaml_node_t *mapping_key(yaml_ctx *y, const char *prefix, yaml_node_pair_t *first,
                                yaml_node_pair_t *p, char *key, size_t len)
{
    yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
    if (k->type != YAML_SCALAR_NODE) {
        yaml_error(y, k, true, "a key must be a plain name, not %s", node_kind(k));
        return NULL;
    }
    snprintf(key, len, "%s%s", prefix, scalar(k));
    for (yaml_node_pair_t *q = first; q < p; q++) {
        yaml_node_t *qk = yaml_document_get_node(y->doc, q->key);
        if (qk->type == YAML_SCALAR_NODE && strcmp(scalar(qk), scalar(k)) == 0) {
            yaml_error(y, k, true, "duplicate key '%s' (first given at line %zu)",
                       key, qk->start_mark.line + 1);
            return NULL;
        }
    }
    return k;
}

/* Walks mapping node m whose keys are described by specs[0..n); prefix is
 * "" at the top level, else "database." and so on. */
static void walk_mapping(yaml_ctx *y, const char *prefix, yaml_node_t *m,
                         const key_spec *specs, int n)
{
    yaml_node_pair_t *first = m->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = first; p < m->data.mapping.pairs.top; p++) {
        char key[256];
        yaml_node_t *k = mapping_key(y, prefix, first, p, key, sizeof key);
        yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
        if (k == NULL)
            continue;

        const key_spec *spec = NULL;
        for (int i = 0; i < n && !spec; i++)
            if (strcmp(specs[i].name, scalar(k)) == 0)
                spec = &specs[i];
        if (spec == NULL) {
            const char *guess = sdb_config_closest_name(scalar(k), specs, n, spec_name_at);
            if (guess)
                yaml_warning(y, k, "unknown key '%s' (did you mean '%s%s'?)",
                             key, prefix, guess);
            else
                yaml_warning(y, k, "unknown key '%s'", key);
        } else if (spec->apply == NULL) {
            yaml_warning(y, k, "'%s' is not supported yet; ignored", key);
        } else {
            y->key = k;
            spec->apply(y, key, v);
            y->key = NULL;
        }
    }
}

static void top_database(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (v->type == YAML_SCALAR_NODE && want_scalar(y, key, v, "") == VAL_NULL)
        return;
    if (v->type != YAML_MAPPING_NODE) {
        const yaml_node_t *at = v->type == YAML_SCALAR_NODE || !y->key ? v : y->key;
        yaml_error(y, at, true, "'%s' expects a mapping (host, port, dbname, ...), not %s",
                   key, node_kind(v));
        return;
    }
    walk_mapping(y, "database.", v, database_keys, NKEYS(database_keys));
}

/* workload_config: a mapping of parameter names to scalar values, kept as
 * text with their locations (params.c checks names and types later).  A
 * null value leaves the parameter at its default. */
static void top_workload_config(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (v->type == YAML_SCALAR_NODE && want_scalar(y, key, v, "") == VAL_NULL)
        return;
    if (v->type != YAML_MAPPING_NODE) {
        const yaml_node_t *at = v->type == YAML_SCALAR_NODE || !y->key ? v : y->key;
        yaml_error(y, at, true, "'%s' expects a mapping of the workload's parameters "
                   "(NAME: VALUE), not %s", key, node_kind(v));
        return;
    }
    yaml_node_pair_t *first = v->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = first; p < v->data.mapping.pairs.top; p++) {
        char name[256];
        yaml_node_t *k = mapping_key(y, "workload_config.", first, p, name, sizeof name);
        yaml_node_t *val = yaml_document_get_node(y->doc, p->value);
        if (k == NULL)
            continue;
        const yaml_node_t *saved = y->key;
        y->key = k;
        val_status st = want_scalar(y, name, val, "a scalar value (a number, true/false "
                                    "or a string)");
        y->key = saved;
        if (st != VAL_OK)
            continue;
        char name_where[512], where[512];
        node_where(y, k, name_where, sizeof name_where);
        node_where(y, val, where, sizeof where);
        if (add_setting(y->cfg, scalar(k), strlen(scalar(k)), scalar(val), name_where,
                        where, SDB_SRC_FILE) != 0)
            yaml_oom(y, val);
    }
}

/* Reads the whole file into a NUL-terminated buffer.  Returns NULL after
 * reporting. */
static char *read_file(const char *path, size_t *len, FILE *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(err, "%s: error: cannot open config file: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (used + 1 == cap) {
            char *bigger = cap >= (size_t)MAX_CONFIG_BYTES ? NULL : realloc(buf, cap * 2);
            if (bigger == NULL) {
                fprintf(err, "%s: error: config file too large (limit %ld MiB)\n",
                        path, MAX_CONFIG_BYTES >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + used, 1, cap - 1 - used, f);
        used += got;
        if (got == 0)
            break;
    }
    if (buf == NULL || ferror(f)) {
        fprintf(err, "%s: error: cannot read config file: %s\n", path,
                buf ? strerror(errno) : "out of memory");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* Reports libyaml's syntax error with its position; a tab at that position
 * gets a hint. */
static void syntax_error(const yaml_parser_t *parser, const char *path,
                         const char *text, size_t len, FILE *err)
{
    yaml_mark_t m = parser->problem_mark;
    fprintf(err, "%s:%zu:%zu: error: invalid YAML: %s", path, m.line + 1,
            m.column + 1, parser->problem ? parser->problem : "syntax error");
    if (parser->context)
        fprintf(err, " (%s at line %zu, column %zu)", parser->context,
                parser->context_mark.line + 1, parser->context_mark.column + 1);
    if (m.index < len && text[m.index] == '\t')
        fputs("; YAML does not allow tabs for indentation", err);
    fputc('\n', err);
}

int sdb_config_load_yaml(sdb_config *cfg, const char *path, FILE *err)
{
    size_t len = 0;
    char *text = read_file(path, &len, err);
    if (text == NULL)
        return 2;

    yaml_parser_t parser;
    yaml_document_t doc, extra;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(err, "%s: error: out of memory\n", path);
        free(text);
        return 2;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&parser, path, text, len, err);
        rc = 2;
    } else {
        yaml_ctx y = { cfg, path, err, &doc, text, len, NULL, 0 };
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL || (root->type == YAML_SCALAR_NODE
                             && want_scalar(&y, "", root, "") == VAL_NULL)) {
            /* an empty file: nothing to set */
        } else if (root->type != YAML_MAPPING_NODE) {
            yaml_error(&y, root, true,
                       "the top level must be a mapping of keys (workers: 8, ...), not %s",
                       node_kind(root));
        } else {
            walk_mapping(&y, "", root, top_keys, NKEYS(top_keys));
        }
        if (root && yaml_parser_load(&parser, &extra)) {
            yaml_node_t *next = yaml_document_get_root_node(&extra);
            if (next) {
                fprintf(err, "%s:%zu:%zu: error: more than one YAML document; "
                        "a config file holds one\n", path,
                        next->start_mark.line + 1, next->start_mark.column + 1);
                y.errors++;
            }
            yaml_document_delete(&extra);
        } else if (root) {
            syntax_error(&parser, path, text, len, err);
            y.errors++;
        }
        yaml_document_delete(&doc);
        rc = y.errors ? 2 : 0;
    }
    yaml_parser_delete(&parser);
    free(text);
    return rc;
}

/* ====================================================================== */
/* Command line                                                            */

enum {
    OPT_WORKERS = 256, OPT_CONNECTIONS, OPT_THREADS, OPT_HOST, OPT_PORT,
    OPT_DBNAME, OPT_SSLMODE, OPT_SETUP, OPT_CLEANUP, OPT_SCALE, OPT_NO_SUMMARY,
    OPT_SEED, OPT_JSON, OPT_EMBEDDED, OPT_KEEP_EMBEDDED, OPT_LIST, OPT_CHECK,
    OPT_LOAD_THREADS, OPT_NO_RUN
};

static const char short_opts[] = "+:c:d:w:u:p:rs:hVD:";

static const struct option long_opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "duration", required_argument, NULL, 'd' },
    { "workload", required_argument, NULL, 'w' },
    { "workers", required_argument, NULL, OPT_WORKERS },
    { "connections", required_argument, NULL, OPT_CONNECTIONS },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "host", required_argument, NULL, OPT_HOST },
    { "port", required_argument, NULL, OPT_PORT },
    { "dbname", required_argument, NULL, OPT_DBNAME },
    { "username", required_argument, NULL, 'u' },
    { "password", required_argument, NULL, 'p' },
    { "sslmode", required_argument, NULL, OPT_SSLMODE },
    { "setup", no_argument, NULL, OPT_SETUP },
    { "rebuild", no_argument, NULL, 'r' },
    { "cleanup", no_argument, NULL, OPT_CLEANUP },
    { "scale", required_argument, NULL, OPT_SCALE },
    { "summary-interval", required_argument, NULL, 's' },
    { "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
    { "seed", required_argument, NULL, OPT_SEED },
    { "json", required_argument, NULL, OPT_JSON },
    { "embedded", no_argument, NULL, OPT_EMBEDDED },
    { "keep-embedded", no_argument, NULL, OPT_KEEP_EMBEDDED },
    { "list", no_argument, NULL, OPT_LIST },
    { "set", required_argument, NULL, 'D' },
    { "check", no_argument, NULL, OPT_CHECK },
    { "no-run", no_argument, NULL, OPT_NO_RUN },
    { "load-threads", required_argument, NULL, OPT_LOAD_THREADS },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

/* "--workers" for OPT_WORKERS, "--duration" for 'd'. */
static const char *long_name(int opt)
{
    for (int i = 0; long_opts[i].name; i++)
        if (long_opts[i].val == opt)
            return long_opts[i].name;
    return "?";
}

/* Reports a getopt error (unknown option, missing or unwanted argument,
 * ambiguous abbreviation).  `c` is what getopt_long returned. */
static void option_error(const char *prog, int c, int argc, char **argv, FILE *err)
{
    const char *arg = (optind > 0 && optind - 1 < argc) ? argv[optind - 1] : "";
    bool is_long = strncmp(arg, "--", 2) == 0;
    int name_len = (int)strcspn(arg, "=");
    fprintf(err, "%s: error: ", prog);
    if (c == ':' && is_long) {
        fprintf(err, "option '%.*s' requires an argument\n", name_len, arg);
    } else if (c == ':') {
        fprintf(err, "option '-%c' requires an argument\n", optopt);
    } else if (is_long && optopt != 0) {
        fprintf(err, "option '%.*s' doesn't allow an argument\n", name_len, arg);
    } else if (is_long) {
        int matches = 0;
        for (int i = 0; long_opts[i].name; i++)
            if (strncmp(long_opts[i].name, arg + 2, (size_t)name_len - 2) == 0)
                matches++;
        fprintf(err, matches > 1 ? "option '%.*s' is ambiguous\n"
                                 : "unrecognized option '%.*s'\n", name_len, arg);
    } else {
        fprintf(err, "invalid option '-%c'\n", optopt);
    }
}

static void try_help(const char *prog, FILE *err)
{
    fprintf(err, "Try '%s --help'.\n", prog);
}

/* Parses an integer flag value in [lo, hi]; reports and returns false on
 * junk, overflow or out of range. */
static bool flag_int(const char *prog, int opt, const char *arg, int64_t lo,
                     int64_t hi, int64_t *out, FILE *err)
{
    int64_t n;
    if (!sdb_config_parse_int64(arg, false, &n) || n < lo || n > hi) {
        fprintf(err, "%s: error: invalid value '%.*s' for --%s: expected an integer "
                "from %lld to %lld\n", prog, MAX_ECHO, arg, long_name(opt),
                (long long)lo, (long long)hi);
        return false;
    }
    *out = n;
    return true;
}

static bool flag_duration(const char *prog, int opt, const char *arg, bool zero_ok,
                          double *out, FILE *err)
{
    double s;
    if (sdb_parse_duration(arg, &s) != 0 || (s <= 0.0 && !zero_ok)) {
        fprintf(err, "%s: error: invalid value '%.*s' for --%s: expected "
                DURATION_FORM "%s\n", prog, MAX_ECHO, arg, long_name(opt),
                zero_ok ? " (0 = off), at most 10 years"
                        : ", greater than 0 and at most 10 years");
        return false;
    }
    *out = s;
    return true;
}

/* Sets a database text field from a flag ("" leaves it unset). */
static bool flag_db_text(sdb_config *cfg, char **field, const char *arg)
{
    if (*arg == '\0')
        return true;
    cfg->db_source = SDB_SRC_FLAG;
    return set_str(field, arg) == 0;
}

/* Applies one option with its argument to cfg.  Returns false after
 * reporting an invalid value. */
static bool apply_flag(sdb_config *cfg, int opt, const char *arg, const char *prog,
                       FILE *err)
{
    int64_t n;
    bool ok = true, mem = true;
    switch (opt) {
    case 'c':
        mem = set_str(&cfg->config_path, arg) == 0;
        break;
    case 'd':
        ok = flag_duration(prog, opt, arg, false, &cfg->duration_s, err);
        cfg->duration_flag = true;
        break;
    case 'D': {
        size_t name_len = strcspn(arg, "=");
        if (name_len == 0 || arg[name_len] != '=') {
            fprintf(err, "%s: error: invalid value '%.*s' for --set: expected NAME=VALUE\n",
                    prog, MAX_ECHO, arg);
            ok = false;
        } else {
            mem = add_setting(cfg, arg, name_len, arg + name_len + 1, NULL, NULL,
                              SDB_SRC_FLAG) == 0;
        }
        break;
    }
    case OPT_CHECK:         cfg->check = true; break;
    case OPT_NO_RUN:        cfg->no_run = true; break;
    case OPT_LOAD_THREADS:
        if ((ok = flag_int(prog, opt, arg, 0, MAX_THREADS, &n, err)))
            cfg->load_threads = (int)n;
        break;
    case 'w':
        mem = set_str(&cfg->workload, arg) == 0 && set_str(&cfg->workload_where, NULL) == 0;
        break;
    case OPT_WORKERS:
        if ((ok = flag_int(prog, opt, arg, 1, MAX_WORKERS, &n, err)))
            cfg->workers = (int)n;
        break;
    case OPT_CONNECTIONS:
        if ((ok = flag_int(prog, opt, arg, 1, MAX_CONNECTIONS, &n, err))) {
            cfg->connections = (int)n;
            cfg->connections_set = true;
        }
        break;
    case OPT_THREADS:
        if ((ok = flag_int(prog, opt, arg, 0, MAX_THREADS, &n, err)))
            cfg->threads = (int)n;
        break;
    case OPT_HOST:
        mem = flag_db_text(cfg, &cfg->host, arg);
        break;
    case OPT_PORT:
        if ((ok = flag_int(prog, opt, arg, 1, 65535, &n, err))) {
            char text[8];
            snprintf(text, sizeof text, "%d", (int)n);
            mem = flag_db_text(cfg, &cfg->port, text);
        }
        break;
    case OPT_DBNAME:
        mem = flag_db_text(cfg, &cfg->dbname, arg);
        break;
    case 'u':
        mem = flag_db_text(cfg, &cfg->user, arg);
        break;
    case 'p':
        mem = flag_db_text(cfg, &cfg->password, arg);
        break;
    case OPT_SSLMODE:
        if (!one_of(arg, sslmodes)) {
            fprintf(err, "%s: error: invalid value '%.*s' for --sslmode: expected "
                    SSLMODE_FORM "\n", prog, MAX_ECHO, arg);
            ok = false;
        } else {
            mem = flag_db_text(cfg, &cfg->sslmode, arg);
        }
        break;
    case OPT_SETUP:         cfg->setup = true; break;
    case 'r':               cfg->rebuild = true; break;
    case OPT_CLEANUP:       cfg->cleanup = true; break;
    case OPT_SCALE:
        if ((ok = flag_int(prog, opt, arg, 1, MAX_SCALE, &cfg->scale, err)))
            cfg->scale_set = true;
        break;
    case 's':
        ok = flag_duration(prog, opt, arg, true, &cfg->summary_interval_s, err);
        break;
    case OPT_NO_SUMMARY:    cfg->no_summary = true; break;
    case OPT_SEED:
        if (!parse_digits(arg, false, UINT64_MAX, &cfg->seed)) {
            fprintf(err, "%s: error: invalid value '%.*s' for --seed: expected an "
                    "integer from 0 to %llu\n", prog, MAX_ECHO, arg,
                    (unsigned long long)UINT64_MAX);
            ok = false;
        } else {
            cfg->seed_set = true;
        }
        break;
    case OPT_JSON:
        mem = set_str(&cfg->json_path, arg) == 0;
        break;
    case OPT_EMBEDDED:      cfg->embedded = true; break;
    case OPT_KEEP_EMBEDDED: cfg->keep_embedded = true; break;
    case OPT_LIST:          cfg->list = true; break;
    case 'h':               cfg->help = true; break;
    case 'V':               cfg->version = true; break;
    default:
        break;
    }
    if (!mem) {
        fprintf(err, "%s: error: out of memory\n", prog);
        return false;
    }
    return ok;
}

static const char *mix_name_at(const void *table, int i)
{
    return ((const sdb_mix_def *)table)[i].name;
}

/* Checks cfg->workload against w's mixes; reports and returns false when
 * it names none of them. */
static bool check_workload(const sdb_config *cfg, const sdb_workload_def *w,
                           const char *prog, FILE *err)
{
    if (cfg->workload == NULL || w == NULL || w->nmixes == 0)
        return true;
    for (int i = 0; i < w->nmixes; i++)
        if (strcmp(w->mixes[i].name, cfg->workload) == 0)
            return true;
    if (cfg->workload_where)
        fprintf(err, "%s: error: unknown workload type '%.*s' for 'workload'",
                cfg->workload_where, MAX_ECHO, cfg->workload);
    else
        fprintf(err, "%s: error: unknown workload type '%.*s' for --workload",
                prog, MAX_ECHO, cfg->workload);
    const char *guess = sdb_config_closest_name(cfg->workload, w->mixes, w->nmixes, mix_name_at);
    if (guess)
        fprintf(err, " (did you mean '%s'?)", guess);
    fputs("; valid types:", err);
    for (int i = 0; i < w->nmixes; i++)
        fprintf(err, "%s %s", i ? "," : "", w->mixes[i].name);
    fputc('\n', err);
    return false;
}

int sdb_config_parse(sdb_config *cfg, int argc, char **argv,
                     const sdb_workload_def *w, FILE *err)
{
    char prog[160];
    snprintf(prog, sizeof prog, "stormdb-%s", w && w->name ? w->name : "?");
    if (argc < 1)
        argc = 1;                       /* no arguments at all: nothing to parse */

    /* Pass 1: the structure of the command line, -c, and the flags that
     * make the caller print and exit. */
    const char *config_path = NULL;
    bool print_and_exit = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            option_error(prog, c, argc, argv, err);
            try_help(prog, err);
            return 2;
        }
        if (c == 'c')
            config_path = optarg;
        if (c == 'h' || c == 'V' || c == OPT_LIST) {
            apply_flag(cfg, c, NULL, prog, err);
            print_and_exit = true;
        }
    }
    if (optind < argc) {
        fprintf(err, "%s: error: unexpected argument '%.*s'\n", prog, MAX_ECHO,
                argv[optind]);
        try_help(prog, err);
        return 2;
    }
    if (print_and_exit)
        return 0;

    /* The file, then pass 2: every flag over it. */
    int errors = 0;
    if (config_path && sdb_config_load_yaml(cfg, config_path, err) != 0)
        errors++;
    optind = 0;
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
        if (!apply_flag(cfg, c, optarg, prog, err))
            errors++;
    optind = 0;

    if (!cfg->connections_set)
        cfg->connections = cfg->workers;
    else if (cfg->connections < cfg->workers) {
        fprintf(err, "%s: error: connections (%d) must be at least workers (%d)\n",
                prog, cfg->connections, cfg->workers);
        errors++;
    }
    if (cfg->no_summary || cfg->summary_interval_s == 0.0) {
        cfg->no_summary = true;
        cfg->summary_interval_s = 0.0;
    }
    if (!check_workload(cfg, w, prog, err))
        errors++;
    return errors ? 2 : 0;
}

/* ====================================================================== */
/* --help                                                                  */

/* The length of the longest of the n names name_at(table, i), for
 * aligning a list. */
static int widest_name(const void *table, int n, sdb_name_at_fn name_at)
{
    int width = 0;
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(name_at(table, i));
        if (len > width)
            width = len;
    }
    return width;
}

static const char *param_name_at(const void *table, int i)
{
    return ((const sdb_param_def *)table)[i].name;
}

void sdb_config_print_types(const sdb_workload_def *w, FILE *out)
{
    int width = widest_name(w->mixes, w->nmixes, mix_name_at);
    for (int i = 0; i < w->nmixes; i++) {
        const char *desc = w->mixes[i].description ? w->mixes[i].description : "";
        fprintf(out, "  %-*s  %s%s%s\n", width, w->mixes[i].name, desc,
                (i == 0 && *desc) ? " " : "", i == 0 ? "(default)" : "");
    }
}

void sdb_config_usage(const sdb_workload_def *w, const char *argv0, FILE *out)
{
    (void)argv0;   /* the name is always stormdb-<workload>, whatever argv[0] */
    const char *name = w->name;
    const char *def_mix = w->nmixes > 0 ? w->mixes[0].name : "?";

    fprintf(out, "stormdb-%s", name);
    if (w->version && *w->version)
        fprintf(out, " %s", w->version);
    if (w->description && *w->description)
        fprintf(out, " - %s", w->description);
    fprintf(out, "\n\nUsage: stormdb-%s [OPTIONS]\n\n", name);
    fprintf(out, "Runs the %s benchmark against PostgreSQL and reports throughput\n"
                 "and latency.  Flags override the config file (-c).\n", name);

    fputs("\nConnection (unset fields come from libpq's PG* variables):\n"
          "      --host HOST            server host name or socket directory\n"
          "      --port PORT            server port, 1-65535\n"
          "      --dbname NAME          database name\n"
          "  -u, --username USER        database user\n"
          "  -p, --password PASSWORD    password (visible to other users in ps;\n"
          "                             prefer PGPASSWORD or ~/.pgpass)\n"
          "      --sslmode MODE         disable, allow, prefer, require, verify-ca\n"
          "                             or verify-full\n"
          "      --embedded             run against a throwaway local PostgreSQL cluster\n"
          "      --keep-embedded        do not remove the embedded cluster afterwards\n",
          out);

    fprintf(out, "\nWorkload:\n"
                 "  -w, --workload TYPE        workload type, see below (default: %s)\n"
                 "      --scale N              data size factor, 1-%lld (default: %d)\n"
                 "  -D, --set NAME=VALUE       set a workload parameter (repeatable; over\n"
                 "                             the config file's workload_config)\n",
            def_mix, (long long)MAX_SCALE, DEFAULT_SCALE);

    fprintf(out, "\nRun:\n"
                 "  -d, --duration D           how long to run (default: %gs)\n"
                 "      --workers N            concurrent sessions, 1-%d (default: %d)\n"
                 "      --connections N        database connections, at least the workers\n"
                 "                             (default: as many as workers)\n"
                 "      --threads N            client threads, 0-%d; 0 = automatic (default: 0)\n"
                 "      --seed N               random seed, for a repeatable run\n"
                 "                             (default: from the clock)\n",
            DEFAULT_DURATION_S, MAX_WORKERS, DEFAULT_WORKERS, MAX_THREADS);

    fputs("\nSetup:\n"
          "      --setup                create the schema and load the data when the\n"
          "                             tables are missing, then run\n"
          "  -r, --rebuild              drop the workload's tables, recreate and reload\n"
          "                             them, then run\n"
          "      --cleanup              drop the workload's tables\n"
          "      --load-threads N       loader connections, 0-1024; 0 = one per CPU,\n"
          "                             at least 2 (default: 0)\n"
          "      --no-run               set up (with --setup/--rebuild) and check, but\n"
          "                             do not run the workload\n"
          "      --check                run the workload's checks: alone, only them;\n"
          "                             with --duration, --setup or --rebuild, after\n"
          "                             the run\n", out);

    fprintf(out, "\nOutput:\n"
                 "  -s, --summary-interval D   print a progress line every D; 0 = never\n"
                 "                             (default: %gs)\n"
                 "      --no-summary           no progress lines\n"
                 "      --json FILE            also write the results as JSON to FILE\n",
            DEFAULT_SUMMARY_S);

    fputs("\nMisc:\n"
          "  -c, --config FILE          read settings from a StormDB YAML file\n"
          "      --list                 list the workload types and exit\n"
          "  -h, --help                 show this help and exit\n"
          "  -V, --version              show the version and exit\n", out);

    fputs("\nDurations are seconds (90) or numbers with units ns, us, ms, s, m, h\n"
          "(1.5m, 1h30m, 500ms).\n", out);

    fputs("\nWorkload types:\n", out);
    sdb_config_print_types(w, out);

    if (w->nparams > 0) {
        fputs("\nParameters (--set NAME=VALUE):\n", out);
        int width = widest_name(w->params, w->nparams, param_name_at);
        for (int i = 0; i < w->nparams; i++) {
            const sdb_param_def *pd = &w->params[i];
            fprintf(out, "  %-*s  %-6s  default: %s\n", width, pd->name,
                    sdb_params_type_name(pd->type), pd->default_text);
        }
    }

    fprintf(out, "\nEnvironment:\n"
                 "  libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD,\n"
                 "  PGSSLMODE, PGSERVICE, ...) supply the connection fields that flags and\n"
                 "  the config file leave unset.  With no database configured anywhere\n"
                 "  and no server answering at libpq's default address, stormdb-%s\n"
                 "  starts a throwaway embedded cluster (as --embedded does).\n", name);
}
