/*
 * ast.h — the syntax tree of one .swl file, and its constructors.
 *
 * Every node lives in the compilation's arena (arena.h); nothing is freed
 * on its own.  Names point into the source buffer, which outlives the tree.
 * Constructors are called from the grammar actions (parser.y); each takes
 * the parse context, returns the new node, and on allocation failure sets
 * ctx->oom and returns NULL.  Every constructor accepts NULL children (left
 * by an earlier failure) so actions never need to check.  Fields marked
 * "sema" are filled in by sema.c and read by emit.c.
 */
#ifndef SWLC_AST_H
#define SWLC_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "lex.h"

/* Deepest expression tree accepted (sema and emit recurse on it). */
#define AST_MAX_DEPTH 200

/* A name or other span of the source. */
typedef struct ast_name {
    const char *s;      /* into the source buffer; not NUL-terminated */
    uint32_t len;       /* bytes */
    uint32_t off;       /* byte offset in the source */
} ast_name;

/* A decoded string literal. */
typedef struct ast_string {
    const char *s;      /* arena copy, NUL-terminated (may hold NULs) */
    uint32_t len;       /* bytes, escapes decoded */
    uint32_t off;       /* offset of the opening quote */
} ast_string;

/* One SQL command: a raw span of the source. */
typedef struct ast_sql {
    uint32_t off;       /* first byte */
    uint32_t len;       /* bytes */
    struct ast_sql *next;
    struct ast_sql *tail;  /* on a list's head: its last node */
} ast_sql;

/* Value types.  TY_LIST is a list of strings (a `list` or an inline
 * `[...]`), only accepted where a generator takes a list. */
typedef enum ast_type {
    TY_ERROR = 0, TY_INT, TY_FLOAT, TY_STRING, TY_BOOL, TY_DATE, TY_TIMESTAMP, TY_NULL, TY_LIST
} ast_type;

typedef enum ast_expr_kind {
    EX_INT, EX_FLOAT, EX_DURATION, EX_STRING, EX_NULL, EX_BOOL, EX_TYPED, EX_NAME, EX_CALL,
    EX_NEG, EX_NOT, EX_BINARY, EX_LIST, EX_ARRAY, EX_JSON, EX_JFIELD
} ast_expr_kind;

/* What a name in an expression refers to (sema). */
typedef enum ast_ref {
    REF_NONE, REF_SCALE, REF_ROW, REF_WORKER, REF_WORKERS, REF_FOUND, REF_AFFECTED,
    REF_VAR, REF_COLUMN, REF_LOOP, REF_PARAM, REF_LIST
} ast_ref;

struct ast_var;
struct ast_column;
struct ast_param;
struct ast_listdef;
struct ast_load;
struct ast_range;
struct builtin_def;

typedef struct ast_expr {
    ast_expr_kind kind;
    uint32_t off;         /* operator, literal, name or call name */
    int depth;            /* 1 + depth of the deepest child */
    ast_name text;        /* literal text, name, called function, EX_TYPED type */
    int op;               /* EX_BINARY: the operator's TK_* token kind */
    struct ast_expr *lhs; /* EX_BINARY left, EX_NEG/EX_NOT operand, EX_JFIELD value */
    struct ast_expr *rhs; /* EX_BINARY right */
    struct ast_expr *args;/* EX_CALL arguments, EX_LIST/EX_ARRAY items, EX_JSON fields */
    int nargs;
    struct ast_expr *next;/* next argument in a list */
    struct ast_expr *tail;/* on a list's head: its last node */
    uint64_t ival;        /* EX_INT value (underscores removed); EX_BOOL 0/1 */
    bool ival_overflow;   /* EX_INT: the digits exceed UINT64 */
    double fval;          /* EX_DURATION: seconds */
    ast_string sval;      /* EX_STRING, EX_TYPED text, EX_JFIELD key */
    /* sema */
    ast_type type;
    bool nullable;        /* may be null: nullable(), a nullable variable or column */
    ast_ref ref;
    int64_t cval;         /* EX_TYPED: days or µs since the Unix epoch;
                           * EX_CALL nurand_c(A): index of A (0, 1, 2) */
    struct ast_var *var;      /* REF_VAR */
    struct ast_column *col;   /* REF_COLUMN */
    struct ast_range *loop;   /* REF_LOOP: a load's loop variable */
    struct ast_param *param;  /* REF_PARAM */
    struct ast_listdef *list; /* REF_LIST; EX_CALL: its list argument when named */
    struct ast_load *load;    /* EX_CALL rows(TABLE) */
    const struct builtin_def *gen;  /* EX_CALL: the function (builtins.h) */
    int site;             /* > 0: number of its file-scope helper or data (emit) */
    struct ast_expr *site_next;  /* next expression with a site */
} ast_expr;

