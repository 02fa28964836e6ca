/*
 * params.h — a workload's parameters (`param NAME = default;`) resolved to
 * typed values, and the run's NURand constants.
 *
 * A parameter's value comes from, lowest precedence first: its default in
 * the .swl (sdb_param_def.default_text), the YAML file's
 * `workload_config.NAME`, then `--set NAME=VALUE` / `-D NAME=VALUE` (the
 * last one given wins).  The settings are collected by config.c; this module
 * checks their names against the workload and parses them by type.
 *
 * Ownership: an sdb_params owns its arrays and the text of every value
 * (string values point into that text); sdb_params_free releases them.
 * Resolved once at start-up, read-only afterwards, so any thread may read it.
 */
#ifndef SDB_PARAMS_H
#define SDB_PARAMS_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "stormdb.h"

typedef struct sdb_params {
    int n;                  /* w->nparams */
    sdb_value *values;      /* n values, by index: what ctx->params points to */
    char **text;            /* n canonical texts ("4", "1.5", "true", "abc") */
    sdb_source *source;     /* n: SDB_SRC_DEFAULT, _FILE or _FLAG */
    const char **where;     /* n: "FILE:LINE:COL" of a file value, else NULL
                             * (borrowed from the config's settings) */
} sdb_params;

/*
 * Parses text as a value of `type` into *out:
 *   int     a whole decimal integer in the int64 range, optional sign, '_'
 *           allowed between digits ("1_000"); anything else is junk;
 *   float   a finite decimal number ("1.5", "-2e-3", "7");
 *   bool    true/false, on/off, yes/no, 1/0 (any case); stored as i = 1/0;
 *   string  the text as is (out->s points at text: the caller keeps it alive).
 * Returns 0, or -1 with *expects set to a phrase for the message ("an
 * integer from ... to ...").
 */
int sdb_params_parse(sdb_type type, const char *text, sdb_value *out, const char **expects);

/* The name of a type as the language writes it: "int", "float", ... */
const char *sdb_params_type_name(sdb_type type);

/*
 * Resolves w's parameters: defaults, then the settings of cfg in order
 * (file settings are collected before flag settings, so flags win).  An
 * unknown name or a value that does not parse is reported on err —
 * "FILE:LINE:COL: error: ..." for the file, "PROG: error: ..." for a flag —
 * with the workload's parameters listed; every error is reported.  A default
 * that does not parse is an internal error (the compiler checks them).
 * Returns 0, or 2 after reporting (p is then empty).  p must be freed with
 * sdb_params_free either way.
 */
int sdb_params_resolve(sdb_params *p, const sdb_workload_def *w, const sdb_config *cfg,
                       const char *prog, FILE *err);

/* Frees p's storage; p may be freed twice. */
void sdb_params_free(sdb_params *p);

/* The label of a source in the "parameters:" line: "default",
 * "workload_config" or "--set". */
const char *sdb_params_source_name(sdb_source src);

/* Writes "NAME=VALUE (SOURCE), ..." for every parameter into buf (len
 * bytes; cut with "..." when too long); "" when there are none. */
void sdb_params_describe(const sdb_params *p, const sdb_workload_def *w, char *buf,
                         size_t len);

/*
 * The run's TPC-C NURand constants (clause 2.1.6), for A = 255, 1023, 8191
 * (indexes 0, 1, 2), derived from seed alone (so a repeated --seed gives the
 * same constants): c_load[i] uniform in [0, A]; c_run[0] uniform among the
 * values in [0, 255] whose distance to c_load[0] is in [65, 119] but not 96
 * or 112 (clause 2.1.6.1); c_run[1], c_run[2] uniform in [0, A].
 */
void sdb_params_nurand(uint64_t seed, int64_t c_load[3], int64_t c_run[3]);
/* C-Run for a given C-Load (e.g. read back from the database): the same
 * rules as sdb_params_nurand. */
void sdb_params_nurand_run(uint64_t seed, const int64_t c_load[3], int64_t c_run[3]);

#endif
