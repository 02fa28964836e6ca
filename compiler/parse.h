/*
 * parse.h — the parse driver: lexes a .swl buffer, switches to the SQL
 * scanner where SQL text starts, pushes the tokens into the lemon parser
 * (parser.y) and ends with an explicit end of input.
 *
 * After a syntax error the driver discards the parser and skips tokens up
 * to the next keyword that starts a top-level item (workload, schema, load,
 * after, statement, transaction, mix, param, list, check, probe), so one run reports one syntax error
 * per broken item.  No state outlives a call: the front end can run many
 * times in one process.
 */
#ifndef SWLC_PARSE_H
#define SWLC_PARSE_H

#include "ast.h"

/* Most nested parentheses accepted in an expression. */
#define PARSE_MAX_PARENS 64

/* Parses src[0..len) (src[len] must be '\0') into a new tree in arena `a`,
 * reporting problems to d.  Returns the tree (possibly partial when d
 * counted errors), or NULL when memory ran out (already reported). */
ast_file *parse_file(arena *a, diag_ctx *d, const char *src, uint32_t len);

/* How a token kind is named in messages: "'{'", "identifier", ... */
const char *parse_token_name(int kind);

/* Reports "unexpected TOKEN" at tok, listing the `nexpected` terminals in
 * `expected` (0: none listed).  Used by the grammar's %syntax_error. */
void parse_report_unexpected(parse_ctx *ctx, int major, lex_token tok, const int *expected,
                             int nexpected);

#endif
