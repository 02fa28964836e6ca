/* emit.c — C code generation (see emit.h). */
#include "emit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stormdb.h"     /* SDB_ABI_VERSION */
#include "templates.h"

/* The output being built and what is needed to write it. */
typedef struct emitter {
    char *buf;             /* malloc'ed output */
    size_t len, cap;       /* bytes used / allocated */
    bool failed;           /* out of memory or internal error */
    uint32_t line;         /* 1-based number of the output line being written */
    bool in_swl;           /* a #line directive points at the .swl */
    const ast_file *file;
    diag_ctx *diag;
    const char *src;
    const char *swl_name;
    const char *c_name;
} emitter;

/* Appends s[0..n). */
static void put(emitter *e, const char *s, size_t n)
{
    if (e->failed)
        return;
    if (e->len + n + 1 > e->cap) {
        size_t cap = e->cap ? e->cap : 16384;
        while (e->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(e->buf, cap);
        if (!p) {
            e->failed = true;
            return;
        }
        e->buf = p;
        e->cap = cap;
    }
    memcpy(e->buf + e->len, s, n);
    e->len += n;
    e->buf[e->len] = '\0';
    for (size_t i = 0; i < n; i++)
        e->line += s[i] == '\n';
}

static void puts_(emitter *e, const char *s)
{
    put(e, s, strlen(s));
}

/* Appends formatted text (short pieces: names are at most 63 bytes). */
static void DIAG_PRINTF(2, 3) putf(emitter *e, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "swlc: internal error: emitted text too long (%s:%d)\n", __FILE__, __LINE__);
        e->failed = true;
        return;
    }
    put(e, tmp, (size_t)n);
}

/* Appends a name of the source. */
static void put_name(emitter *e, ast_name n)
{
    put(e, n.s, n.len);
}

/* Appends s[0..n) as the body of a C string literal (no quotes).  When
 * split_lines, a newline ends the literal piece and continues it on the
 * next line, indented by `indent`. */
static void put_escaped(emitter *e, const char *s, size_t n, bool split_lines, const char *indent)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        switch (ch) {
        case '\\': puts_(e, "\\\\"); break;
        case '"': puts_(e, "\\\""); break;
        case '\t': puts_(e, "\\t"); break;
        case '\n':
            puts_(e, "\\n");
            if (split_lines && i + 1 < n) {
                puts_(e, "\"\n");
                puts_(e, indent);
                puts_(e, "\"");
            }
            break;
        case '?':   /* never let "??x" form a trigraph */
            puts_(e, i > 0 && s[i - 1] == '?' ? "\\?" : "?");
            break;
        default:
            if (ch < 0x20 || ch >= 0x7f) {
                snprintf(esc, sizeof esc, "\\%03o", ch);
                puts_(e, esc);
            } else {
                put(e, (const char *)&ch, 1);
            }
        }
    }
}

/* Appends a C string literal for s[0..n). */
static void put_cstr(emitter *e, const char *s, size_t n)
{
    puts_(e, "\"");
    put_escaped(e, s, n, false, "");
    puts_(e, "\"");
}

/* Appends the "file.swl:LINE:COL" literal of offset off. */
static void put_where(emitter *e, uint32_t off)
{
    uint32_t line, col;
    diag_position(e->diag, off, &line, &col);
    char pos[32];
    snprintf(pos, sizeof pos, ":%" PRIu32 ":%" PRIu32, line, col);
    puts_(e, "\"");
    put_escaped(e, e->swl_name, strlen(e->swl_name), false, "");
    puts_(e, pos);
    puts_(e, "\"");
}

/* Appends "file.swl:LINE" of offset off, for comments. */
static void put_file_line(emitter *e, uint32_t off)
{
    uint32_t line, col;
    diag_position(e->diag, off, &line, &col);
    put_escaped(e, e->swl_name, strlen(e->swl_name), false, "");
    putf(e, ":%" PRIu32, line);
}

/* Points the following line at the .swl line of offset off. */
static void line_swl(emitter *e, uint32_t off)
{
    uint32_t line, col;
    diag_position(e->diag, off, &line, &col);
    putf(e, "#line %" PRIu32 " ", line);
    put_cstr(e, e->swl_name, strlen(e->swl_name));
    puts_(e, "\n");
    e->in_swl = true;
}

