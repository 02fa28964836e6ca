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
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
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
#define MAX_QUERY_TIMEOUT_S    2147483.0   /* statement_timeout: INT_MAX ms */
#define DEFAULT_CONNECT_TIMEOUT_S 30
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
 * "db_pass", "PassWord"...), or is database.url (which may hold one). */
static bool key_is_secret(const char *key)
{
    size_t n = strlen(key);
    if (n >= 3 && strcmp(key + n - 3, "url") == 0)
        return true;
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
 * splitmix64's finalizer; 63 bits, so that JSON readers take it as a
 * plain (signed 64-bit) integer. */
static uint64_t clock_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    z ^= (uint64_t)getpid() << 32;
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return (z ^ (z >> 31)) & (uint64_t)INT64_MAX;
}

void sdb_config_init(sdb_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_source = SDB_SRC_DEFAULT;
    cfg->max_idle_connections = -1;
    cfg->connection_mode = SDB_CONNECTION_PERSISTENT;
    cfg->scale = DEFAULT_SCALE;
    cfg->duration_s = DEFAULT_DURATION_S;
    cfg->workers = DEFAULT_WORKERS;
    cfg->connections = DEFAULT_WORKERS;
    cfg->threads = 0;
    cfg->summary_interval_s = DEFAULT_SUMMARY_S;
    cfg->prometheus_port = -1;
    cfg->progressive.bands = 5;
    cfg->progressive.test_duration_s = 30;
    cfg->progressive.warmup_s = 10;
    cfg->progressive.cooldown_s = 5;
    cfg->progressive.enable_analysis = true;
    cfg->seed = clock_seed();
}

void sdb_config_free(sdb_config *cfg)
{
    char **strings[] = {
        &cfg->host, &cfg->port, &cfg->dbname, &cfg->user, &cfg->password,
        &cfg->sslmode, &cfg->config_path, &cfg->workload, &cfg->workload_where,
        &cfg->json_path, &cfg->csv_path, &cfg->html_path, &cfg->hdr_log_path, &cfg->sslcert, &cfg->sslkey, &cfg->sslrootcert,
        &cfg->sslpassword, &cfg->url, &cfg->mode, &cfg->loading_file, &cfg->loading_file_where,
        &cfg->progressive.export_csv,
        &cfg->progressive.export_json
    };
    for (int i = 0; i < cfg->nthresholds; i++) {
        free(cfg->thresholds[i]);
        free(cfg->thresholds_where[i]);
    }
    free(cfg->thresholds);
    free(cfg->thresholds_where);
    cfg->thresholds = NULL;
    cfg->thresholds_where = NULL;
    cfg->nthresholds = 0;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
    PQconninfoFree(cfg->url_opts);
    cfg->url_opts = NULL;
    for (int i = 0; i < cfg->norigins; i++) {
        free(cfg->origins[i].key);
        free(cfg->origins[i].where);
    }
    free(cfg->origins);
    cfg->origins = NULL;
    cfg->norigins = 0;
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

/* Records that key got its value from source at where (copied).  Out of
 * memory loses the record only (--print-config then shows an older one). */
static void note_origin(sdb_config *cfg, const char *key, sdb_source source,
                        const char *where)
{
    sdb_origin *bigger = realloc(cfg->origins,
                                 ((size_t)cfg->norigins + 1) * sizeof *bigger);
    if (bigger == NULL)
        return;
    cfg->origins = bigger;
    sdb_origin o = { strdup(key), source, where ? strdup(where) : NULL };
    if (o.key == NULL || (where && o.where == NULL)) {
        free(o.key);
        free(o.where);
        return;
    }
    cfg->origins[cfg->norigins++] = o;
}

/* The last origin recorded for key, or NULL. */
static const sdb_origin *find_origin(const sdb_config *cfg, const char *key)
{
    for (int i = cfg->norigins - 1; i >= 0; i--)
        if (strcmp(cfg->origins[i].key, key) == 0)
            return &cfg->origins[i];
    return NULL;
}

bool sdb_config_db_configured(const sdb_config *cfg)
{
    if (cfg->db_source != SDB_SRC_DEFAULT)
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
/* database.url                                                            */

/* Registers as secrets the password text as written in url (before any
 * percent-decoding): the userinfo password of a URI
 * ("postgres://u:PASS@h") and every "password=VALUE" (keyword form or URI
 * query; sslpassword= too), quotes stripped.  Best effort on purpose: it
 * also runs on a url libpq cannot parse, whose error may echo it. */
static void add_raw_url_secrets(const char *url)
{
    const char *scheme = strstr(url, "://");
    if (scheme && (size_t)(scheme - url) <= 10) {
        const char *auth = scheme + 3;
        size_t alen = strcspn(auth, "/?");
        const char *at = NULL;
        for (const char *c = auth; c < auth + alen; c++)
            if (*c == '@')
                at = c;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            char *pw = strndup(colon + 1, (size_t)(at - colon - 1));
            sdb_add_secret(pw);
            free(pw);
        }
    }
    for (const char *p = strstr(url, "password"); p; p = strstr(p + 1, "password")) {
        const char *v = p + 8;
        while (*v == ' ')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ')
            v++;
        size_t n;
        if (*v == '\'') {
            v++;
            n = strcspn(v, "'");
        } else {
            n = strcspn(v, " \t\n&");
        }
        char *pw = strndup(v, n);
        sdb_add_secret(pw);
        free(pw);
    }
}

/* The value of keyword in a parsed connection string, or NULL. */
static const char *conninfo_value(const PQconninfoOption *opts, const char *keyword)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0)
            return o->val;
    return NULL;
}

void sdb_config_register_secrets(const sdb_config *cfg)
{
    sdb_add_secret(cfg->password);
    sdb_add_secret(cfg->sslpassword);
    if (cfg->url) {
        add_raw_url_secrets(cfg->url);
        sdb_add_secret(conninfo_value(cfg->url_opts, "password"));
        sdb_add_secret(conninfo_value(cfg->url_opts, "sslpassword"));
    }
}

/* Parses url with libpq into *opts (replacing the old ones).  Returns 0,
 * or -1 with libpq's message, secrets scrubbed, in msg. */
static int parse_url(const char *url, PQconninfoOption **opts, char *msg, size_t len)
{
    add_raw_url_secrets(url);
    char *errmsg = NULL;
    PQconninfoOption *parsed = PQconninfoParse(url, &errmsg);
    if (parsed == NULL) {
        sdb_scrub(msg, len, errmsg ? errmsg : "out of memory");
        size_t n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        PQfreemem(errmsg);
        return -1;
    }
    sdb_add_secret(conninfo_value(parsed, "password"));
    sdb_add_secret(conninfo_value(parsed, "sslpassword"));
    PQconninfoFree(*opts);
    *opts = parsed;
    return 0;
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
    const struct key_spec *spec; /* ... and its table entry */
    int errors;               /* count of errors reported */
} yaml_ctx;

/* The handler of one known key: checks the value node and stores it. */
typedef void (*key_fn)(yaml_ctx *y, const char *key, yaml_node_t *value);