/* A variable: `let`, a capture, or a loop variable of a transaction. */
typedef struct ast_var {
    ast_name name;
    ast_name type_name;    /* the annotation (captures, row loops); len 0 if none */
    struct ast_var *next;
    struct ast_var *tail;  /* on a list's head: its last node */
    /* sema */
    ast_type type;
    bool nullable;
    bool used;             /* read somewhere */
    bool loop;             /* a loop variable (not assignable) */
    struct ast_var *frame_next;  /* next variable of the transaction (its frame) */
} ast_var;

typedef enum ast_stmt_kind {
    ST_LET, ST_ASSIGN, ST_EXEC, ST_CAPTURE, ST_FOR_RANGE, ST_FOR_ROWS, ST_IF,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_RETURN, ST_SLEEP, ST_PIPELINE, ST_ELSE, ST_COUNT
} ast_stmt_kind;

/* One item of a transaction body. */
typedef struct ast_stmt {
    ast_stmt_kind kind;
    uint32_t off;          /* first token */
    ast_name name;         /* ST_ASSIGN target, ST_EXEC statement, ST_COUNT counter */
    ast_expr *value;       /* ST_LET/ST_ASSIGN value, ST_SLEEP seconds, ST_IF condition,
                            * ST_FOR_RANGE low bound, ST_CAPTURE/ST_FOR_ROWS the call */
    ast_expr *hi;          /* ST_FOR_RANGE high bound */
    ast_expr *args;        /* ST_EXEC, linked by next */
    int nargs;
    ast_var *vars;         /* ST_LET/ST_FOR_RANGE: one; ST_CAPTURE/ST_FOR_ROWS: the columns */
    struct ast_stmt *body; /* ST_FOR_*, ST_IF then-part, ST_PIPELINE, ST_ELSE */
    struct ast_stmt *else_body; /* ST_IF: an ST_IF (else if) or an ST_ELSE, or NULL */
    struct ast_stmt *next;
    struct ast_stmt *tail; /* on a list's head: its last node */
    /* sema */
    struct ast_statement *target;  /* ST_EXEC, ST_CAPTURE, ST_FOR_ROWS */
    ast_var *assigned;     /* ST_ASSIGN */
    const struct ast_check *counter; /* ST_COUNT (value: the amount, NULL = 1) */
    int slot;              /* ST_FOR_*: number of its frame fields (hi_N, rs_N) */
    bool keep;             /* ST_FOR_ROWS: the body executes statements */
} ast_stmt;

typedef struct ast_column {
    ast_name name;
    ast_expr *value;
    struct ast_column *next;
    struct ast_column *tail; /* on a list's head: its last node */
    /* sema */
    bool referenced;       /* a later column uses it (emit keeps a local) */
} ast_column;

/* `NAME in LO .. HI` of a nested load. */
typedef struct ast_range {
    ast_name name;
    ast_expr *lo, *hi;
    struct ast_range *next;
    struct ast_range *tail;
} ast_range;

typedef struct ast_load {
    ast_name table;
    ast_expr *rows;        /* `rows EXPR`, or NULL for a nested load */
    ast_range *ranges;     /* `for ...`, or NULL */
    ast_column *columns;
    int ncolumns;
    uint32_t off;          /* the `load` keyword */
    struct ast_load *next;
} ast_load;

typedef struct ast_statement {
    ast_name name;
    ast_sql sql;
    uint32_t off;
    struct ast_statement *next;
    /* sema */
    int index;             /* position in the stmts array */
    int nparams;           /* highest $n */
    const char *kind;      /* "SDB_QUERY_SELECT", ... */
    bool used;             /* executed by some transaction */
} ast_statement;

typedef enum ast_txopt_kind {
    TO_WEIGHT, TO_RETRY, TO_ISOLATION, TO_KEYING, TO_THINK, TO_LIMIT
} ast_txopt_kind;

/* One option of a transaction header. */
typedef struct ast_txopt {
    ast_txopt_kind kind;
    uint32_t off;
    ast_expr *value;       /* weight, retry, keying, think; limit: the NN of `NN%` */
    ast_name words[2];     /* isolation level words; limit: the `pNN` word (len 0 when absent) */
    ast_expr *bound;       /* limit: the latency, a duration or seconds */
    struct ast_txopt *next;
    struct ast_txopt *tail;
} ast_txopt;

