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

#include "stormdb.h"

#define SDB_COPY_FLUSH (256 * 1024)   /* bytes: ship the buffer past this */

struct sdb_copybuf {
    char *buf;          /* heap, cap bytes */
    size_t len;         /* bytes used */
    size_t cap;         /* bytes allocated */
    int nfields;        /* fields written in the current row */
    bool oom;           /* a grow failed: the load must stop */
};

/* Allocates the buffer; returns false when out of memory. */
bool sdb_copybuf_init(sdb_copybuf *b);
void sdb_copybuf_free(sdb_copybuf *b);
/* Ends the current row (newline) and starts the next. */
void sdb_copybuf_end_row(sdb_copybuf *b);
/* Empties the buffer after it was shipped. */
void sdb_copybuf_clear(sdb_copybuf *b);

#endif
