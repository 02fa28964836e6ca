/*
 * builtins.h — the built-in functions of expressions (generators and
 * conversions) as one table, and the conversion of date/timestamp literals.
 *
 * sema.c checks a call against its entry (argument count and kinds, result
 * type, where it may be used); emit.c writes the call from the same entry.
 * Nothing here allocates or keeps state.
 */
#ifndef SWLC_BUILTINS_H
#define SWLC_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

/* Functions whose checking or C is not the generic "call cfn". */
typedef enum builtin_id {
    BI_GENERIC = 0,
    BI_UNIFORM,        /* int, or uniform_float with a float argument */
    BI_SEQUENCE,       /* a shared counter per call site */
    BI_CHOOSE,         /* weighted choice among constants or a list */
    BI_NULLABLE,       /* the value, or null with probability p */
    BI_VECTOR,         /* constant distribution name */
    BI_ROWS,           /* rows(TABLE): a load's row count */
    BI_NURAND_C,       /* nurand_c(A): the run's NURand C for A = 255, 1023, 8191 */
    BI_INT, BI_FLOAT, BI_STRING  /* conversions */
} builtin_id;

/* Letters of builtin_def.args, one per argument:
 *   i int         n number (int or float, passed as double)
 *   s string      L list (a `list` name or an inline ["...", ...])
 *   d date        t timestamp     b bool      a any scalar
 *   c constant string             T table of a load             */

/* Flags of builtin_def.flags. */
#define BI_CTX    1u   /* takes the context first */
#define BI_WHERE  2u   /* takes the "file:line:col" last */
#define BI_RANDOM 4u   /* draws random numbers (not allowed in row counts) */

typedef struct builtin_def {
    const char *name;
    builtin_id id;
    int min_args, max_args;
    const char *args;       /* argument kinds, see above */
    ast_type result;        /* TY_ERROR: decided by sema (choose, nullable) */
    const char *cfn;        /* the runtime function called */
    unsigned flags;
    const char *defaults[3];/* C text of omitted trailing arguments, from min_args on */
} builtin_def;

/* The entry named name[0..len), or NULL. */
const builtin_def *builtin_find(const char *name, uint32_t len);

/* uniform() with a float argument. */
const builtin_def *builtin_uniform_float(void);

/* The names of all built-in functions, comma-separated, for messages. */
const char *builtin_names(void);

/* Converts "YYYY-MM-DD" (s[0..len)) to days since 1970-01-01.  Returns
 * false when the text is not a valid date (years 1..9999). */
bool builtin_parse_date(const char *s, uint32_t len, int64_t *days);

/* Converts "YYYY-MM-DD[ |T]HH:MM[:SS[.ffffff]]" or "YYYY-MM-DD" to µs since
 * 1970-01-01 00:00:00 (UTC).  Returns false when invalid. */
bool builtin_parse_timestamp(const char *s, uint32_t len, int64_t *us);

#endif