typedef struct key_spec {
    const char *name;
    key_fn apply;             /* NULL: a key of the original not supported yet */
    bool pending;             /* checked and stored, but not used yet: warn */
    size_t field;             /* db_text, the progressive keys: offsetof the
                               * field in sdb_config */
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

#define SOURCE_WINDOW 160   /* bytes of a long source line shown */

/* Prints source line m.line and a caret under m.column (a column counts
 * characters; tabs are copied so the caret lines up); of a line longer
 * than SOURCE_WINDOW bytes, only that much around the column. */
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
    /* a long line: a window of it around the column */
    const char *caret = s;
    for (size_t col = 0; caret < eol && col < m.column; caret++)
        if (((unsigned char)*caret & 0xC0) != 0x80)
            col++;
    const char *from = s, *to = eol;
    if (caret - from > SOURCE_WINDOW / 2)
        from = caret - SOURCE_WINDOW / 2;
    if (to - from > SOURCE_WINDOW)
        to = from + SOURCE_WINDOW;
    while (from > s && ((unsigned char)*from & 0xC0) == 0x80)
        from--;
    while (to < eol && ((unsigned char)*to & 0xC0) == 0x80)
        to++;
    const char *lead = from > s ? "..." : "";
    fprintf(y->err, "  %s%.*s%s\n  %s", lead, (int)(to - from), from, to < eol ? "..." : "",
            from > s ? "   " : "");
    size_t col = 0;
    for (const char *c = from; c < caret; c++) {
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

/* Appends a threshold expression (checked later, against the workload)
 * with where it came from (NULL for a flag).  Returns 0, or -1 when out of
 * memory. */
static int add_threshold(sdb_config *cfg, const char *text, const char *where)
{
    char **list = realloc(cfg->thresholds, (size_t)(cfg->nthresholds + 1) * sizeof *list);
    if (list)
        cfg->thresholds = list;
    char **wl = realloc(cfg->thresholds_where, (size_t)(cfg->nthresholds + 1) * sizeof *wl);
    if (wl)
        cfg->thresholds_where = wl;
    char *copy = strdup(text);
    char *wcopy = where ? strdup(where) : NULL;
    if (!list || !wl || !copy || (where && !wcopy)) {
        free(copy);
        free(wcopy);
        return -1;
    }
    cfg->thresholds[cfg->nthresholds] = copy;
    cfg->thresholds_where[cfg->nthresholds] = wcopy;
    cfg->nthresholds++;
    return 0;
}

#define RATE_MAX 1e8
#define RATE_FORM "a number of transactions per second, greater than 0 and at most 1e8"
#define LATENCY_LIMIT_FORM "milliseconds (5, 2.5) or a duration (500us, 1s), greater than 0"

/* --rate / rate: a positive finite number up to RATE_MAX. */
static bool parse_rate(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v > 0.0) || v > RATE_MAX)
        return false;
    *out = v;
    return true;
}

/* --latency-limit / latency_limit: a plain number is milliseconds (as
 * pgbench's), otherwise a duration with units. */
static bool parse_latency_limit(const char *text, double *seconds)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end != text && *end == '\0' && errno == 0 && isfinite(v)) {
        if (!(v > 0.0) || v > 3.6e6)
            return false;
        *seconds = v / 1e3;
        return true;
    }
    double s;
    if (sdb_parse_duration(text, &s) != 0 || !(s > 0.0))
        return false;
    *seconds = s;
    return true;
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

/* True when v is a plain YAML null (the key then keeps its value). */
static bool is_null(const yaml_node_t *v)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
    return v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
        && one_of(scalar(v), nulls);
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

/* A text database field (the string at offset y->spec->field of sdb_config):
 * any scalar; null or "" leaves it unset.  A secret key's value is
 * registered with the scrubber at once. */
static void db_text(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a string") != VAL_OK || *scalar(v) == '\0')
        return;
    char **field = (char **)((char *)y->cfg + y->spec->field);
    if (set_str(field, scalar(v)) != 0)
        yaml_oom(y, v);
    if (key_is_secret(key))
        sdb_add_secret(*field);
    y->cfg->db_source = SDB_SRC_FILE;
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

/* database.url: checked by libpq's own parser now, so a typo is located in
 * the file rather than reported at connect time. */
static void db_url(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a libpq connection string or URI") != VAL_OK
        || *scalar(v) == '\0')
        return;
    char msg[400];
    if (parse_url(scalar(v), &y->cfg->url_opts, msg, sizeof msg) != 0) {
        yaml_error(y, v, false, "invalid value for '%s': expected a libpq connection "
                   "string or URI (%s)", key, msg);
        return;
    }
    if (set_str(&y->cfg->url, scalar(v)) != 0)
        yaml_oom(y, v);
    y->cfg->db_source = SDB_SRC_FILE;
}

/* database.type: the original's only type; anything else is refused. */
static void db_type(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    static const char *const types[] = { "postgres", "postgresql", "PostgreSQL", NULL };
    if (want_scalar(y, key, v, "postgres") == VAL_OK && !one_of(scalar(v), types))
        bad_value(y, key, v, "postgres (stormdb drives PostgreSQL only)");
}

static void db_connection_timeout(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_duration(y, key, v, false, &y->cfg->connect_timeout_s);
}

static void db_query_timeout(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    double s = 0.0;
    if (!yaml_duration(y, key, v, true, &s))
        return;
    if (s > MAX_QUERY_TIMEOUT_S) {
        bad_value(y, key, v, "a duration of at most 24 days (PostgreSQL's "
                  "statement_timeout limit); 0 = none");
        return;
    }
    y->cfg->query_timeout_s = s;
}

static void db_max_connections(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 1, MAX_CONNECTIONS, &n))
        y->cfg->max_connections = (int)n;
}

static void db_max_idle_connections(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 0, MAX_CONNECTIONS, &n))
        y->cfg->max_idle_connections = (int)n;
}

static void db_max_lifetime(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_duration(y, key, v, true, &y->cfg->conn_max_lifetime_s);
}

static void db_max_idle_time(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_duration(y, key, v, true, &y->cfg->conn_max_idle_time_s);
}

/* A boolean: YAML 1.1's true/false, yes/no, on/off (any case). */
/* The YAML 1.1 spellings of a boolean: 1 for true, 0 for false, -1 for
 * any other text. */
static int bool_word(const char *text)
{
    static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
                                       "on", "On", "ON", NULL };
    static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
                                      "off", "Off", "OFF", NULL };
    return one_of(text, yes) ? 1 : one_of(text, no) ? 0 : -1;
}

static bool yaml_bool(yaml_ctx *y, const char *key, const yaml_node_t *v, bool *out)
{
    if (want_scalar(y, key, v, "true or false") != VAL_OK)
        return false;
    int b = bool_word(scalar(v));
    if (b < 0) {
        bad_value(y, key, v, "true or false");
        return false;
    }
    *out = b == 1;
    return true;
}

static void top_collect_pg_stats(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_bool(y, key, v, &y->cfg->collect_pg_stats);
}

static void top_pg_stats_statements(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_bool(y, key, v, &y->cfg->pg_stats_statements);
}

#define CONNECTION_MODE_FORM "one of persistent, transient, mixed"

static void top_connection_mode(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    static const char *const modes[] = { "persistent", "transient", "mixed", NULL };
    if (want_scalar(y, key, v, CONNECTION_MODE_FORM) != VAL_OK)
        return;
    for (int i = 0; modes[i]; i++) {
        if (strcmp(scalar(v), modes[i]) == 0) {
            y->cfg->connection_mode = (sdb_connection_mode)i;
            y->cfg->connection_mode_set = true;
            return;
        }
    }
    bad_value(y, key, v, CONNECTION_MODE_FORM);
}

static void top_mode(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a string") == VAL_OK && set_str(&y->cfg->mode, scalar(v)) != 0)
        yaml_oom(y, v);
}

static void node_where(const yaml_ctx *y, const yaml_node_t *n, char *buf, size_t len);

/* data_loading.mode: `generate` (the workload's `load` blocks), `sql` (a
 * SQL file that creates and fills the tables, run with psql) or `dump` (a
 * pg_dump file, restored) with data_loading.filepath. */
static void loading_mode(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    static const char *const modes[] = { "generate", "sql", "dump", NULL };
    if (want_scalar(y, key, v, "one of generate, sql, dump") != VAL_OK)
        return;
    int m = 0;
    while (modes[m] && strcmp(modes[m], scalar(v)) != 0)
        m++;
    if (!modes[m]) {
        bad_value(y, key, v, "one of generate, sql, dump");
        return;
    }
    y->cfg->loading_mode = m;
    char where[512];
    node_where(y, v, where, sizeof where);
    if (set_str(&y->cfg->loading_file_where, where) != 0)
        yaml_oom(y, v);
}

static void loading_filepath(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a file name") != VAL_OK)
        return;
    if (*scalar(v) == '\0')
        bad_value(y, key, v, "a file name");
    else if (set_str(&y->cfg->loading_file, scalar(v)) != 0)
        yaml_oom(y, v);
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

static void top_rate(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, RATE_FORM) == VAL_OK && !parse_rate(scalar(v), &y->cfg->rate_tps))
        bad_value(y, key, v, RATE_FORM);
}

static void top_latency_limit(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, LATENCY_LIMIT_FORM) == VAL_OK
        && !parse_latency_limit(scalar(v), &y->cfg->latency_limit_s))
        bad_value(y, key, v, LATENCY_LIMIT_FORM);
}

static void top_hdr_log(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_scalar(y, key, v, "a file name") != VAL_OK)
        return;
    if (*scalar(v) == '\0')
        bad_value(y, key, v, "a file name");
    else if (set_str(&y->cfg->hdr_log_path, scalar(v)) != 0)
        yaml_oom(y, v);
}

