/* sema.c — semantic checks (see sema.h). */
#include "sema.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stormdb.h"   /* SDB_MAX_PARAMS */

/* ---- symbol tables ---------------------------------------------------- */

typedef enum sym_kind { SYM_STATEMENT, SYM_TX, SYM_MIX, SYM_VAR, SYM_COLUMN, SYM_TABLE } sym_kind;

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
    symtab names;       /* statements, transactions, mixes */
    symtab tables;      /* tables of the schema, by folded name */
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
    }
    return "name";
}

static const char *type_name(ast_type t)
{
    switch (t) {
    case TY_INT: return "int";
    case TY_FLOAT: return "float";
    case TY_STRING: return "string";
    case TY_NULL: return "null";
    case TY_ERROR: break;
    }
    return "invalid";
}

/* Adds a statement/transaction/mix name; reports a duplicate. */
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
    int index = 0;
    for (ast_statement *st = se->file->statements.head; st; st = st->next) {
        define_name(se, st->name, SYM_STATEMENT, st);
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
    }
    return "item";
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
    const ast_witem *seen[4] = {NULL, NULL, NULL, NULL};
    for (const ast_witem *it = w->items; it; it = it->next) {
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
        }
    }
}

/* ---- expressions ------------------------------------------------------- */

/* Where names in an expression are looked up. */
typedef struct scope {
    symtab *vars;        /* transaction variables, or NULL */
    symtab *columns;     /* earlier columns of a load, or NULL */
    bool row_allowed;    /* in a load column */
} scope;

/* Reports an EX_INT literal that does not fit in int64 (value > limit). */
static void check_int_literal(sema *se, const ast_expr *e, uint64_t limit)
{
    if (e->ival_overflow || e->ival > limit)
        diag_error(se->diag, e->off, "integer literal %.*s%s is out of range (64-bit signed)",
                   NAME_ARGS(e->text));
}

/* Value of a constant numeric expression (literals and arithmetic on
 * them).  Returns false when e is not constant. */
static bool const_value(const ast_expr *e, bool *is_float, double *fv, int64_t *iv)
{
    bool lf, rf;
    double ld, rd;
    int64_t li, ri;
    switch (e->kind) {
    case EX_INT:
        *is_float = false;
        *iv = (int64_t)e->ival;
        *fv = (double)e->ival;
        return true;
    case EX_FLOAT:
        *is_float = true;
        *fv = strtod(e->text.s, NULL);
        *iv = 0;
        return true;
    case EX_NEG:
        if (!e->lhs || !const_value(e->lhs, is_float, fv, iv))
            return false;
        *fv = -*fv;
        *iv = (int64_t)(0 - (uint64_t)*iv);
        return true;
    case EX_BINARY:
        if (!e->lhs || !e->rhs || !const_value(e->lhs, &lf, &ld, &li) ||
            !const_value(e->rhs, &rf, &rd, &ri))
            return false;
        *is_float = lf || rf;
        switch (e->op) {
        case '+': *fv = ld + rd; *iv = (int64_t)((uint64_t)li + (uint64_t)ri); break;
        case '-': *fv = ld - rd; *iv = (int64_t)((uint64_t)li - (uint64_t)ri); break;
        case '*': *fv = ld * rd; *iv = (int64_t)((uint64_t)li * (uint64_t)ri); break;
        default:
            if (rd == 0 || ri == 0 || (li == INT64_MIN && ri == -1))
                return false;
            *fv = ld / rd;
            *iv = e->op == '/' ? li / ri : li % ri;
            break;
        }
        return true;
    default:
        return false;
    }
}

static ast_type check_expr(sema *se, const scope *sc, ast_expr *e);

/* Checks a generator call. */
static ast_type check_call(sema *se, const scope *sc, ast_expr *e)
{
    bool uniform = e->text.len == 7 && memcmp(e->text.s, "uniform", 7) == 0;
    bool rstring = e->text.len == 13 && memcmp(e->text.s, "random_string", 13) == 0;
    ast_type arg_types[2] = {TY_ERROR, TY_ERROR};
    int i = 0;
    for (ast_expr *a = e->args; a; a = a->next, i++) {
        ast_type t = check_expr(se, sc, a);
        if (i < 2)
            arg_types[i] = t;
    }
    if (!uniform && !rstring) {
        diag_error(se->diag, e->off, "unknown function '%.*s%s' (the generators are uniform "
                   "and random_string)", NAME_ARGS(e->text));
        return TY_ERROR;
    }
    const char *fn = uniform ? "uniform" : "random_string";
    if (e->nargs != 2) {
        diag_error(se->diag, e->off, "%s() takes 2 arguments, not %d", fn, e->nargs);
        return TY_ERROR;
    }
    i = 0;
    for (ast_expr *a = e->args; a; a = a->next, i++)
        if (arg_types[i] != TY_INT && arg_types[i] != TY_ERROR) {
            diag_error(se->diag, a->off, "argument %d of %s() must be an int, not %s", i + 1, fn,
                       type_name(arg_types[i]));
            return TY_ERROR;
        }
    return uniform ? TY_INT : TY_STRING;
}