/* Points the following line back at the C file itself. */
static void line_c(emitter *e)
{
    if (!e->in_swl)
        return;
    putf(e, "#line %" PRIu32 " ", e->line + 1);
    put_cstr(e, e->c_name, strlen(e->c_name));
    puts_(e, "\n");
    e->in_swl = false;
}

/* Appends a double so that it reads back as the same value. */
static void put_double(emitter *e, double v)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    puts_(e, tmp);
}

/* ---- templates --------------------------------------------------------- */

/* Writes the value of placeholder key[0..n); false when unknown. */
typedef bool (*fill_fn)(emitter *e, const char *key, size_t n, const void *arg);

/* True when key[0..n) is `name`. */
static bool key_is(const char *key, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(key, name, n) == 0;
}

/* Expands template `name`, writing each @KEY@ through fill. */
static void expand(emitter *e, const char *name, fill_fn fill, const void *arg)
{
    const char *t = NULL;
    for (int i = 0; i < emit_template_count; i++)
        if (strcmp(emit_template_table[i].name, name) == 0)
            t = emit_template_table[i].text;
    if (!t) {
        fprintf(stderr, "swlc: internal error: template %s missing (%s:%d)\n", name, __FILE__, __LINE__);
        e->failed = true;
        return;
    }
    line_c(e);
    while (*t && !e->failed) {
        const char *at = strchr(t, '@');
        if (!at) {
            puts_(e, t);
            return;
        }
        put(e, t, (size_t)(at - t));
        size_t n = strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (n == 0 || at[1 + n] != '@') {
            put(e, "@", 1);
            t = at + 1;
            continue;
        }
        if (!fill(e, at + 1, n, arg)) {
            fprintf(stderr, "swlc: internal error: template %s: unknown @%.*s@ (%s:%d)\n", name,
                    (int)n, at + 1, __FILE__, __LINE__);
            e->failed = true;
            return;
        }
        line_c(e);
        t = at + n + 2;
    }
}

/* Fills @SECTION@ of the banners. */
static bool fill_section(emitter *e, const char *key, size_t n, const void *arg)
{
    if (!key_is(key, n, "SECTION"))
        return false;
    puts_(e, arg);
    return true;
}

static void banner_begin(emitter *e, const char *section)
{
    expand(e, "banner_begin.c.in", fill_section, section);
}

static void banner_end(emitter *e, const char *section)
{
    expand(e, "banner_end.c.in", fill_section, section);
}

/* ---- expressions --------------------------------------------------------- */

static void put_expr(emitter *e, const ast_expr *x, bool top);

/* A generator call. */
static void put_call(emitter *e, const ast_expr *x)
{
    bool uniform = x->text.len == 7 && memcmp(x->text.s, "uniform", 7) == 0;
    puts_(e, uniform ? "sdb_gen_uniform(c, " : "sdb_gen_string(c, ");
    put_expr(e, x->args, true);
    puts_(e, ", ");
    put_expr(e, x->args->next, true);
    puts_(e, ", ");
    put_where(e, x->off);
    puts_(e, ")");
}

/* An operator application; division goes through the runtime's checked
 * helpers. */
static void put_binary(emitter *e, const ast_expr *x, bool top)
{
    if (x->op == '/' || x->op == '%') {
        const char *fn = x->op == '%' ? "sdb_mod_i64" : x->type == TY_FLOAT ? "sdb_div_f64" : "sdb_div_i64";
        putf(e, "%s(c, ", fn);
        put_expr(e, x->lhs, true);
        puts_(e, ", ");
        put_expr(e, x->rhs, true);
        puts_(e, ", ");
        put_where(e, x->off);
        puts_(e, ")");
        return;
    }
    if (!top)
        puts_(e, "(");
    put_expr(e, x->lhs, false);
    putf(e, " %c ", x->op);
    put_expr(e, x->rhs, false);
    if (!top)
        puts_(e, ")");
}