static void top_prometheus_port(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 0, 65535, &n))
        y->cfg->prometheus_port = (int)n;
}

static void top_on_error(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    static const char *const modes[] = { "continue", "stop", NULL };
    if (want_scalar(y, key, v, "continue or stop") != VAL_OK)
        return;
    if (!one_of(scalar(v), modes))
        bad_value(y, key, v, "continue or stop");
    else
        y->cfg->on_error_stop = strcmp(scalar(v), "stop") == 0;
}

static void top_max_errors(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_int(y, key, v, 0, INT64_MAX, &y->cfg->max_errors);
}

static void top_abort_on_fail(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_bool(y, key, v, &y->cfg->abort_on_fail);
}

/* thresholds: a sequence of expressions (or one expression). */
static void top_thresholds(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    char where[512];
    if (v->type == YAML_SCALAR_NODE) {
        if (want_scalar(y, key, v, "a list of threshold expressions") != VAL_OK)
            return;
        node_where(y, v, where, sizeof where);
        if (add_threshold(y->cfg, scalar(v), where) != 0)
            yaml_oom(y, v);
        return;
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        yaml_error(y, y->key ? y->key : v, true, "'%s' expects a list of threshold "
                   "expressions such as ['p99<5ms', 'error_rate<0.1%%'], not %s",
                   key, node_kind(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(y->doc, *it);
        if (item->type != YAML_SCALAR_NODE || is_null(item)) {
            yaml_error(y, item, true, "each item of '%s' must be a threshold expression "
                       "such as 'p99<5ms'", key);
            continue;
        }
        if (strlen(scalar(item)) != item->data.scalar.length) {
            yaml_error(y, item, false, "'%s' contains a NUL character", key);
            continue;
        }
        node_where(y, item, where, sizeof where);
        if (add_threshold(y->cfg, scalar(item), where) != 0)
            yaml_oom(y, item);
    }
}

static void top_database(yaml_ctx *y, const char *key, yaml_node_t *v);
static void top_data_loading(yaml_ctx *y, const char *key, yaml_node_t *v);
static void top_progressive(yaml_ctx *y, const char *key, yaml_node_t *v);
static void top_workload_config(yaml_ctx *y, const char *key, yaml_node_t *v);

/* The keys of the original StormDB (its README and audit §2.1).  `pending`:
 * the value is checked and stored in sdb_config, but nothing uses it yet,
 * so the user is told it is ignored; flip it when the engine reads the
 * field.  A NULL handler: a key or section of the original not supported
 * (one warning for the whole section). */
static const key_spec database_keys[] = {
    { "host", db_text, false, offsetof(sdb_config, host) },
    { "port", db_port, false, 0 },
    { "dbname", db_text, false, offsetof(sdb_config, dbname) },
    { "username", db_text, false, offsetof(sdb_config, user) },
    { "password", db_text, false, offsetof(sdb_config, password) },
    { "sslmode", db_sslmode, false, 0 },
    { "sslcert", db_text, false, offsetof(sdb_config, sslcert) },
    { "sslkey", db_text, false, offsetof(sdb_config, sslkey) },
    { "sslrootcert", db_text, false, offsetof(sdb_config, sslrootcert) },
    { "sslpassword", db_text, false, offsetof(sdb_config, sslpassword) },
    { "url", db_url, false, 0 },
    { "type", db_type, false, 0 },
    { "connection_timeout", db_connection_timeout, false, 0 },
    { "query_timeout", db_query_timeout, false, 0 },
    { "connections", top_connections, false, 0 },       /* README alias */
    { "max_connections", db_max_connections, true, 0 },
    { "max_idle_connections", db_max_idle_connections, true, 0 },
    { "connection_max_lifetime", db_max_lifetime, true, 0 },
    { "connection_max_idle_time", db_max_idle_time, true, 0 },
    { "production_data_forbidden", NULL, false, 0 },
    { "require_test_suffix", NULL, false, 0 },
};

static const key_spec data_loading_keys[] = {
    { "mode", loading_mode, false, 0 },
    { "filepath", loading_filepath, false, 0 },
    { "batch_size", NULL, false, 0 },
    { "max_memory_mb", NULL, false, 0 },
};

static const key_spec top_keys[] = {
    { "database", top_database, false, 0 },
    { "workload", top_workload, false, 0 },
    { "scale", top_scale, false, 0 },
    { "duration", top_duration, false, 0 },
    { "workers", top_workers, false, 0 },
    { "connections", top_connections, false, 0 },
    { "summary_interval", top_summary_interval, false, 0 },
    { "workload_config", top_workload_config, false, 0 },
    { "data_loading", top_data_loading, false, 0 },
    { "connection_timeout", db_connection_timeout, false, 0 },  /* README alias */
    { "mode", top_mode, true, 0 },
    { "collect_pg_stats", top_collect_pg_stats, false, 0 },
    { "pg_stats_statements", top_pg_stats_statements, false, 0 },
    { "connection_mode", top_connection_mode, false, 0 },
    { "rate", top_rate, false, 0 },
    { "latency_limit", top_latency_limit, false, 0 },
    { "thresholds", top_thresholds, false, 0 },
    { "abort_on_fail", top_abort_on_fail, false, 0 },
    { "on_error", top_on_error, false, 0 },
    { "max_errors", top_max_errors, false, 0 },
    { "hdr_log", top_hdr_log, false, 0 },
    { "prometheus_port", top_prometheus_port, false, 0 },
    { "idle_timeout", db_max_idle_time, true, 0 },              /* README alias */
    { "max_lifetime", db_max_lifetime, true, 0 },               /* README alias */
    { "progressive", top_progressive, false, 0 },
    /* the original's other keys and sections, not supported yet */
    { "plugins", NULL, false, 0 },
    { "metrics", NULL, false, 0 },
    { "results_backend", NULL, false, 0 },
    { "test_metadata", NULL, false, 0 },
    { "batch_size", NULL, false, 0 },
    { "think_time", NULL, false, 0 },
    { "data_generation", NULL, false, 0 },
    { "query_optimization", NULL, false, 0 },
    { "security", NULL, false, 0 },
    { "logging", NULL, false, 0 },
    { "audit", NULL, false, 0 },
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
            int errors = y->errors;
            y->key = k;
            y->spec = spec;
            spec->apply(y, key, v);
            y->key = NULL;
            y->spec = NULL;
            if (y->errors == errors && !is_null(v)) {
                char where[512];
                snprintf(where, sizeof where, "%s:%zu", y->path, k->start_mark.line + 1);
                note_origin(y->cfg, key, SDB_SRC_FILE, where);
                if (spec->pending)
                    yaml_warning(y, k, "'%s' is not supported yet; ignored", key);
            }
        }
    }
}

/* Checks that section `key` holds a mapping; `contents` names what goes in
 * it, for the message.  Returns false for a null (nothing to do) or after
 * reporting another kind of node. */
static bool want_mapping(yaml_ctx *y, const char *key, yaml_node_t *v, const char *contents)
{
    if (v->type == YAML_SCALAR_NODE && want_scalar(y, key, v, "") == VAL_NULL)
        return false;
    if (v->type != YAML_MAPPING_NODE) {
        const yaml_node_t *at = v->type == YAML_SCALAR_NODE || !y->key ? v : y->key;
        yaml_error(y, at, true, "'%s' expects a mapping %s, not %s", key, contents,
                   node_kind(v));
        return false;
    }
    return true;
}

static void top_database(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_mapping(y, key, v, "(host, port, dbname, ...)"))
        walk_mapping(y, "database.", v, database_keys, NKEYS(database_keys));
}

static void prog_enabled(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_bool(y, key, v, &y->cfg->progressive.enabled);
}

static void prog_strategy(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    static const char *const names[] = { "linear", "exponential", "fibonacci", "synchronized",
                                         "balanced", NULL };
    const char *form = "linear, exponential, fibonacci or synchronized";
    if (want_scalar(y, key, v, form) != VAL_OK)
        return;
    int i = 0;
    while (names[i] && strcmp(names[i], scalar(v)) != 0)
        i++;
    if (!names[i])
        bad_value(y, key, v, form);
    else   /* balanced: the original's evenly spaced bands, our linear */
        y->cfg->progressive.strategy = i == 4 ? SDB_PROG_LINEAR : (sdb_prog_strategy)i;
}

