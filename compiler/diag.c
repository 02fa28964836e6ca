/* diag.c — locating and printing diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

/* Widest part of a source line shown under a message, in bytes. */
#define DIAG_SHOWN_BYTES 120

void diag_init(diag_ctx *d, const char *file, const char *src, uint32_t len, FILE *out)
{
    d->file = file;
    d->src = src;
    d->len = len;
    d->out = out;
    d->errors = 0;
    d->warnings = 0;
    d->nlines = 0;
    d->lines = NULL;

    uint32_t n = 1;
    for (uint32_t i = 0; i < len; i++)
        n += src[i] == '\n';
    d->lines = malloc((size_t)n * sizeof *d->lines);
    if (!d->lines)
        return;
    d->lines[d->nlines++] = 0;
    for (uint32_t i = 0; i < len; i++)
        if (src[i] == '\n')
            d->lines[d->nlines++] = i + 1;
}

void diag_fini(diag_ctx *d)
{
    free(d->lines);
    d->lines = NULL;
    d->nlines = 0;
}

void diag_position(const diag_ctx *d, uint32_t off, uint32_t *line, uint32_t *col)
{
    if (off > d->len)
        off = d->len;
    if (d->lines) {
        uint32_t lo = 0, hi = d->nlines;  /* lines[lo] <= off < lines[hi] */
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (d->lines[mid] <= off)
                lo = mid;
            else
                hi = mid;
        }
        *line = lo + 1;
        *col = off - d->lines[lo] + 1;
        return;
    }
    uint32_t l = 1, start = 0;
    for (uint32_t i = 0; i < off; i++)
        if (d->src[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = off - start + 1;
}

/* Prints the line holding `off` (a window of it when long), with control
 * bytes shown as '?', then a caret under `off`. */
static void print_excerpt(const diag_ctx *d, uint32_t off)
{
    if (off > d->len)
        off = d->len;
    uint32_t start = off, end = off;
    while (start > 0 && d->src[start - 1] != '\n')
        start--;
    while (end < d->len && d->src[end] != '\n' && d->src[end] != '\r')
        end++;
    if (off - start > DIAG_SHOWN_BYTES / 2)
        start = off - DIAG_SHOWN_BYTES / 2;
    if (end - start > DIAG_SHOWN_BYTES)
        end = start + DIAG_SHOWN_BYTES;
    for (uint32_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)d->src[i];
        fputc(ch < 0x20 && ch != '\t' ? '?' : ch, d->out);
    }
    fputc('\n', d->out);
    for (uint32_t i = start; i < off; i++)
        fputc(d->src[i] == '\t' ? '\t' : ' ', d->out);
    fputs("^\n", d->out);
}

/* Prints one message of the given severity. */
static void DIAG_PRINTF(4, 0) report(diag_ctx *d, const char *severity, uint32_t off, const char *fmt, va_list ap)
{
    if (!d->out || d->errors + d->warnings > DIAG_MAX_PRINTED)
        return;
    if (d->errors + d->warnings == DIAG_MAX_PRINTED + 1) {
        fprintf(d->out, "%s: too many diagnostics; the rest are only counted\n", d->file);
        return;
    }
    uint32_t line, col;
    diag_position(d, off, &line, &col);
    fprintf(d->out, "%s:%u:%u: %s: ", d->file, line, col, severity);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    print_excerpt(d, off);
}

void diag_error(diag_ctx *d, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    d->errors++;
    va_start(ap, fmt);
    report(d, "error", off, fmt, ap);
    va_end(ap);
}

void diag_warning(diag_ctx *d, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    d->warnings++;
    va_start(ap, fmt);
    report(d, "warning", off, fmt, ap);
    va_end(ap);
}

void diag_summary(const diag_ctx *d)
{
    if (d->out && d->errors)
        fprintf(d->out, "%d error%s generated.\n", d->errors, d->errors == 1 ? "" : "s");
}