/* Appends C for expression x; `top` when no parentheses are needed. */
static void put_expr(emitter *e, const ast_expr *x, bool top)
{
    switch (x->kind) {
    case EX_INT:
        putf(e, "INT64_C(%" PRIu64 ")", x->ival);
        return;
    case EX_FLOAT:
        put_name(e, x->text);
        return;
    case EX_STRING:
        puts_(e, "sdb_str_lit(");
        put_cstr(e, x->sval.s, x->sval.len);
        putf(e, ", %" PRIu32 ")", x->sval.len);
        return;
    case EX_NULL:
        puts_(e, "0 /* null */");
        return;
    case EX_NAME:
        switch (x->ref) {
        case REF_SCALE: puts_(e, "c->scale"); return;
        case REF_ROW: puts_(e, "c->row"); return;
        case REF_VAR: puts_(e, "f->v_"); put_name(e, x->var->name); return;
        case REF_COLUMN: puts_(e, "col_"); put_name(e, x->col->name); return;
        case REF_NONE: break;
        }
        fprintf(stderr, "swlc: internal error: unresolved name (%s:%d)\n", __FILE__, __LINE__);
        e->failed = true;
        return;
    case EX_CALL:
        put_call(e, x);
        return;
    case EX_NEG:
        if (x->lhs->kind == EX_INT && x->lhs->ival == (uint64_t)INT64_MAX + 1) {
            puts_(e, "INT64_MIN");
            return;
        }
        puts_(e, top ? "-" : "(-");
        put_expr(e, x->lhs, false);
        if (!top)
            puts_(e, ")");
        return;
    case EX_BINARY:
        put_binary(e, x, top);
        return;
    }
}

/* The C type of a value of type t. */
static const char *c_type(ast_type t)
{
    return t == TY_FLOAT ? "double" : t == TY_STRING ? "sdb_str" : "int64_t";
}

/* The suffix of sdb_bind_* / sdb_copy_* for type t. */
static const char *value_fn(ast_type t)
{
    return t == TY_FLOAT ? "float" : t == TY_STRING ? "str" : t == TY_NULL ? "null" : "int";
}

/* ---- statements enum ----------------------------------------------------- */

static bool fill_statements(emitter *e, const char *key, size_t n, const void *arg)
{
    (void)arg;
    if (!key_is(key, n, "STMT_ENUM"))
        return false;
    for (const ast_statement *s = e->file->statements.head; s; s = s->next) {
        puts_(e, "    stmt_");
        put_name(e, s->name);
        putf(e, " = %d,\n", s->index);
    }
    return true;
}

/* ---- transactions -------------------------------------------------------- */

/* The body of a transaction: one case per resume point. */
static void put_tx_body(emitter *e, const ast_tx *tx)
{
    int resume = 0;
    for (const ast_stmt *s = tx->body; s; s = s->next) {
        line_swl(e, s->off);
        switch (s->kind) {
        case ST_LET:
            puts_(e, "        f->v_");
            put_name(e, s->name);
            puts_(e, " = ");
            put_expr(e, s->value, true);
            puts_(e, ";\n");
            continue;
        case ST_EXEC: {
            int i = 0;
            for (const ast_expr *a = s->args; a; a = a->next, i++) {
                putf(e, "        sdb_bind_%s(c, %d", value_fn(a->type), i);
                if (a->type != TY_NULL) {
                    puts_(e, ", ");
                    put_expr(e, a, true);
                }
                puts_(e, ");\n");
            }
            puts_(e, "        sdb_exec(c, stmt_");
            put_name(e, s->name);
            putf(e, ", %d);\n", s->nargs);
            break;
        }
        case ST_BEGIN: puts_(e, "        sdb_exec(c, SDB_STMT_BEGIN, 0);\n"); break;
        case ST_COMMIT: puts_(e, "        sdb_exec(c, SDB_STMT_COMMIT, 0);\n"); break;
        case ST_ROLLBACK: puts_(e, "        sdb_exec(c, SDB_STMT_ROLLBACK, 0);\n"); break;
        }
        resume++;
        putf(e, "        return %d;\n", resume);
        line_c(e);
        putf(e, "    case %d:\n", resume);
    }
    line_c(e);
}