/* The progressive field at offset y->spec->field of sdb_config. */
static void *prog_field(yaml_ctx *y)
{
    return (char *)y->cfg + y->spec->field;
}

/* A count of workers (min_workers, max_workers). */
static void prog_workers(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 1, MAX_WORKERS, &n))
        *(int *)prog_field(y) = (int)n;
}

/* A count of connections (min_connections, max_connections). */
static void prog_connections(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 1, MAX_CONNECTIONS, &n))
        *(int *)prog_field(y) = (int)n;
}

static void prog_bands(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    int64_t n;
    if (yaml_int(y, key, v, 2, 64, &n)) {
        y->cfg->progressive.bands = (int)n;
        y->cfg->progressive.bands_set = true;
    }
}

/* test_duration (positive), warmup_duration and cooldown_duration (0 allowed). */
static void prog_duration(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    double *field = prog_field(y);
    yaml_duration(y, key, v, field != &y->cfg->progressive.test_duration_s, field);
}

static void prog_export(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    char **field = prog_field(y);
    bool csv = field == &y->cfg->progressive.export_csv;
    if (want_scalar(y, key, v, "a file name, true or false") != VAL_OK)
        return;
    const char *text = scalar(v);
    int b = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? bool_word(text) : -1;
    if (b == 0)
        text = NULL;
    else if (b == 1)
        text = csv ? "progressive.csv" : "progressive.json";
    else if (*text == '\0')
        text = NULL;
    if (set_str(field, text) != 0)
        yaml_oom(y, v);
}

static void prog_analysis(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    yaml_bool(y, key, v, &y->cfg->progressive.enable_analysis);
}

static void prog_budget(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    double s;
    if (yaml_duration(y, key, v, true, &s))
        y->cfg->progressive.latency_budget_ms = s * 1e3;
}

static const key_spec progressive_keys[] = {
    { "enabled", prog_enabled, false, 0 },
    { "strategy", prog_strategy, false, 0 },
    { "min_workers", prog_workers, false, offsetof(sdb_config, progressive.min_workers) },
    { "max_workers", prog_workers, false, offsetof(sdb_config, progressive.max_workers) },
    { "min_connections", prog_connections, false,
      offsetof(sdb_config, progressive.min_connections) },
    { "max_connections", prog_connections, false,
      offsetof(sdb_config, progressive.max_connections) },
    { "bands", prog_bands, false, 0 },
    { "test_duration", prog_duration, false, offsetof(sdb_config, progressive.test_duration_s) },
    { "warmup_duration", prog_duration, false, offsetof(sdb_config, progressive.warmup_s) },
    { "cooldown_duration", prog_duration, false, offsetof(sdb_config, progressive.cooldown_s) },
    { "export_csv", prog_export, false, offsetof(sdb_config, progressive.export_csv) },
    { "export_json", prog_export, false, offsetof(sdb_config, progressive.export_json) },
    { "enable_analysis", prog_analysis, false, 0 },
    { "latency_budget", prog_budget, false, 0 },
    /* the original's other keys, not used */
    { "max_latency_samples", NULL, false, 0 },
    { "memory_limit_mb", NULL, false, 0 },
    { "step_workers", NULL, false, 0 },
    { "step_connections", NULL, false, 0 },
    { "band_duration", NULL, false, 0 },
    { "warmup_time", NULL, false, 0 },
    { "cooldown_time", NULL, false, 0 },
    { "export_format", NULL, false, 0 },
    { "export_path", NULL, false, 0 },
};

static void top_progressive(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_mapping(y, key, v, "(enabled, strategy, min_workers, ...)"))
        walk_mapping(y, "progressive.", v, progressive_keys, NKEYS(progressive_keys));
}

static void top_data_loading(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (want_mapping(y, key, v, "(mode, filepath, ...)"))
        walk_mapping(y, "data_loading.", v, data_loading_keys, NKEYS(data_loading_keys));
}

/* workload_config: a mapping of parameter names to scalar values, kept as
 * text with their locations (params.c checks names and types later).  A
 * null value leaves the parameter at its default. */
static void top_workload_config(yaml_ctx *y, const char *key, yaml_node_t *v)
{
    if (!want_mapping(y, key, v, "of the workload's parameters (NAME: VALUE)"))
        return;
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

/* ---- ${VAR} expansion ---------------------------------------------------- */

/* Reports an expansion error at byte `offset` of scalar v's text: the
 * column is exact for a one-line scalar, else the value's start. */
static void expand_error(yaml_ctx *y, const yaml_node_t *v, size_t offset,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void expand_error(yaml_ctx *y, const yaml_node_t *v, size_t offset,
                         const char *fmt, ...)
{
    yaml_node_t at = *v;
    bool quoted = v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
               || v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    bool plain = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (v->start_mark.line == v->end_mark.line && (plain || quoted)) {
        size_t chars = 0;
        for (size_t i = 0; i < offset; i++)
            chars += (((unsigned char)scalar(v)[i]) & 0xC0) != 0x80;
        at.start_mark.column += chars + (quoted ? 1 : 0);
    }
    va_list ap;
    va_start(ap, fmt);
    vreport(y, &at, "error", fmt, ap);
    va_end(ap);
    if (!line_is_secret(y, at.start_mark.line))
        print_source_line(y, at.start_mark);
    y->errors++;
}

/* Expands one ${...} reference starting at text[*i] ("${"), appending the
 * result to out; advances *i past the '}'.  Returns false after reporting. */
static bool expand_ref(yaml_ctx *y, const yaml_node_t *v, const char *key,
                       size_t *i, FILE *out)
{
    const char *text = scalar(v), *ref = text + *i;
    const char *close = strchr(ref, '}');
    if (close == NULL) {
        expand_error(y, v, *i, "unterminated '${' in the value of '%s' (write $$ for a "
                     "literal '$')", key);
        *i = strlen(text);
        return false;
    }
    size_t name_len = 0;
    const char *name = ref + 2;
    while ((name[name_len] >= 'A' && name[name_len] <= 'Z')
           || (name[name_len] >= 'a' && name[name_len] <= 'z') || name[name_len] == '_'
           || (name_len > 0 && name[name_len] >= '0' && name[name_len] <= '9'))
        name_len++;
    const char *after = name + name_len;
    bool has_default = strncmp(after, ":-", 2) == 0;
    if (name_len == 0 || (!has_default && after != close)) {
        expand_error(y, v, *i, "invalid reference '%.*s' in the value of '%s': expected "
                     "${NAME} or ${NAME:-default}", (int)(close - ref + 1), ref, key);
        *i = (size_t)(close - text) + 1;
        return false;
    }
    char *var = strndup(name, name_len);
    const char *value = var ? getenv(var) : NULL;
    if (has_default && (value == NULL || *value == '\0'))
        fwrite(after + 2, 1, (size_t)(close - after - 2), out);
    else if (value != NULL)
        fputs(value, out);
    else
        expand_error(y, v, *i, "environment variable '%.*s' is not set (used by '%s'); "
                     "set it, or give a default: ${%.*s:-VALUE}", MAX_ECHO, var ? var : "?",
                     key, MAX_ECHO, var ? var : "?");
    bool ok = has_default || value != NULL;
    free(var);
    *i = (size_t)(close - text) + 1;
    return ok;
}

/* Expands ${VAR}, ${VAR:-default} and $$ in scalar v (the value of key),
 * replacing its text in the document.  Other '$' are kept. */
static void expand_scalar(yaml_ctx *y, yaml_node_t *v, const char *key)
{
    const char *text = scalar(v);
    if (strchr(text, '$') == NULL)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL) {
        yaml_oom(y, v);
        return;
    }
    bool ok = true;
    for (size_t i = 0; text[i];) {
        if (text[i] == '$' && text[i + 1] == '$') {
            fputc('$', out);
            i += 2;
        } else if (text[i] == '$' && text[i + 1] == '{') {
            ok = expand_ref(y, v, key, &i, out) && ok;
        } else {
            fputc(text[i++], out);
        }
    }
    if (fclose(out) != 0 || buf == NULL) {
        free(buf);
        yaml_oom(y, v);
        return;
    }
    if (!ok) {
        free(buf);
        return;
    }
    free(v->data.scalar.value);           /* libyaml allocates with malloc */
    v->data.scalar.value = (yaml_char_t *)buf;
    v->data.scalar.length = len;
}

/* Expands the variables in every scalar value of the document (mapping
 * values and sequence items; keys are names, never expanded).  A node
 * reached twice (a YAML alias) is expanded once. */
static void expand_document(yaml_ctx *y)
{
    yaml_document_t *doc = y->doc;
    size_t nnodes = (size_t)(doc->nodes.top - doc->nodes.start);
    bool *done = calloc(nnodes + 1, sizeof *done);
    if (done == NULL) {
        yaml_oom(y, yaml_document_get_root_node(doc));
        return;
    }
    for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        bool map = n->type == YAML_MAPPING_NODE;
        if (!map && n->type != YAML_SEQUENCE_NODE)
            continue;
        size_t count = map ? (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)
                           : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        for (size_t i = 0; i < count; i++) {
            int id = map ? n->data.mapping.pairs.start[i].value : n->data.sequence.items.start[i];
            yaml_node_t *v = yaml_document_get_node(doc, id);
            if (v == NULL || v->type != YAML_SCALAR_NODE || done[id])
                continue;
            done[id] = true;
            const char *key = "a list item";
            if (map) {
                yaml_node_t *k = yaml_document_get_node(doc, n->data.mapping.pairs.start[i].key);
                key = k && k->type == YAML_SCALAR_NODE ? scalar(k) : "?";
            }
            expand_scalar(y, v, key);
        }
    }
    free(done);
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
    int rc = sdb_config_load_yaml_text(cfg, path, text, len, err);
    free(text);
    return rc;
}

