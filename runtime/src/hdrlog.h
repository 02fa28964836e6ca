/*
 * hdrlog.h — --hdr-log FILE: the run's interval histograms as an
 * HdrHistogram interval log (format version 1.3, as HdrHistogram's
 * HistogramLogWriter writes it), readable by HdrHistogram's own tools
 * (HistogramLogProcessor, HistogramLogAnalyzer, hdr_log_read in C).
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1764000000.123 (seconds since epoch), Mon Nov 24 16:00:00 UTC 2025]
 *   #[BaseTime: 1764000000.123 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   0.000,1.000,12.345678,HISTFAAAAC...
 *
 * One line per interval: its start (seconds from StartTime), its length
 * (s), its largest latency (ms: values are ns, max ratio 1e6) and the
 * base64 of the histogram in HdrHistogram's compressed V2 encoding.
 *
 * The log is written to FILE.tmp and renamed to FILE by sdb_hdrlog_close,
 * so FILE is always a complete log (a run stopped early included).
 *
 * Threading: one thread (the main thread, from on_interval) uses a log.
 * Memory: every buffer is allocated by sdb_hdrlog_open; writing an interval
 * allocates nothing.
 */
#ifndef SDB_HDRLOG_H
#define SDB_HDRLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* HdrHistogram's cookies: the base ones with word size 1 (0x10), which
 * marks ZigZag LEB128 counts (HdrHistogram_c and Java write these). */
#define SDB_HDRLOG_ENCODING_COOKIE    UINT32_C(0x1c849313)   /* V2 encoding */
#define SDB_HDRLOG_COMPRESSION_COOKIE UINT32_C(0x1c849314)   /* V2 compressed */
/* Bytes of the V2 encoding's header (cookie .. integer-to-double ratio). */
#define SDB_HDRLOG_V2_HEADER_BYTES 40

typedef struct sdb_hdrlog sdb_hdrlog;

/*
 * Creates path.tmp and writes the header, StartTime (and BaseTime) being
 * start_unix (seconds since the epoch).  Returns the log (owned by the
 * caller: sdb_hdrlog_close or sdb_hdrlog_abort), or NULL with a message in
 * err (errlen bytes) when the file cannot be created or memory runs out.
 */
sdb_hdrlog *sdb_hdrlog_open(const char *path, double start_unix, char *err, size_t errlen);

/*
 * Appends the line of one interval: start start_s and length length_s
 * (seconds, from the start), histogram h (ns).  After a write error the
 * log keeps the error (reported by sdb_hdrlog_close) and ignores further
 * intervals.  Returns 0, or -1 when the log is in error.
 */
int sdb_hdrlog_write(sdb_hdrlog *log, double start_s, double length_s, const sdb_hist *h);

/*
 * Flushes and closes path.tmp and renames it to path; frees the log (NULL
 * is allowed).  Returns 0, or -1 with a message in err (any earlier write
 * error included); path.tmp is then removed.
 */
int sdb_hdrlog_close(sdb_hdrlog *log, char *err, size_t errlen);

/* Closes and removes path.tmp without making path (a run that did not
 * start); frees the log.  NULL is allowed. */
void sdb_hdrlog_abort(sdb_hdrlog *log);

/*
 * Encoders, exposed for tests.  Each writes into a caller's buffer and
 * returns the bytes written, or 0 when cap is too small (or, for the
 * compressed form, zlib fails).
 */
/* Capacity that always suffices for sdb_hdrlog_encode_v2 of any histogram. */
size_t sdb_hdrlog_v2_bound(void);
/* The uncompressed V2 encoding of h (cookie SDB_HDRLOG_ENCODING_COOKIE). */
size_t sdb_hdrlog_encode_v2(const sdb_hist *h, uint8_t *out, size_t cap);
/* The compressed form: compression cookie, length, zlib stream of the V2
 * encoding.  scratch (scratch_cap >= sdb_hdrlog_v2_bound()) holds the V2
 * encoding meanwhile. */
size_t sdb_hdrlog_encode_compressed(const sdb_hist *h, uint8_t *scratch, size_t scratch_cap,
                                    uint8_t *out, size_t cap);
/* Capacity that always suffices for sdb_hdrlog_encode_compressed. */
size_t sdb_hdrlog_compressed_bound(void);
/* Standard base64 (RFC 4648, '=' padding) of in[0..n) into out, NUL
 * terminated; returns the length, or 0 when cap < 4 * ceil(n / 3) + 1. */
size_t sdb_hdrlog_base64(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