static bool fill_tx(emitter *e, const char *key, size_t n, const void *arg)
{
    const ast_tx *tx = arg;
    if (key_is(key, n, "NAME")) {
        put_name(e, tx->name);
    } else if (key_is(key, n, "WHERE")) {
        put_file_line(e, tx->off);
    } else if (key_is(key, n, "FIELDS")) {
        bool any = false;
        for (const ast_stmt *s = tx->body; s; s = s->next)
            if (s->kind == ST_LET) {
                putf(e, "    %s v_", c_type(s->value->type));
                put_name(e, s->name);
                puts_(e, ";\n");
                any = true;
            }
        if (!any)
            puts_(e, "    char unused;   /* this transaction has no variables */\n");
    } else if (key_is(key, n, "BODY")) {
        put_tx_body(e, tx);
    } else {
        return false;
    }
    return true;
}

/* ---- loads --------------------------------------------------------------- */

static void put_columns(emitter *e, const ast_load *l)
{
    for (const ast_column *col = l->columns; col; col = col->next) {
        ast_type t = col->value->type;
        line_swl(e, col->name.off);
        if (t == TY_NULL) {
            puts_(e, "    sdb_copy_null(b);\n");
            continue;
        }
        if (col->referenced) {
            putf(e, "    const %s col_", c_type(t));
            put_name(e, col->name);
            puts_(e, " = ");
            put_expr(e, col->value, true);
            putf(e, ";\n    sdb_copy_%s(b, col_", value_fn(t));
            put_name(e, col->name);
            puts_(e, ");\n");
        } else {
            putf(e, "    sdb_copy_%s(b, ", value_fn(t));
            put_expr(e, col->value, true);
            puts_(e, ");\n");
        }
    }
    line_c(e);
}

static bool fill_load(emitter *e, const char *key, size_t n, const void *arg)
{
    const ast_load *l = arg;
    if (key_is(key, n, "TABLE")) {
        put_name(e, l->table);
    } else if (key_is(key, n, "WHERE")) {
        put_file_line(e, l->off);
    } else if (key_is(key, n, "ROWS")) {
        line_swl(e, l->rows->off);
        puts_(e, "    return ");
        put_expr(e, l->rows, true);
        puts_(e, ";\n");
        line_c(e);
    } else if (key_is(key, n, "COLUMNS")) {
        put_columns(e, l);
    } else {
        return false;
    }
    return true;
}

/* ---- the workload definition ---------------------------------------------- */

/* An array of sdb_sql for a list of commands. */
static void put_sql_array(emitter *e, const char *name, const ast_sql *list)
{
    if (!list)
        return;
    putf(e, "\nstatic const sdb_sql %s[] = {\n", name);
    for (const ast_sql *s = list; s; s = s->next) {
        puts_(e, "    {\n        \"");
        put_escaped(e, e->src + s->off, s->len, true, "        ");
        puts_(e, "\",\n        ");
        put_where(e, s->off);
        puts_(e, "\n    },\n");
    }
    puts_(e, "};\n");
}

static void put_stmts_array(emitter *e)
{
    if (!e->file->statements.head)
        return;
    puts_(e, "\nstatic const sdb_stmt_def stmts[] = {\n");
    for (const ast_statement *s = e->file->statements.head; s; s = s->next) {
        puts_(e, "    [stmt_");
        put_name(e, s->name);
        puts_(e, "] = {\n        ");
        put_cstr(e, s->name.s, s->name.len);
        puts_(e, ",\n        \"");
        put_escaped(e, e->src + s->sql.off, s->sql.len, true, "        ");
        putf(e, "\",\n        %d, %s, ", s->nparams, s->kind);
        put_where(e, s->sql.off);
        puts_(e, "\n    },\n");
    }
    puts_(e, "};\n");
}

static void put_loads_array(emitter *e)
{
    if (!e->file->loads.head)
        return;
    puts_(e, "\nstatic const sdb_load_def loads[] = {\n");
    for (const ast_load *l = e->file->loads.head; l; l = l->next) {
        puts_(e, "    { ");
        put_cstr(e, l->table.s, l->table.len);
        puts_(e, ", \"");
        for (const ast_column *c = l->columns; c; c = c->next) {
            put_name(e, c->name);
            if (c->next)
                puts_(e, ", ");
        }
        putf(e, "\", %d, rows_", l->ncolumns);
        put_name(e, l->table);
        puts_(e, ", row_");
        put_name(e, l->table);
        puts_(e, ", ");
        put_where(e, l->off);
        puts_(e, " },\n");
    }
    puts_(e, "};\n");
}