#define MAX_YAML_DEPTH 64   /* collections nested deeper: not a config file */

/* Streams text's events and returns false, after reporting, when its
 * collections nest deeper than MAX_YAML_DEPTH.  libyaml's scanner costs
 * time in proportion to the flow depth for every token, so a deep input
 * ("[[[[...") would take minutes to load; this pass stops at the limit.
 * A syntax error is left for the real load to report. */
static bool depth_ok(const char *path, const char *text, size_t len, FILE *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return true;   /* the real load reports the lack of memory */
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int depth = 0;
    bool ok = true, done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > MAX_YAML_DEPTH) {
                fprintf(err, "%s:%zu:%zu: error: collections nested more than %d deep; a "
                        "config file needs a few levels\n", path, ev.start_mark.line + 1,
                        ev.start_mark.column + 1, MAX_YAML_DEPTH);
                ok = false;
                done = true;
            }
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (ev.type == YAML_STREAM_END_EVENT) {
            done = true;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok;
}

int sdb_config_load_yaml_text(sdb_config *cfg, const char *path, const char *text, size_t len,
                              FILE *err)
{
    if (!depth_ok(path, text, len, err))
        return 2;
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(err, "%s: error: out of memory\n", path);
        return 2;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&parser, path, text, len, err);
        rc = 2;
    } else {
        yaml_ctx y = { cfg, path, err, &doc, text, len, NULL, NULL, 0 };
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL || (root->type == YAML_SCALAR_NODE
                             && want_scalar(&y, "", root, "") == VAL_NULL)) {
            /* an empty file: nothing to set */
        } else if (root->type != YAML_MAPPING_NODE) {
            yaml_error(&y, root, true,
                       "the top level must be a mapping of keys (workers: 8, ...), not %s",
                       node_kind(root));
        } else {
            expand_document(&y);
            if (y.errors == 0)
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
    return rc;
}

/* ====================================================================== */
/* STORMDB_DB_* environment variables                                      */

/* Sets one database field from environment variable var (unset or empty:
 * nothing); `check` validates it (NULL: any text).  Returns 1 after
 * reporting a bad value, else 0. */
static int env_field(sdb_config *cfg, const char *var, const char *key, char **field,
                     bool (*check)(const char *), const char *expects,
                     const char *prog, FILE *err)
{
    const char *value = getenv(var);
    if (value == NULL || *value == '\0')
        return 0;
    if (check && !check(value)) {
        fprintf(err, "%s: error: invalid value '%.*s' for %s: expected %s\n", prog,
                MAX_ECHO, value, var, expects);
        return 1;
    }
    if (set_str(field, value) != 0) {
        fprintf(err, "%s: error: out of memory\n", prog);
        return 1;
    }
    cfg->db_source = SDB_SRC_ENV;
    note_origin(cfg, key, SDB_SRC_ENV, var);
    return 0;
}

static bool valid_port(const char *s)
{
    int64_t n;
    return sdb_config_parse_int64(s, false, &n) && n >= 1 && n <= 65535;
}

static bool valid_sslmode(const char *s)
{
    return one_of(s, sslmodes);
}

int sdb_config_apply_env(sdb_config *cfg, const char *prog, FILE *err)
{
    int errors = 0;
    errors += env_field(cfg, "STORMDB_DB_HOST", "database.host", &cfg->host, NULL, NULL,
                        prog, err);
    errors += env_field(cfg, "STORMDB_DB_PORT", "database.port", &cfg->port, valid_port,
                        "an integer from 1 to 65535", prog, err);
    errors += env_field(cfg, "STORMDB_DB_NAME", "database.dbname", &cfg->dbname, NULL,
                        NULL, prog, err);
    errors += env_field(cfg, "STORMDB_DB_USER", "database.username", &cfg->user, NULL,
                        NULL, prog, err);
    errors += env_field(cfg, "STORMDB_DB_PASSWORD", "database.password", &cfg->password,
                        NULL, NULL, prog, err);
    errors += env_field(cfg, "STORMDB_DB_SSLMODE", "database.sslmode", &cfg->sslmode,
                        valid_sslmode, SSLMODE_FORM, prog, err);
    sdb_add_secret(cfg->password);
    return errors;
}

/* ====================================================================== */
/* Command line                                                            */