/* Resolves a name in an expression. */
static ast_type check_name(sema *se, const scope *sc, ast_expr *e)
{
    if (e->text.len == 5 && memcmp(e->text.s, "scale", 5) == 0) {
        e->ref = REF_SCALE;
        return TY_INT;
    }
    if (e->text.len == 3 && memcmp(e->text.s, "row", 3) == 0) {
        if (!sc->row_allowed) {
            diag_error(se->diag, e->off, "'row' is only available in the columns of a load");
            return TY_ERROR;
        }
        e->ref = REF_ROW;
        return TY_INT;
    }
    sym *v = sc->vars ? sym_find(sc->vars, e->text.s, e->text.len) : NULL;
    if (v) {
        e->ref = REF_VAR;
        e->var = v->node;
        return e->var->value ? e->var->value->type : TY_ERROR;
    }
    sym *c = sc->columns ? sym_find(sc->columns, e->text.s, e->text.len) : NULL;
    if (c) {
        e->ref = REF_COLUMN;
        e->col = c->node;
        e->col->referenced = true;
        return e->col->value ? e->col->value->type : TY_ERROR;
    }
    diag_error(se->diag, e->off, "unknown name '%.*s%s'", NAME_ARGS(e->text));
    return TY_ERROR;
}

/* Checks an arithmetic operator application. */
static ast_type check_binary(sema *se, const scope *sc, ast_expr *e)
{
    ast_type l = e->lhs ? check_expr(se, sc, e->lhs) : TY_ERROR;
    ast_type r = e->rhs ? check_expr(se, sc, e->rhs) : TY_ERROR;
    if (l == TY_ERROR || r == TY_ERROR)
        return TY_ERROR;
    ast_type bad = (l != TY_INT && l != TY_FLOAT) ? l : (r != TY_INT && r != TY_FLOAT) ? r : TY_ERROR;
    if (bad != TY_ERROR) {
        diag_error(se->diag, e->off, "operator '%c' needs numbers, not %s", e->op, type_name(bad));
        return TY_ERROR;
    }
    if (e->op == '%' && (l == TY_FLOAT || r == TY_FLOAT)) {
        diag_error(se->diag, e->off, "operator '%%' needs int operands, not float");
        return TY_ERROR;
    }
    if (e->op == '/' || e->op == '%') {
        bool is_float;
        double fv;
        int64_t iv;
        if (const_value(e->rhs, &is_float, &fv, &iv) && (is_float ? fv == 0 : iv == 0)) {
            diag_error(se->diag, e->off, "division by zero");
            return TY_ERROR;
        }
    }
    return l == TY_FLOAT || r == TY_FLOAT ? TY_FLOAT : TY_INT;
}

/* Infers and checks the type of e; records it in e->type. */
static ast_type check_expr(sema *se, const scope *sc, ast_expr *e)
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
    case EX_STRING: t = TY_STRING; break;
    case EX_NULL: t = TY_NULL; break;
    case EX_NAME: t = check_name(se, sc, e); break;
    case EX_CALL: t = check_call(se, sc, e); break;
    case EX_BINARY: t = check_binary(se, sc, e); break;
    case EX_NEG:
        if (!e->lhs)
            break;
        if (e->lhs->kind == EX_INT) {   /* -9223372036854775808 is in range */
            check_int_literal(se, e->lhs, (uint64_t)INT64_MAX + 1);
            e->lhs->type = TY_INT;
            t = TY_INT;
            break;
        }
        t = check_expr(se, sc, e->lhs);
        if (t != TY_INT && t != TY_FLOAT && t != TY_ERROR) {
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
    scope none = {NULL, NULL, false};
    if (!w || check_expr(se, &none, w) == TY_ERROR)
        return -1;
    bool is_float;
    double fv;
    int64_t iv;
    if (!const_value(w, &is_float, &fv, &iv))
        return -1;
    if (fv < 0) {
        diag_error(se->diag, w->off, "a weight must not be negative");
        return -1;
    }
    return fv;
}

/* ---- transactions ------------------------------------------------------ */

/* True for the names that expressions reserve. */
static bool builtin_name(ast_name n)
{
    return (n.len == 5 && memcmp(n.s, "scale", 5) == 0) || (n.len == 3 && memcmp(n.s, "row", 3) == 0);
}

static void check_exec(sema *se, const scope *sc, ast_stmt *s)
{
    for (ast_expr *a = s->args; a; a = a->next)
        check_expr(se, sc, a);
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
    if (s->nargs != s->target->nparams)
        diag_error(se->diag, s->off, "statement '%.*s%s' takes %d argument%s, not %d",
                   NAME_ARGS(s->name), s->target->nparams, s->target->nparams == 1 ? "" : "s",
                   s->nargs);
}

