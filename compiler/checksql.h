/*
 * checksql.h — `swlc --check-sql`: checks the SQL of a .swl file against a
 * live PostgreSQL server.
 *
 * Inside one transaction that is rolled back at the end (nothing persists):
 * creates a scratch schema first in the search_path, creates the required
 * extensions, runs the schema and after-load commands, then prepares every
 * statement and every check.  Each server error is reported at its .swl
 * location: the server's error position (a 1-based character offset into
 * the command) is mapped back to line:column.  Captures and row loops are
 * checked against the number of columns the statement returns.
 */
#ifndef SWLC_CHECKSQL_H
#define SWLC_CHECKSQL_H

#include <stdio.h>

/* Checks file `path` (display name) with source src[0..len) (src[len] ==
 * '\0') on the server given by conninfo (NULL or "": the PG* environment).
 * Diagnostics go to out.  Returns 0 when all is well, 1 when the file or
 * its SQL has errors, 2 when the server cannot be used. */
int checksql_run(const char *path, const char *src, unsigned len, const char *conninfo, FILE *out);

#endif
