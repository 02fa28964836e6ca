/*
 * embedded.h — a throwaway PostgreSQL cluster for one run.
 *
 * sdb_embedded_start() finds the server binaries (`pg_config --bindir`, else
 * the highest /usr/lib/postgresql/<N>/bin), runs initdb into a new temporary
 * directory, and starts `postgres` listening on a unix socket in that
 * directory only (no TCP), on a free port number.  When the process runs as
 * root, the directory is given to an unprivileged user (`nobody`, or the user
 * named by STORMDB_EMBEDDED_USER) and initdb and postgres run as that user.
 * The server is our child, in its own session (a terminal's Ctrl-C does not
 * reach it), and gets PR_SET_PDEATHSIG(SIGQUIT), so it dies with us even if
 * we are killed (the directory is then left behind).  sdb_embedded_stop()
 * shuts the server down (fast, then immediate, then SIGKILL) and removes the
 * directory.
 *
 * Keeping the server after we exit: PR_SET_PDEATHSIG cannot be undone from
 * outside, so a server meant to outlive us is started without it
 * (opts.keep).  sdb_embedded_stop(e, true) on a server started without keep
 * restarts it once without PR_SET_PDEATHSIG (same data, possibly another
 * port) before leaving it running.
 *
 * Not thread-safe: call from the main thread (PR_SET_PDEATHSIG fires when the
 * thread that started the server ends).  SIGCHLD must not be ignored.
 */
#ifndef SDB_EMBEDDED_H
#define SDB_EMBEDDED_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct sdb_embedded_opts {
    /* extra `-c name=value` server settings, NULL-terminated; may be NULL */
    const char *const *settings;
    /* set asynchronously (by a signal handler) to abandon a start in
     * progress; may be NULL */
    atomic_int *cancel;
    /* print progress lines ("initdb ...", "started ...") to stderr */
    bool verbose;
    /* the server will be kept (--keep-embedded): start it without
     * PR_SET_PDEATHSIG so that it survives our exit */
    bool keep;
} sdb_embedded_opts;

typedef struct sdb_embedded sdb_embedded;

/* Creates and starts a cluster.  On failure returns NULL, writes a one-line
 * reason (what failed and how to fix it, including the tail of the server
 * log when there is one) into err, and leaves nothing behind. */
sdb_embedded *sdb_embedded_start(const sdb_embedded_opts *o, char *err, size_t errlen);

/* Connection facts; the strings live as long as e. */
const char *sdb_embedded_socket_dir(const sdb_embedded *e);  /* libpq host */
int sdb_embedded_port(const sdb_embedded *e);
const char *sdb_embedded_user(const sdb_embedded *e);        /* superuser: "stormdb" */
const char *sdb_embedded_dbname(const sdb_embedded *e);      /* "stormdb" (created) */
const char *sdb_embedded_datadir(const sdb_embedded *e);
const char *sdb_embedded_bindir(const sdb_embedded *e);

/* Stops the server and removes its directory, unless keep: then the server
 * is left running and a message on stderr says how to connect with psql and
 * how to stop it (if it cannot be kept, a warning says why and it is removed
 * as without keep).  Frees e.  Safe with e == NULL. */
void sdb_embedded_stop(sdb_embedded *e, bool keep);

#endif
