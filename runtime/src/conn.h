/*
 * conn.h — libpq connection parameters for a run and blocking connects.
 *
 * Fields the configuration leaves unset are not passed, so libpq applies its
 * PG* environment variables, ~/.pgpass and built-in defaults to them, as
 * psql and pgbench do.
 */
#ifndef SDB_CONN_H
#define SDB_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define SDB_CONN_MAXKEYS 64

typedef struct sdb_conninfo {
    const char *keys[SDB_CONN_MAXKEYS + 1];    /* NULL-terminated */
    const char *values[SDB_CONN_MAXKEYS + 1];
    char port_text[16];                        /* storage for an embedded port */
    char appname[80];                          /* "stormdb-<workload>" */
    char timeout_text[16];                     /* connect_timeout, whole seconds */
    char options_text[512];                    /* options, with statement_timeout */
} sdb_conninfo;

/*
 * Fills ci from cfg, in this order, a later key overriding an earlier one
 * (libpq keeps the last value of a key given twice):
 *   1. the parameters of database.url (cfg->url_opts, already expanded here,
 *      so callers connect with expand_dbname = 0);
 *   2. host, port, user, dbname, password, sslmode, sslcert, sslkey,
 *      sslrootcert, sslpassword: those set by a flag, STORMDB_DB_* or the file;
 *   3. application_name=stormdb-<workload>, connect_timeout (from
 *      database.connection_timeout rounded up to whole seconds, at least 2;
 *      when unset: the url's or $PGCONNECT_TIMEOUT if given, else 30),
 *      and, when database.query_timeout is set, options = the url's options
 *      (else $PGOPTIONS) + " -c statement_timeout=<ms>": set in the startup
 *      packet, no extra round trip.
 * Fields set nowhere are not passed, so libpq applies its PG* variables,
 * ~/.pgpass and defaults to them.  When socket_dir is not NULL (embedded
 * cluster), host, port, user and dbname come from it instead and 1-2 are
 * skipped.  The strings are borrowed from cfg / the arguments and must
 * outlive ci.
 */
void sdb_conninfo_build(sdb_conninfo *ci, const sdb_config *cfg,
                        const char *workload_name, const char *socket_dir,
                        int port, const char *user, const char *dbname);

/* The notice receiver of every connection: server WARNINGs go through the
 * scrubbing warning printer (at most a few per process), other notices are
 * dropped. */
void sdb_conn_notice(void *arg, const PGresult *res);

/* Connects (blocking).  Returns the connection, or NULL with libpq's message
 * (secrets scrubbed, one line) in err. */
PGconn *sdb_connect(const sdb_conninfo *ci, char *err, size_t errlen);

/* A one-line description of the target ("host=/tmp port=5432 dbname=x
 * user=y"), from an open connection; never includes the password. */
void sdb_conn_describe(PGconn *conn, char *buf, size_t len);

/* Copies libpq's last error for conn (or res, when not NULL) into err as one
 * scrubbed line. */
void sdb_conn_error(PGconn *conn, const PGresult *res, char *err, size_t errlen);

/*
 * A guard that cancels the query running on a connection when the user
 * interrupts (sdb_interrupted), so that Ctrl-C during a long or blocked
 * setup, cleanup or check query takes effect at once instead of when the
 * query ends.  A thread polls every 50 ms while the guard is armed and
 * sends one cancel request per interrupt.  Disarm it around phases that
 * handle interrupts themselves (the run).
 */
typedef struct sdb_cancel_guard sdb_cancel_guard;
/* Starts a guard on conn, armed; NULL when it cannot (then Ctrl-C waits
 * for the query, as without a guard). */
sdb_cancel_guard *sdb_cancel_guard_start(PGconn *conn);
void sdb_cancel_guard_arm(sdb_cancel_guard *g, bool armed);
/* Stops the thread and frees the guard; g may be NULL. */
void sdb_cancel_guard_stop(sdb_cancel_guard *g);

#endif
