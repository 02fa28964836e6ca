/*
 * copybuf.h — the buffer a loader fills with COPY text rows.
 *
 * Generated row functions append fields with sdb_copy_* (stormdb.h); the
 * loader ends rows and ships the buffer with PQputCopyData when it passes
 * SDB_COPY_FLUSH bytes.  Owned by one loader thread.
 */
#ifndef SDB_COPYBUF_H
#define SDB_COPYBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormdb.h"

#define SDB_COPY_FLUSH (256 * 1024)   /* bytes: ship the buffer past this */

/* Binary COPY: how a column's values are sent.  A load goes in binary when
 * every column's values have one kind (seen by probing sample rows) that
 * its server type takes exactly as it would take the text form; otherwise
 * in text.  Binary saves the server the parsing of numbers, numerics and
 * timestamps. */
typedef enum sdb_bin_kind {
    SDB_BIN_TEXT = 1,       /* text, varchar, bpchar, json: the bytes as they are */
    SDB_BIN_INT2, SDB_BIN_INT4, SDB_BIN_INT8,
    SDB_BIN_FLOAT8,
    SDB_BIN_NUMERIC,
    SDB_BIN_JSONB,          /* version byte 1, then the text */
    SDB_BIN_BOOL,
    SDB_BIN_TIMESTAMP,      /* timestamp without time zone */
    SDB_BIN_DATE,
    SDB_BIN_UUID
} sdb_bin_kind;

/* The kind of value a row function wrote into a column (probing). */
typedef enum sdb_val_kind {
    SDB_VAL_NONE = 0,       /* nothing but NULLs seen */
    SDB_VAL_INT, SDB_VAL_FLOAT, SDB_VAL_STR, SDB_VAL_BOOL, SDB_VAL_TS, SDB_VAL_DATE,
    SDB_VAL_MIXED           /* more than one kind: text COPY */
} sdb_val_kind;

struct sdb_copybuf {
    char *buf;          /* heap, cap bytes */
    size_t len;         /* bytes used */
    size_t cap;         /* bytes allocated */
    int nfields;        /* fields written in the current row */
    bool oom;           /* a grow failed: the load must stop */
    const uint8_t *bin; /* binary COPY: per column its sdb_bin_kind (ncols
                         * of them); NULL = text COPY */
    int ncols;
    uint8_t *probe;     /* when set: per column (probe_cap of them) the
                         * sdb_val_kind written so far, besides the text */
    int probe_cap;
    char error[200];    /* binary: a value its column cannot take; "" = none */
};

/* Starts a binary COPY stream in b (its header); b must be empty. */
void sdb_copybuf_binary_header(sdb_copybuf *b);
/* Ends a binary COPY stream (its trailer). */
void sdb_copybuf_binary_trailer(sdb_copybuf *b);
/* The binary encoding of a column of server type `typname` (pg_type's
 * name) that gets values of kind `val`, or 0 when it must go as text. */
int sdb_copy_bin_kind(const char *typname, sdb_val_kind val);

/* Allocates the buffer; returns false when out of memory. */
bool sdb_copybuf_init(sdb_copybuf *b);
void sdb_copybuf_free(sdb_copybuf *b);
/* Ends the current row (newline) and starts the next. */
void sdb_copybuf_end_row(sdb_copybuf *b);
/* Empties the buffer after it was shipped. */
void sdb_copybuf_clear(sdb_copybuf *b);

#endif