/* Isolation levels (sema), by the BEGIN that `begin;` sends. */
typedef enum ast_isolation { ISO_DEFAULT, ISO_READ_COMMITTED, ISO_REPEATABLE_READ, ISO_SERIALIZABLE } ast_isolation;

typedef struct ast_tx {
    ast_name name;
    ast_txopt *opts;
    ast_stmt *body;
    uint32_t off;
    struct ast_tx *next;
    /* sema */
    int index;
    double weight_value;
    int max_tries;         /* >= 1 */
    ast_isolation isolation;
    ast_expr *keying, *think;
    double limit_pct;      /* `limit`: percentile in (0, 100], 0 without */
    double limit_s;        /* `limit`: seconds (> 0), 0 without */
    int nslots;            /* loops (frame fields hi_N / rs_N) */
    ast_var *vars;         /* every variable, in definition order (linked by frame_next) */
} ast_tx;

typedef struct ast_mix_entry {
    ast_name tx;
    ast_expr *weight;
    struct ast_mix_entry *next;
    struct ast_mix_entry *tail; /* on a list's head: its last node */
} ast_mix_entry;

typedef struct ast_mix {
    ast_name name;
    ast_string description;  /* s == NULL when absent */
    ast_mix_entry *entries;
    bool deck;               /* `deck`: whole card counts dealt from a shuffled deck */
    uint32_t off;
    struct ast_mix *next;
    /* sema: one weight per transaction, in transaction order */
    double *weights;
} ast_mix;

/* `param NAME = EXPR;` */
typedef struct ast_param {
    ast_name name;
    ast_expr *value;
    uint32_t off;
    struct ast_param *next;
    /* sema */
    int index;
    ast_type type;         /* TY_INT, TY_FLOAT, TY_STRING or TY_BOOL */
    char *default_text;    /* the default as text of its type */
    bool used;
} ast_param;

/* `list NAME = [...];` or `list NAME = file "PATH";` */
typedef struct ast_listdef {
    ast_name name;
    ast_expr *items;       /* inline items, or NULL */
    ast_name file_kw;      /* `file` (len 0 for an inline list) */
    ast_string path;       /* the file's path (s NULL for an inline list) */
    uint32_t off;
    struct ast_listdef *next;
    /* sema */
    ast_string *values;    /* the items */
    int nvalues;
    bool used;
} ast_listdef;

/* `check NAME ["description"]: SQL;`, and `probe NAME ["description"]: SQL;`
 * (the same shape, in ast_file.probes). */
typedef struct ast_check {
    ast_name name;
    ast_string description;  /* s == NULL when absent */
    ast_sql sql;
    uint32_t off;
    ast_name per;            /* probes: `per OTHER` (len 0 when absent) */
    int index;               /* position in its list (set by sema) */
    const struct ast_check *per_probe; /* resolved by sema, or NULL */
    struct ast_check *next;
} ast_check;

typedef enum ast_witem_kind {
    WI_VERSION, WI_DESCRIPTION, WI_AUTHOR, WI_SCALE_QUERY, WI_NURAND_LOAD, WI_HEADLINE,
    WI_CONNECTION_MODE,
    WI_EXTENSION   /* last: the others are counted below it */
} ast_witem_kind;

/* One item of a workload header. */
typedef struct ast_witem {
    ast_witem_kind kind;
    uint32_t off;
    ast_string value;      /* WI_VERSION .. WI_AUTHOR, WI_EXTENSION (the name),
                            * WI_HEADLINE (the figure's name) */
    ast_name word;         /* WI_EXTENSION: the word after `requires`;
                            * WI_HEADLINE: the transaction;
                            * WI_CONNECTION_MODE: the mode */
    ast_sql *sql;          /* WI_SCALE_QUERY, WI_NURAND_LOAD */
    struct ast_witem *next;
    struct ast_witem *tail; /* on a list's head: its last node */
} ast_witem;

typedef struct ast_workload {
    ast_name name;
    ast_witem *items;
    uint32_t off;
    struct ast_workload *next;
} ast_workload;

/* A table name a schema `CREATE TABLE` creates (sema). */
typedef struct ast_table {
    char *name;            /* as PostgreSQL sees it: unquoted names lowercased */
    uint32_t off;
    struct ast_table *next;
} ast_table;

/* A list with a tail pointer for appending in source order. */
#define AST_LIST(T) struct { T *head; T **tail; int count; }

