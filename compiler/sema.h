/*
 * sema.h — semantic checks of a parsed .swl file.
 *
 * Resolves every name (statements, transactions and mixes share one
 * namespace; variables are per transaction; columns per load), infers and
 * checks types, counts statement parameters, classifies statements,
 * collects the tables the schema creates, and evaluates weights.  Results
 * are stored in the "sema" fields of the tree (ast.h) for emit.c.  Errors
 * go to the diag context; checking goes on after an error so that one run
 * reports as many as it can.
 */
#ifndef SWLC_SEMA_H
#define SWLC_SEMA_H

#include "ast.h"

/* Options of one check. */
typedef struct sema_opts {
    bool read_files;        /* `list NAME = file "..."` may read files */
    const char *base_dir;   /* relative list files are found here; NULL: the cwd */
} sema_opts;

/* Checks file f parsed from src[0..len) (src[len] == '\0'); allocates from
 * `a` (list files are read into it too).  Warnings (unused statements,
 * variables, params and lists) are reported only when there is no error.
 * Returns 0 when checking ran (d->errors tells whether it passed) and -1
 * when memory ran out (reported).  opts may be NULL (no file access). */
int sema_check(arena *a, diag_ctx *d, const char *src, uint32_t len, ast_file *f,
               const sema_opts *opts);

/* The statement kind of SQL src[off..off+len) as the name of an
 * sdb_query_kind constant ("SDB_QUERY_SELECT", ... "SDB_QUERY_OTHER"). */
const char *sema_statement_kind(const char *src, uint32_t len, uint32_t off, uint32_t sql_len);

#endif
