/* ast.c — constructors of the syntax tree (see ast.h). */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

/* Allocates a zeroed node of `size` bytes, or sets ctx->oom. */
static void *node(parse_ctx *ctx, size_t size)
{
    void *p = arena_alloc(ctx->arena, size);
    if (!p)
        ctx->oom = true;
    return p;
}

/* The source span of token t as a name. */
static ast_name name_of(const parse_ctx *ctx, lex_token t)
{
    ast_name n;
    n.s = ctx->src + t.off;
    n.len = t.len;
    n.off = t.off;
    return n;
}

/* Appends `item` (possibly NULL) to the list whose head is `list`, keeping
 * the head's tail pointer; evaluates to the new head. */
#define LIST_APPEND(list, item)                   \
    do {                                          \
        if (!(item))                              \
            return (list);                        \
        (item)->tail = (item);                    \
        if (!(list))                              \
            return (item);                        \
        (list)->tail->next = (item);              \
        (list)->tail = (item);                    \
        return (list);                            \
    } while (0)

/* Appends a chain (head with a valid tail) to a file-level list. */
#define FILE_APPEND_CHAIN(l, chain)               \
    do {                                          \
        if (chain) {                              \
            *(l).tail = (chain);                  \
            (l).tail = &(chain)->tail->next;      \
            (l).count++;                          \
        }                                         \
    } while (0)

/* Appends one node to a file-level list. */
#define FILE_APPEND(l, item)                      \
    do {                                          \
        *(l).tail = (item);                       \
        (l).tail = &(item)->next;                 \
        (l).count++;                              \
    } while (0)

ast_file *ast_file_new(arena *a)
{
    ast_file *f = arena_alloc(a, sizeof *f);
    if (!f)
        return NULL;
    f->workloads.tail = &f->workloads.head;
    f->schema.tail = &f->schema.head;
    f->after_load.tail = &f->after_load.head;
    f->loads.tail = &f->loads.head;
    f->statements.tail = &f->statements.head;
    f->txs.tail = &f->txs.head;
    f->mixes.tail = &f->mixes.head;
    f->tables.tail = &f->tables.head;
    f->params.tail = &f->params.head;
    f->lists.tail = &f->lists.head;
    f->checks.tail = &f->checks.head;
    f->probes.tail = &f->probes.head;
    f->counters.tail = &f->counters.head;
    f->sites_tail = &f->sites;
    return f;
}

/* ---- expressions ----------------------------------------------------- */

