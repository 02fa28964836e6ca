/*
 * emit.h — C code generation from a checked tree, through the templates of
 * templates/ (embedded, see templates.h).
 *
 * The output is deterministic: it depends only on the source text and the
 * two names given (no dates, no absolute paths unless given).  It targets
 * runtime/include/stormdb.h and compiles with -std=c11 -Wall -Wextra -Werror.
 */
#ifndef SWLC_EMIT_H
#define SWLC_EMIT_H

#include <stddef.h>

#include "ast.h"

/* Emits the C for file f (which sema_check passed without errors) parsed
 * from src[0..len).  swl_name is the .swl name used in #line directives,
 * `where` strings and the header; c_name the output's name used to point
 * #line back at the C file.  On success stores a malloc'ed, NUL-terminated
 * text in *out (*out_len bytes, caller frees) and returns 0; returns -1 when
 * memory ran out or a template is broken (an internal error, printed). */
int emit_c(const ast_file *f, diag_ctx *d, const char *src, uint32_t len, const char *swl_name,
           const char *c_name, char **out, size_t *out_len);

#endif