enum {
    OPT_WORKERS = 256, OPT_CONNECTIONS, OPT_THREADS, OPT_HOST, OPT_PORT,
    OPT_DBNAME, OPT_SSLMODE, OPT_SETUP, OPT_CLEANUP, OPT_SCALE, OPT_NO_SUMMARY,
    OPT_SEED, OPT_JSON, OPT_CSV, OPT_HTML, OPT_CONNECTION_MODE, OPT_THRESHOLD, OPT_EMBEDDED, OPT_KEEP_EMBEDDED, OPT_LIST, OPT_CHECK,
    OPT_LOAD_THREADS, OPT_NO_RUN, OPT_FORCE, OPT_PRINT_CONFIG, OPT_COLLECT_PG_STATS,
    OPT_PG_STAT_STATEMENTS, OPT_PROGRESSIVE, OPT_RATE, OPT_LATENCY_LIMIT, OPT_ABORT_ON_FAIL,
    OPT_HDR_LOG, OPT_PROMETHEUS_PORT, OPT_ON_ERROR, OPT_MAX_ERRORS
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
    { "csv", required_argument, NULL, OPT_CSV },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "html", required_argument, NULL, OPT_HTML },
    { "connection-mode", required_argument, NULL, OPT_CONNECTION_MODE },
    { "embedded", no_argument, NULL, OPT_EMBEDDED },
    { "keep-embedded", no_argument, NULL, OPT_KEEP_EMBEDDED },
    { "list", no_argument, NULL, OPT_LIST },
    { "set", required_argument, NULL, 'D' },
    { "check", no_argument, NULL, OPT_CHECK },
    { "no-run", no_argument, NULL, OPT_NO_RUN },
    { "load-threads", required_argument, NULL, OPT_LOAD_THREADS },
    { "force", no_argument, NULL, OPT_FORCE },
    { "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
    { "collect-pg-stats", no_argument, NULL, OPT_COLLECT_PG_STATS },
    { "pg-stat-statements", no_argument, NULL, OPT_PG_STAT_STATEMENTS },
    { "progressive", no_argument, NULL, OPT_PROGRESSIVE },
    { "rate", required_argument, NULL, OPT_RATE },
    { "latency-limit", required_argument, NULL, OPT_LATENCY_LIMIT },
    { "abort-on-fail", no_argument, NULL, OPT_ABORT_ON_FAIL },
    { "on-error", required_argument, NULL, OPT_ON_ERROR },
    { "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
    { "hdr-log", required_argument, NULL, OPT_HDR_LOG },
    { "prometheus-port", required_argument, NULL, OPT_PROMETHEUS_PORT },
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

/* The config key a flag sets, for --print-config; NULL for flags that set
 * no key (actions, output). */
static const char *flag_key(int opt)
{
    static const struct { int opt; const char *key; } keys[] = {
        { 'd', "duration" }, { 'w', "workload" }, { OPT_WORKERS, "workers" },
        { OPT_CONNECTIONS, "connections" }, { OPT_THREADS, "threads" },
        { OPT_HOST, "database.host" }, { OPT_PORT, "database.port" },
        { OPT_DBNAME, "database.dbname" }, { 'u', "database.username" },
        { 'p', "database.password" }, { OPT_SSLMODE, "database.sslmode" },
        { OPT_SCALE, "scale" }, { 's', "summary_interval" },
        { OPT_NO_SUMMARY, "summary_interval" }, { OPT_SEED, "seed" },
        { OPT_LOAD_THREADS, "load_threads" }, { OPT_RATE, "rate" },
        { OPT_LATENCY_LIMIT, "latency_limit" }, { OPT_ABORT_ON_FAIL, "abort_on_fail" },
        { OPT_PROMETHEUS_PORT, "prometheus_port" }, { OPT_ON_ERROR, "on_error" },
        { OPT_MAX_ERRORS, "max_errors" },
        { OPT_COLLECT_PG_STATS, "collect_pg_stats" },
        { OPT_PG_STAT_STATEMENTS, "pg_stats_statements" },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].opt == opt)
            return keys[i].key;
    return NULL;
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
    case OPT_FORCE:         cfg->force = true; break;
    case OPT_PRINT_CONFIG:  cfg->print_config = true; break;
    case OPT_COLLECT_PG_STATS: cfg->collect_pg_stats = true; break;
    case OPT_PG_STAT_STATEMENTS: cfg->pg_stats_statements = true; break;
    case OPT_PROGRESSIVE: cfg->progressive.enabled = true; break;
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
    case OPT_CSV:
        mem = set_str(&cfg->csv_path, arg) == 0;
        break;
    case OPT_THRESHOLD:
        mem = add_threshold(cfg, arg, NULL) == 0;
        break;
    case OPT_ABORT_ON_FAIL: cfg->abort_on_fail = true; break;
    case OPT_ON_ERROR:
        if (strcmp(arg, "continue") == 0 || strcmp(arg, "stop") == 0) {
            cfg->on_error_stop = strcmp(arg, "stop") == 0;
        } else {
            fprintf(err, "%s: error: invalid value '%.*s' for --on-error: expected continue "
                    "or stop\n", prog, MAX_ECHO, arg);
            ok = false;
        }
        break;
    case OPT_MAX_ERRORS:
        ok = flag_int(prog, opt, arg, 0, INT64_MAX, &cfg->max_errors, err);
        break;
    case OPT_RATE:
        if (!(ok = parse_rate(arg, &cfg->rate_tps)))
            fprintf(err, "%s: error: invalid value '%.*s' for --rate: expected " RATE_FORM "\n",
                    prog, MAX_ECHO, arg);
        break;
    case OPT_LATENCY_LIMIT:
        if (!(ok = parse_latency_limit(arg, &cfg->latency_limit_s)))
            fprintf(err, "%s: error: invalid value '%.*s' for --latency-limit: expected "
                    LATENCY_LIMIT_FORM "\n", prog, MAX_ECHO, arg);
        break;
    case OPT_HDR_LOG:
        mem = set_str(&cfg->hdr_log_path, arg) == 0;
        break;
    case OPT_PROMETHEUS_PORT:
        if ((ok = flag_int(prog, opt, arg, 0, 65535, &n, err)))
            cfg->prometheus_port = (int)n;
        break;
    case OPT_HTML:
        mem = set_str(&cfg->html_path, arg) == 0;
        break;
    case OPT_CONNECTION_MODE: {
        static const char *const modes[] = {"persistent", "transient", "mixed"};
        int m = 0;
        while (m < 3 && strcmp(arg, modes[m]) != 0)
            m++;
        if (m == 3) {
            fprintf(err, "%s: error: --connection-mode must be persistent, transient or "
                    "mixed, not '%s'\n", prog, arg);
            return false;
        }
        cfg->connection_mode = (sdb_connection_mode)m;
        cfg->connection_mode_set = true;
        break;
    }
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
    const char *key = ok ? flag_key(opt) : NULL;
    if (key) {
        char where[64];
        snprintf(where, sizeof where, "--%s", long_name(opt));
        note_origin(cfg, key, SDB_SRC_FLAG, where);
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
    errors += sdb_config_apply_env(cfg, prog, err);
    optind = 0;
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
        if (!apply_flag(cfg, c, optarg, prog, err))
            errors++;
    optind = 0;

    /* fewer connections than workers: the sessions share them (pooled);
     * more are allowed (the original's pool maximum) but never opened */
    if (!cfg->connections_set)
        cfg->connections = cfg->workers;
    if (cfg->no_summary || cfg->summary_interval_s == 0.0) {
        cfg->no_summary = true;
        cfg->summary_interval_s = 0.0;
    }
    if (!check_workload(cfg, w, prog, err))
        errors++;
    if (cfg->loading_mode != SDB_LOAD_GENERATE && !cfg->loading_file) {
        fprintf(err, "%s: error: data_loading.mode %s needs data_loading.filepath: the file "
                "to load\n", cfg->loading_file_where ? cfg->loading_file_where : prog,
                cfg->loading_mode == SDB_LOAD_SQL ? "sql" : "dump");
        errors++;
    }
    const sdb_progressive_cfg *pc = &cfg->progressive;
    if (pc->min_workers && pc->max_workers && pc->min_workers > pc->max_workers) {
        fprintf(err, "%s: error: progressive.min_workers (%d) is greater than max_workers (%d)\n",
                prog, pc->min_workers, pc->max_workers);
        errors++;
    }
    if (pc->min_connections && pc->max_connections && pc->min_connections > pc->max_connections) {
        fprintf(err, "%s: error: progressive.min_connections (%d) is greater than "
                "max_connections (%d)\n", prog, pc->min_connections, pc->max_connections);
        errors++;
    }
    if (pc->enabled && cfg->rate_tps > 0) {
        fprintf(err, "%s: error: --progressive and --rate do not go together: the bands vary "
                "the concurrency of a closed loop\n", prog);
        errors++;
    }
    if (cfg->latency_limit_s > 0 && cfg->rate_tps <= 0) {
        fprintf(err, "%s: error: --latency-limit (latency_limit) needs --rate (rate): "
                "it skips transactions that are late for their scheduled start\n", prog);
        errors++;
    }
    sdb_config_register_secrets(cfg);
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
                 "      --connections N        database connections; fewer than workers\n"
                 "                             makes the sessions share them (default:\n"
                 "                             as many as workers)\n"
                 "      --connection-mode M    persistent, transient (a new connection per\n"
                 "                             transaction) or mixed (every other one)\n"
                 "      --threads N            client threads, 0-%d; 0 = automatic (default: 0)\n"
                 "      --seed N               random seed, for a repeatable run\n"
                 "                             (default: from the clock)\n"
                 "      --rate TPS             open loop: start transactions at random\n"
                 "                             (Poisson) times, TPS per second over all\n"
                 "                             workers; latency counts from the scheduled\n"
                 "                             start (default: closed loop)\n"
                 "      --latency-limit MS     with --rate: skip transactions already MS\n"
                 "                             late, and count them\n"
                 "      --on-error M           continue (default) or stop: end the run at\n"
                 "                             the first failed transaction\n"
                 "      --max-errors N         end the run once N transactions failed\n"
                 "                             (default: 0 = no limit)\n",
            DEFAULT_DURATION_S, MAX_WORKERS, DEFAULT_WORKERS, MAX_THREADS);

    fputs("\nSetup:\n"
          "      --setup                create the schema and load the data when the\n"
          "                             tables are missing, then run\n"
          "  -r, --rebuild              drop the workload's tables, recreate and reload\n"
          "                             them, then run\n"
          "      --cleanup              drop the workload's tables\n"
          "      --force                with --rebuild/--cleanup, also drop tables of the\n"
          "                             workload's names that stormdb did not create\n"
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
                 "      --json FILE            also write the results as JSON to FILE\n"
                 "      --csv FILE             the time series as CSV to FILE, and the\n"
                 "                             per-transaction summary beside it\n"
                 "      --html FILE            a self-contained HTML report with charts\n"
                 "      --threshold EXPR       a pass/fail condition, e.g. 'p99<5ms',\n"
                 "                             'error_rate<0.1%%', 'tps>1000',\n"
                 "                             'new_order.p90<5s' (repeatable); exit 99\n"
                 "                             when one fails\n"
                 "      --progressive          run in bands of increasing concurrency (the\n"
                 "                             config's progressive section) and analyse\n"
                 "                             the scaling: fits, USL, a recommendation\n"
                 "      --abort-on-fail        stop the run as soon as a threshold on the\n"
                 "                             whole run fails (checked every interval)\n"
                 "      --collect-pg-stats     the server's side of the run: buffer cache,\n"
                 "                             WAL, checkpoints, connections, wait events,\n"
                 "                             locks, autovacuum and table growth\n"
                 "      --pg-stat-statements   also the run's top statements (needs the\n"
                 "                             pg_stat_statements extension)\n"
                 "      --hdr-log FILE         per-second latency histograms as an\n"
                 "                             HdrHistogram log (V2, compressed)\n"
                 "      --prometheus-port N    serve live metrics at http://*:N/metrics\n"
                 "                             during the run (0 = any free port)\n",
            DEFAULT_SUMMARY_S);

    fputs("\nMisc:\n"
          "  -c, --config FILE          read settings from a StormDB YAML file\n"
          "      --print-config         print the effective settings and where each\n"
          "                             came from (secrets masked), then exit\n"
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
                 "  STORMDB_DB_HOST, _PORT, _NAME, _USER, _PASSWORD, _SSLMODE override the\n"
                 "  config file; flags override them.  The file may use ${VAR} and\n"
                 "  ${VAR:-default} in values ($$ for a literal $).\n"
                 "  libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD,\n"
                 "  PGSSLMODE, PGSERVICE, ...) supply the connection fields that flags and\n"
                 "  the config file leave unset.  With no database configured anywhere\n"
                 "  and no server answering at libpq's default address, stormdb-%s\n"
                 "  starts a throwaway embedded cluster (as --embedded does).\n", name);
}

/* ====================================================================== */
/* --print-config                                                          */

#define PRINT_COLUMN 34   /* where the "# source" comment starts */

/* True when text can be printed as a plain YAML scalar that reads back as
 * the same string. */
static bool plain_ok(const char *text)
{
    if (*text == '\0' || strchr("-?:,[]{}#&*!|>'\"%@`~ ", *text))
        return false;
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == '#' || (*c == ':' && (c[1] == ' ' || !c[1])))
            return false;
    return text[strlen(text) - 1] != ' ';
}

