/*
 * util.h — small runtime services: monotonic clock, the run's stop flag and
 * signal handling, messages, and number formatting.
 */
#ifndef SDB_UTIL_H
#define SDB_UTIL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Monotonic time in ns. */
static inline int64_t sdb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Initialises cond so that sdb_cond_wait_until times its waits on the
 * monotonic clock of sdb_now_ns.  0 on success, as pthread_cond_init. */
int sdb_cond_init_monotonic(pthread_cond_t *cond);

/* Waits on cond, mutex held, until it is signalled or the monotonic time
 * until_ns (sdb_now_ns's clock) passes.  Spurious wake-ups are the caller's
 * to handle, as with pthread_cond_timedwait. */
void sdb_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t until_ns);

/* Big-endian stores (the COPY binary format, HdrHistogram's encoding). */
static inline void sdb_put_be16(void *out, uint16_t v)
{
    unsigned char *o = out;
    o[0] = (unsigned char)(v >> 8);
    o[1] = (unsigned char)v;
}

static inline void sdb_put_be32(void *out, uint32_t v)
{
    unsigned char *o = out;
    o[0] = (unsigned char)(v >> 24);
    o[1] = (unsigned char)(v >> 16);
    o[2] = (unsigned char)(v >> 8);
    o[3] = (unsigned char)v;
}

static inline void sdb_put_be64(void *out, uint64_t v)
{
    sdb_put_be32(out, (uint32_t)(v >> 32));
    sdb_put_be32((unsigned char *)out + 4, (uint32_t)v);
}

/* Set by SIGINT/SIGTERM (count of signals received); read by every loop that
 * may run long, in any thread (a lock-free atomic: safe in the handler and
 * free of data races).  A second SIGINT exits at once with status 130. */
extern atomic_int sdb_interrupted;

/* Installs the SIGINT/SIGTERM handlers and ignores SIGPIPE. */
void sdb_signals_install(void);

/* The program name used in messages ("stormdb-pgbench"). */
void sdb_set_progname(const char *name);
const char *sdb_progname(void);

/* The secrets masked in every message: the password, the password inside
 * database.url (as written and percent-decoded), database.sslpassword.  At
 * most SDB_MAX_SECRETS are kept (more are ignored: keep the list short).
 * sdb_set_secret(s) ADDS s (a copy; NULL or "" adds nothing, a secret
 * already held is not added twice); sdb_set_secret(NULL) also CLEARS the
 * list, so the program's start (set the password) and end (clear) read as
 * before.  Not thread-safe: secrets are set before threads start. */
#define SDB_MAX_SECRETS 8
void sdb_set_secret(const char *secret);
/* Adds a secret (as sdb_set_secret, but NULL never clears). */
void sdb_add_secret(const char *secret);
/* Copies src into dst (size dstlen), replacing every occurrence of any
 * secret (the longest first where two start at the same byte) with
 * "********".  Safe from any thread once the secrets are set. */
void sdb_scrub(char *dst, size_t dstlen, const char *src);

/* Makes s valid UTF-8 in place: every byte that does not start or continue
 * a well-formed sequence becomes '?', and a sequence cut by the end of the
 * string is dropped.  Messages from the server or truncated buffers pass
 * through this before reaching JSON or the console. */
void sdb_utf8_sanitize(char *s);

/* "stormdb-x: error: ..." / "warning: ..." / plain info lines, on stderr
 * (errors, warnings) or stdout (info); secrets scrubbed; a trailing newline
 * is added when missing.  Thread-safe (one fprintf per message). */
void sdb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sdb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sdb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes the decimal text of v into buf (at least 21 bytes), no NUL;
 * returns the length.  Hand-rolled: used on hot paths. */
size_t sdb_fmt_i64(char *buf, int64_t v);

/* Formats n with thousands separators ("1,234,567") into buf; returns buf. */
char *sdb_fmt_count(char *buf, size_t len, int64_t n);

/* Number of online CPUs (at least 1). */
int sdb_ncpus(void);

/*
 * An output file written under a temporary name (PATH.tmp.PID) and renamed
 * to PATH only when complete, so that a reader (or a run stopped midway)
 * never leaves a partial report.
 */
typedef struct sdb_outfile {
    FILE *f;                    /* write here */
    char *tmp;                  /* the temporary name (owned) */
    const char *path;           /* the final name (borrowed) */
    bool failed;                /* set by the writer when it could not write
                                 * everything: close then removes the file */
} sdb_outfile;
/* Opens path's temporary twin.  Returns 0, or 1 with a message. */
int sdb_outfile_open(sdb_outfile *o, const char *path);
/* Closes and renames into place; on a write error (or o->failed) removes
 * the temporary instead.  Returns 0, or 1 with a message. */
int sdb_outfile_close(sdb_outfile *o);

/* A JSON string of s made valid UTF-8 when it is not (a server message in
 * another encoding, a cut name), or JSON null when s is NULL; never NULL
 * itself (JSON null when out of memory).  jansson's json_t *. */
struct json_t;
struct json_t *sdb_json_text(const char *s);

#endif
