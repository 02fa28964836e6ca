/*
 * driver.h — one compilation from .swl text to C, and the --build step.
 * Separate from main.c so that tests can run whole compilations in process.
 */
#ifndef SWLC_DRIVER_H
#define SWLC_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of swlc. */
enum { DRIVER_OK = 0, DRIVER_SWL_ERROR = 1, DRIVER_USAGE_ERROR = 2 };

/* Largest .swl file accepted, in bytes. */
#define DRIVER_MAX_SOURCE (64u * 1024 * 1024)

/* Options of one compilation. */
typedef struct driver_opts {
    bool read_files;       /* `list NAME = file "..."` may read files */
    const char *base_dir;  /* where relative list files are; NULL: the directory
                            * of display_name */
    bool werror;           /* warnings count as errors */
} driver_opts;

/* Compiles with options (NULL: read files beside display_name, warnings
 * are not errors); otherwise as driver_compile. */
int driver_compile_opts(const driver_opts *o, const char *src, uint32_t len,
                        const char *display_name, const char *swl_name, const char *c_name,
                        FILE *diag_out, char **out, size_t *out_len);

/* Compiles src[0..len) (src[len] must be '\0'), named `display_name` in
 * diagnostics (printed to `diag_out`, may be NULL) and `swl_name` in the
 * generated C, whose own name is `c_name`.  On success stores the malloc'ed
 * C text in *out / *out_len (caller frees) and returns DRIVER_OK; otherwise
 * returns DRIVER_SWL_ERROR (errors in the source, or out of memory). */
int driver_compile(const char *src, uint32_t len, const char *display_name, const char *swl_name,
                   const char *c_name, FILE *diag_out, char **out, size_t *out_len);

/* Reads the whole file `path` into a malloc'ed buffer with a '\0' after it.
 * Returns 0, or -1 with a message in err (errlen bytes). */
int driver_read_file(const char *path, char **buf, uint32_t *len, char *err, size_t errlen);

/* The directory part of path, malloc'ed ("." when there is none, "/" for
 * the root); NULL when out of memory.  Relative list files are found there. */
char *driver_dirname(const char *path);

/* The last path component of `path` (a pointer into it). */
const char *driver_basename(const char *path);

#endif
