/* sema.c — semantic checks (see sema.h). */
#include "sema.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "stormdb.h"   /* SDB_MAX_PARAMS, SDB_MAX_BATCH */

/* ---- symbol tables ---------------------------------------------------- */

typedef enum sym_kind {
    SYM_STATEMENT, SYM_TX, SYM_MIX, SYM_VAR, SYM_COLUMN, SYM_TABLE, SYM_PARAM, SYM_LIST, SYM_CHECK,
    SYM_LOAD, SYM_PROBE, SYM_COUNTER
} sym_kind;

typedef struct sym {
    const char *s;      /* the name (not NUL-terminated); NULL: empty slot */
    uint32_t len;
    sym_kind kind;
    uint32_t off;       /* where it is defined */
    void *node;         /* the defining node */
} sym;

/* An open-addressing hash table of names, allocated in the arena. */
typedef struct symtab {
    sym *slots;
    uint32_t cap;       /* a power of two, or 0 before the first insert */
    uint32_t count;
} symtab;

/* The state of one sema_check run. */
typedef struct sema {
    arena *arena;
    diag_ctx *diag;
    const char *src;
    uint32_t len;
    ast_file *file;
    symtab names;       /* statements, transactions, mixes, params, lists, checks, probes */
    symtab tables;      /* tables of the schema, by folded name */
    symtab loads;       /* loads, by folded table name */
    const sema_opts *opts;
    bool oom;
} sema;

