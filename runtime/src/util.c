/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

atomic_int sdb_interrupted = 0;

static char progname[128] = "stormdb";
static char *secrets[SDB_MAX_SECRETS];   /* the first nsecrets are set */
static int nsecrets;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGINT && atomic_load(&sdb_interrupted) > 0) {
        static const char msg[] = "\ninterrupted twice: exiting at once\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)r;
        _exit(130);
    }
    atomic_fetch_add(&sdb_interrupted, 1);
    errno = saved;
}

void sdb_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void sdb_set_progname(const char *name)
{
    snprintf(progname, sizeof progname, "%s", name);
}

const char *sdb_progname(void)
{
    return progname;
}

void sdb_add_secret(const char *s)
{
    if (s == NULL || *s == '\0' || nsecrets >= SDB_MAX_SECRETS)
        return;
    for (int i = 0; i < nsecrets; i++)
        if (strcmp(secrets[i], s) == 0)
            return;
    char *copy = strdup(s);
    if (copy)
        secrets[nsecrets++] = copy;
}

void sdb_set_secret(const char *s)
{
    if (s == NULL) {
        for (int i = 0; i < nsecrets; i++)
            free(secrets[i]);
        nsecrets = 0;
        return;
    }
    sdb_add_secret(s);
}

/* The length of the longest secret that starts at src, or 0. */
static size_t secret_at(const char *src)
{
    size_t best = 0;
    for (int i = 0; i < nsecrets; i++) {
        size_t n = strlen(secrets[i]);
        if (n > best && strncmp(src, secrets[i], n) == 0)
            best = n;
    }
    return best;
}

void sdb_scrub(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0)
        return;
    size_t o = 0;
    while (*src && o + 1 < dstlen) {
        size_t n = secret_at(src);
        if (n) {
            for (const char *m = "********"; *m && o + 1 < dstlen; m++)
                dst[o++] = *m;
            src += n;
        } else {
            dst[o++] = *src++;
        }
    }
    dst[o] = '\0';
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void sdb_utf8_sanitize(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = utf8_seq(p);
        if (n > 0) {
            p += n;
            continue;
        }
        /* a lead byte whose sequence the end of the string cut: drop it */
        size_t want = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC2 ? 2 : 0;
        size_t have = 1;
        while (have < want && p[have] && (p[have] & 0xC0) == 0x80)
            have++;
        if (want && have < want && !p[have]) {
            *p = '\0';
            return;
        }
        *p++ = '?';
    }
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
    /* format in full, scrub, then cut: a secret across the cut must not
     * leave a visible part behind */
    char *raw = NULL, clean[4096];
    if (vasprintf(&raw, fmt, ap) < 0)
        raw = NULL;
    sdb_scrub(clean, sizeof clean, raw ? raw : "(out of memory formatting a message)");
    free(raw);
    sdb_utf8_sanitize(clean);
    size_t n = strlen(clean);
    const char *nl = (n > 0 && clean[n - 1] == '\n') ? "" : "\n";
    if (prefix)
        fprintf(f, "%s: %s%s%s", progname, prefix, clean, nl);
    else
        fprintf(f, "%s%s", clean, nl);
    fflush(f);
}

void sdb_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    emit(stderr, "error: ", fmt, ap);
    va_end(ap);
}

void sdb_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    emit(stderr, "warning: ", fmt, ap);
    va_end(ap);
}

void sdb_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(stdout, NULL, fmt, ap);
    va_end(ap);
}

/* "00" "01" ... "99": two digits per division */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Digits of u (1..20). */
static int count_digits(uint64_t u)
{
    int n = 1;
    for (;;) {
        if (u < 10) return n;
        if (u < 100) return n + 1;
        if (u < 1000) return n + 2;
        if (u < 10000) return n + 3;
        u /= 10000;
        n += 4;
    }
}

/* Called for every integer bound as a parameter and every integer of a text
 * COPY: it sizes the number first and writes it from the end, two digits per
 * division. */
size_t sdb_fmt_i64(char *buf, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t o = 0;
    if (v < 0)
        buf[o++] = '-';
    size_t len = o + (size_t)count_digits(u);
    char *p = buf + len;
    while (u >= 100) {
        const char *d = digit_pairs + 2 * (u % 100);
        u /= 100;
        *--p = d[1];
        *--p = d[0];
    }
    if (u >= 10) {
        *--p = digit_pairs[2 * u + 1];
        *--p = digit_pairs[2 * u];
    } else {
        *--p = (char)('0' + u);
    }
    return len;
}

char *sdb_fmt_count(char *buf, size_t len, int64_t n)
{
    char digits[24];
    size_t nd = sdb_fmt_i64(digits, n < 0 ? -n : n);
    size_t o = 0;
    if (n < 0 && o + 1 < len)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 1 < len; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && o + 1 < len)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

int sdb_ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int sdb_outfile_open(sdb_outfile *o, const char *path)
{
    size_t n = strlen(path) + 32;
    o->path = path;
    o->f = NULL;
    o->failed = false;
    o->tmp = malloc(n);
    if (!o->tmp) {
        sdb_error("out of memory");
        return 1;
    }
    snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        sdb_error("cannot write %s: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return 1;
    }
    return 0;
}

int sdb_outfile_close(sdb_outfile *o)
{
    int bad = ferror(o->f);
    int rc = 0;
    errno = 0;
    if (fclose(o->f) != 0 || bad || o->failed || rename(o->tmp, o->path) != 0) {
        sdb_error("cannot write %s: %s", o->path, strerror(errno ? errno : EIO));
        unlink(o->tmp);
        rc = 1;
    }
    free(o->tmp);
    o->tmp = NULL;
    o->f = NULL;
    return rc;
}

json_t *sdb_json_text(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return json_null();
    sdb_utf8_sanitize(copy);
    j = json_string(copy);
    free(copy);
    return j ? j : json_null();
}

int sdb_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

void sdb_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t until_ns)
{
    struct timespec ts = {(time_t)(until_ns / 1000000000), (long)(until_ns % 1000000000)};
    pthread_cond_timedwait(cond, mutex, &ts);
}