static void check_tx(sema *se, ast_tx *tx)
{
    symtab vars = {NULL, 0, 0};
    scope sc = {&vars, NULL, false};
    tx->weight_value = tx->weight ? weight_value(se, tx->weight) : 1.0;
    if (tx->weight_value < 0)
        tx->weight_value = 0;
    for (ast_stmt *s = tx->body; s; s = s->next) {
        if (s->kind == ST_EXEC) {
            check_exec(se, &sc, s);
            continue;
        }
        if (s->kind != ST_LET)
            continue;
        ast_type t = s->value ? check_expr(se, &sc, s->value) : TY_ERROR;
        if (t == TY_NULL)
            diag_error(se->diag, s->value->off, "a variable cannot be null (null is only for "
                       "statement arguments and load columns)");
        if (builtin_name(s->name)) {
            diag_error(se->diag, s->name.off, "'%.*s%s' is a built-in name and cannot be "
                       "redefined", NAME_ARGS(s->name));
            continue;
        }
        sym *old = sym_add(se, &vars, s->name.s, s->name.len, SYM_VAR, s->name.off, s);
        if (old)
            diag_error(se->diag, s->name.off, "variable '%.*s%s' is already defined at line %u",
                       NAME_ARGS(s->name), line_of(se, old->off));
    }
}

static void check_txs(sema *se)
{
    int index = 0;
    for (ast_tx *tx = se->file->txs.head; tx; tx = tx->next) {
        define_name(se, tx->name, SYM_TX, tx);
        tx->index = index++;
    }
    for (ast_tx *tx = se->file->txs.head; tx; tx = tx->next)
        check_tx(se, tx);
}

/* ---- mixes ------------------------------------------------------------- */

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
        sym *t = sym_find(&se->names, e->tx.s, e->tx.len);
        if (!t) {
            diag_error(se->diag, e->tx.off, "unknown transaction '%.*s%s'", NAME_ARGS(e->tx));
            continue;
        }
        if (t->kind != SYM_TX) {
            diag_error(se->diag, e->tx.off, "'%.*s%s' is a %s, not a transaction", NAME_ARGS(e->tx),
                       kind_word(t->kind));
            continue;
        }
        ast_tx *tx = t->node;
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

/* ---- loads ------------------------------------------------------------- */

static void check_load(sema *se, ast_load *l, symtab *loaded)
{
    char folded[LEX_MAX_IDENT + 1];
    uint32_t n = l->table.len > LEX_MAX_IDENT ? LEX_MAX_IDENT : l->table.len;
    for (uint32_t i = 0; i < n; i++)
        folded[i] = (char)tolower((unsigned char)l->table.s[i]);
    sym *tb = sym_find(&se->tables, folded, n);
    if (!tb || !tb->node)
        diag_error(se->diag, l->table.off, "table '%.*s%s' is not created by the schema "
                   "(no CREATE TABLE %.*s%s)", NAME_ARGS(l->table), NAME_ARGS(l->table));
    sym *twice = sym_add(se, loaded, l->table.s, l->table.len, SYM_TABLE, l->table.off, l);
    if (twice)
        diag_error(se->diag, l->table.off, "table '%.*s%s' is already loaded at line %u",
                   NAME_ARGS(l->table), line_of(se, twice->off));

    scope rows_scope = {NULL, NULL, false};
    ast_type rt = l->rows ? check_expr(se, &rows_scope, l->rows) : TY_ERROR;
    if (rt != TY_INT && rt != TY_ERROR)
        diag_error(se->diag, l->rows->off, "the row count must be an int, not %s", type_name(rt));
    if (!l->columns)
        diag_error(se->diag, l->off, "load of '%.*s%s' gives no columns", NAME_ARGS(l->table));

    symtab cols = {NULL, 0, 0};
    scope sc = {NULL, &cols, true};
    for (ast_column *c = l->columns; c; c = c->next) {
        if (c->value)
            check_expr(se, &sc, c->value);
        sym *old = sym_add(se, &cols, c->name.s, c->name.len, SYM_COLUMN, c->name.off, c);
        if (old)
            diag_error(se->diag, c->name.off, "column '%.*s%s' is given twice in this load "
                       "(first at line %u)", NAME_ARGS(c->name), line_of(se, old->off));
    }
}

int sema_check(arena *a, diag_ctx *d, const char *src, uint32_t len, ast_file *f)
{
    sema se;
    memset(&se, 0, sizeof se);
    se.arena = a;
    se.diag = d;
    se.src = src;
    se.len = len;
    se.file = f;

    check_header(&se);
    for (const ast_sql *cmd = f->schema.head; cmd && !se.oom; cmd = cmd->next)
        collect_table(&se, cmd);
    check_statements(&se);
    check_txs(&se);
    check_mixes(&se);
    symtab loaded = {NULL, 0, 0};
    for (ast_load *l = f->loads.head; l && !se.oom; l = l->next)
        check_load(&se, l, &loaded);
    if (se.oom) {
        diag_error(d, 0, "out of memory");
        return -1;
    }
    return 0;
}
