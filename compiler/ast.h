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

typedef enum ast_type { TY_ERROR = 0, TY_INT, TY_FLOAT, TY_STRING, TY_NULL } ast_type;

typedef enum ast_expr_kind {
    EX_INT, EX_FLOAT, EX_STRING, EX_NULL, EX_NAME, EX_CALL, EX_NEG, EX_BINARY
} ast_expr_kind;

/* What a name in an expression refers to (sema). */
typedef enum ast_ref { REF_NONE, REF_SCALE, REF_ROW, REF_VAR, REF_COLUMN } ast_ref;

typedef struct ast_expr {
    ast_expr_kind kind;
    uint32_t off;         /* operator, literal, name or call name */
    int depth;            /* 1 + depth of the deepest child */
    ast_name text;        /* literal text, name, or called function */
    int op;               /* EX_BINARY: '+', '-', '*', '/', '%' */
    struct ast_expr *lhs; /* EX_BINARY left, EX_NEG operand */
    struct ast_expr *rhs; /* EX_BINARY right */
    struct ast_expr *args;/* EX_CALL arguments, linked by next */
    int nargs;
    struct ast_expr *next;/* next argument in a list */
    struct ast_expr *tail;/* on a list's head: its last node */
    uint64_t ival;        /* EX_INT value (underscores removed) */
    bool ival_overflow;   /* EX_INT: the digits exceed UINT64 */
    ast_string sval;      /* EX_STRING */
    /* sema */
    ast_type type;
    ast_ref ref;
    struct ast_stmt *var;     /* REF_VAR: the let */
    struct ast_column *col;   /* REF_COLUMN */
} ast_expr;

typedef enum ast_stmt_kind { ST_LET, ST_EXEC, ST_BEGIN, ST_COMMIT, ST_ROLLBACK } ast_stmt_kind;

/* One item of a transaction body. */
typedef struct ast_stmt {
    ast_stmt_kind kind;
    uint32_t off;          /* first token */
    ast_name name;         /* ST_LET variable, ST_EXEC statement */
    ast_expr *value;       /* ST_LET */
    ast_expr *args;        /* ST_EXEC, linked by next */
    int nargs;
    struct ast_stmt *next;
    struct ast_stmt *tail; /* on a list's head: its last node */
    /* sema */
    struct ast_statement *target;  /* ST_EXEC */
} ast_stmt;

typedef struct ast_column {
    ast_name name;
    ast_expr *value;
    struct ast_column *next;
    struct ast_column *tail; /* on a list's head: its last node */
    /* sema */
    bool referenced;       /* a later column uses it (emit keeps a local) */
} ast_column;

typedef struct ast_load {
    ast_name table;
    ast_expr *rows;
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
} ast_statement;

typedef struct ast_tx {
    ast_name name;
    ast_expr *weight;      /* NULL: default 1 */
    ast_stmt *body;
    uint32_t off;
    struct ast_tx *next;
    /* sema */
    int index;
    double weight_value;
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
    uint32_t off;
    struct ast_mix *next;
    /* sema: one weight per transaction, in transaction order */
    double *weights;
} ast_mix;

typedef enum ast_witem_kind { WI_VERSION, WI_DESCRIPTION, WI_AUTHOR, WI_SCALE_QUERY } ast_witem_kind;

/* One item of a workload header. */
typedef struct ast_witem {
    ast_witem_kind kind;
    uint32_t off;
    ast_string value;      /* WI_VERSION .. WI_AUTHOR */
    ast_sql *sql;          /* WI_SCALE_QUERY */
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
    /* sema */
    AST_LIST(ast_table) tables;
    const char *version, *description, *author;  /* decoded, "" if absent */
    uint32_t version_len, description_len, author_len;
    ast_sql *scale_query;
    ast_workload *workload;
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
ast_expr *ast_string_lit(parse_ctx *ctx, lex_token t);
ast_expr *ast_null(parse_ctx *ctx, lex_token t);
ast_expr *ast_name_ref(parse_ctx *ctx, lex_token t);
ast_expr *ast_call(parse_ctx *ctx, lex_token name, ast_expr *args);
ast_expr *ast_neg(parse_ctx *ctx, lex_token op, ast_expr *e);
ast_expr *ast_binary(parse_ctx *ctx, lex_token op, ast_expr *l, ast_expr *r);
/* Appends e to the argument list `list` (either may be NULL); returns the head. */
ast_expr *ast_arg_append(ast_expr *list, ast_expr *e);

/* Transaction bodies. */
ast_stmt *ast_let(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *value);
ast_stmt *ast_exec(parse_ctx *ctx, lex_token name, ast_expr *args);
ast_stmt *ast_control(parse_ctx *ctx, lex_token kw, ast_stmt_kind kind);
ast_stmt *ast_stmt_append(ast_stmt *list, ast_stmt *s);

/* Loads. */
ast_column *ast_column_new(parse_ctx *ctx, lex_token name, ast_expr *value);
ast_column *ast_column_append(ast_column *list, ast_column *c);

/* Mixes. */
ast_mix_entry *ast_mix_entry_new(parse_ctx *ctx, lex_token tx, ast_expr *weight);
ast_mix_entry *ast_mix_entry_append(ast_mix_entry *list, ast_mix_entry *e);

/* Workload header items. */
ast_witem *ast_witem_string(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token str);
ast_witem *ast_witem_sql(parse_ctx *ctx, lex_token kw, lex_token sql);
ast_witem *ast_witem_append(ast_witem *list, ast_witem *w);

/* SQL lists (schema, after load). */
ast_sql *ast_sql_new(parse_ctx *ctx, lex_token sql);
ast_sql *ast_sql_append(ast_sql *list, ast_sql *s);

/* Top-level items: each appends to ctx->file in source order. */
void ast_add_workload(parse_ctx *ctx, lex_token kw, lex_token name, ast_witem *items);
void ast_add_schema(parse_ctx *ctx, ast_sql *cmds);
void ast_add_after_load(parse_ctx *ctx, ast_sql *cmds);
void ast_add_load(parse_ctx *ctx, lex_token kw, lex_token table, ast_expr *rows, ast_column *cols);
void ast_add_statement(parse_ctx *ctx, lex_token kw, lex_token name, lex_token sql);
void ast_add_tx(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *weight, ast_stmt *body);
void ast_add_mix(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                 ast_mix_entry *entries);

/* A decoded string of the source token (for sema and tests); sets ctx->oom
 * and returns an empty string on failure. */
ast_string ast_decode_string(parse_ctx *ctx, lex_token t);

#endif
