/* checksql.c — `swlc --check-sql` (see checksql.h). */
#include "checksql.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "driver.h"
#include "parse.h"
#include "sema.h"

/* The state of one check. */
typedef struct checker {
    PGconn *conn;
    diag_ctx *diag;
    const char *src;
    int savepoints;      /* savepoint counter, for unique names */
} checker;

/* Byte offset in the source of 1-based character position pos of the SQL
 * starting at off (UTF-8: continuation bytes are not characters). */
static uint32_t map_position(const checker *ck, uint32_t off, uint32_t len, long pos)
{
    uint32_t i = 0;
    for (long chars = 1; i < len; i++) {
        unsigned char ch = (unsigned char)ck->src[off + i];
        if ((ch & 0xC0) == 0x80)
            continue;
        if (chars++ == pos)
            break;
    }
    return off + i;
}

/* Reports the error of result r for the SQL at src[off..off+len). */
static void report(checker *ck, const PGresult *r, uint32_t off, uint32_t len, const char *what)
{
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    uint32_t at = pos ? map_position(ck, off, len, strtol(pos, NULL, 10)) : off;
    diag_error(ck->diag, at, "%s: %s (SQLSTATE %s)", what, msg ? msg : PQerrorMessage(ck->conn),
               state ? state : "?????");
}

/* Runs a command that must succeed; false (message printed) otherwise. */
static bool exec_ok(checker *ck, const char *sql)
{
    PGresult *r = PQexec(ck->conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "swlc: %s: %s", sql, PQerrorMessage(ck->conn));
    PQclear(r);
    return ok;
}

/* Prepares (or, unless `prepare`, runs) the SQL span inside a savepoint, so
 * that an error leaves the transaction usable.  Returns the result (caller
 * clears) or NULL when the savepoint fails. */
static PGresult *guarded(checker *ck, uint32_t off, uint32_t len, bool prepare, int nparams)
{
    char sp[64];
    snprintf(sp, sizeof sp, "SAVEPOINT swlc_%d", ++ck->savepoints);
    if (!exec_ok(ck, sp))
        return NULL;
    char *sql = strndup(ck->src + off, len);
    if (!sql)
        return NULL;
    char name[32];
    snprintf(name, sizeof name, "swlc_p%d", ck->savepoints);
    PGresult *r = prepare ? PQprepare(ck->conn, name, sql, nparams, NULL) : PQexec(ck->conn, sql);
    free(sql);
    ExecStatusType st = PQresultStatus(r);
    snprintf(sp, sizeof sp, "%s SAVEPOINT swlc_%d",
             st == PGRES_FATAL_ERROR ? "ROLLBACK TO" : "RELEASE", ck->savepoints);
    exec_ok(ck, sp);
    return r;
}

/* Runs one schema / after-load command; reports an error. */
static void run_command(checker *ck, const ast_sql *cmd, const char *what)
{
    /* VACUUM and friends cannot run in a transaction block: skip them */
    static const char *const skipped[] = {"VACUUM", "CLUSTER", "REINDEX"};
    const char *p = ck->src + cmd->off;
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
        if (strncasecmp(p, skipped[i], strlen(skipped[i])) == 0)
            return;
    PGresult *r = guarded(ck, cmd->off, cmd->len, false, 0);
    if (r && PQresultStatus(r) == PGRES_FATAL_ERROR)
        report(ck, r, cmd->off, cmd->len, what);
    PQclear(r);
}

/* Prepares SQL src[off..off+len) and checks its column count. */
static void prepare(checker *ck, uint32_t off, uint32_t len, const char *what, int ncols,
                    uint32_t cols_off)
{
    PGresult *r = guarded(ck, off, len, true, 0);
    if (!r)
        return;
    if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
        report(ck, r, off, len, what);
        PQclear(r);
        return;
    }
    PQclear(r);
    if (ncols <= 0)
        return;
    char name[32];
    snprintf(name, sizeof name, "swlc_p%d", ck->savepoints);   /* guarded()'s statement */
    PGresult *d = PQdescribePrepared(ck->conn, name);
    if (PQresultStatus(d) == PGRES_COMMAND_OK && PQnfields(d) < ncols)
        diag_error(ck->diag, cols_off, "%d values are captured but the statement returns %d "
                   "column%s", ncols, PQnfields(d), PQnfields(d) == 1 ? "" : "s");
    PQclear(d);
}

/* The most columns any capture or row loop reads from statement st, and
 * where; walks a body. */