/* A new expression node of `kind` at token t, or NULL. */
static ast_expr *expr(parse_ctx *ctx, ast_expr_kind kind, lex_token t)
{
    ast_expr *e = node(ctx, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->off = t.off;
    e->text = name_of(ctx, t);
    e->depth = 1;
    return e;
}

/* Sets e's depth from a child's and reports the first time the tree gets
 * deeper than AST_MAX_DEPTH. */
static void set_depth(parse_ctx *ctx, ast_expr *e, const ast_expr *child)
{
    if (!child || child->depth + 1 <= e->depth)
        return;
    e->depth = child->depth + 1;
    if (e->depth == AST_MAX_DEPTH + 1)
        diag_error(ctx->diag, e->off, "expression is nested too deeply (more than %d levels)",
                   AST_MAX_DEPTH);
}

ast_expr *ast_int(parse_ctx *ctx, lex_token t)
{
    ast_expr *e = expr(ctx, EX_INT, t);
    if (!e)
        return NULL;
    uint64_t v = 0;
    for (uint32_t i = 0; i < t.len; i++) {
        char ch = ctx->src[t.off + i];
        if (ch == '_')
            continue;
        if (ch < '0' || ch > '9')
            break;  /* a malformed number, reported by the driver */
        unsigned d = (unsigned)(ch - '0');
        if (v > (UINT64_MAX - d) / 10)
            e->ival_overflow = true;
        v = v * 10 + d;
    }
    e->ival = v;
    return e;
}

ast_expr *ast_float(parse_ctx *ctx, lex_token t)
{
    return expr(ctx, EX_FLOAT, t);
}

ast_expr *ast_duration(parse_ctx *ctx, lex_token t)
{
    ast_expr *e = expr(ctx, EX_DURATION, t);
    if (!e)
        return NULL;
    /* digits (with '_'), then the unit: ms, s, m or h */
    char num[64];
    uint32_t n = 0, i = 0;
    for (; i < t.len && n + 1 < sizeof num; i++) {
        char ch = ctx->src[t.off + i];
        if (ch == '_')
            continue;
        if ((ch >= 'a' && ch <= 'z' && ch != 'e') || (ch == 'e' && i + 1 == t.len))
            break;
        num[n++] = ch;
    }
    num[n] = '\0';
    const char *unit = ctx->src + t.off + i;
    uint32_t ulen = t.len - i;
    double mult = ulen == 2 ? 0.001 : unit[0] == 's' ? 1 : unit[0] == 'm' ? 60 : 3600;
    e->fval = strtod(num, NULL) * mult;
    return e;
}

ast_expr *ast_bool(parse_ctx *ctx, lex_token t, bool value)
{
    ast_expr *e = expr(ctx, EX_BOOL, t);
    if (e)
        e->ival = value;
    return e;
}

ast_expr *ast_typed_lit(parse_ctx *ctx, lex_token type, lex_token str)
{
    ast_expr *e = expr(ctx, EX_TYPED, type);
    if (e)
        e->sval = ast_decode_string(ctx, str);
    return e;
}

ast_string ast_decode_string(parse_ctx *ctx, lex_token t)
{
    ast_string s;
    s.off = t.off;
    s.len = 0;
    s.s = "";
    char *buf = arena_alloc(ctx->arena, (size_t)t.len + 1);
    if (!buf) {
        ctx->oom = true;
        return s;
    }
    int64_t bad = lex_string_value(ctx->src, t, buf, &s.len);
    buf[s.len] = '\0';
    s.s = buf;
    if (bad >= 0)
        diag_error(ctx->diag, (uint32_t)bad, "unknown escape sequence in string "
                   "(only \\\\, \\\", \\n and \\t are allowed)");
    return s;
}

ast_expr *ast_string_lit(parse_ctx *ctx, lex_token t)
{
    ast_expr *e = expr(ctx, EX_STRING, t);
    if (e)
        e->sval = ast_decode_string(ctx, t);
    return e;
}

ast_expr *ast_null(parse_ctx *ctx, lex_token t)
{
    return expr(ctx, EX_NULL, t);
}

ast_expr *ast_name_ref(parse_ctx *ctx, lex_token t)
{
    return expr(ctx, EX_NAME, t);
}

ast_expr *ast_call(parse_ctx *ctx, lex_token name, ast_expr *args)
{
    ast_expr *e = expr(ctx, EX_CALL, name);
    if (!e)
        return NULL;
    e->args = args;
    for (ast_expr *a = args; a; a = a->next) {
        e->nargs++;
        set_depth(ctx, e, a);
    }
    return e;
}

ast_expr *ast_neg(parse_ctx *ctx, lex_token op, ast_expr *operand)
{
    ast_expr *e = expr(ctx, EX_NEG, op);
    if (!e)
        return NULL;
    e->op = '-';
    e->lhs = operand;
    set_depth(ctx, e, operand);
    return e;
}

ast_expr *ast_binary(parse_ctx *ctx, lex_token op, ast_expr *l, ast_expr *r)
{
    ast_expr *e = expr(ctx, EX_BINARY, op);
    if (!e)
        return NULL;
    e->op = op.kind;
    e->lhs = l;
    e->rhs = r;
    set_depth(ctx, e, l);
    set_depth(ctx, e, r);
    return e;
}

ast_expr *ast_not(parse_ctx *ctx, lex_token op, ast_expr *operand)
{
    ast_expr *e = expr(ctx, EX_NOT, op);
    if (!e)
        return NULL;
    e->lhs = operand;
    set_depth(ctx, e, operand);
    return e;
}

ast_expr *ast_list_lit(parse_ctx *ctx, lex_token t, ast_expr_kind kind, ast_expr *items)
{
    ast_expr *e = expr(ctx, kind, t);
    if (!e)
        return NULL;
    e->args = items;
    for (ast_expr *a = items; a; a = a->next) {
        e->nargs++;
        set_depth(ctx, e, a);
    }
    return e;
}

ast_expr *ast_json(parse_ctx *ctx, lex_token brace, ast_expr *fields)
{
    return ast_list_lit(ctx, brace, EX_JSON, fields);
}

ast_expr *ast_jfield(parse_ctx *ctx, lex_token key, ast_expr *value)
{
    ast_expr *e = expr(ctx, EX_JFIELD, key);
    if (!e)
        return NULL;
    e->sval = ast_decode_string(ctx, key);
    e->lhs = value;
    set_depth(ctx, e, value);
    return e;
}

ast_expr *ast_arg_append(ast_expr *list, ast_expr *e)
{
    LIST_APPEND(list, e);
}

/* ---- transaction bodies ---------------------------------------------- */

/* A new body item of `kind` whose first token is `first`, or NULL. */
static ast_stmt *stmt(parse_ctx *ctx, ast_stmt_kind kind, lex_token first)
{
    ast_stmt *s = node(ctx, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    s->off = first.off;
    s->name = name_of(ctx, first);
    return s;
}

ast_var *ast_var_new(parse_ctx *ctx, lex_token name, lex_token type)
{
    ast_var *v = node(ctx, sizeof *v);
    if (!v)
        return NULL;
    v->name = name_of(ctx, name);
    if (type.len)
        v->type_name = name_of(ctx, type);
    return v;
}

ast_var *ast_var_append(ast_var *list, ast_var *v)
{
    LIST_APPEND(list, v);
}

/* A variable without a type annotation. */
static ast_var *plain_var(parse_ctx *ctx, lex_token name)
{
    lex_token none = name;
    none.len = 0;
    return ast_var_new(ctx, name, none);
}

ast_stmt *ast_let(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *value)
{
    ast_stmt *s = stmt(ctx, ST_LET, kw);
    if (!s)
        return NULL;
    s->name = name_of(ctx, name);
    s->value = value;
    s->vars = plain_var(ctx, name);
    return s;
}

ast_stmt *ast_capture(parse_ctx *ctx, lex_token kw, ast_var *vars, ast_expr *call)
{
    ast_stmt *s = stmt(ctx, ST_CAPTURE, kw);
    if (!s)
        return NULL;
    s->vars = vars;
    s->value = call;
    return s;
}

ast_stmt *ast_assign(parse_ctx *ctx, lex_token name, ast_expr *value)
{
    ast_stmt *s = stmt(ctx, ST_ASSIGN, name);
    if (s)
        s->value = value;
    return s;
}

ast_stmt *ast_for_range(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *lo, ast_expr *hi,
                        ast_stmt *body)
{
    ast_stmt *s = stmt(ctx, ST_FOR_RANGE, kw);
    if (!s)
        return NULL;
    s->vars = plain_var(ctx, name);
    s->value = lo;
    s->hi = hi;
    s->body = body;
    return s;
}

ast_stmt *ast_for_rows(parse_ctx *ctx, lex_token kw, ast_var *vars, ast_expr *call, ast_stmt *body)
{
    ast_stmt *s = stmt(ctx, ST_FOR_ROWS, kw);
    if (!s)
        return NULL;
    s->vars = vars;
    s->value = call;
    s->body = body;
    return s;
}

ast_stmt *ast_if(parse_ctx *ctx, lex_token kw, ast_expr *cond, ast_stmt *then, ast_stmt *els)
{
    ast_stmt *s = stmt(ctx, ST_IF, kw);
    if (!s)
        return NULL;
    s->value = cond;
    s->body = then;
    s->else_body = els;
    return s;
}

ast_stmt *ast_else(parse_ctx *ctx, ast_stmt *body)
{
    ast_stmt *s = node(ctx, sizeof *s);
    if (!s)
        return NULL;
    s->kind = ST_ELSE;
    s->body = body;
    return s;
}

ast_stmt *ast_sleep(parse_ctx *ctx, lex_token kw, ast_expr *seconds)
{
    ast_stmt *s = stmt(ctx, ST_SLEEP, kw);
    if (s)
        s->value = seconds;
    return s;
}

ast_stmt *ast_pipeline(parse_ctx *ctx, lex_token kw, ast_stmt *body)
{
    ast_stmt *s = stmt(ctx, ST_PIPELINE, kw);
    if (s)
        s->body = body;
    return s;
}

ast_txopt *ast_txopt_new(parse_ctx *ctx, lex_token kw, ast_txopt_kind kind, ast_expr *value,
                         const lex_token *w1, const lex_token *w2)
{
    ast_txopt *o = node(ctx, sizeof *o);
    if (!o)
        return NULL;
    o->kind = kind;
    o->off = kw.off;
    o->value = value;
    if (w1)
        o->words[0] = name_of(ctx, *w1);
    if (w2)
        o->words[1] = name_of(ctx, *w2);
    return o;
}

ast_txopt *ast_txopt_limit(parse_ctx *ctx, lex_token kw, const lex_token *pword, ast_expr *pct,
                           ast_expr *seconds)
{
    ast_txopt *o = ast_txopt_new(ctx, kw, TO_LIMIT, pct, pword, NULL);
    if (o)
        o->bound = seconds;
    return o;
}

ast_txopt *ast_txopt_append(ast_txopt *list, ast_txopt *o)
{
    LIST_APPEND(list, o);
}

ast_stmt *ast_exec(parse_ctx *ctx, lex_token name, ast_expr *args)
{
    ast_stmt *s = stmt(ctx, ST_EXEC, name);
    if (!s)
        return NULL;
    s->args = args;
    for (ast_expr *a = args; a; a = a->next)
        s->nargs++;
    return s;
}

ast_stmt *ast_control(parse_ctx *ctx, lex_token kw, ast_stmt_kind kind)
{
    return stmt(ctx, kind, kw);
}

ast_stmt *ast_stmt_append(ast_stmt *list, ast_stmt *s)
{
    LIST_APPEND(list, s);
}

/* ---- loads, mixes, header -------------------------------------------- */

ast_column *ast_column_new(parse_ctx *ctx, lex_token name, ast_expr *value)
{
    ast_column *c = node(ctx, sizeof *c);
    if (!c)
        return NULL;
    c->name = name_of(ctx, name);
    c->value = value;
    return c;
}

ast_column *ast_column_append(ast_column *list, ast_column *c)
{
    LIST_APPEND(list, c);
}

ast_range *ast_range_new(parse_ctx *ctx, lex_token name, ast_expr *lo, ast_expr *hi)
{
    ast_range *r = node(ctx, sizeof *r);
    if (!r)
        return NULL;
    r->name = name_of(ctx, name);
    r->lo = lo;
    r->hi = hi;
    return r;
}

ast_range *ast_range_append(ast_range *list, ast_range *r)
{
    LIST_APPEND(list, r);
}

ast_mix_entry *ast_mix_entry_new(parse_ctx *ctx, lex_token tx, ast_expr *weight)
{
    ast_mix_entry *m = node(ctx, sizeof *m);
    if (!m)
        return NULL;
    m->tx = name_of(ctx, tx);
    m->weight = weight;
    return m;
}

ast_mix_entry *ast_mix_entry_append(ast_mix_entry *list, ast_mix_entry *e)
{
    LIST_APPEND(list, e);
}

ast_witem *ast_witem_string(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token str)
{
    ast_witem *w = node(ctx, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    w->off = kw.off;
    w->value = ast_decode_string(ctx, str);
    return w;
}

ast_witem *ast_witem_sql(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token sql)
{
    ast_witem *w = node(ctx, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    w->off = kw.off;
    w->sql = ast_sql_new(ctx, sql);
    return w;
}

ast_witem *ast_witem_word(parse_ctx *ctx, lex_token kw, ast_witem_kind kind, lex_token word)
{
    ast_witem *w = node(ctx, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    w->off = word.off;
    (void)kw;
    w->word = name_of(ctx, word);
    return w;
}

ast_witem *ast_witem_headline(parse_ctx *ctx, lex_token kw, lex_token tx, lex_token name)
{
    ast_witem *w = ast_witem_string(ctx, kw, WI_HEADLINE, name);
    if (w)
        w->word = name_of(ctx, tx);
    return w;
}

ast_witem *ast_witem_extension(parse_ctx *ctx, lex_token kw, lex_token word, lex_token name)
{
    ast_witem *w = node(ctx, sizeof *w);
    if (!w)
        return NULL;
    w->kind = WI_EXTENSION;
    w->off = name.off;   /* errors about the extension point at its name, not at kw */
    (void)kw;
    w->word = name_of(ctx, word);
    if (name.kind == TK_STRING) {
        w->value = ast_decode_string(ctx, name);
    } else {
        w->value.s = arena_strndup(ctx->arena, ctx->src + name.off, name.len);
        w->value.len = name.len;
        w->value.off = name.off;
        if (!w->value.s)
            ctx->oom = true;
    }
    return w;
}

ast_witem *ast_witem_append(ast_witem *list, ast_witem *w)
{
    LIST_APPEND(list, w);
}

ast_sql *ast_sql_new(parse_ctx *ctx, lex_token sql)
{
    ast_sql *s = node(ctx, sizeof *s);
    if (!s)
        return NULL;
    s->off = sql.off;
    s->len = sql.len;
    return s;
}

ast_sql *ast_sql_append(ast_sql *list, ast_sql *s)
{
    LIST_APPEND(list, s);
}

/* ---- top-level items ------------------------------------------------- */

void ast_add_workload(parse_ctx *ctx, lex_token kw, lex_token name, ast_witem *items)
{
    ast_workload *w = node(ctx, sizeof *w);
    if (!w)
        return;
    w->name = name_of(ctx, name);
    w->items = items;
    w->off = kw.off;
    FILE_APPEND(ctx->file->workloads, w);
}

void ast_add_schema(parse_ctx *ctx, ast_sql *cmds)
{
    FILE_APPEND_CHAIN(ctx->file->schema, cmds);
}

void ast_add_after_load(parse_ctx *ctx, ast_sql *cmds)
{
    FILE_APPEND_CHAIN(ctx->file->after_load, cmds);
}

void ast_add_load(parse_ctx *ctx, lex_token kw, lex_token table, ast_expr *rows, ast_range *ranges,
                  ast_column *cols)
{
    ast_load *l = node(ctx, sizeof *l);
    if (!l)
        return;
    l->table = name_of(ctx, table);
    l->rows = rows;
    l->ranges = ranges;
    l->columns = cols;
    for (ast_column *c = cols; c; c = c->next)
        l->ncolumns++;
    l->off = kw.off;
    FILE_APPEND(ctx->file->loads, l);
}

void ast_add_statement(parse_ctx *ctx, lex_token kw, lex_token name, lex_token sql)
{
    ast_statement *s = node(ctx, sizeof *s);
    if (!s)
        return;
    s->name = name_of(ctx, name);
    s->sql.off = sql.off;
    s->sql.len = sql.len;
    s->off = kw.off;
    FILE_APPEND(ctx->file->statements, s);
}

void ast_add_tx(parse_ctx *ctx, lex_token kw, lex_token name, ast_txopt *opts, ast_stmt *body)
{
    ast_tx *t = node(ctx, sizeof *t);
    if (!t)
        return;
    t->name = name_of(ctx, name);
    t->opts = opts;
    t->body = body;
    t->off = kw.off;
    FILE_APPEND(ctx->file->txs, t);
}

void ast_add_mix(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, bool deck,
                 ast_mix_entry *entries)
{
    ast_mix *m = node(ctx, sizeof *m);
    if (!m)
        return;
    m->name = name_of(ctx, name);
    if (desc)
        m->description = ast_decode_string(ctx, *desc);
    m->entries = entries;
    m->deck = deck;
    m->off = kw.off;
    FILE_APPEND(ctx->file->mixes, m);
}

void ast_add_param(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *value)
{
    ast_param *p = node(ctx, sizeof *p);
    if (!p)
        return;
    p->name = name_of(ctx, name);
    p->value = value;
    p->off = kw.off;
    FILE_APPEND(ctx->file->params, p);
}

void ast_add_list(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *items)
{
    ast_listdef *l = node(ctx, sizeof *l);
    if (!l)
        return;
    l->name = name_of(ctx, name);
    l->items = items;
    l->off = kw.off;
    FILE_APPEND(ctx->file->lists, l);
}

void ast_add_list_file(parse_ctx *ctx, lex_token kw, lex_token name, lex_token word, lex_token path)
{
    ast_listdef *l = node(ctx, sizeof *l);
    if (!l)
        return;
    l->name = name_of(ctx, name);
    l->file_kw = name_of(ctx, word);
    l->path = ast_decode_string(ctx, path);
    l->off = kw.off;
    FILE_APPEND(ctx->file->lists, l);
}

/* A new check or probe node (they have one shape), or NULL. */
static ast_check *named_sql(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                            lex_token sql)
{
    ast_check *c = node(ctx, sizeof *c);
    if (!c)
        return NULL;
    c->name = name_of(ctx, name);
    if (desc)
        c->description = ast_decode_string(ctx, *desc);
    c->sql.off = sql.off;
    c->sql.len = sql.len;
    c->off = kw.off;
    return c;
}

void ast_add_check(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, lex_token sql)
{
    ast_check *c = named_sql(ctx, kw, name, desc, sql);
    if (c)
        FILE_APPEND(ctx->file->checks, c);
}

void ast_add_probe(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc, lex_token sql)
{
    ast_check *c = named_sql(ctx, kw, name, desc, sql);
    if (c)
        FILE_APPEND(ctx->file->probes, c);
}

void ast_add_counter(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                     const lex_token *per)
{
    ast_check *c = node(ctx, sizeof *c);
    if (!c)
        return;
    c->name = name_of(ctx, name);
    if (desc)
        c->description = ast_decode_string(ctx, *desc);
    if (per)
        c->per = name_of(ctx, *per);
    c->off = kw.off;
    FILE_APPEND(ctx->file->counters, c);
}

ast_stmt *ast_count(parse_ctx *ctx, lex_token kw, lex_token name, ast_expr *amount)
{
    ast_stmt *s = stmt(ctx, ST_COUNT, kw);
    if (s) {
        s->name = name_of(ctx, name);
        s->value = amount;
    }
    return s;
}

void ast_add_probe_per(parse_ctx *ctx, lex_token kw, lex_token name, const lex_token *desc,
                       lex_token per, lex_token sql)
{
    ast_check *c = named_sql(ctx, kw, name, desc, sql);
    if (!c)
        return;
    c->per = name_of(ctx, per);
    FILE_APPEND(ctx->file->probes, c);
}