static void put_txs_array(emitter *e)
{
    puts_(e, "\nstatic const sdb_tx_def txs[] = {\n");
    for (const ast_tx *t = e->file->txs.head; t; t = t->next) {
        puts_(e, "    { ");
        put_cstr(e, t->name.s, t->name.len);
        puts_(e, ", ");
        put_double(e, t->weight_value);
        puts_(e, ", sizeof(struct frame_");
        put_name(e, t->name);
        puts_(e, "), tx_");
        put_name(e, t->name);
        puts_(e, ", ");
        put_where(e, t->off);
        puts_(e, " },\n");
    }
    puts_(e, "};\n");
}

/* One weights array; `m` NULL for the default mix of the transactions' own
 * weights. */
static void put_weights(emitter *e, const ast_mix *m)
{
    puts_(e, "\nstatic const double mix_");
    if (m)
        put_name(e, m->name);
    else
        put_name(e, e->file->workload->name);
    puts_(e, "[] = {");
    for (const ast_tx *t = e->file->txs.head; t; t = t->next) {
        puts_(e, t == e->file->txs.head ? " " : ", ");
        put_double(e, m ? m->weights[t->index] : t->weight_value);
    }
    puts_(e, " };\n");
}

static void put_mixes_array(emitter *e)
{
    const ast_file *f = e->file;
    for (const ast_mix *m = f->mixes.head; m; m = m->next)
        put_weights(e, m);
    if (!f->mixes.head)
        put_weights(e, NULL);
    puts_(e, "\nstatic const sdb_mix_def mixes[] = {\n");
    for (const ast_mix *m = f->mixes.head; m; m = m->next) {
        puts_(e, "    { ");
        put_cstr(e, m->name.s, m->name.len);
        puts_(e, ", ");
        if (m->description.s)
            put_cstr(e, m->description.s, m->description.len);
        else
            puts_(e, "\"\"");
        puts_(e, ", mix_");
        put_name(e, m->name);
        puts_(e, " },\n");
    }
    if (!f->mixes.head) {
        puts_(e, "    { ");
        put_cstr(e, f->workload->name.s, f->workload->name.len);
        puts_(e, ", \"every transaction by its own weight\", mix_");
        put_name(e, f->workload->name);
        puts_(e, " },\n");
    }
    puts_(e, "};\n");
}

static void put_arrays(emitter *e)
{
    const ast_file *f = e->file;
    put_sql_array(e, "schema", f->schema.head);
    put_sql_array(e, "after_load", f->after_load.head);
    if (f->scale_query) {
        puts_(e, "\nstatic const sdb_sql scale_query = {\n    \"");
        put_escaped(e, e->src + f->scale_query->off, f->scale_query->len, true, "    ");
        puts_(e, "\",\n    ");
        put_where(e, f->scale_query->off);
        puts_(e, "\n};\n");
    }
    if (f->tables.head) {
        puts_(e, "\nstatic const char *const tables[] = {\n");
        for (const ast_table *t = f->tables.head; t; t = t->next) {
            puts_(e, "    ");
            put_cstr(e, t->name, strlen(t->name));
            puts_(e, ",\n");
        }
        puts_(e, "};\n");
    }
    put_loads_array(e);
    put_stmts_array(e);
    put_txs_array(e);
    put_mixes_array(e);
}

/* Number of commands in a list. */
static int count_sql(const ast_sql *s)
{
    int n = 0;
    for (; s; s = s->next)
        n++;
    return n;
}

/* Writes `name` when `present`, else NULL. */
static void put_or_null(emitter *e, bool present, const char *name)
{
    puts_(e, present ? name : "NULL");
}

