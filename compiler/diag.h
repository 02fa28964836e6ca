/*
 * diag.h — diagnostics of one compilation.
 *
 * Locations are byte offsets into the source buffer; they become
 * line:column (both 1-based, column in bytes) only when printed.  Each
 * message is printed at once as
 *
 *     FILE:LINE:COL: error: MESSAGE
 *     <the source line>
 *     <a caret under the column>
 *
 * and counted.  After DIAG_MAX_PRINTED messages the rest are only counted.
 */
#ifndef SWLC_DIAG_H
#define SWLC_DIAG_H

#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

#define DIAG_MAX_PRINTED 50

typedef struct diag_ctx {
    const char *file;    /* name printed before each message (borrowed) */
    const char *src;     /* the source buffer (borrowed) */
    uint32_t len;        /* bytes of src */
    FILE *out;           /* where messages go; NULL: count only */
    uint32_t *lines;     /* malloc'ed offsets of line starts, or NULL */
    uint32_t nlines;
    int errors;          /* errors reported so far */
    int warnings;        /* warnings reported so far */
} diag_ctx;

/* Prepares d for src[0..len) named `file`; builds the line table (if that
 * allocation fails, positions are computed by scanning instead). */
void diag_init(diag_ctx *d, const char *file, const char *src, uint32_t len, FILE *out);

/* Frees the line table. */
void diag_fini(diag_ctx *d);

/* Converts byte offset `off` (clamped to the buffer) to a 1-based line and
 * 1-based byte column. */
void diag_position(const diag_ctx *d, uint32_t off, uint32_t *line, uint32_t *col);

/* Reports an error / a warning at byte offset `off`. */
void diag_error(diag_ctx *d, uint32_t off, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_warning(diag_ctx *d, uint32_t off, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* Prints "N error(s) generated." when there were errors (nothing else). */
void diag_summary(const diag_ctx *d);

/* Longest name quoted in full in a message; longer ones are cut with "...". */
#define DIAG_NAME_MAX 63

#endif