typedef struct ast_file {
    AST_LIST(ast_workload) workloads;
    AST_LIST(ast_sql) schema;
    AST_LIST(ast_sql) after_load;
    AST_LIST(ast_load) loads;
    AST_LIST(ast_statement) statements;
    AST_LIST(ast_tx) txs;
    AST_LIST(ast_mix) mixes;
    AST_LIST(ast_param) params;
    AST_LIST(ast_listdef) lists;
    AST_LIST(ast_check) checks;
    AST_LIST(ast_check) probes;
    AST_LIST(ast_check) counters;   /* `counter NAME ["desc"] [per OTHER];` (no SQL) */
    /* sema */
    AST_LIST(ast_table) tables;
    const char *version, *description, *author;  /* decoded, "" if absent */
    uint32_t version_len, description_len, author_len;
    ast_sql *scale_query;
    ast_sql *nurand_load;  /* `nurand_load: SQL;`, or NULL */
    const ast_tx *headline_tx;   /* the first `headline TX "NAME";`, or NULL */
    const ast_tx **headline_txs; /* every headline transaction (arena) */
    int nheadline_txs;
    int connection_mode;         /* `connection_mode M;`: 0 persistent (default),
                                  * 1 transient, 2 mixed */
    ast_string headline_name;
    ast_workload *workload;
    int nextensions;       /* `requires extension` items of the header */
    ast_expr *sites;       /* expressions with a file-scope helper, by site number */
    ast_expr **sites_tail;
    int nsites;
    int nsequences;        /* sequence() call sites */
} ast_file;

/* The parse context shared by the driver (parse.c) and grammar actions. */
typedef struct parse_ctx {
    arena *arena;
    diag_ctx *diag;
    const char *src;       /* the source; src[len] == '\0' */
    uint32_t len;
    ast_file *file;        /* the tree being built */
    bool oom;              /* an allocation failed */
    bool syntax_error;     /* set by %syntax_error; the driver resynchronises */
    bool stack_overflow;   /* set by %stack_overflow */
    bool eof_reported;     /* an error at the end of input was reported already */
} parse_ctx;

/* Allocates an empty ast_file; NULL on failure. */
ast_file *ast_file_new(arena *a);

/* Expressions. */
ast_expr *ast_int(parse_ctx *ctx, lex_token t);
ast_expr *ast_float(parse_ctx *ctx, lex_token t);
ast_expr *ast_duration(parse_ctx *ctx, lex_token t);
ast_expr *ast_string_lit(parse_ctx *ctx, lex_token t);
ast_expr *ast_null(parse_ctx *ctx, lex_token t);
ast_expr *ast_bool(parse_ctx *ctx, lex_token t, bool value);
ast_expr *ast_typed_lit(parse_ctx *ctx, lex_token type, lex_token str);
ast_expr *ast_name_ref(parse_ctx *ctx, lex_token t);
ast_expr *ast_call(parse_ctx *ctx, lex_token name, ast_expr *args);
ast_expr *ast_neg(parse_ctx *ctx, lex_token op, ast_expr *e);
ast_expr *ast_not(parse_ctx *ctx, lex_token op, ast_expr *e);
ast_expr *ast_binary(parse_ctx *ctx, lex_token op, ast_expr *l, ast_expr *r);
/* `[...]` (kind EX_LIST) or `array[...]` (EX_ARRAY) whose first token is t. */
ast_expr *ast_list_lit(parse_ctx *ctx, lex_token t, ast_expr_kind kind, ast_expr *items);
/* A json object whose '{' is brace, with its EX_JFIELD fields. */
ast_expr *ast_json(parse_ctx *ctx, lex_token brace, ast_expr *fields);
ast_expr *ast_jfield(parse_ctx *ctx, lex_token key, ast_expr *value);
/* Appends e to the argument list `list` (either may be NULL); returns the head. */
ast_expr *ast_arg_append(ast_expr *list, ast_expr *e);

/* Transaction bodies. */
ast_stmt *ast_let(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *value);
ast_stmt *ast_capture(parse_ctx *ctx, lex_token kw, ast_var *vars, ast_expr *call);
ast_stmt *ast_assign(parse_ctx *ctx, lex_token name, ast_expr *value);
ast_stmt *ast_exec(parse_ctx *ctx, lex_token name, ast_expr *args);
ast_stmt *ast_for_range(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *lo, ast_expr *hi,
                        ast_stmt *body);
