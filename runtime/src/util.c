/* util.c — see util.h. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t sdb_interrupted = 0;

static char progname[128] = "stormdb";
static char *secret;

static void on_signal(int sig)
{
    if (sig == SIGINT && sdb_interrupted > 0) {
        static const char msg[] = "\ninterrupted twice: exiting at once\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)r;
        _exit(130);
    }
    sdb_interrupted++;
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

void sdb_set_secret(const char *s)
{
    free(secret);
    secret = (s && *s) ? strdup(s) : NULL;
}

void sdb_scrub(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0)
        return;
    size_t slen = secret ? strlen(secret) : 0;
    size_t o = 0;
    while (*src && o + 1 < dstlen) {
        if (slen && strncmp(src, secret, slen) == 0) {
            for (const char *m = "********"; *m && o + 1 < dstlen; m++)
                dst[o++] = *m;
            src += slen;
        } else {
            dst[o++] = *src++;
        }
    }
    dst[o] = '\0';
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
    char raw[4096], clean[4096];
    vsnprintf(raw, sizeof raw, fmt, ap);
    sdb_scrub(clean, sizeof clean, raw);
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

size_t sdb_fmt_i64(char *buf, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t o = 0;
    if (v < 0)
        buf[o++] = '-';
    while (n)
        buf[o++] = tmp[--n];
    return o;
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