static bool fill_workload(emitter *e, const char *key, size_t n, const void *arg)
{
    const ast_file *f = arg;
    if (key_is(key, n, "ARRAYS")) put_arrays(e);
    else if (key_is(key, n, "ABI_VERSION")) putf(e, "%d", SDB_ABI_VERSION);
    else if (key_is(key, n, "NAME")) put_cstr(e, f->workload->name.s, f->workload->name.len);
    else if (key_is(key, n, "VERSION")) put_cstr(e, f->version, f->version_len);
    else if (key_is(key, n, "DESCRIPTION")) put_cstr(e, f->description, f->description_len);
    else if (key_is(key, n, "AUTHOR")) put_cstr(e, f->author, f->author_len);
    else if (key_is(key, n, "SOURCE")) put_cstr(e, e->swl_name, strlen(e->swl_name));
    else if (key_is(key, n, "SCHEMA")) put_or_null(e, f->schema.head, "schema");
    else if (key_is(key, n, "NSCHEMA")) putf(e, "%d", count_sql(f->schema.head));
    else if (key_is(key, n, "AFTER_LOAD")) put_or_null(e, f->after_load.head, "after_load");
    else if (key_is(key, n, "NAFTER_LOAD")) putf(e, "%d", count_sql(f->after_load.head));
    else if (key_is(key, n, "TABLES")) put_or_null(e, f->tables.head, "tables");
    else if (key_is(key, n, "NTABLES")) putf(e, "%d", f->tables.count);
    else if (key_is(key, n, "SCALE_QUERY")) put_or_null(e, f->scale_query, "&scale_query");
    else if (key_is(key, n, "LOADS")) put_or_null(e, f->loads.head, "loads");
    else if (key_is(key, n, "NLOADS")) putf(e, "%d", f->loads.count);
    else if (key_is(key, n, "STMTS")) put_or_null(e, f->statements.head, "stmts");
    else if (key_is(key, n, "NSTMTS")) putf(e, "%d", f->statements.count);
    else if (key_is(key, n, "NTXS")) putf(e, "%d", f->txs.count);
    else if (key_is(key, n, "NMIXES")) putf(e, "%d", f->mixes.count ? f->mixes.count : 1);
    else return false;
    return true;
}

static bool fill_header(emitter *e, const char *key, size_t n, const void *arg)
{
    const ast_file *f = arg;
    if (key_is(key, n, "SWLC_VERSION"))
        puts_(e, SWLC_VERSION);
    else if (key_is(key, n, "SOURCE"))
        put_escaped(e, e->swl_name, strlen(e->swl_name), false, "");
    else if (key_is(key, n, "WORKLOAD"))
        put_name(e, f->workload->name);
    else
        return false;
    return true;
}

static bool fill_nothing(emitter *e, const char *key, size_t n, const void *arg)
{
    (void)e, (void)key, (void)n, (void)arg;
    return false;
}

int emit_c(const ast_file *f, diag_ctx *d, const char *src, uint32_t len, const char *swl_name,
           const char *c_name, char **out, size_t *out_len)
{
    (void)len;
    emitter e;
    memset(&e, 0, sizeof e);
    e.line = 1;
    e.file = f;
    e.diag = d;
    e.src = src;
    e.swl_name = swl_name;
    e.c_name = c_name;

    expand(&e, "header.c.in", fill_header, f);
    if (f->statements.head) {
        banner_begin(&e, "statements");
        expand(&e, "statements.c.in", fill_statements, NULL);
        banner_end(&e, "statements");
    }
    banner_begin(&e, "transactions");
    for (const ast_tx *t = f->txs.head; t; t = t->next)
        expand(&e, "tx.c.in", fill_tx, t);
    banner_end(&e, "transactions");
    if (f->loads.head) {
        banner_begin(&e, "loads");
        for (const ast_load *l = f->loads.head; l; l = l->next)
            expand(&e, "load.c.in", fill_load, l);
        banner_end(&e, "loads");
    }
    banner_begin(&e, "workload definition");
    expand(&e, "workload.c.in", fill_workload, f);
    banner_end(&e, "workload definition");
    banner_begin(&e, "main");
    expand(&e, "main.c.in", fill_nothing, NULL);
    banner_end(&e, "main");

    if (e.failed) {
        free(e.buf);
        return -1;
    }
    *out = e.buf;
    *out_len = e.len;
    return 0;
}