ast_stmt *ast_for_rows(parse_ctx *ctx, lex_token kw, ast_var *vars, ast_expr *call, ast_stmt *body);
ast_stmt *ast_if(parse_ctx *ctx, lex_token kw, ast_expr *cond, ast_stmt *then, ast_stmt *els);
/* Wraps an `else { ... }` body (possibly empty) in an ST_ELSE node. */
ast_stmt *ast_else(parse_ctx *ctx, ast_stmt *body);
ast_stmt *ast_control(parse_ctx *ctx, lex_token kw, ast_stmt_kind kind);
ast_stmt *ast_sleep(parse_ctx *ctx, lex_token kw, ast_expr *seconds);
ast_stmt *ast_pipeline(parse_ctx *ctx, lex_token kw, ast_stmt *body);
ast_stmt *ast_stmt_append(ast_stmt *list, ast_stmt *s);
ast_var *ast_var_new(parse_ctx *ctx, lex_token name, lex_token type);
ast_var *ast_var_append(ast_var *list, ast_var *v);

/* Transaction options. */
ast_txopt *ast_txopt_new(parse_ctx *ctx, lex_token kw, ast_txopt_kind kind, ast_expr *value,
                         const lex_token *w1, const lex_token *w2);
/* `limit pNN SECONDS` (pword set, pct NULL) or `limit NN% SECONDS` (pword
 * NULL, pct the number); sema reads and checks both. */
ast_txopt *ast_txopt_limit(parse_ctx *ctx, lex_token kw, const lex_token *pword, ast_expr *pct,
                           ast_expr *seconds);
ast_txopt *ast_txopt_append(ast_txopt *list, ast_txopt *o);

/* Loads. */
ast_column *ast_column_new(parse_ctx *ctx, lex_token name, ast_expr *value);
ast_column *ast_column_append(ast_column *list, ast_column *c);
ast_range *ast_range_new(parse_ctx *ctx, lex_token name, ast_expr *lo, ast_expr *hi);
ast_range *ast_range_append(ast_range *list, ast_range *r);

/* Mixes. */
ast_mix_entry *ast_mix_entry_new(parse_ctx *ctx, lex_token tx, ast_expr *weight);
ast_mix_entry *ast_mix_entry_append(ast_mix_entry *list, ast_mix_entry *e);

/* Workload header items. */
ast_witem *ast_witem_string(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token str);
/* `scale_query: SQL;` or `nurand_load: SQL;` (kind says which). */
ast_witem *ast_witem_sql(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token sql);
/* A header item of one word: `connection_mode mixed;`. */
ast_witem *ast_witem_word(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token word);

/* `headline TRANSACTION "NAME";` (sema resolves the transaction). */
ast_witem *ast_witem_headline(parse_ctx *ctx, lex_token kw, lex_token tx, lex_token name);
/* `requires WORD NAME;` (sema checks that WORD is `extension`); name is an
 * identifier or a string token. */
ast_witem *ast_witem_extension(parse_ctx *ctx, lex_token kw, lex_token word, lex_token name);
ast_witem *ast_witem_append(ast_witem *list, ast_witem *w);

/* SQL lists (schema, after load). */
ast_sql *ast_sql_new(parse_ctx *ctx, lex_token sql);
ast_sql *ast_sql_append(ast_sql *list, ast_sql *s);

/* Top-level items: each appends to ctx->file in source order. */
void ast_add_workload(parse_ctx *ctx, lex_token kw, lex_token name, ast_witem *items);
void ast_add_schema(parse_ctx *ctx, ast_sql *cmds);
void ast_add_after_load(parse_ctx *ctx, ast_sql *cmds);
void ast_add_load(parse_ctx *ctx, lex_token kw, lex_token table, ast_expr *rows, ast_range *ranges,
                  ast_column *cols);
void ast_add_statement(parse_ctx *ctx, lex_token kw, lex_token name, lex_token sql);
void ast_add_tx(parse_ctx *ctx, lex_token kw, lex_token name, ast_txopt *opts, ast_stmt *body);
void ast_add_mix(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, bool deck,
                 ast_mix_entry *entries);
void ast_add_param(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *value);
void ast_add_list(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *items);
/* `list NAME = WORD "PATH";` (sema checks that WORD is `file`). */
void ast_add_list_file(parse_ctx *ctx, lex_token kw, lex_token name, lex_token word, lex_token path);
void ast_add_check(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, lex_token sql);
void ast_add_probe(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, lex_token sql);
/* `counter NAME ["description"] [per OTHER];` */
void ast_add_counter(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                     const lex_token *per);
/* `count NAME [by EXPR];` in a transaction body. */
ast_stmt *ast_count(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *amount);

/* `probe NAME ["description"] per OTHER: SQL;` */
void ast_add_probe_per(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                       lex_token per, lex_token sql);

/* A decoded string of the source token (for sema and tests); sets ctx->oom
 * and returns an empty string on failure. */
ast_string ast_decode_string(parse_ctx *ctx, lex_token t);

#endif