/* FNV-1a hash of s[0..len). */
static uint32_t hash_name(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The slot holding s, or the empty slot where it would go. */
static sym *sym_slot(const symtab *t, const char *s, uint32_t len)
{
    uint32_t i = hash_name(s, len) & (t->cap - 1);
    for (;;) {
        sym *e = &t->slots[i];
        if (!e->s || (e->len == len && memcmp(e->s, s, len) == 0))
            return e;
        i = (i + 1) & (t->cap - 1);
    }
}

/* Looks up s; NULL when absent. */
static sym *sym_find(const symtab *t, const char *s, uint32_t len)
{
    if (t->cap == 0)
        return NULL;
    sym *e = sym_slot(t, s, len);
    return e->s ? e : NULL;
}

/* Adds s unless present.  Returns the existing entry when s was already
 * there, NULL after adding it (or when out of memory: se->oom). */
static sym *sym_add(sema *se, symtab *t, const char *s, uint32_t len, sym_kind kind,
                    uint32_t off, void *node)
{
    sym *old = sym_find(t, s, len);
    if (old)
        return old;
    if ((t->count + 1) * 2 > t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        sym *slots = arena_alloc(se->arena, (size_t)cap * sizeof *slots);
        if (!slots) {
            se->oom = true;
            return NULL;
        }
        symtab grown = {slots, cap, 0};
        for (uint32_t i = 0; i < t->cap; i++)
            if (t->slots[i].s) {
                *sym_slot(&grown, t->slots[i].s, t->slots[i].len) = t->slots[i];
                grown.count++;
            }
        *t = grown;
    }
    sym *e = sym_slot(t, s, len);
    e->s = s;
    e->len = len;
    e->kind = kind;
    e->off = off;
    e->node = node;
    t->count++;
    return NULL;
}

/* ---- helpers ---------------------------------------------------------- */

/* Length to print of a name in a message, and whether it is cut. */
#define NAME_ARGS(n) (int)((n).len > DIAG_NAME_MAX ? DIAG_NAME_MAX : (n).len), (n).s, \
                     ((n).len > DIAG_NAME_MAX ? "..." : "")

/* Line of offset off, for "defined at line N" notes. */
static uint32_t line_of(const sema *se, uint32_t off)
{
    uint32_t line, col;
    diag_position(se->diag, off, &line, &col);
    return line;
}

/* The words of a namespace entry's kind, for messages. */
static const char *kind_word(sym_kind k)
{
    switch (k) {
    case SYM_STATEMENT: return "statement";
    case SYM_TX: return "transaction";
    case SYM_MIX: return "mix";
    case SYM_VAR: return "variable";
    case SYM_COLUMN: return "column";
    case SYM_TABLE: return "table";
    case SYM_PARAM: return "param";
    case SYM_LIST: return "list";
    case SYM_CHECK: return "check";
    case SYM_LOAD: return "load";
    case SYM_PROBE: return "probe";
    case SYM_COUNTER: return "counter";
    }
    return "name";
}

static const char *type_name(ast_type t)
{
    switch (t) {
    case TY_INT: return "int";
    case TY_FLOAT: return "float";
    case TY_STRING: return "string";
    case TY_BOOL: return "bool";
    case TY_DATE: return "date";
    case TY_TIMESTAMP: return "timestamp";
    case TY_NULL: return "null";
    case TY_LIST: return "a list";
    case TY_ERROR: break;
    }
    return "invalid";
}

/* Adds a name of the file-wide namespace; reports a duplicate. */
static void define_name(sema *se, ast_name n, sym_kind kind, void *node)
{
    sym *old = sym_add(se, &se->names, n.s, n.len, kind, n.off, node);
    if (old)
        diag_error(se->diag, n.off, "'%.*s%s' is already defined (as a %s at line %u)",
                   NAME_ARGS(n), kind_word(old->kind), line_of(se, old->off));
}

/* True when SQL word token t equals the keyword kw (ASCII, any case). */
static bool word_is(const sema *se, lex_sql_token t, const char *kw)
{
    size_t n = strlen(kw);
    if (t.kind != LEX_SQL_WORD || t.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (toupper((unsigned char)se->src[t.off + i]) != kw[i])
            return false;
    return true;
}

/* An iterator over the SQL tokens of one span. */
typedef struct sql_iter {
    const char *src;
    uint32_t len, pos, end;
} sql_iter;

static sql_iter sql_iter_of(const char *src, uint32_t len, uint32_t off, uint32_t sql_len)
{
    sql_iter it = {src, len, off, off + sql_len};
    return it;
}

/* The next token of the span, or LEX_SQL_EOF past its end. */
static lex_sql_token sql_next(sql_iter *it)
{
    lex_sql_token t = lex_sql_next(it->src, it->len, it->pos);
    if (t.off >= it->end) {
        t.kind = LEX_SQL_EOF;
        t.len = 0;
        return t;
    }
    it->pos = t.off + t.len;
    return t;
}

/* ---- statements ------------------------------------------------------- */

/* The sdb_query_kind of one leading keyword, or NULL if it names none. */
static const char *kind_of_word(const sema *se, lex_sql_token t)
{
    if (word_is(se, t, "SELECT") || word_is(se, t, "VALUES") || word_is(se, t, "TABLE"))
        return "SDB_QUERY_SELECT";
    if (word_is(se, t, "INSERT"))
        return "SDB_QUERY_INSERT";
    if (word_is(se, t, "UPDATE"))
        return "SDB_QUERY_UPDATE";
    if (word_is(se, t, "DELETE"))
        return "SDB_QUERY_DELETE";
    if (word_is(se, t, "MERGE"))
        return "SDB_QUERY_OTHER";
    return NULL;
}

const char *sema_statement_kind(const char *src, uint32_t len, uint32_t off, uint32_t sql_len)
{
    sema se;
    memset(&se, 0, sizeof se);
    se.src = src;
    sql_iter it = sql_iter_of(src, len, off, sql_len);
    lex_sql_token t = sql_next(&it);
    while (t.kind == LEX_SQL_LPAREN)
        t = sql_next(&it);
    if (!word_is(&se, t, "WITH")) {
        const char *k = kind_of_word(&se, t);
        return k ? k : "SDB_QUERY_OTHER";
    }
    /* WITH: the command is the first known keyword outside the CTE bodies. */
    int depth = 0;
    for (t = sql_next(&it); t.kind != LEX_SQL_EOF; t = sql_next(&it)) {
        if (t.kind == LEX_SQL_LPAREN)
            depth++;
        else if (t.kind == LEX_SQL_RPAREN && depth > 0)
            depth--;
        else if (depth == 0 && kind_of_word(&se, t))
            return kind_of_word(&se, t);
    }
    return "SDB_QUERY_OTHER";
}

/* Counts the $n parameters of statement st and checks there are no gaps. */
static void check_params(sema *se, ast_statement *st)
{
    bool used[SDB_MAX_PARAMS + 1] = {false};
    int max = 0;
    bool too_many = false;
    sql_iter it = sql_iter_of(se->src, se->len, st->sql.off, st->sql.len);
    for (lex_sql_token t = sql_next(&it); t.kind != LEX_SQL_EOF; t = sql_next(&it)) {
        if (t.kind != LEX_SQL_PARAM)
            continue;
        long n = 0;
        for (uint32_t i = 1; i < t.len && n <= SDB_MAX_PARAMS; i++)
            n = n * 10 + (se->src[t.off + i] - '0');
        if (n == 0) {
            diag_error(se->diag, t.off, "there is no parameter $0: parameters start at $1");
        } else if (n > SDB_MAX_PARAMS) {
            if (!too_many)
                diag_error(se->diag, t.off, "too many parameters: at most $%d is supported",
                           SDB_MAX_PARAMS);
            too_many = true;
        } else {
            used[n] = true;
            if (n > max)
                max = (int)n;
        }
    }
    st->nparams = max;
    for (int k = 1; k < max; k++)
        if (!used[k]) {
            diag_error(se->diag, st->name.off,
                       "statement '%.*s%s' uses $%d but not $%d (every $k up to the highest "
                       "must be used)", NAME_ARGS(st->name), max, k);
            break;
        }
}

static void check_statements(sema *se)
{
    for (ast_statement *st = se->file->statements.head; st; st = st->next)
        define_name(se, st->name, SYM_STATEMENT, st);
    int index = 0;
    for (ast_statement *st = se->file->statements.head; st; st = st->next) {
        st->index = index++;
        check_params(se, st);
        st->kind = sema_statement_kind(se->src, se->len, st->sql.off, st->sql.len);
    }
}

/* ---- schema ------------------------------------------------------------ */

/* If `cmd` is CREATE [UNLOGGED|TEMP|TEMPORARY] TABLE [IF NOT EXISTS] name,
 * records the table. */
static void collect_table(sema *se, const ast_sql *cmd)
{
    sql_iter it = sql_iter_of(se->src, se->len, cmd->off, cmd->len);
    lex_sql_token t = sql_next(&it);
    if (!word_is(se, t, "CREATE"))
        return;
    t = sql_next(&it);
    if (word_is(se, t, "UNLOGGED") || word_is(se, t, "TEMP") || word_is(se, t, "TEMPORARY"))
        t = sql_next(&it);
    if (!word_is(se, t, "TABLE"))
        return;
    t = sql_next(&it);
    if (word_is(se, t, "IF")) {
        lex_sql_token n = sql_next(&it), e = sql_next(&it);
        if (!word_is(se, n, "NOT") || !word_is(se, e, "EXISTS"))
            return;
        t = sql_next(&it);
    }
    if (t.kind != LEX_SQL_WORD && t.kind != LEX_SQL_QIDENT)
        return;
    /* the name as written, including a schema qualification */
    uint32_t start = t.off, end = t.off + t.len;
    bool plain = t.kind == LEX_SQL_WORD;
    for (;;) {
        sql_iter save = it;
        lex_sql_token dot = sql_next(&it), part = sql_next(&it);
        if (dot.kind != LEX_SQL_DOT || (part.kind != LEX_SQL_WORD && part.kind != LEX_SQL_QIDENT)) {
            it = save;
            break;
        }
        end = part.off + part.len;
        plain = false;
    }
    ast_table *tb = arena_alloc(se->arena, sizeof *tb);
    char *name = arena_strndup(se->arena, se->src + start, end - start);
    char *folded = arena_strndup(se->arena, se->src + start, end - start);
    if (!tb || !name || !folded) {
        se->oom = true;
        return;
    }
    for (char *p = folded; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    tb->name = name;
    tb->off = start;
    ast_name key = {folded, end - start, start};
    sym *old = sym_add(se, &se->tables, folded, end - start, SYM_TABLE, start, plain ? tb : NULL);
    if (old) {
        diag_error(se->diag, start, "table '%.*s%s' is created twice (first at line %u)",
                   NAME_ARGS(key), line_of(se, old->off));
        return;
    }
    *se->file->tables.tail = tb;
    se->file->tables.tail = &tb->next;
    se->file->tables.count++;
}

/* ---- workload header --------------------------------------------------- */

static const char *witem_word(ast_witem_kind k)
{
    switch (k) {
    case WI_VERSION: return "version";
    case WI_DESCRIPTION: return "description";
    case WI_AUTHOR: return "author";
    case WI_SCALE_QUERY: return "scale_query";
    case WI_NURAND_LOAD: return "nurand_load";
    case WI_HEADLINE: return "headline";
    case WI_CONNECTION_MODE: return "connection_mode";
    case WI_EXTENSION: return "requires";
    }
    return "item";
}

/* `requires extension NAME;` */
static void check_extension(sema *se, symtab *seen, const ast_witem *it)
{
    if (it->word.len != 9 || memcmp(it->word.s, "extension", 9) != 0) {
        diag_error(se->diag, it->word.off, "expected 'requires extension NAME;', not "
                   "'requires %.*s%s'", NAME_ARGS(it->word));
        return;
    }
    if (it->value.len == 0 || memchr(it->value.s, '\0', it->value.len)) {
        diag_error(se->diag, it->off, "an extension name must not be empty");
        return;
    }
    if (sym_add(se, seen, it->value.s, it->value.len, SYM_TABLE, it->off, NULL)) {
        diag_error(se->diag, it->off, "extension '%s' is required twice", it->value.s);
        return;
    }
    se->file->nextensions++;
}

/* `connection_mode persistent | transient | mixed;` */
static void check_connection_mode(sema *se, const ast_witem *it)
{
    static const char *const modes[] = {"persistent", "transient", "mixed"};
    for (int m = 0; m < 3; m++) {
        if (it->word.len == strlen(modes[m]) && memcmp(it->word.s, modes[m], it->word.len) == 0) {
            se->file->connection_mode = m;
            return;
        }
    }
    diag_error(se->diag, it->off, "connection_mode is persistent, transient or mixed, not '%.*s%s'",
               NAME_ARGS(it->word));
}

static void check_header(sema *se)
{
    ast_file *f = se->file;
    f->version = f->description = f->author = "";
    if (!f->workloads.head) {
        diag_error(se->diag, 0, "missing 'workload NAME { ... }' header");
        return;
    }
    ast_workload *w = f->workloads.head;
    f->workload = w;
    for (ast_workload *o = w->next; o; o = o->next)
        diag_error(se->diag, o->off, "a file holds one 'workload' header; the first is at line %u",
                   line_of(se, w->off));
    const ast_witem *seen[WI_EXTENSION] = {NULL};
    symtab exts = {NULL, 0, 0};
    for (const ast_witem *it = w->items; it; it = it->next) {
        if (it->kind == WI_EXTENSION) {
            check_extension(se, &exts, it);
            continue;
        }
        if (it->kind == WI_HEADLINE)
            continue;   /* may repeat: check_headline */
        if (seen[it->kind]) {
            diag_error(se->diag, it->off, "'%s' is given twice in the workload header",
                       witem_word(it->kind));
            continue;
        }
        seen[it->kind] = it;
        switch (it->kind) {
        case WI_VERSION: f->version = it->value.s; f->version_len = it->value.len; break;
        case WI_DESCRIPTION: f->description = it->value.s; f->description_len = it->value.len; break;
        case WI_AUTHOR: f->author = it->value.s; f->author_len = it->value.len; break;
        case WI_SCALE_QUERY: f->scale_query = it->sql; break;
        case WI_NURAND_LOAD: f->nurand_load = it->sql; break;
        case WI_HEADLINE: break;   /* check_headline, once the transactions are known */
        case WI_CONNECTION_MODE: check_connection_mode(se, it); break;
        case WI_EXTENSION: break;
        }
    }
}

/* ---- constants ---------------------------------------------------------- */

/* A constant value (params, weights, choose values, list items). */
typedef struct cvalue {
    ast_type type;       /* TY_INT, TY_FLOAT, TY_STRING, TY_BOOL, TY_DATE, TY_TIMESTAMP */
    int64_t i;           /* int, bool, date, timestamp */
    double f;            /* float; also set for int */
    ast_string s;        /* string */
} cvalue;

/* Evaluates a constant expression that check_expr typed already: literals,
 * unary minus and + - * / % on numbers.  Returns false when e is not
 * constant (or divides by zero). */
static bool const_eval(const ast_expr *e, cvalue *v)
{
    cvalue l, r;
    memset(v, 0, sizeof *v);
    switch (e->kind) {
    case EX_INT:
        v->type = TY_INT;
        v->i = (int64_t)e->ival;
        v->f = (double)e->ival;
        return true;
    case EX_FLOAT:
        v->type = TY_FLOAT;
        v->f = strtod(e->text.s, NULL);
        return true;
    case EX_DURATION:
        v->type = TY_FLOAT;
        v->f = e->fval;
        return true;
    case EX_STRING:
        v->type = TY_STRING;
        v->s = e->sval;
        return true;
    case EX_BOOL:
        v->type = TY_BOOL;
        v->i = (int64_t)e->ival;
        return true;
    case EX_TYPED:
        if (e->type != TY_DATE && e->type != TY_TIMESTAMP)
            return false;
        v->type = e->type;
        v->i = e->cval;
        return true;
    case EX_NEG:
        if (!e->lhs || !const_eval(e->lhs, v) || (v->type != TY_INT && v->type != TY_FLOAT))
            return false;
        v->f = -v->f;
        v->i = (int64_t)(0 - (uint64_t)v->i);
        return true;
    case EX_BINARY:
        if (!e->lhs || !e->rhs || !const_eval(e->lhs, &l) || !const_eval(e->rhs, &r))
            return false;
        if ((l.type != TY_INT && l.type != TY_FLOAT) || (r.type != TY_INT && r.type != TY_FLOAT))
            return false;
        v->type = l.type == TY_FLOAT || r.type == TY_FLOAT ? TY_FLOAT : TY_INT;
        switch (e->op) {
        case TK_PLUS: v->f = l.f + r.f; v->i = (int64_t)((uint64_t)l.i + (uint64_t)r.i); break;
        case TK_MINUS: v->f = l.f - r.f; v->i = (int64_t)((uint64_t)l.i - (uint64_t)r.i); break;
        case TK_STAR: v->f = l.f * r.f; v->i = (int64_t)((uint64_t)l.i * (uint64_t)r.i); break;
        case TK_SLASH:
        case TK_PERCENT:
            if (r.f == 0 || (v->type == TY_INT && (r.i == 0 || (l.i == INT64_MIN && r.i == -1))))
                return false;
            v->f = e->op == TK_SLASH ? l.f / r.f : 0;
            if (v->type == TY_INT)
                v->i = e->op == TK_SLASH ? l.i / r.i : l.i % r.i;
            break;
        default:
            return false;
        }
        if (v->type == TY_INT)
            v->f = (double)v->i;
        return true;
    default:
        return false;
    }
}

/* ---- scopes ------------------------------------------------------------- */

/* Where an expression is. */
typedef enum cx_kind {
    CX_CONST,   /* param defaults, weights: constants only */
    CX_ROWS,    /* row counts and loop ranges of loads: no randomness */
    CX_LOAD,    /* load columns */
    CX_TX,      /* transaction bodies */
    CX_TIME     /* keying and think times */
} cx_kind;

/* The variables of one transaction being checked. */
typedef struct txstate {
    ast_tx *tx;
    symtab all;          /* every variable of the transaction (names are unique) */
    ast_var **visible;   /* the variables in scope, innermost last */
    int nvisible, cap;
    int pipeline_mark;   /* >= 0 inside a pipeline: visible[mark..] are its captures */
    ast_var **vars_tail; /* where the next variable is appended (frame_next) */
} txstate;

/* Where names in an expression are looked up. */
typedef struct scope {
    cx_kind kind;
    txstate *tx;         /* CX_TX */
    symtab *columns;     /* CX_LOAD: the earlier columns */
    ast_load *load;      /* CX_LOAD, CX_ROWS of a nested load: its loop variables */
} scope;

/* What a position accepts besides a plain value. */
#define A_NULLABLE 1u    /* null, nullable(): bound, loaded, stored, rendered */
#define A_LIST 2u        /* [...] and list names: generator arguments, json */

/* Reports an EX_INT literal that does not fit in int64 (value > limit). */
static void check_int_literal(sema *se, const ast_expr *e, uint64_t limit)
{
    if (e->ival_overflow || e->ival > limit)
        diag_error(se->diag, e->off, "integer literal %.*s%s is out of range (64-bit signed)",
                   NAME_ARGS(e->text));
}

/* Appends e to the file's list of expressions with a helper and numbers it. */
static void add_site(sema *se, ast_expr *e)
{
    ast_file *f = se->file;
    if (e->site > 0)
        return;   /* already listed: never link a node twice */
    e->site = ++f->nsites;
    *f->sites_tail = e;
    f->sites_tail = &e->site_next;
}

static ast_type check_expr(sema *se, const scope *sc, ast_expr *e, unsigned allow);

static bool is_number(ast_type t)
{
    return t == TY_INT || t == TY_FLOAT;
}

/* True for a type that can be a value (not a list, null or error). */
static bool is_scalar(ast_type t)
{
    return t != TY_ERROR && t != TY_NULL && t != TY_LIST;
}

/* ---- names -------------------------------------------------------------- */

/* True when name n is s. */
static bool name_is(ast_name n, const char *s)
{
    return strlen(s) == n.len && memcmp(n.s, s, n.len) == 0;
}

/* The built-in names of expressions; REF_NONE when n is not one. */
static ast_ref builtin_ref(ast_name n)
{
    if (name_is(n, "scale")) return REF_SCALE;
    if (name_is(n, "row")) return REF_ROW;
    if (name_is(n, "worker")) return REF_WORKER;
    if (name_is(n, "workers")) return REF_WORKERS;
    if (name_is(n, "found")) return REF_FOUND;
    if (name_is(n, "affected")) return REF_AFFECTED;
    return REF_NONE;
}

/* A visible transaction variable named n, or NULL. */
static ast_var *find_var(const txstate *ts, ast_name n, int *index)
{
    for (int i = ts->nvisible - 1; i >= 0; i--)
        if (ts->visible[i]->name.len == n.len && memcmp(ts->visible[i]->name.s, n.s, n.len) == 0) {
            if (index)
                *index = i;
            return ts->visible[i];
        }
    return NULL;
}

/* Resolves a built-in name; returns its type, or TY_NULL when n is not
 * available in this context (reported). */
static ast_type check_builtin_name(sema *se, const scope *sc, ast_expr *e, ast_ref ref)
{
    e->ref = ref;
    switch (ref) {
    case REF_SCALE:
        if (sc->kind == CX_CONST)
            break;
        return TY_INT;
    case REF_ROW:
        if (sc->kind != CX_LOAD) {
            diag_error(se->diag, e->off, "'row' is only available in the columns of a load");
            return TY_ERROR;
        }
        return TY_INT;
    case REF_WORKER:
    case REF_WORKERS:
        if (sc->kind != CX_TX && sc->kind != CX_TIME)
            break;
        return TY_INT;
    case REF_FOUND:
    case REF_AFFECTED:
        if (sc->kind != CX_TX) {
            diag_error(se->diag, e->off, "'%.*s%s' is only available in transactions, after a "
                       "statement", NAME_ARGS(e->text));
            return TY_ERROR;
        }
        if (sc->tx->pipeline_mark >= 0) {
            diag_error(se->diag, e->off, "'%.*s%s' cannot be used inside a pipeline (its "
                       "statements are sent together)", NAME_ARGS(e->text));
            return TY_ERROR;
        }
        return ref == REF_FOUND ? TY_BOOL : TY_INT;
    default:
        return TY_ERROR;
    }
    diag_error(se->diag, e->off, "'%.*s%s' is not available %s", NAME_ARGS(e->text),
               sc->kind == CX_CONST ? "in a constant" : "here");
    return TY_ERROR;
}

/* Resolves a name in an expression. */
static ast_type check_name(sema *se, const scope *sc, ast_expr *e, unsigned allow)
{
    ast_ref b = builtin_ref(e->text);
    if (b != REF_NONE)
        return check_builtin_name(se, sc, e, b);
    if (sc->kind == CX_TX) {
        int index;
        ast_var *v = find_var(sc->tx, e->text, &index);
        if (v) {
            if (sc->tx->pipeline_mark >= 0 && index >= sc->tx->pipeline_mark) {
                diag_error(se->diag, e->off, "'%.*s%s' is captured in this pipeline, so its "
                           "statements cannot use it (they are sent together)", NAME_ARGS(e->text));
                return TY_ERROR;
            }
            e->ref = REF_VAR;
            e->var = v;
            e->nullable = v->nullable;
            v->used = true;
            return v->type;
        }
    }
    if (sc->load) {
        for (ast_range *r = sc->load->ranges; r; r = r->next)
            if (r->name.len == e->text.len && memcmp(r->name.s, e->text.s, r->name.len) == 0) {
                if (sc->kind == CX_ROWS) {
                    diag_error(se->diag, e->off, "loop variable '%.*s%s' cannot be used in the "
                               "ranges of the load", NAME_ARGS(e->text));
                    return TY_ERROR;
                }
                e->ref = REF_LOOP;
                e->loop = r;
                return TY_INT;
            }
    }
    sym *c = sc->columns ? sym_find(sc->columns, e->text.s, e->text.len) : NULL;
    if (c) {
        e->ref = REF_COLUMN;
        e->col = c->node;
        e->col->referenced = true;
        e->nullable = e->col->value && e->col->value->nullable;
        return e->col->value ? e->col->value->type : TY_ERROR;
    }
    sym *g = sym_find(&se->names, e->text.s, e->text.len);
    if (g && g->kind == SYM_PARAM && sc->kind != CX_CONST) {
        e->ref = REF_PARAM;
        e->param = g->node;
        e->param->used = true;
        return e->param->type;
    }
    if (g && g->kind == SYM_LIST) {
        if (!(allow & A_LIST)) {
            diag_error(se->diag, e->off, "list '%.*s%s' can only be an argument of choose(), "
                       "syllables(), words() or text()", NAME_ARGS(e->text));
            return TY_ERROR;
        }
        e->ref = REF_LIST;
        e->list = g->node;
        e->list->used = true;
        return TY_LIST;
    }
    if (g)
        diag_error(se->diag, e->off, "'%.*s%s' is a %s, not a value", NAME_ARGS(e->text),
                   kind_word(g->kind));
    else
        diag_error(se->diag, e->off, "unknown name '%.*s%s'", NAME_ARGS(e->text));
    return TY_ERROR;
}

/* ---- calls -------------------------------------------------------------- */

/* Checks a list argument (a list name or an inline list of constant
 * strings); returns its number of items, 0 when invalid (reported). */
static int check_list_arg(sema *se, const scope *sc, ast_expr *a, const char *fn)
{
    if (a->kind == EX_NAME) {
        ast_type t = check_expr(se, sc, a, A_LIST);
        if (t == TY_ERROR)
            return 0;
        if (t != TY_LIST) {
            diag_error(se->diag, a->off, "%s() needs a list here, not %s", fn, type_name(t));
            return 0;
        }
        return a->list->nvalues;
    }
    if (a->kind != EX_LIST) {
        diag_error(se->diag, a->off, "%s() needs a list here: a `list` name or [\"...\", ...]", fn);
        return 0;
    }
    for (ast_expr *x = a->args; x; x = x->next)
        if (x->kind != EX_STRING) {
            diag_error(se->diag, x->off, "the items of a list must be string literals");
            return 0;
        }
    if (a->nargs == 0) {
        diag_error(se->diag, a->off, "a list needs at least one item");
        return 0;
    }
    a->type = TY_LIST;
    add_site(se, a);
    return a->nargs;
}

/* Checks the weights of choose(): constant non-negative numbers, n of them,
 * with a positive sum. */
static void check_weights(sema *se, const scope *sc, ast_expr *w, int n)
{
    if (w->kind != EX_LIST) {
        diag_error(se->diag, w->off, "the weights of choose() are a list of numbers [w1, w2, ...]");
        return;
    }
    double sum = 0;
    for (ast_expr *x = w->args; x; x = x->next) {
        cvalue v;
        ast_type t = check_expr(se, sc, x, 0);
        if (t == TY_ERROR)
            return;
        if (!is_number(t) || !const_eval(x, &v)) {
            diag_error(se->diag, x->off, "a weight must be a constant number");
            return;
        }
        if (v.f < 0) {
            diag_error(se->diag, x->off, "a weight must not be negative");
            return;
        }
        x->fval = v.f;   /* emit writes the cumulative weights */
        sum += v.f;
    }
    if (n > 0 && w->nargs != n)
        diag_error(se->diag, w->off, "choose() has %d value%s but %d weight%s", n, n == 1 ? "" : "s",
                   w->nargs, w->nargs == 1 ? "" : "s");
    else if (!(sum > 0))
        diag_error(se->diag, w->off, "the weights of choose() must have a positive sum");
    w->type = TY_LIST;
}

/* choose(LIST [, WEIGHTS]) and choose([v1, ...] [, WEIGHTS]). */
static ast_type check_choose(sema *se, const scope *sc, ast_expr *e)
{
    ast_expr *vals = e->args;
    ast_type t = TY_ERROR;
    int n = 0;
    if (vals->kind == EX_NAME) {
        n = check_list_arg(se, sc, vals, "choose");
        t = n ? TY_STRING : TY_ERROR;
    } else if (vals->kind == EX_LIST) {
        t = TY_NULL;
        for (ast_expr *x = vals->args; x; x = x->next, n++) {
            cvalue v;
            ast_type xt = check_expr(se, sc, x, 0);
            if (xt == TY_ERROR)
                return TY_ERROR;
            if (!const_eval(x, &v)) {
                diag_error(se->diag, x->off, "the values of choose([...]) must be constants");
                return TY_ERROR;
            }
            if (t == TY_NULL || (is_number(t) && is_number(xt)))
                t = t == TY_FLOAT || xt == TY_FLOAT ? TY_FLOAT : xt;
            else if (t != xt) {
                diag_error(se->diag, x->off, "the values of choose([...]) must have one type "
                           "(%s, then %s)", type_name(t), type_name(xt));
                return TY_ERROR;
            }
        }
        if (n == 0) {
            diag_error(se->diag, vals->off, "choose() needs at least one value");
            return TY_ERROR;
        }
        vals->type = t;
    } else {
        diag_error(se->diag, vals->off, "choose() takes a list name or a list of constants [v1, "
                   "v2, ...]");
        return TY_ERROR;
    }
    if (e->nargs == 2)
        check_weights(se, sc, vals->next, n);
    add_site(se, e);
    return t;
}

/* rows(TABLE) */
static ast_type check_rows(sema *se, const scope *sc, ast_expr *e)
{
    ast_expr *a = e->args;
    if (sc->kind == CX_ROWS || sc->kind == CX_CONST) {
        diag_error(se->diag, e->off, "rows() cannot be used in a row count or a constant");
        return TY_ERROR;
    }
    if (a->kind != EX_NAME) {
        diag_error(se->diag, a->off, "rows() takes the name of a loaded table");
        return TY_ERROR;
    }
    char folded[LEX_MAX_IDENT + 1] = {0};
    uint32_t n = a->text.len > LEX_MAX_IDENT ? LEX_MAX_IDENT : a->text.len;
    for (uint32_t i = 0; i < n; i++)
        folded[i] = (char)tolower((unsigned char)a->text.s[i]);
    sym *l = sym_find(&se->loads, folded, n);
    if (!l) {
        diag_error(se->diag, a->off, "no load of table '%.*s%s' (rows() takes a loaded table)",
                   NAME_ARGS(a->text));
        return TY_ERROR;
    }
    e->load = l->node;
    return TY_INT;
}

/* The type a builtin's argument letter wants, for messages. */
static const char *arg_kind_word(char k)
{
    switch (k) {
    case 'i': return "an int";
    case 'n': return "a number";
    case 's': return "a string";
    case 'd': return "a date";
    case 't': return "a timestamp";
    case 'b': return "a bool";
    case 'c': return "a constant string";
    default: return "a value";
    }
}

/* Checks argument `a` (number i, 1-based) of fn against kind letter k. */
static bool check_arg(sema *se, const scope *sc, const builtin_def *g, ast_expr *a, int i, char k)
{
    if (k == 'L')
        return check_list_arg(se, sc, a, g->name) > 0;
    if (k == 'T')
        return true;
    ast_type t = check_expr(se, sc, a, 0);
    if (t == TY_ERROR)
        return false;
    bool ok;
    switch (k) {
    case 'i': ok = t == TY_INT; break;
    case 'n': ok = is_number(t); break;
    case 's': ok = t == TY_STRING; break;
    case 'd': ok = t == TY_DATE; break;
    case 't': ok = t == TY_TIMESTAMP; break;
    case 'b': ok = t == TY_BOOL; break;
    case 'c': ok = a->kind == EX_STRING; break;
    default: ok = is_scalar(t); break;
    }
    if (!ok)
        diag_error(se->diag, a->off, "argument %d of %s() must be %s, not %s", i, g->name,
                   arg_kind_word(k), k == 'c' && t == TY_STRING ? "a computed string" : type_name(t));
    return ok;
}

/* Checks the special arguments of some builtins after the generic ones. */
static ast_type check_call_special(sema *se, const scope *sc, ast_expr *e, ast_type result)
{
    const builtin_def *g = e->gen;
    ast_expr *a1 = e->args, *a2 = a1 ? a1->next : NULL;
    switch (g->id) {
    case BI_SEQUENCE:
        e->site = se->file->nsequences++;
        break;
    case BI_VECTOR:
        if (a2 && !(a2->sval.len == 7 && memcmp(a2->sval.s, "uniform", 7) == 0) &&
            !(a2->sval.len == 6 && memcmp(a2->sval.s, "normal", 6) == 0)) {
            diag_error(se->diag, a2->off, "the distribution of vector() is \"uniform\" or \"normal\"");
            return TY_ERROR;
        }
        break;
    case BI_STRING:
        add_site(se, e);
        break;
    case BI_NURAND_C: {
        cvalue v;
        bool known = const_eval(a1, &v) && v.type == TY_INT;
        e->cval = !known ? -1 : v.i == 255 ? 0 : v.i == 1023 ? 1 : v.i == 8191 ? 2 : -1;
        if (e->cval < 0) {
            diag_error(se->diag, a1->off, "the argument of nurand_c() is the constant 255, 1023 "
                       "or 8191 (the A of NURand)");
            return TY_ERROR;
        }
        break;
    }
    case BI_INT:
        if (a1->type == TY_STRING || a1->type == TY_DATE || a1->type == TY_TIMESTAMP) {
            diag_error(se->diag, a1->off, "int() converts numbers and bools, not %s",
                       type_name(a1->type));
            return TY_ERROR;
        }
        break;
    case BI_GENERIC:
        if (strcmp(g->name, "syllables") == 0 && a1 && a2 && a2->next) {
            ast_expr *l = a2->next;
            int n = l->kind == EX_NAME && l->list ? l->list->nvalues : l->nargs;
            if (n < 10) {
                diag_error(se->diag, l->off, "syllables() needs a list of at least 10 items (one "
                           "per digit), not %d", n);
                return TY_ERROR;
            }
        }
        break;
    default:
        break;
    }
    (void)sc;
    return result;
}

/* Checks a call of a built-in function. */
static ast_type check_call(sema *se, const scope *sc, ast_expr *e, unsigned allow)
{
    const builtin_def *g = builtin_find(e->text.s, e->text.len);
    if (!g) {
        for (ast_expr *a = e->args; a; a = a->next)
            check_expr(se, sc, a, A_NULLABLE | A_LIST);
        sym *s = sym_find(&se->names, e->text.s, e->text.len);
        if (s && s->kind == SYM_STATEMENT)
            diag_error(se->diag, e->off, "statement '%.*s%s' cannot be called in an expression: "
                       "capture its result with `let NAME TYPE = %.*s%s(...);`", NAME_ARGS(e->text),
                       NAME_ARGS(e->text));
        else
            diag_error(se->diag, e->off, "unknown function '%.*s%s'", NAME_ARGS(e->text));
        return TY_ERROR;
    }
    e->gen = g;
    if (e->nargs < g->min_args || e->nargs > g->max_args) {
        for (ast_expr *a = e->args; a; a = a->next)
            check_expr(se, sc, a, A_NULLABLE | A_LIST);
        if (g->min_args == g->max_args)
            diag_error(se->diag, e->off, "%s() takes %d argument%s, not %d", g->name, g->min_args,
                       g->min_args == 1 ? "" : "s", e->nargs);
        else
            diag_error(se->diag, e->off, "%s() takes %d to %d arguments, not %d", g->name,
                       g->min_args, g->max_args, e->nargs);
        return TY_ERROR;
    }
    if ((g->flags & BI_RANDOM) && (sc->kind == CX_ROWS || sc->kind == CX_CONST)) {
        diag_error(se->diag, e->off, "%s() cannot be used %s", g->name,
                   sc->kind == CX_ROWS ? "in a row count or a load's ranges (they must not be "
                                         "random)" : "in a constant");
        return TY_ERROR;
    }
    if (g->id == BI_CHOOSE)
        return check_choose(se, sc, e);
    if (g->id == BI_ROWS)
        return check_rows(se, sc, e);
    if (g->id == BI_NULLABLE) {
        if (!(allow & A_NULLABLE)) {
            diag_error(se->diag, e->off, "nullable() can only give a statement argument, a load "
                       "column, a variable's value or a json/array element");
            return TY_ERROR;
        }
        ast_type t = check_expr(se, sc, e->args, 0);
        if (!check_arg(se, sc, g, e->args->next, 2, 'n') || t == TY_ERROR)
            return TY_ERROR;
        if (!is_scalar(t)) {
            diag_error(se->diag, e->args->off, "nullable() needs a value, not %s", type_name(t));
            return TY_ERROR;
        }
        e->nullable = true;
        return t;
    }
    bool ok = true;
    int i = 0;
    ast_type first = TY_ERROR;
    for (ast_expr *a = e->args; a; a = a->next, i++) {
        char k = g->args[i];
        if (g->id == BI_UNIFORM) {
            k = 'n';
        }
        ok = check_arg(se, sc, g, a, i + 1, k) && ok;
        if (i == 0)
            first = a->type;
    }
    if (!ok)
        return TY_ERROR;
    if (g->id == BI_UNIFORM) {
        if (e->args->type == TY_FLOAT || e->args->next->type == TY_FLOAT)
            e->gen = builtin_uniform_float();
        return e->gen->result;
    }
    (void)first;
    return check_call_special(se, sc, e, g->result);
}

/* ---- operators ---------------------------------------------------------- */

/* The spelling of operator token kind op. */
static const char *op_text(int op)
{
    switch (op) {
    case TK_PLUS: return "+";
    case TK_MINUS: return "-";
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_PERCENT: return "%";
    case TK_EQ: return "==";
    case TK_NE: return "!=";
    case TK_LT: return "<";
    case TK_LE: return "<=";
    case TK_GT: return ">";
    case TK_GE: return ">=";
    case TK_AND: return "and";
    case TK_OR: return "or";
    case TK_CONCAT: return "||";
    default: return "?";
    }
}

/* Checks the operands of a || chain (flattened) as values rendered as text. */
static bool check_concat_operands(sema *se, const scope *sc, ast_expr *e)
{
    if (e->kind == EX_BINARY && e->op == TK_CONCAT) {
        bool l = e->lhs && check_concat_operands(se, sc, e->lhs);
        bool r = e->rhs && check_concat_operands(se, sc, e->rhs);
        e->type = TY_STRING;
        return l && r;
    }
    ast_type t = check_expr(se, sc, e, A_NULLABLE);
    if (t == TY_ERROR)
        return false;
    if (!is_scalar(t) && t != TY_NULL) {
        diag_error(se->diag, e->off, "'||' cannot render %s as text", type_name(t));
        return false;
    }
    return true;
}

/* == and != against the null literal: `x == null`. */
static ast_type check_null_test(sema *se, const scope *sc, ast_expr *e)
{
    ast_expr *x = e->lhs->kind == EX_NULL ? e->rhs : e->lhs;
    if (x->kind == EX_NULL) {
        diag_error(se->diag, e->off, "comparing null with null");
        return TY_ERROR;
    }
    ast_type t = check_expr(se, sc, x, 0);
    if (t == TY_ERROR)
        return TY_ERROR;
    if (x->kind != EX_NAME || !x->nullable) {
        diag_error(se->diag, x->off, "this value is never null (only captured values, nullable() "
                   "variables and columns can be)");
        return TY_ERROR;
    }
    return TY_BOOL;
}

/* Result type of arithmetic operator op on l and r; TY_ERROR (reported)
 * when not allowed.  Dates and timestamps move by days and seconds. */
static ast_type arith_type(sema *se, const ast_expr *e, ast_type l, ast_type r)
{
    int op = e->op;
    if (is_number(l) && is_number(r)) {
        if (op == TK_PERCENT && (l == TY_FLOAT || r == TY_FLOAT)) {
            diag_error(se->diag, e->off, "operator '%%' needs int operands, not float");
            return TY_ERROR;
        }
        return l == TY_FLOAT || r == TY_FLOAT ? TY_FLOAT : TY_INT;
    }
    if (l == TY_DATE && r == TY_INT && (op == TK_PLUS || op == TK_MINUS))
        return TY_DATE;
    if (l == TY_TIMESTAMP && is_number(r) && (op == TK_PLUS || op == TK_MINUS))
        return TY_TIMESTAMP;
    if (op == TK_MINUS && l == TY_DATE && r == TY_DATE)
        return TY_INT;
    if (op == TK_MINUS && l == TY_TIMESTAMP && r == TY_TIMESTAMP)
        return TY_FLOAT;
    ast_type bad = is_number(l) ? r : l;
    if ((l == TY_DATE || l == TY_TIMESTAMP) && (op == TK_PLUS || op == TK_MINUS))
        diag_error(se->diag, e->off, "operator '%s' on %s takes %s", op_text(op), type_name(l),
                   l == TY_DATE ? "an int (days)" : "a number (seconds)");
    else
        diag_error(se->diag, e->off, "operator '%s' needs numbers, not %s", op_text(op),
                   type_name(bad));
    return TY_ERROR;
}

/* Checks an operator application. */
static ast_type check_binary(sema *se, const scope *sc, ast_expr *e)
{
    if (!e->lhs || !e->rhs)
        return TY_ERROR;
    if (e->op == TK_CONCAT) {
        if (!check_concat_operands(se, sc, e))
            return TY_ERROR;
        add_site(se, e);
        return TY_STRING;
    }
    if ((e->op == TK_EQ || e->op == TK_NE) && (e->lhs->kind == EX_NULL || e->rhs->kind == EX_NULL))
        return check_null_test(se, sc, e);
    ast_type l = check_expr(se, sc, e->lhs, 0);
    ast_type r = check_expr(se, sc, e->rhs, 0);
    if (l == TY_ERROR || r == TY_ERROR)
        return TY_ERROR;
    switch (e->op) {
    case TK_AND:
    case TK_OR:
        if (l != TY_BOOL || r != TY_BOOL) {
            diag_error(se->diag, e->off, "operator '%s' needs bools, not %s", op_text(e->op),
                       type_name(l != TY_BOOL ? l : r));
            return TY_ERROR;
        }
        return TY_BOOL;
    case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE:
        if ((is_number(l) && is_number(r)) || (l == r && is_scalar(l))) {
            if (l == TY_BOOL && e->op != TK_EQ && e->op != TK_NE) {
                diag_error(se->diag, e->off, "operator '%s' does not order bools", op_text(e->op));
                return TY_ERROR;
            }
            return TY_BOOL;
        }
        diag_error(se->diag, e->off, "cannot compare %s with %s", type_name(l), type_name(r));
        return TY_ERROR;
    default:
        break;
    }
    ast_type t = arith_type(se, e, l, r);
    if (t != TY_ERROR && (e->op == TK_SLASH || e->op == TK_PERCENT)) {
        cvalue v;
        if (const_eval(e->rhs, &v) && (v.type == TY_FLOAT ? v.f == 0 : v.i == 0)) {
            diag_error(se->diag, e->off, "division by zero");
            return TY_ERROR;
        }
    }
    return t;
}

/* Checks the items of a json array or object, or of array[...]. */
static bool check_elements(sema *se, const scope *sc, ast_expr *e)
{
    bool ok = true;
    ast_type seen = TY_NULL;
    for (ast_expr *x = e->args; x; x = x->next) {
        ast_expr *v = e->kind == EX_JSON ? x->lhs : x;
        if (!v)
            continue;
        if (e->kind == EX_JSON)
            x->type = TY_STRING;
        if ((e->kind == EX_JSON || e->kind == EX_LIST) && (v->kind == EX_LIST || v->kind == EX_JSON)) {
            v->type = TY_STRING;
            ok = check_elements(se, sc, v) && ok;
            continue;
        }
        if (e->kind == EX_ARRAY && v->kind == EX_ARRAY) {
            v->type = TY_STRING;
            ok = check_elements(se, sc, v) && ok;
            continue;
        }
        ast_type t = check_expr(se, sc, v, A_NULLABLE);
        if (t == TY_ERROR) {
            ok = false;
            continue;
        }
        if (!is_scalar(t) && t != TY_NULL) {
            diag_error(se->diag, v->off, "%s cannot be an element", type_name(t));
            ok = false;
            continue;
        }
        if (e->kind == EX_ARRAY && t != TY_NULL) {
            if (seen != TY_NULL && seen != t && !(is_number(seen) && is_number(t))) {
                diag_error(se->diag, v->off, "the elements of array[...] must have one type (%s, "
                           "then %s)", type_name(seen), type_name(t));
                ok = false;
            }
            seen = t;
        }
    }
    return ok;
}

/* json {...} and array[...]: strings built by a helper. */
static ast_type check_document(sema *se, const scope *sc, ast_expr *e)
{
    if (!check_elements(se, sc, e))
        return TY_ERROR;
    add_site(se, e);
    return TY_STRING;
}

/* date "..." and timestamp "..." */
static ast_type check_typed(sema *se, ast_expr *e)
{
    bool is_date = name_is(e->text, "date"), is_ts = name_is(e->text, "timestamp");
    if (!is_date && !is_ts) {
        diag_error(se->diag, e->off, "unknown literal '%.*s%s \"...\"' (typed literals are "
                   "date \"YYYY-MM-DD\" and timestamp \"YYYY-MM-DD HH:MM:SS\")", NAME_ARGS(e->text));
        return TY_ERROR;
    }
    bool ok = is_date ? builtin_parse_date(e->sval.s, e->sval.len, &e->cval)
                      : builtin_parse_timestamp(e->sval.s, e->sval.len, &e->cval);
    if (!ok) {
        diag_error(se->diag, e->sval.off, "invalid %s literal \"%.*s\" (expected %s)",
                   is_date ? "date" : "timestamp", (int)(e->sval.len > 40 ? 40 : e->sval.len),
                   e->sval.s, is_date ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MM[:SS[.ffffff]]");
        return TY_ERROR;
    }
    return is_date ? TY_DATE : TY_TIMESTAMP;
}

/* Infers and checks the type of e; records it in e->type.  `allow` says
 * whether null / nullable() and lists are accepted here. */
static ast_type check_expr(sema *se, const scope *sc, ast_expr *e, unsigned allow)
{
    ast_type t = TY_ERROR;
    switch (e->kind) {
    case EX_INT:
        check_int_literal(se, e, INT64_MAX);
        t = TY_INT;
        break;
    case EX_FLOAT:
        if (isinf(strtod(e->text.s, NULL)))
            diag_error(se->diag, e->off, "float literal %.*s%s is out of range", NAME_ARGS(e->text));
        t = TY_FLOAT;
        break;
    case EX_DURATION:
        if (isinf(e->fval))
            diag_error(se->diag, e->off, "duration %.*s%s is out of range", NAME_ARGS(e->text));
        t = TY_FLOAT;
        break;
    case EX_STRING: t = TY_STRING; break;
    case EX_BOOL: t = TY_BOOL; break;
    case EX_TYPED: t = check_typed(se, e); break;
    case EX_NULL:
        if (!(allow & A_NULLABLE)) {
            diag_error(se->diag, e->off, "null is not allowed here (only as a statement "
                       "argument, a load column, a json/array element, or in `x == null`)");
            break;
        }
        e->nullable = true;
        t = TY_NULL;
        break;
    case EX_NAME: t = check_name(se, sc, e, allow); break;
    case EX_CALL: t = check_call(se, sc, e, allow); break;
    case EX_BINARY: t = check_binary(se, sc, e); break;
    case EX_LIST:
        diag_error(se->diag, e->off, "a list [...] is only allowed as an argument of choose(), "
                   "syllables(), words() or text(), or inside json");
        break;
    case EX_ARRAY:
    case EX_JSON:
        t = check_document(se, sc, e);
        break;
    case EX_JFIELD:
        break;
    case EX_NOT:
        if (!e->lhs)
            break;
        t = check_expr(se, sc, e->lhs, 0);
        if (t != TY_BOOL && t != TY_ERROR) {
            diag_error(se->diag, e->off, "'not' needs a bool, not %s", type_name(t));
            t = TY_ERROR;
        }
        break;
    case EX_NEG:
        if (!e->lhs)
            break;
        if (e->lhs->kind == EX_INT) {   /* -9223372036854775808 is in range */
            check_int_literal(se, e->lhs, (uint64_t)INT64_MAX + 1);
            e->lhs->type = TY_INT;
            t = TY_INT;
            break;
        }
        t = check_expr(se, sc, e->lhs, 0);
        if (!is_number(t) && t != TY_ERROR) {
            diag_error(se->diag, e->off, "unary '-' needs a number, not %s", type_name(t));
            t = TY_ERROR;
        }
        break;
    }
    e->type = t;
    return t;
}

/* Evaluates a weight (a possibly negated number); -1 when invalid. */
static double weight_value(sema *se, ast_expr *w)
{
    scope none = {CX_CONST, NULL, NULL, NULL};
    if (!w || check_expr(se, &none, w, 0) == TY_ERROR)
        return -1;
    cvalue v;
    if (!const_eval(w, &v))
        return -1;
    if (v.f < 0) {
        diag_error(se->diag, w->off, "a weight must not be negative");
        return -1;
    }
    return v.f;
}

/* ---- transactions ------------------------------------------------------ */

/* The type named by an annotation; TY_ERROR (reported) when unknown. */
static ast_type annotation_type(sema *se, ast_name n)
{
    static const struct { const char *name; ast_type t; } types[] = {
        {"int", TY_INT}, {"float", TY_FLOAT}, {"string", TY_STRING}, {"bool", TY_BOOL},
        {"date", TY_DATE}, {"timestamp", TY_TIMESTAMP},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (name_is(n, types[i].name))
            return types[i].t;
    diag_error(se->diag, n.off, "unknown type '%.*s%s' (int, float, string, bool, date or "
               "timestamp)", NAME_ARGS(n));
    return TY_ERROR;
}

/* Makes variable v visible and records it; reports a duplicate or a name
 * that is taken. */
static void define_var(sema *se, txstate *ts, ast_var *v)
{
    if (builtin_ref(v->name) != REF_NONE) {
        diag_error(se->diag, v->name.off, "'%.*s%s' is a built-in name and cannot be redefined",
                   NAME_ARGS(v->name));
        return;
    }
    sym *g = sym_find(&se->names, v->name.s, v->name.len);
    if (g && (g->kind == SYM_PARAM || g->kind == SYM_LIST)) {
        diag_error(se->diag, v->name.off, "'%.*s%s' is already a %s (line %u)", NAME_ARGS(v->name),
                   kind_word(g->kind), line_of(se, g->off));
        return;
    }
    sym *old = sym_add(se, &ts->all, v->name.s, v->name.len, SYM_VAR, v->name.off, v);
    if (old) {
        diag_error(se->diag, v->name.off, "variable '%.*s%s' is already defined at line %u",
                   NAME_ARGS(v->name), line_of(se, old->off));
        return;
    }
    if (ts->nvisible == ts->cap) {
        int cap = ts->cap ? ts->cap * 2 : 16;
        ast_var **grown = arena_alloc(se->arena, (size_t)cap * sizeof *grown);
        if (!grown) {
            se->oom = true;
            return;
        }
        if (ts->nvisible)
            memcpy(grown, ts->visible, (size_t)ts->nvisible * sizeof *grown);
        ts->visible = grown;
        ts->cap = cap;
    }
    ts->visible[ts->nvisible++] = v;
    *ts->vars_tail = v;
    ts->vars_tail = &v->frame_next;
}

static void check_body(sema *se, txstate *ts, ast_stmt *body, bool in_pipeline);
static void check_stmt(sema *se, txstate *ts, ast_stmt *s, bool in_pipeline);

/* The statement that a capture or row loop calls; NULL when invalid. */
static ast_statement *call_target(sema *se, const scope *sc, ast_expr *call, const char *what)
{
    if (!call)
        return NULL;
    if (call->kind != EX_CALL) {
        check_expr(se, sc, call, A_NULLABLE);
        diag_error(se->diag, call->off, "%s needs a statement call: STATEMENT(ARGS)", what);
        return NULL;
    }
    for (ast_expr *a = call->args; a; a = a->next) {
        ast_type t = check_expr(se, sc, a, A_NULLABLE);
        if (t == TY_LIST)
            diag_error(se->diag, a->off, "a list cannot be a statement argument");
    }
    sym *s = sym_find(&se->names, call->text.s, call->text.len);
    if (!s || s->kind != SYM_STATEMENT) {
        diag_error(se->diag, call->off, "unknown statement '%.*s%s'", NAME_ARGS(call->text));
        return NULL;
    }
    ast_statement *st = s->node;
    st->used = true;
    if (call->nargs != st->nparams)
        diag_error(se->diag, call->off, "statement '%.*s%s' takes %d argument%s, not %d",
                   NAME_ARGS(call->text), st->nparams, st->nparams == 1 ? "" : "s", call->nargs);
    return st;
}

static void check_exec(sema *se, const scope *sc, ast_stmt *s)
{
    for (ast_expr *a = s->args; a; a = a->next) {
        ast_type t = check_expr(se, sc, a, A_NULLABLE);
        if (t == TY_LIST)
            diag_error(se->diag, a->off, "a list cannot be a statement argument");
    }
    sym *target = sym_find(&se->names, s->name.s, s->name.len);
    if (!target) {
        diag_error(se->diag, s->off, "unknown statement '%.*s%s'", NAME_ARGS(s->name));
        return;
    }
    if (target->kind != SYM_STATEMENT) {
        diag_error(se->diag, s->off, "'%.*s%s' is a %s, not a statement", NAME_ARGS(s->name),
                   kind_word(target->kind));
        return;
    }
    s->target = target->node;
    s->target->used = true;
    if (s->nargs != s->target->nparams)
        diag_error(se->diag, s->off, "statement '%.*s%s' takes %d argument%s, not %d",
                   NAME_ARGS(s->name), s->target->nparams, s->target->nparams == 1 ? "" : "s",
                   s->nargs);
}

/* Defines the annotated variables of a capture or row loop. */
static void define_typed_vars(sema *se, txstate *ts, ast_var *vars)
{
    for (ast_var *v = vars; v; v = v->next) {
        v->type = annotation_type(se, v->type_name);
        v->nullable = true;
        define_var(se, ts, v);
    }
}

/* True when body (recursively) executes statements or sleeps. */
static bool body_yields(const ast_stmt *body)
{
    for (const ast_stmt *s = body; s; s = s->next) {
        switch (s->kind) {
        case ST_LET: case ST_ASSIGN: case ST_RETURN: case ST_COUNT:
            break;
        case ST_IF: case ST_ELSE: case ST_FOR_RANGE:
            if (body_yields(s->body) || body_yields(s->else_body))
                return true;
            break;
        default:
            return true;
        }
    }
    return false;
}

/* let NAME = EXPR; */
static void check_let(sema *se, txstate *ts, const scope *sc, ast_stmt *s)
{
    ast_var *v = s->vars;
    ast_type t = s->value ? check_expr(se, sc, s->value, A_NULLABLE) : TY_ERROR;
    if (t == TY_NULL)
        diag_error(se->diag, s->value->off, "a variable cannot start as null: its type would be "
                   "unknown (use nullable(VALUE, 1.0))");
    if (t == TY_LIST)
        diag_error(se->diag, s->value->off, "a variable cannot hold a list");
    if (!v)
        return;
    v->type = t == TY_NULL || t == TY_LIST ? TY_ERROR : t;
    v->nullable = s->value && s->value->nullable;
    define_var(se, ts, v);
}

/* NAME = EXPR; */
static void check_assign(sema *se, txstate *ts, const scope *sc, ast_stmt *s)
{
    ast_type t = s->value ? check_expr(se, sc, s->value, A_NULLABLE) : TY_ERROR;
    int index;
    ast_var *v = find_var(ts, s->name, &index);
    if (!v) {
        diag_error(se->diag, s->off, "unknown variable '%.*s%s' (define it with let)",
                   NAME_ARGS(s->name));
        return;
    }
    s->assigned = v;
    if (v->loop) {
        diag_error(se->diag, s->off, "loop variable '%.*s%s' cannot be assigned", NAME_ARGS(s->name));
        return;
    }
    if (ts->pipeline_mark >= 0) {
        diag_error(se->diag, s->off, "only statements, captures, begin and commit can be in a "
                   "pipeline");
        return;
    }
    if (t == TY_ERROR || v->type == TY_ERROR)
        return;
    bool null_source = s->value->kind == EX_NULL || s->value->kind == EX_CALL;
    if (null_source && s->value->nullable && !v->nullable) {
        diag_error(se->diag, s->value->off, "variable '%.*s%s' cannot be null (it was defined "
                   "with a value that is never null)", NAME_ARGS(s->name));
        return;
    }
    if (t != TY_NULL && t != v->type && !(v->type == TY_FLOAT && t == TY_INT))
        diag_error(se->diag, s->value->off, "cannot assign %s to '%.*s%s', a %s variable",
                   type_name(t), NAME_ARGS(s->name), type_name(v->type));
}

/* A statement that is not allowed in a pipeline; reports it. */
static bool pipeline_forbids(sema *se, const ast_stmt *s)
{
    switch (s->kind) {
    case ST_EXEC: case ST_CAPTURE: case ST_BEGIN: case ST_COMMIT:
        return false;
    default:
        diag_error(se->diag, s->off, "only statements, captures, begin and commit can be in a "
                   "pipeline");
        return true;
    }
}

/* pipeline { ... } */
/* `count NAME [by EXPR];`: NAME a counter, EXPR an int. */
static void check_count(sema *se, const scope *sc, ast_stmt *s)
{
    sym *g = sym_find(&se->names, s->name.s, s->name.len);
    if (!g || g->kind != SYM_COUNTER) {
        if (!g)
            diag_error(se->diag, s->name.off, "unknown counter '%.*s%s' (declare it with "
                       "'counter NAME;')", NAME_ARGS(s->name));
        else
            diag_error(se->diag, s->name.off, "'%.*s%s' is a %s, not a counter",
                       NAME_ARGS(s->name), kind_word(g->kind));
    } else {
        s->counter = g->node;
    }
    if (s->value) {
        ast_type t = check_expr(se, sc, s->value, 0);
        if (t != TY_INT && t != TY_ERROR)
            diag_error(se->diag, s->value->off, "count ... by takes an int, not %s",
                       type_name(t));
    }
}

static void check_pipeline(sema *se, txstate *ts, ast_stmt *s)
{
    if (ts->pipeline_mark >= 0) {
        diag_error(se->diag, s->off, "pipelines cannot be nested");
        return;
    }
    int n = 0, params = 0;
    for (ast_stmt *x = s->body; x; x = x->next) {
        n++;
        params += x->kind == ST_EXEC ? x->nargs : x->kind == ST_CAPTURE && x->value ? x->value->nargs : 0;
    }
    if (n == 0)
        diag_error(se->diag, s->off, "an empty pipeline");
    else if (n > SDB_MAX_BATCH)
        diag_error(se->diag, s->off, "a pipeline holds at most %d statements, not %d", SDB_MAX_BATCH, n);
    else if (params > SDB_MAX_BATCH_PARAMS)
        diag_error(se->diag, s->off, "the statements of a pipeline take at most %d arguments in "
                   "all, not %d", SDB_MAX_BATCH_PARAMS, params);
    ts->pipeline_mark = ts->nvisible;
    for (ast_stmt *x = s->body; x && !se->oom; x = x->next)
        check_stmt(se, ts, x, true);   /* captures stay visible after the block */
    ts->pipeline_mark = -1;
}

/* Checks one body item; nested blocks get their own scope. */
static void check_stmt(sema *se, txstate *ts, ast_stmt *s, bool in_pipeline)
{
    scope sc = {CX_TX, ts, NULL, NULL};
    int mark = ts->nvisible;
    if (in_pipeline && pipeline_forbids(se, s))
        return;
    switch (s->kind) {
    case ST_LET:
        check_let(se, ts, &sc, s);
        return;
    case ST_ASSIGN:
        check_assign(se, ts, &sc, s);
        return;
    case ST_EXEC:
        check_exec(se, &sc, s);
        return;
    case ST_CAPTURE:
        s->target = call_target(se, &sc, s->value, "a capture");
        define_typed_vars(se, ts, s->vars);
        return;
    case ST_FOR_RANGE:
        if (s->value && check_expr(se, &sc, s->value, 0) != TY_INT && s->value->type != TY_ERROR)
            diag_error(se->diag, s->value->off, "a loop bound must be an int, not %s",
                       type_name(s->value->type));
        if (s->hi && check_expr(se, &sc, s->hi, 0) != TY_INT && s->hi->type != TY_ERROR)
            diag_error(se->diag, s->hi->off, "a loop bound must be an int, not %s",
                       type_name(s->hi->type));
        s->slot = ++ts->tx->nslots;
        if (s->vars) {
            s->vars->type = TY_INT;
            s->vars->loop = true;
            s->vars->used = true;
            define_var(se, ts, s->vars);
        }
        check_body(se, ts, s->body, false);
        break;
    case ST_FOR_ROWS:
        s->target = call_target(se, &sc, s->value, "a loop over rows");
        s->slot = ++ts->tx->nslots;
        s->keep = body_yields(s->body);
        define_typed_vars(se, ts, s->vars);
        for (ast_var *v = s->vars; v; v = v->next)
            v->loop = true;
        check_body(se, ts, s->body, false);
        break;
    case ST_IF:
        if (s->value && check_expr(se, &sc, s->value, 0) != TY_BOOL && s->value->type != TY_ERROR)
            diag_error(se->diag, s->value->off, "a condition must be a bool, not %s",
                       type_name(s->value->type));
        check_body(se, ts, s->body, false);
        ts->nvisible = mark;
        if (s->else_body)
            check_stmt(se, ts, s->else_body, false);
        break;
    case ST_ELSE:
        check_body(se, ts, s->body, false);
        break;
    case ST_SLEEP:
        if (s->value && !is_number(check_expr(se, &sc, s->value, 0)) && s->value->type != TY_ERROR)
            diag_error(se->diag, s->value->off, "sleep takes seconds (a number), not %s",
                       type_name(s->value->type));
        return;
    case ST_PIPELINE:
        check_pipeline(se, ts, s);
        return;
    case ST_COUNT:
        check_count(se, &sc, s);
        return;
    case ST_BEGIN: case ST_COMMIT: case ST_ROLLBACK: case ST_RETURN:
        return;
    }
    ts->nvisible = mark;   /* the block's variables go out of scope */
}

static void check_body(sema *se, txstate *ts, ast_stmt *body, bool in_pipeline)
{
    int mark = ts->nvisible;
    for (ast_stmt *s = body; s && !se->oom; s = s->next)
        check_stmt(se, ts, s, in_pipeline);
    ts->nvisible = mark;
}

/* The NN of a `pNN` word (p and digits), or -1 when n is not one. */
static double percentile_word(ast_name n)
{
    if (n.len < 2 || n.len > 12 || n.s[0] != 'p')
        return -1;
    double v = 0;
    for (uint32_t i = 1; i < n.len; i++) {
        if (n.s[i] < '0' || n.s[i] > '9')
            return -1;
        v = v * 10 + (n.s[i] - '0');
    }
    return v;
}

/* `limit pNN SECONDS` or `limit NN% SECONDS`: sets tx->limit_pct and
 * tx->limit_s when both parts are valid (reported otherwise). */
static void check_limit(sema *se, ast_tx *tx, const ast_txopt *o)
{
    scope none = {CX_CONST, NULL, NULL, NULL};
    cvalue v;
    double pct = -1;
    uint32_t pct_off = o->off;
    bool ok = true;
    if (o->words[0].len) {
        pct_off = o->words[0].off;
        pct = percentile_word(o->words[0]);
        if (pct < 0) {
            diag_error(se->diag, pct_off, "expected a percentile such as p90 or p99 (or 99.9%%), "
                       "not '%.*s%s'", NAME_ARGS(o->words[0]));
            ok = false;
        }
    } else if (o->value) {
        pct_off = o->value->off;
        ok = check_expr(se, &none, o->value, 0) != TY_ERROR && const_eval(o->value, &v);
        pct = v.f;
    }
    if (ok && !(pct > 0 && pct <= 100)) {
        diag_error(se->diag, pct_off, "the percentile of a limit must be above 0 and at most 100");
        ok = false;
    }
    if (!o->bound || check_expr(se, &none, o->bound, 0) == TY_ERROR || !const_eval(o->bound, &v))
        return;
    if (!(v.f > 0)) {
        diag_error(se->diag, o->bound->off, "the latency of a limit must be positive (a duration "
                   "such as 5s or 500ms, or seconds)");
        return;
    }
    if (ok && !isinf(v.f)) {
        tx->limit_pct = pct;
        tx->limit_s = v.f;
    }
}

/* The options of a transaction header. */
static void check_tx_options(sema *se, ast_tx *tx)
{
    const ast_txopt *seen[TO_LIMIT + 1] = {NULL};
    static const char *const words[] = {"weight", "retry", "isolation", "keying", "think", "limit"};
    scope timing = {CX_TIME, NULL, NULL, NULL};
    tx->weight_value = 1.0;
    tx->max_tries = 1;
    for (ast_txopt *o = tx->opts; o; o = o->next) {
        if (seen[o->kind]) {
            diag_error(se->diag, o->off, "'%s' is given twice for transaction '%.*s%s'",
                       words[o->kind], NAME_ARGS(tx->name));
            continue;
        }
        seen[o->kind] = o;
        cvalue v;
        switch (o->kind) {
        case TO_WEIGHT:
            tx->weight_value = weight_value(se, o->value);
            if (tx->weight_value < 0)
                tx->weight_value = 0;
            break;
        case TO_RETRY:
            if (!o->value || check_expr(se, &timing, o->value, 0) == TY_ERROR)
                break;
            if (o->value->type != TY_INT || !const_eval(o->value, &v) || v.i < 1 || v.i > 1000)
                diag_error(se->diag, o->value->off, "retry takes the most tries, an int from 1 "
                           "to 1000");
            else
                tx->max_tries = (int)v.i;
            break;
        case TO_ISOLATION: {
            ast_name a = o->words[0], b = o->words[1];
            if (name_is(a, "read") && name_is(b, "committed"))
                tx->isolation = ISO_READ_COMMITTED;
            else if (name_is(a, "repeatable") && name_is(b, "read"))
                tx->isolation = ISO_REPEATABLE_READ;
            else if (name_is(a, "serializable") && b.len == 0)
                tx->isolation = ISO_SERIALIZABLE;
            else
                diag_error(se->diag, a.off, "unknown isolation level (read committed, repeatable "
                           "read or serializable)");
            break;
        }
        case TO_KEYING:
        case TO_THINK:
            if (!o->value)
                break;
            if (!is_number(check_expr(se, &timing, o->value, 0))) {
                if (o->value->type != TY_ERROR)
                    diag_error(se->diag, o->value->off, "%s takes seconds (a number), not %s",
                               words[o->kind], type_name(o->value->type));
                break;
            }
            if (o->kind == TO_KEYING)
                tx->keying = o->value;
            else
                tx->think = o->value;
            break;
        case TO_LIMIT:
            check_limit(se, tx, o);
            break;
        }
    }
}

/* True when body (recursively) holds a `begin`. */
static bool body_begins(const ast_stmt *body)
{
    for (const ast_stmt *s = body; s; s = s->next)
        if (s->kind == ST_BEGIN || body_begins(s->body) || body_begins(s->else_body))
            return true;
    return false;
}

static void check_tx(sema *se, ast_tx *tx)
{
    txstate ts;
    memset(&ts, 0, sizeof ts);
    ts.tx = tx;
    ts.pipeline_mark = -1;
    ts.vars_tail = &tx->vars;
    check_tx_options(se, tx);
    check_body(se, &ts, tx->body, false);
    if (tx->isolation != ISO_DEFAULT && !body_begins(tx->body))
        diag_warning(se->diag, tx->name.off, "transaction '%.*s%s' sets an isolation level but "
                     "never says begin, so each statement runs on its own", NAME_ARGS(tx->name));
}

static void check_txs(sema *se)
{
    int index = 0;
    for (ast_tx *tx = se->file->txs.head; tx; tx = tx->next) {
        define_name(se, tx->name, SYM_TX, tx);
        tx->index = index++;
    }
    for (ast_tx *tx = se->file->txs.head; tx && !se->oom; tx = tx->next)
        check_tx(se, tx);
}

/* ---- mixes and the headline ------------------------------------------- */

/* Most cards in the deck of a `deck` mix. */
#define SEMA_MAX_DECK 10000

/* The transaction named n, or NULL (reported: unknown, or another kind). */
static ast_tx *find_tx(sema *se, ast_name n)
{
    sym *t = sym_find(&se->names, n.s, n.len);
    if (!t) {
        diag_error(se->diag, n.off, "unknown transaction '%.*s%s'", NAME_ARGS(n));
        return NULL;
    }
    if (t->kind != SYM_TX) {
        diag_error(se->diag, n.off, "'%.*s%s' is a %s, not a transaction", NAME_ARGS(n),
                   kind_word(t->kind));
        return NULL;
    }
    return t->node;
}

/* A deck mix's weight w (>= 0) of entry e: a whole number of cards. */
static bool deck_weight_ok(sema *se, const ast_mix_entry *e, double w)
{
    if (w > 1e15 || w == (double)(int64_t)w)   /* larger ones fail the deck's size */
        return true;
    diag_error(se->diag, e->weight->off, "the weights of a deck mix are whole numbers of cards, "
               "not %.*s%s", NAME_ARGS(e->weight->text));
    return false;
}

static void check_mix(sema *se, ast_mix *m, int ntx)
{
    m->weights = arena_alloc(se->arena, (size_t)(ntx ? ntx : 1) * sizeof *m->weights);
    bool *named = arena_alloc(se->arena, (size_t)(ntx ? ntx : 1) * sizeof *named);
    if (!m->weights || !named) {
        se->oom = true;
        return;
    }
    double sum = 0;
    for (ast_mix_entry *e = m->entries; e; e = e->next) {
        double w = weight_value(se, e->weight);
        if (m->deck && w > 0 && !deck_weight_ok(se, e, w))
            w = 0;
        ast_tx *tx = find_tx(se, e->tx);
        if (!tx)
            continue;
        if (named[tx->index]) {
            diag_error(se->diag, e->tx.off, "transaction '%.*s%s' is named twice in mix '%.*s%s'",
                       NAME_ARGS(e->tx), NAME_ARGS(m->name));
            continue;
        }
        named[tx->index] = true;
        if (w > 0) {
            m->weights[tx->index] = w;
            sum += w;
        }
    }
    if (sum <= 0)
        diag_error(se->diag, m->name.off, "mix '%.*s%s' has no transaction with a positive weight",
                   NAME_ARGS(m->name));
    else if (m->deck && sum > SEMA_MAX_DECK)
        diag_error(se->diag, m->name.off, "deck mix '%.*s%s' has %.0f cards; at most %d are allowed",
                   NAME_ARGS(m->name), sum, SEMA_MAX_DECK);
}

static void check_mixes(sema *se)
{
    ast_file *f = se->file;
    for (ast_mix *m = f->mixes.head; m; m = m->next) {
        define_name(se, m->name, SYM_MIX, m);
        check_mix(se, m, f->txs.count);
    }
    if (!f->workload)
        return;
    if (f->txs.count == 0) {
        diag_error(se->diag, f->workload->name.off, "workload '%.*s%s' has no transactions",
                   NAME_ARGS(f->workload->name));
        return;
    }
    if (f->mixes.count == 0) {
        double sum = 0;
        for (ast_tx *tx = f->txs.head; tx; tx = tx->next)
            sum += tx->weight_value;
        if (sum <= 0)
            diag_error(se->diag, f->workload->name.off, "no transaction has a positive weight, so "
                       "the default mix '%.*s%s' would be empty", NAME_ARGS(f->workload->name));
    }
}

/* `headline TRANSACTION "NAME";` of the header, repeated with the same
 * NAME to add several transactions up (e.g. the client and the stored
 * variant of TPC-C's New-Order). */
static void check_headline(sema *se)
{
    ast_file *f = se->file;
    if (!f->workload)
        return;
    int n = 0;
    for (const ast_witem *h = f->workload->items; h; h = h->next)
        n += h->kind == WI_HEADLINE;
    if (n == 0)
        return;
    const ast_tx **txs = arena_alloc(se->arena, (size_t)n * sizeof *txs);
    if (!txs) {
        se->oom = true;
        return;
    }
    const ast_witem *first = NULL;
    int count = 0;
    for (const ast_witem *h = f->workload->items; h; h = h->next) {
        if (h->kind != WI_HEADLINE)
            continue;
        ast_tx *tx = find_tx(se, h->word);
        if (h->value.len == 0 || memchr(h->value.s, '\0', h->value.len)) {
            diag_error(se->diag, h->value.off, "the name of a headline must not be empty");
            continue;
        }
        if (!first)
            first = h;   /* the figure's name comes from the first line */
        if (h != first && (h->value.len != first->value.len ||
                      memcmp(h->value.s, first->value.s, h->value.len) != 0)) {
            diag_error(se->diag, h->value.off, "a workload has one headline: every 'headline' "
                       "line must name the same figure (\"%s\" at line %u)", first->value.s,
                       line_of(se, first->off));
            continue;
        }
        if (!tx)
            continue;
        bool dup = false;
        for (int i = 0; i < count; i++)
            dup |= txs[i] == tx;
        if (dup) {
            diag_error(se->diag, h->word.off, "transaction '%.*s%s' is in the headline twice",
                       NAME_ARGS(h->word));
            continue;
        }
        txs[count++] = tx;
    }
    if (count == 0)
        return;
    f->headline_tx = txs[0];
    f->headline_txs = txs;
    f->nheadline_txs = count;
    f->headline_name = first->value;
}

/* ---- params, lists, checks --------------------------------------------- */

/* Formats the default of param p as text into the arena. */
static void param_default(sema *se, ast_param *p, const cvalue *v)
{
    char buf[64];
    switch (v->type) {
    case TY_INT: snprintf(buf, sizeof buf, "%" PRId64, v->i); break;
    case TY_FLOAT:
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v->f);
            if (strtod(buf, NULL) == v->f)
                break;
        }
        break;
    case TY_BOOL: snprintf(buf, sizeof buf, "%s", v->i ? "true" : "false"); break;
    default:
        p->default_text = arena_strndup(se->arena, v->s.s, v->s.len);
        if (!p->default_text)
            se->oom = true;
        return;
    }
    p->default_text = arena_strndup(se->arena, buf, strlen(buf));
    if (!p->default_text)
        se->oom = true;
}

static void check_params_defs(sema *se)
{
    int index = 0;
    scope none = {CX_CONST, NULL, NULL, NULL};
    for (ast_param *p = se->file->params.head; p; p = p->next) {
        define_name(se, p->name, SYM_PARAM, p);
        p->index = index++;
        if (builtin_ref(p->name) != REF_NONE)
            diag_error(se->diag, p->name.off, "'%.*s%s' is a built-in name and cannot be a param",
                       NAME_ARGS(p->name));
        p->type = TY_ERROR;
        if (!p->value || check_expr(se, &none, p->value, 0) == TY_ERROR)
            continue;
        cvalue v;
        if (!const_eval(p->value, &v) || v.type == TY_DATE || v.type == TY_TIMESTAMP) {
            diag_error(se->diag, p->value->off, "the default of a param is a constant int, float, "
                       "string or bool");
            continue;
        }
        if (v.type == TY_STRING && memchr(v.s.s, '\0', v.s.len)) {
            diag_error(se->diag, p->value->off, "a param's default cannot hold a NUL byte");
            continue;
        }
        p->type = v.type;
        param_default(se, p, &v);
    }
}

/* Largest list file read, in bytes. */
#define SEMA_MAX_LIST_FILE (16u * 1024 * 1024)

/* Splits buf[0..n) into lines (without \r\n), skipping blank lines. */
static void split_lines(sema *se, ast_listdef *l, char *buf, size_t n)
{
    int count = 0;
    for (size_t i = 0, start = 0; i <= n; i++)
        if (i == n || buf[i] == '\n') {
            size_t end = i;
            if (end > start && buf[end - 1] == '\r')
                end--;
            count += end > start;
            start = i + 1;
        }
    l->values = arena_alloc(se->arena, (size_t)(count ? count : 1) * sizeof *l->values);
    if (!l->values) {
        se->oom = true;
        return;
    }
    for (size_t i = 0, start = 0; i <= n; i++)
        if (i == n || buf[i] == '\n') {
            size_t end = i;
            if (end > start && buf[end - 1] == '\r')
                end--;
            if (end > start) {
                ast_string *v = &l->values[l->nvalues++];
                v->s = buf + start;
                v->len = (uint32_t)(end - start);
                v->off = l->path.off;
            }
            start = i + 1;
        }
}

/* Reads the items of `list NAME = file "PATH";`. */
static void read_list_file(sema *se, ast_listdef *l)
{
    const sema_opts *o = se->opts;
    if (!o || !o->read_files) {
        diag_error(se->diag, l->path.off, "list files cannot be read in this compilation");
        return;
    }
    if (l->path.len == 0 || memchr(l->path.s, '\0', l->path.len)) {
        diag_error(se->diag, l->path.off, "invalid file name");
        return;
    }
    size_t dlen = o->base_dir ? strlen(o->base_dir) : 0;
    char *path = arena_alloc(se->arena, dlen + l->path.len + 2);
    if (!path) {
        se->oom = true;
        return;
    }
    if (l->path.s[0] == '/' || dlen == 0)
        snprintf(path, dlen + l->path.len + 2, "%s", l->path.s);
    else
        snprintf(path, dlen + l->path.len + 2, "%s/%s", o->base_dir, l->path.s);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        diag_error(se->diag, l->path.off, "cannot read list file '%s': %s", path, strerror(errno));
        return;
    }
    char *buf = arena_alloc(se->arena, SEMA_MAX_LIST_FILE + 1);
    size_t n = buf ? fread(buf, 1, SEMA_MAX_LIST_FILE + 1, fp) : 0;
    bool bad = buf && ferror(fp);
    fclose(fp);
    if (!buf) {
        se->oom = true;
        return;
    }
    if (bad)
        diag_error(se->diag, l->path.off, "cannot read list file '%s'", path);
    else if (n > SEMA_MAX_LIST_FILE)
        diag_error(se->diag, l->path.off, "list file '%s' is larger than %u bytes", path,
                   SEMA_MAX_LIST_FILE);
    else
        split_lines(se, l, buf, n);
    if (!bad && n <= SEMA_MAX_LIST_FILE && !se->oom && l->nvalues == 0)
        diag_error(se->diag, l->path.off, "list file '%s' has no items (one per line)", path);
}

static void check_lists(sema *se)
{
    for (ast_listdef *l = se->file->lists.head; l && !se->oom; l = l->next) {
        define_name(se, l->name, SYM_LIST, l);
        if (l->file_kw.len) {
            if (!name_is(l->file_kw, "file"))
                diag_error(se->diag, l->file_kw.off, "expected 'list NAME = file \"PATH\";' or "
                           "'list NAME = [\"...\", ...];'");
            else
                read_list_file(se, l);
            continue;
        }
        int n = 0;
        for (ast_expr *x = l->items; x; x = x->next)
            n++;
        l->values = arena_alloc(se->arena, (size_t)(n ? n : 1) * sizeof *l->values);
        if (!l->values) {
            se->oom = true;
            return;
        }
        for (ast_expr *x = l->items; x; x = x->next) {
            if (x->kind != EX_STRING) {
                diag_error(se->diag, x->off, "the items of a list must be string literals");
                continue;
            }
            l->values[l->nvalues++] = x->sval;
        }
        if (n == 0)
            diag_error(se->diag, l->name.off, "list '%.*s%s' is empty", NAME_ARGS(l->name));
    }
}

/* Defines the checks or probes of `list` as names of `kind` (SYM_CHECK or
 * SYM_PROBE) and reports a $n in their SQL: they run without parameters. */
static void check_named_sql(sema *se, ast_check *list, sym_kind kind)
{
    for (ast_check *c = list; c; c = c->next) {
        define_name(se, c->name, kind, c);
        sql_iter it = sql_iter_of(se->src, se->len, c->sql.off, c->sql.len);
        for (lex_sql_token t = sql_next(&it); t.kind != LEX_SQL_EOF; t = sql_next(&it))
            if (t.kind == LEX_SQL_PARAM) {
                diag_error(se->diag, t.off, "a %s takes no parameters", kind_word(kind));
                break;
            }
    }
}

/* `probe A per B` / `counter A per B`: B must be another of the list. */
static void check_pers(sema *se, ast_check *list, const char *what)
{
    int i = 0;
    for (ast_check *c = list; c; c = c->next)
        c->index = i++;
    for (ast_check *c = list; c; c = c->next) {
        if (c->per.len == 0)
            continue;
        const ast_check *other = NULL;
        for (const ast_check *o = list; o; o = o->next)
            if (o->name.len == c->per.len && memcmp(o->name.s, c->per.s, c->per.len) == 0)
                other = o;
        if (!other)
            diag_error(se->diag, c->per.off, "unknown %s '%.*s%s' after 'per'", what,
                       NAME_ARGS(c->per));
        else if (other == c)
            diag_error(se->diag, c->per.off, "a %s cannot be 'per' itself", what);
        else
            c->per_probe = other;
    }
}

static void check_checks(sema *se)
{
    check_named_sql(se, se->file->checks.head, SYM_CHECK);
    check_named_sql(se, se->file->probes.head, SYM_PROBE);
    check_pers(se, se->file->probes.head, "probe");
    for (ast_check *c = se->file->counters.head; c; c = c->next)
        define_name(se, c->name, SYM_COUNTER, c);
    check_pers(se, se->file->counters.head, "counter");
}

/* ---- loads ------------------------------------------------------------- */

/* Records the loads by folded table name (for rows()). */
static void collect_loads(sema *se)
{
    for (ast_load *l = se->file->loads.head; l && !se->oom; l = l->next) {
        char *folded = arena_strndup(se->arena, l->table.s, l->table.len);
        if (!folded) {
            se->oom = true;
            return;
        }
        for (char *p = folded; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        sym_add(se, &se->loads, folded, l->table.len, SYM_LOAD, l->table.off, l);
    }
}

/* The row count or ranges of a load. */
static void check_load_size(sema *se, ast_load *l)
{
    scope rows_scope = {CX_ROWS, NULL, NULL, l};
    if (l->rows) {
        ast_type rt = check_expr(se, &rows_scope, l->rows, 0);
        if (rt != TY_INT && rt != TY_ERROR)
            diag_error(se->diag, l->rows->off, "the row count must be an int, not %s", type_name(rt));
    }
    symtab names = {NULL, 0, 0};
    for (ast_range *r = l->ranges; r; r = r->next) {
        if (r->lo && check_expr(se, &rows_scope, r->lo, 0) != TY_INT && r->lo->type != TY_ERROR)
            diag_error(se->diag, r->lo->off, "a range bound must be an int, not %s",
                       type_name(r->lo->type));
        if (r->hi && check_expr(se, &rows_scope, r->hi, 0) != TY_INT && r->hi->type != TY_ERROR)
            diag_error(se->diag, r->hi->off, "a range bound must be an int, not %s",
                       type_name(r->hi->type));
        if (builtin_ref(r->name) != REF_NONE)
            diag_error(se->diag, r->name.off, "'%.*s%s' is a built-in name and cannot be a loop "
                       "variable", NAME_ARGS(r->name));
        sym *old = sym_add(se, &names, r->name.s, r->name.len, SYM_VAR, r->name.off, r);
        if (old)
            diag_error(se->diag, r->name.off, "loop variable '%.*s%s' is defined twice",
                       NAME_ARGS(r->name));
    }
}

static void check_load(sema *se, ast_load *l, symtab *loaded)
{
    char folded[LEX_MAX_IDENT + 1] = {0};
    uint32_t n = l->table.len > LEX_MAX_IDENT ? LEX_MAX_IDENT : l->table.len;
    for (uint32_t i = 0; i < n; i++)
        folded[i] = (char)tolower((unsigned char)l->table.s[i]);
    sym *tb = sym_find(&se->tables, folded, n);
    if (!tb || !tb->node)
        diag_error(se->diag, l->table.off, "table '%.*s%s' is not created by the schema "
                   "(no CREATE TABLE %.*s%s)", NAME_ARGS(l->table), NAME_ARGS(l->table));
    sym *twice = sym_add(se, loaded, folded, n, SYM_TABLE, l->table.off, l);
    if (twice)
        diag_error(se->diag, l->table.off, "table '%.*s%s' is already loaded at line %u",
                   NAME_ARGS(l->table), line_of(se, twice->off));
    check_load_size(se, l);
    if (!l->columns)
        diag_error(se->diag, l->off, "load of '%.*s%s' gives no columns", NAME_ARGS(l->table));

    symtab cols = {NULL, 0, 0};
    scope sc = {CX_LOAD, NULL, &cols, l};
    for (ast_column *c = l->columns; c; c = c->next) {
        if (c->value) {
            ast_type t = check_expr(se, &sc, c->value, A_NULLABLE);
            if (t == TY_LIST)
                diag_error(se->diag, c->value->off, "a column cannot be a list");
        }
        for (ast_range *r = l->ranges; r; r = r->next)
            if (r->name.len == c->name.len && memcmp(r->name.s, c->name.s, r->name.len) == 0)
                diag_error(se->diag, c->name.off, "column '%.*s%s' has the name of a loop variable",
                           NAME_ARGS(c->name));
        sym *old = sym_add(se, &cols, c->name.s, c->name.len, SYM_COLUMN, c->name.off, c);
        if (old)
            diag_error(se->diag, c->name.off, "column '%.*s%s' is given twice in this load "
                       "(first at line %u)", NAME_ARGS(c->name), line_of(se, old->off));
    }
}

/* ---- warnings ------------------------------------------------------------ */

static void warn_unused(sema *se)
{
    ast_file *f = se->file;
    for (ast_tx *tx = f->txs.head; tx; tx = tx->next)
        for (ast_var *v = tx->vars; v; v = v->frame_next)
            if (!v->used && !v->loop && v->name.s[0] != '_')
                diag_warning(se->diag, v->name.off, "variable '%.*s%s' is never used",
                             NAME_ARGS(v->name));
    for (ast_statement *s = f->statements.head; s; s = s->next)
        if (!s->used)
            diag_warning(se->diag, s->name.off, "statement '%.*s%s' is never executed",
                         NAME_ARGS(s->name));
    for (ast_param *p = f->params.head; p; p = p->next)
        if (!p->used)
            diag_warning(se->diag, p->name.off, "param '%.*s%s' is never used", NAME_ARGS(p->name));
    for (ast_listdef *l = f->lists.head; l; l = l->next)
        if (!l->used)
            diag_warning(se->diag, l->name.off, "list '%.*s%s' is never used", NAME_ARGS(l->name));
}

int sema_check(arena *a, diag_ctx *d, const char *src, uint32_t len, ast_file *f,
               const sema_opts *opts)
{
    sema se;
    memset(&se, 0, sizeof se);
    se.arena = a;
    se.diag = d;
    se.src = src;
    se.len = len;
    se.file = f;
    se.opts = opts;

    check_header(&se);
    for (const ast_sql *cmd = f->schema.head; cmd && !se.oom; cmd = cmd->next)
        collect_table(&se, cmd);
    check_params_defs(&se);
    check_lists(&se);
    check_statements(&se);
    check_checks(&se);
    collect_loads(&se);
    check_txs(&se);
    check_mixes(&se);
    check_headline(&se);
    symtab loaded = {NULL, 0, 0};
    for (ast_load *l = f->loads.head; l && !se.oom; l = l->next)
        check_load(&se, l, &loaded);
    if (!se.oom && d->errors == 0)
        warn_unused(&se);
    if (se.oom) {
        diag_error(d, 0, "out of memory");
        return -1;
    }
    return 0;
}