/* Prints "INDENTkey: value    # source"; value NULL prints nothing after
 * the colon.  A value that is not plain is double-quoted. */
static void print_line(FILE *out, int indent, const char *key, const char *value,
                       const char *source)
{
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (m == NULL)
        return;
    fprintf(m, "%*s%s:", indent, "", key);
    if (value && plain_ok(value)) {
        fprintf(m, " %s", value);
    } else if (value) {
        fputs(" \"", m);
        for (const char *c = value; *c; c++) {
            if (*c == '"' || *c == '\\')
                fputc('\\', m);
            if ((unsigned char)*c < 0x20)
                fprintf(m, "\\x%02x", (unsigned char)*c);
            else
                fputc(*c, m);
        }
        fputc('"', m);
    }
    fclose(m);
    if (line == NULL)
        return;
    fputs(line, out);
    if (source)
        fprintf(out, "%*s# %s", len < PRINT_COLUMN ? (int)(PRINT_COLUMN - len) : 1, "", source);
    fputc('\n', out);
    free(line);
}

/* The source text of key: its recorded origin, else `fallback`. */
static const char *source_of(const sdb_config *cfg, const char *key, const char *fallback,
                             char *buf, size_t len)
{
    const sdb_origin *o = find_origin(cfg, key);
    if (o == NULL)
        return fallback;
    switch (o->source) {
    case SDB_SRC_ENV:  snprintf(buf, len, "env %s", o->where); break;
    case SDB_SRC_FILE: snprintf(buf, len, "file %s", o->where); break;
    case SDB_SRC_FLAG: snprintf(buf, len, "flag %s", o->where); break;
    default:           snprintf(buf, len, "default"); break;
    }
    return buf;
}

/* One database field sent to libpq as `keyword`: its value from stormdb's
 * own sources, else from database.url, else what libpq itself would use
 * (its PG* variable or built-in default). */
static void print_db_field(FILE *out, const sdb_config *cfg, const PQconninfoOption *defs,
                           const char *key, const char *keyword, const char *value,
                           bool secret)
{
    char full[64], buf[160];
    snprintf(full, sizeof full, "database.%s", key);
    const char *source = NULL;
    if (value) {
        source = source_of(cfg, full, "default", buf, sizeof buf);
    } else if ((value = conninfo_value(cfg->url_opts, keyword)) != NULL) {
        source = "database.url";
    } else {
        const PQconninfoOption *d = defs;
        while (d && d->keyword && strcmp(d->keyword, keyword) != 0)
            d++;
        const char *env = d && d->keyword && d->envvar ? getenv(d->envvar) : NULL;
        if (env && *env) {
            value = env;
            snprintf(buf, sizeof buf, "env %s (libpq)", d->envvar);
            source = buf;
        } else {
            value = d && d->keyword ? d->val : NULL;
            source = strcmp(keyword, "password") == 0
                ? "not set (libpq may use ~/.pgpass)"
                : value ? "libpq default" : "not set (libpq default)";
        }
    }
    print_line(out, 2, key, value && secret ? "********" : value, source);
}

/* A duration as text: "30s", "1.5s", "0s". */
static const char *duration_text(double s, char *buf, size_t len)
{
    snprintf(buf, len, "%gs", s);
    return buf;
}

/* Prints one top-level or database.* setting with its recorded origin. */
static void print_setting(FILE *out, const sdb_config *cfg, int indent, const char *key,
                          const char *value, const char *fallback)
{
    char buf[160];
    const char *name = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    print_line(out, indent, name, value, source_of(cfg, key, fallback, buf, sizeof buf));
}

static void print_database(FILE *out, const sdb_config *cfg)
{
    PQconninfoOption *defs = PQconndefaults();
    char t[64];
    fputs("database:\n", out);
    if (cfg->url) {
        char masked[2048];
        sdb_config_register_secrets(cfg);
        sdb_scrub(masked, sizeof masked, cfg->url);
        print_setting(out, cfg, 2, "database.url", masked, "default");
    }
    print_db_field(out, cfg, defs, "host", "host", cfg->host, false);
    print_db_field(out, cfg, defs, "port", "port", cfg->port, false);
    print_db_field(out, cfg, defs, "dbname", "dbname", cfg->dbname, false);
    print_db_field(out, cfg, defs, "username", "user", cfg->user, false);
    print_db_field(out, cfg, defs, "password", "password", cfg->password, true);
    print_db_field(out, cfg, defs, "sslmode", "sslmode", cfg->sslmode, false);
    print_db_field(out, cfg, defs, "sslcert", "sslcert", cfg->sslcert, false);
    print_db_field(out, cfg, defs, "sslkey", "sslkey", cfg->sslkey, false);
    print_db_field(out, cfg, defs, "sslrootcert", "sslrootcert", cfg->sslrootcert, false);
    print_db_field(out, cfg, defs, "sslpassword", "sslpassword", cfg->sslpassword, true);
    PQconninfoFree(defs);
    print_setting(out, cfg, 2, "database.connection_timeout",
                  duration_text(cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s
                                : DEFAULT_CONNECT_TIMEOUT_S, t, sizeof t), "default");
    print_setting(out, cfg, 2, "database.query_timeout",
                  duration_text(cfg->query_timeout_s, t, sizeof t), "default (0s = none)");
    snprintf(t, sizeof t, "%d", cfg->max_connections);
    print_setting(out, cfg, 2, "database.max_connections", cfg->max_connections ? t : NULL,
                  "not set");
    snprintf(t, sizeof t, "%d", cfg->max_idle_connections);
    print_setting(out, cfg, 2, "database.max_idle_connections",
                  cfg->max_idle_connections >= 0 ? t : NULL, "not set");
    print_setting(out, cfg, 2, "database.connection_max_lifetime",
                  duration_text(cfg->conn_max_lifetime_s, t, sizeof t), "default (0s = unlimited)");
    print_setting(out, cfg, 2, "database.connection_max_idle_time",
                  duration_text(cfg->conn_max_idle_time_s, t, sizeof t),
                  "default (0s = unlimited)");
}