static void captured(const ast_stmt *body, const ast_statement *st, int *most, uint32_t *where)
{
    for (const ast_stmt *s = body; s; s = s->next) {
        if ((s->kind == ST_CAPTURE || s->kind == ST_FOR_ROWS) && s->target == st) {
            int n = 0;
            for (const ast_var *v = s->vars; v; v = v->next)
                n++;
            if (n > *most) {
                *most = n;
                *where = s->off;
            }
        }
        captured(s->body, st, most, where);
        if (s->else_body)
            captured(s->else_body, st, most, where);
    }
}

/* `requires extension`: available, then created in the scratch schema. */
static void create_extensions(checker *ck, const ast_file *f)
{
    for (const ast_witem *w = f->workload->items; w; w = w->next) {
        if (w->kind != WI_EXTENSION)
            continue;
        const char *params[1] = {w->value.s};
        PGresult *r = PQexecParams(ck->conn, "SELECT 1 FROM pg_available_extensions WHERE name = $1",
                                   1, NULL, params, NULL, NULL, 0);
        bool there = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        PQclear(r);
        if (!there) {
            diag_error(ck->diag, w->off, "extension '%s' is not available on this server", w->value.s);
            continue;
        }
        char *ident = PQescapeIdentifier(ck->conn, w->value.s, w->value.len);
        char sql[512];
        snprintf(sql, sizeof sql, "SAVEPOINT swlc_ext; CREATE EXTENSION IF NOT EXISTS %s",
                 ident ? ident : "\"\"");
        PQfreemem(ident);
        r = PQexec(ck->conn, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            diag_error(ck->diag, w->off, "cannot create extension '%s': %s", w->value.s,
                       PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : "?");
            exec_ok(ck, "ROLLBACK TO SAVEPOINT swlc_ext");
        }
        PQclear(r);
    }
}

/* Everything, on an open connection inside BEGIN. */
static void check_all(checker *ck, const ast_file *f)
{
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA swlc_check_%ld; SET LOCAL search_path = "
             "swlc_check_%ld, public", (long)getpid(), (long)getpid());
    if (!exec_ok(ck, sql))
        return;
    create_extensions(ck, f);
    for (const ast_sql *c = f->schema.head; c; c = c->next)
        run_command(ck, c, "schema");
    for (const ast_sql *c = f->after_load.head; c; c = c->next)
        run_command(ck, c, "after load");
    if (f->scale_query)
        prepare(ck, f->scale_query->off, f->scale_query->len, "scale_query", 0, 0);
    for (const ast_statement *st = f->statements.head; st; st = st->next) {
        int most = 0;
        uint32_t where = 0;
        for (const ast_tx *tx = f->txs.head; tx; tx = tx->next)
            captured(tx->body, st, &most, &where);
        char what[128];
        snprintf(what, sizeof what, "statement '%.*s'", (int)st->name.len, st->name.s);
        prepare(ck, st->sql.off, st->sql.len, what, most, where);
    }
    for (const ast_check *c = f->checks.head; c; c = c->next) {
        char what[128];
        snprintf(what, sizeof what, "check '%.*s'", (int)c->name.len, c->name.s);
        prepare(ck, c->sql.off, c->sql.len, what, 0, 0);
    }
}

int checksql_run(const char *path, const char *src, unsigned len, const char *conninfo, FILE *out)
{
    diag_ctx d;
    diag_init(&d, path, src, len, out);
    arena *a = arena_new();
    int status = 1;
    ast_file *f = a ? parse_file(a, &d, src, len) : NULL;
    char *dir = driver_dirname(path);
    sema_opts so = {dir != NULL, dir};
    if (!f || d.errors || sema_check(a, &d, src, len, f, &so) != 0 || d.errors)
        goto done;
    PGconn *conn = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(out, "swlc: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        status = 2;
        goto done;
    }
    checker ck = {conn, &d, src, 0};
    if (exec_ok(&ck, "BEGIN")) {
        check_all(&ck, f);
        exec_ok(&ck, "ROLLBACK");
        status = d.errors ? 1 : 0;
    } else {
        status = 2;
    }
    PQfinish(conn);
    if (status == 0)
        fprintf(out, "%s: the SQL checks out (%d statement%s, %d check%s)\n", path,
                f->statements.count, f->statements.count == 1 ? "" : "s", f->checks.count,
                f->checks.count == 1 ? "" : "s");
done:
    diag_summary(&d);
    diag_fini(&d);
    arena_free(a);
    free(dir);
    return status;
}