void sdb_config_print(const sdb_config *cfg, const sdb_workload_def *w, FILE *out)
{
    static const char *const modes[] = { "persistent", "transient", "mixed" };
    char t[64];
    fprintf(out, "# stormdb-%s: the effective configuration; highest source first:\n"
                 "# flag > env STORMDB_DB_* > file > PG* variables (libpq) > default\n",
            w && w->name ? w->name : "?");
    if (cfg->config_path)
        fprintf(out, "# config file: %s\n", cfg->config_path);
    print_database(out, cfg);
    print_setting(out, cfg, 0, "workload",
                  cfg->workload ? cfg->workload : (w && w->nmixes ? w->mixes[0].name : NULL),
                  "default (the first type)");
    snprintf(t, sizeof t, "%lld", (long long)cfg->scale);
    print_setting(out, cfg, 0, "scale", t, "default");
    print_setting(out, cfg, 0, "duration", duration_text(cfg->duration_s, t, sizeof t), "default");
    snprintf(t, sizeof t, "%d", cfg->workers);
    print_setting(out, cfg, 0, "workers", t, "default");
    snprintf(t, sizeof t, "%d", cfg->connections);
    print_setting(out, cfg, 0, "connections", t, "default (= workers)");
    snprintf(t, sizeof t, "%d", cfg->threads);
    print_setting(out, cfg, 0, "threads", t, "default (0 = automatic)");
    print_setting(out, cfg, 0, "summary_interval",
                  duration_text(cfg->summary_interval_s, t, sizeof t), "default");
    snprintf(t, sizeof t, "%llu", (unsigned long long)cfg->seed);
    print_setting(out, cfg, 0, "seed", t, "default (from the clock)");
    snprintf(t, sizeof t, "%d", cfg->load_threads);
    print_setting(out, cfg, 0, "load_threads", t, "default (0 = automatic)");
    print_setting(out, cfg, 0, "connection_mode", modes[cfg->connection_mode], "default");
    print_setting(out, cfg, 0, "collect_pg_stats", cfg->collect_pg_stats ? "true" : "false",
                  "default");
    print_setting(out, cfg, 0, "pg_stats_statements",
                  cfg->pg_stats_statements ? "true" : "false", "default");
    if (cfg->mode)
        print_setting(out, cfg, 0, "mode", cfg->mode, "default");
    if (cfg->rate_tps > 0) {
        snprintf(t, sizeof t, "%g", cfg->rate_tps);
        print_setting(out, cfg, 0, "rate", t, "default");
    }
    if (cfg->latency_limit_s > 0)
        print_setting(out, cfg, 0, "latency_limit",
                      duration_text(cfg->latency_limit_s, t, sizeof t), "default");
    if (cfg->prometheus_port >= 0) {
        snprintf(t, sizeof t, "%d", cfg->prometheus_port);
        print_setting(out, cfg, 0, "prometheus_port", t, "default");
    }
    if (cfg->abort_on_fail)
        print_setting(out, cfg, 0, "abort_on_fail", "true", "default");
    print_setting(out, cfg, 0, "on_error", cfg->on_error_stop ? "stop" : "continue", "default");
    snprintf(t, sizeof t, "%lld", (long long)cfg->max_errors);
    print_setting(out, cfg, 0, "max_errors", t, "default (0 = no limit)");
    if (cfg->nthresholds > 0) {
        fputs("thresholds:\n", out);
        for (int i = 0; i < cfg->nthresholds; i++) {
            char src[600];
            if (cfg->thresholds_where[i])
                snprintf(src, sizeof src, "file %s", cfg->thresholds_where[i]);
            else
                snprintf(src, sizeof src, "flag --threshold");
            int col = fprintf(out, "  - \"");
            for (const char *c = cfg->thresholds[i]; *c; c++, col++) {
                if (*c == '"' || *c == '\\') {
                    fputc('\\', out);
                    col++;
                }
                fputc((unsigned char)*c < 0x20 ? ' ' : *c, out);
            }
            col += fprintf(out, "\"");
            fprintf(out, "%*s# %s\n", col < PRINT_COLUMN ? PRINT_COLUMN - col : 1, "", src);
        }
    }
    fputs("workload_config:\n", out);
    for (int i = 0; i < cfg->nsettings; i++) {
        const sdb_setting *st = &cfg->settings[i];
        bool overridden = false;
        for (int j = i + 1; j < cfg->nsettings && !overridden; j++)
            overridden = strcmp(cfg->settings[j].name, st->name) == 0;
        if (overridden)
            continue;                 /* the last one given wins */
        char src[600];
        if (st->source == SDB_SRC_FLAG)
            snprintf(src, sizeof src, "flag --set");
        else
            snprintf(src, sizeof src, "file %s", st->where ? st->where : "?");
        print_line(out, 2, st->name, key_is_secret(st->name) ? "********" : st->value, src);
    }
}

/* ====================================================================== */
/* The report's run.config                                                 */


json_t *sdb_config_json(const sdb_config *cfg)
{
    static const char *const modes[] = { "persistent", "transient", "mixed" };
    json_t *db = json_object();
    json_t *o = json_object();
    json_t *ths = json_array();
    json_t *params = json_object();
    if (!db || !o || !ths || !params) {
        json_decref(db);
        json_decref(o);
        json_decref(ths);
        json_decref(params);
        return NULL;
    }
    if (cfg->url) {
        char masked[2048];
        sdb_config_register_secrets(cfg);
        sdb_scrub(masked, sizeof masked, cfg->url);
        json_object_set_new(db, "url", sdb_json_text(masked));
    }
    json_object_set_new(db, "host", sdb_json_text(cfg->host));
    json_object_set_new(db, "port", sdb_json_text(cfg->port));
    json_object_set_new(db, "dbname", sdb_json_text(cfg->dbname));
    json_object_set_new(db, "username", sdb_json_text(cfg->user));
    json_object_set_new(db, "password", cfg->password ? json_string("********") : json_null());
    json_object_set_new(db, "sslmode", sdb_json_text(cfg->sslmode));
    if (cfg->sslpassword)
        json_object_set_new(db, "sslpassword", json_string("********"));
    json_object_set_new(o, "database", db);
    json_object_set_new(o, "config_file", sdb_json_text(cfg->config_path));
    json_object_set_new(o, "workload", sdb_json_text(cfg->workload));
    json_object_set_new(o, "scale", json_integer((json_int_t)cfg->scale));
    json_object_set_new(o, "duration_s", json_real(cfg->duration_s));
    json_object_set_new(o, "workers", json_integer(cfg->workers));
    json_object_set_new(o, "connections", json_integer(cfg->connections));
    json_object_set_new(o, "threads", json_integer(cfg->threads));
    json_object_set_new(o, "connection_mode", json_string(modes[cfg->connection_mode]));
    json_object_set_new(o, "summary_interval_s", json_real(cfg->summary_interval_s));
    json_object_set_new(o, "rate_tps", cfg->rate_tps > 0 ? json_real(cfg->rate_tps) : json_null());
    json_object_set_new(o, "latency_limit_s",
                        cfg->latency_limit_s > 0 ? json_real(cfg->latency_limit_s) : json_null());
    json_object_set_new(o, "on_error", json_string(cfg->on_error_stop ? "stop" : "continue"));
    json_object_set_new(o, "max_errors", json_integer((json_int_t)cfg->max_errors));
    json_object_set_new(o, "abort_on_fail", json_boolean(cfg->abort_on_fail));
    for (int i = 0; i < cfg->nthresholds; i++)
        json_array_append_new(ths, sdb_json_text(cfg->thresholds[i]));
    json_object_set_new(o, "thresholds", ths);
    json_object_set_new(o, "load_threads", json_integer(cfg->load_threads));
    json_object_set_new(o, "collect_pg_stats", json_boolean(cfg->collect_pg_stats));
    json_object_set_new(o, "pg_stats_statements", json_boolean(cfg->pg_stats_statements));
    /* a parameter set twice: the later setting wins, as params.c applies them */
    for (int i = 0; i < cfg->nsettings; i++)
        json_object_set_new(params, cfg->settings[i].name,
                            key_is_secret(cfg->settings[i].name)
                                ? json_string("********") : sdb_json_text(cfg->settings[i].value));
    json_object_set_new(o, "workload_config", params);
    return o;
}
