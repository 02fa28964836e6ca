/* emit.c — C code generation (see emit.h). */
#include "emit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
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

/* Appends a double so that it reads back as the same value (whole values
 * as integers: 10, not 1e+01). */
static void put_double(emitter *e, double v)
{
    char tmp[40];
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        putf(e, "%.0f", v);
        return;
    }
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

/* ---- values ---------------------------------------------------------------- */

static void put_expr(emitter *e, const ast_expr *x, bool top);

/* The C type of a value of type t. */
static const char *c_type(ast_type t)
{
    switch (t) {
    case TY_FLOAT: return "double";
    case TY_STRING: return "sdb_str";
    case TY_BOOL: return "int";
    default: return "int64_t";
    }
}

/* The suffix of sdb_bind_* / sdb_copy_* / sdb_result_* for type t. */
static const char *value_fn(ast_type t)
{
    switch (t) {
    case TY_FLOAT: return "float";
    case TY_STRING: return "str";
    case TY_BOOL: return "bool";
    case TY_DATE: return "date";
    case TY_TIMESTAMP: return "timestamp";
    case TY_NULL: return "null";
    default: return "int";
    }
}

/* The zero value of type t (what a null variable holds). */
static const char *zero_of(ast_type t)
{
    return t == TY_STRING ? "sdb_str_lit(\"\", 0)" : t == TY_FLOAT ? "0.0" : "0";
}

/* Appends a double as a C floating literal that reads back as v. */
static void put_float_lit(emitter *e, double v)
{
    char tmp[48];
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {   /* whole: 90.0, not 9e+01 */
        putf(e, "%.1f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    puts_(e, tmp);
    if (!strpbrk(tmp, ".eEn"))
        puts_(e, ".0");
}

/* Indentation of nesting level `depth` (4 spaces each). */
static void indent(emitter *e, int depth)
{
    for (int i = 0; i < depth; i++)
        puts_(e, "    ");
}

/* True for an expression that is null in some rows: null, nullable(), a
 * nullable variable or column. */
static bool maybe_null(const ast_expr *x)
{
    return x->nullable;
}

/* The C condition "x is null" of a maybe_null expression. */
static void put_null_flag(emitter *e, const ast_expr *x)
{
    if (x->kind == EX_NULL) {
        puts_(e, "1");
    } else if (x->kind == EX_CALL) {          /* nullable(value, p) */
        puts_(e, "sdb_gen_chance(c, ");
        put_expr(e, x->args->next, true);
        puts_(e, ")");
    } else if (x->ref == REF_VAR) {
        puts_(e, "f->n_");
        put_name(e, x->var->name);
    } else {
        puts_(e, "coln_");
        put_name(e, x->col->name);
    }
}

/* The value of a maybe_null expression (its zero when null). */
static void put_value(emitter *e, const ast_expr *x)
{
    if (x->kind == EX_CALL && x->gen && x->gen->id == BI_NULLABLE)
        put_expr(e, x->args, true);
    else
        put_expr(e, x, true);
}

/* ---- documents: ||, string(), json {...}, array[...] ---------------------- */

/* Each is built by a file-scope helper that takes the non-constant leaves
 * as parameters (evaluated before the helper starts its string, as the
 * string builder requires) and renders constants itself. */
typedef enum doc_mode { DOC_PARAMS, DOC_ARGS, DOC_BODY } doc_mode;
typedef enum doc_style { STYLE_TEXT, STYLE_JSON, STYLE_ARRAY } doc_style;

/* True for a leaf the helper renders from a C constant. */
static bool doc_literal(const ast_expr *x)
{
    switch (x->kind) {
    case EX_STRING: case EX_INT: case EX_FLOAT: case EX_DURATION: case EX_BOOL: case EX_TYPED:
    case EX_NULL:
        return true;
    default:
        return false;
    }
}

/* sdb_sb_raw of a constant text, as one line of the helper body. */
static void put_raw(emitter *e, const char *s)
{
    puts_(e, "    sdb_sb_raw(c, ");
    put_cstr(e, s, strlen(s));
    putf(e, ", %zu);\n", strlen(s));
}

/* The value text of leaf number k: a constant or parameter aK. */
static void put_leaf_value(emitter *e, const ast_expr *x, int k)
{
    if (doc_literal(x))
        put_expr(e, x, true);
    else
        putf(e, "a%d", k);
}

/* Renders a non-null leaf value (body line(s) without the null test),
 * indented by `depth` levels. */
static void put_leaf_render(emitter *e, const ast_expr *x, int k, doc_style style, int depth)
{
    ast_type t = x->type;
    if (x->kind == EX_BOOL) {
        indent(e, depth - 1);
        put_raw(e, x->ival ? "true" : "false");
        return;
    }
    if ((t == TY_DATE || t == TY_TIMESTAMP) && style != STYLE_TEXT) {
        indent(e, depth - 1);
        put_raw(e, "\"");
    }
    indent(e, depth);
    switch (t) {
    case TY_STRING:
        puts_(e, style == STYLE_JSON ? "sdb_sb_json_str(c, " : style == STYLE_ARRAY
                                     ? "sdb_sb_array_str(c, " : "sdb_sb_str(c, ");
        put_leaf_value(e, x, k);
        puts_(e, ");\n");
        break;
    case TY_BOOL:
        puts_(e, "sdb_sb_raw(c, ");
        put_leaf_value(e, x, k);
        puts_(e, " ? \"true\" : \"false\", ");
        put_leaf_value(e, x, k);
        puts_(e, " ? 4 : 5);\n");
        break;
    default:
        putf(e, "sdb_sb_%s(c, ", t == TY_FLOAT ? "float" : t == TY_DATE ? "date"
                                : t == TY_TIMESTAMP ? "timestamp" : "int");
        put_leaf_value(e, x, k);
        puts_(e, ");\n");
        break;
    }
    if ((t == TY_DATE || t == TY_TIMESTAMP) && style != STYLE_TEXT) {
        indent(e, depth - 1);
        put_raw(e, "\"");
    }
}

/* One leaf in one mode; *k counts the parameters. */
static void doc_leaf(emitter *e, const ast_expr *x, doc_style style, doc_mode mode, int *k)
{
    if (doc_literal(x)) {
        if (mode != DOC_BODY)
            return;
        if (x->kind == EX_NULL) {
            if (style != STYLE_TEXT)
                put_raw(e, style == STYLE_JSON ? "null" : "NULL");
            return;
        }
        put_leaf_render(e, x, 0, style, 1);
        return;
    }
    int n = ++*k;
    bool nul = maybe_null(x);
    if (mode == DOC_PARAMS) {
        if (nul)
            putf(e, ", int n%d", n);
        putf(e, ", %s a%d", c_type(x->type), n);
    } else if (mode == DOC_ARGS) {
        puts_(e, ", ");
        if (nul) {
            put_null_flag(e, x);
            puts_(e, ", ");
            put_value(e, x);
        } else {
            put_expr(e, x, true);
        }
    } else if (nul) {
        putf(e, "    if (%sn%d) {\n", style == STYLE_TEXT ? "!" : "", n);
        if (style == STYLE_TEXT) {
            put_leaf_render(e, x, n, style, 2);
        } else {
            puts_(e, "    ");
            put_raw(e, style == STYLE_JSON ? "null" : "NULL");
            puts_(e, "    } else {\n");
            put_leaf_render(e, x, n, style, 2);
        }
        puts_(e, "    }\n");
    } else {
        put_leaf_render(e, x, n, style, 1);
    }
}

/* Walks a document in one mode. */
static void doc_walk(emitter *e, const ast_expr *x, doc_style style, doc_mode mode, int *k)
{
    if (x->kind == EX_BINARY && x->op == TK_CONCAT) {
        doc_walk(e, x->lhs, STYLE_TEXT, mode, k);
        doc_walk(e, x->rhs, STYLE_TEXT, mode, k);
        return;
    }
    if (x->kind == EX_CALL && x->gen && x->gen->id == BI_STRING) {
        doc_leaf(e, x->args, STYLE_TEXT, mode, k);
        return;
    }
    bool json = x->kind == EX_JSON, jarray = x->kind == EX_LIST, parray = x->kind == EX_ARRAY;
    if (!json && !jarray && !parray) {
        doc_leaf(e, x, style, mode, k);
        return;
    }
    if (mode == DOC_BODY)
        put_raw(e, json ? "{" : jarray ? "[" : "{");
    for (const ast_expr *item = x->args; item; item = item->next) {
        const ast_expr *v = json ? item->lhs : item;
        if (mode == DOC_BODY && item != x->args)
            put_raw(e, ",");
        if (mode == DOC_BODY && json) {
            puts_(e, "    sdb_sb_json_str(c, sdb_str_lit(");
            put_cstr(e, item->sval.s, item->sval.len);
            putf(e, ", %" PRIu32 "));\n", item->sval.len);
            put_raw(e, ":");
        }
        bool nested = parray ? v->kind == EX_ARRAY : v->kind == EX_JSON || v->kind == EX_LIST;
        if (nested)
            doc_walk(e, v, style, mode, k);
        else
            doc_leaf(e, v, parray ? STYLE_ARRAY : STYLE_JSON, mode, k);
    }
    if (mode == DOC_BODY)
        put_raw(e, json ? "}" : jarray ? "]" : "}");
}

/* The helper's name prefix for document x. */
static const char *doc_prefix(const ast_expr *x)
{
    return x->kind == EX_BINARY ? "cat" : x->kind == EX_CALL ? "str" : "doc";
}

/* The call of x's helper. */
static void put_doc_call(emitter *e, const ast_expr *x)
{
    int k = 0;
    putf(e, "%s_%d(c", doc_prefix(x), x->site);
    doc_walk(e, x, STYLE_TEXT, DOC_ARGS, &k);
    puts_(e, ")");
}

/* The helper function of document x (file scope). */
static void put_doc_helper(emitter *e, const ast_expr *x)
{
    int k = 0;
    puts_(e, "\n/* ");
    puts_(e, x->kind == EX_BINARY ? "||" : x->kind == EX_CALL ? "string()" : x->kind == EX_JSON
                                                                 ? "json" : "array");
    puts_(e, " at ");
    put_file_line(e, x->off);
    putf(e, " */\nstatic sdb_str %s_%d(sdb_ctx *c", doc_prefix(x), x->site);
    doc_walk(e, x, STYLE_TEXT, DOC_PARAMS, &k);
    puts_(e, ")\n{\n    sdb_sb_begin(c);\n");
    k = 0;
    doc_walk(e, x, STYLE_TEXT, DOC_BODY, &k);
    puts_(e, "    return sdb_sb_end(c, ");
    put_where(e, x->off);
    puts_(e, ");\n}\n");
}

/* ---- constant data of call sites ------------------------------------------ */

/* A constant as a C initializer of its type. */
static void put_const_init(emitter *e, const ast_expr *x)
{
    if (x->kind == EX_STRING) {
        puts_(e, "{ ");
        put_cstr(e, x->sval.s, x->sval.len);
        putf(e, ", %" PRIu32 " }", x->sval.len);
    } else if (x->type == TY_FLOAT && x->kind != EX_FLOAT && x->kind != EX_DURATION) {
        puts_(e, "(double)");
        put_expr(e, x, false);
    } else {
        put_expr(e, x, true);
    }
}

/* The static arrays of choose() site x. */
static void put_choose_data(emitter *e, const ast_expr *x)
{
    const ast_expr *vals = x->args;
    if (vals->kind == EX_LIST) {
        putf(e, "\nstatic const %s choice_%d[] = {", c_type(vals->type), x->site);
        for (const ast_expr *v = vals->args; v; v = v->next) {
            puts_(e, v == vals->args ? " " : ", ");
            put_const_init(e, v);
        }
        puts_(e, " };\n");
    }
    if (x->nargs == 2) {
        double sum = 0;
        putf(e, "static const double cum_%d[] = {", x->site);
        for (const ast_expr *w = vals->next->args; w; w = w->next) {
            sum += w->fval;   /* the weight's value (sema) */
            puts_(e, w == vals->next->args ? " " : ", ");
            put_float_lit(e, sum);
        }
        puts_(e, " };\n");
    }
}

/* The items of a list as a static sdb_str array and its sdb_list. */
static void put_list_data(emitter *e, const char *prefix, const char *name, size_t name_len,
                          const ast_string *items, int n)
{
    putf(e, "\nstatic const sdb_str %s", prefix);
    put(e, name, name_len);
    puts_(e, "_items[] = {\n");
    for (int i = 0; i < n; i++) {
        puts_(e, "    { ");
        put_cstr(e, items[i].s, items[i].len);
        putf(e, ", %" PRIu32 " },\n", items[i].len);
    }
    /* unused when the list is only drawn from with choose(), which reads
     * the items directly */
    putf(e, "};\nstatic const sdb_list %s", prefix);
    put(e, name, name_len);
    putf(e, " __attribute__((unused)) = { %s", prefix);
    put(e, name, name_len);
    putf(e, "_items, %d };\n", n);
}

/* Lists, call-site data and helpers, before the code that uses them. */
static void put_sites(emitter *e)
{
    const ast_file *f = e->file;
    for (const ast_listdef *l = f->lists.head; l; l = l->next)
        if (l->used)
            put_list_data(e, "list_", l->name.s, l->name.len, l->values, l->nvalues);
    for (const ast_expr *x = f->sites; x; x = x->site_next) {
        if (x->kind == EX_LIST) {
            putf(e, "\nstatic const sdb_str lst_%d_items[] = {\n", x->site);
            for (const ast_expr *v = x->args; v; v = v->next) {
                puts_(e, "    ");
                put_const_init(e, v);
                puts_(e, ",\n");
            }
            putf(e, "};\nstatic const sdb_list lst_%d = { lst_%d_items, %d };\n", x->site, x->site,
                 x->nargs);
        } else if (x->kind == EX_CALL && x->gen->id == BI_CHOOSE) {
            put_choose_data(e, x);
        } else {
            put_doc_helper(e, x);
        }
    }
    for (const ast_load *l = f->loads.head; l; l = l->next) {
        if (l == f->loads.head)
            puts_(e, "\n/* Row counts of the loads, for rows(TABLE). */\n");
        puts_(e, "static int64_t rows_");
        put_name(e, l->table);
        puts_(e, "(sdb_ctx *c);\n");
    }
}

/* ---- calls ------------------------------------------------------------------ */

/* A list argument: &list_NAME or &lst_SITE. */
static void put_list_ref(emitter *e, const ast_expr *a)
{
    if (a->kind == EX_NAME) {
        puts_(e, "&list_");
        put_name(e, a->list->name);
    } else {
        putf(e, "&lst_%d", a->site);
    }
}

/* choose(...): an element of a static array picked by cumulative weights. */
static void put_choose(emitter *e, const ast_expr *x)
{
    const ast_expr *vals = x->args;
    const char *cum = x->nargs == 2 ? "cum_" : NULL;
    if (vals->kind == EX_NAME) {
        puts_(e, "list_");
        put_name(e, vals->list->name);
        puts_(e, "_items[sdb_gen_pick(c, ");
        if (cum)
            putf(e, "cum_%d", x->site);
        else
            puts_(e, "NULL");
        putf(e, ", %d)]", vals->list->nvalues);
        return;
    }
    putf(e, "choice_%d[sdb_gen_pick(c, ", x->site);
    if (cum)
        putf(e, "cum_%d", x->site);
    else
        puts_(e, "NULL");
    putf(e, ", %d)]", vals->nargs);
}

/* One argument of a generic builtin call, converted to the kind letter k. */
static void put_builtin_arg(emitter *e, const ast_expr *a, char k)
{
    if (k == 'L') {
        put_list_ref(e, a);
    } else if (k == 'n' && a->type == TY_INT) {
        puts_(e, "(double)");
        put_expr(e, a, false);
    } else {
        put_expr(e, a, true);
    }
}

/* A call of a built-in function. */
static void put_call(emitter *e, const ast_expr *x)
{
    const builtin_def *g = x->gen;
    switch (g->id) {
    case BI_CHOOSE:
        put_choose(e, x);
        return;
    case BI_NULLABLE:
        put_value(e, x);
        return;
    case BI_ROWS:
        puts_(e, "rows_");
        put_name(e, x->load->table);
        puts_(e, "(c)");
        return;
    case BI_NURAND_C:   /* NULL until the runtime has chosen the constants */
        putf(e, "(c->nurand_c ? c->nurand_c[%d] : 0)", (int)x->cval);
        return;
    case BI_INT:
    case BI_FLOAT:
        putf(e, "(%s)", g->cfn);
        put_expr(e, x->args, false);
        return;
    case BI_STRING:
        put_doc_call(e, x);
        return;
    case BI_SEQUENCE:
        putf(e, "sdb_seq_next(c, %d, ", x->site);
        put_expr(e, x->args, true);
        puts_(e, ", ");
        if (x->nargs > 1)
            put_expr(e, x->args->next, true);
        else
            puts_(e, g->defaults[0]);
        puts_(e, ")");
        return;
    case BI_VECTOR: {
        const ast_expr *dim = x->args, *dist = dim->next, *norm = dist ? dist->next : NULL;
        puts_(e, "sdb_gen_vector(c, ");
        put_expr(e, dim, true);
        puts_(e, dist && dist->sval.len == 6 ? ", 1, " : ", 0, ");
        if (norm)
            put_expr(e, norm, true);
        else
            puts_(e, "0");
        puts_(e, ", ");
        put_where(e, x->off);
        puts_(e, ")");
        return;
    }
    default:
        break;
    }
    puts_(e, g->cfn);
    puts_(e, "(");
    const char *sep = "";
    if (g->flags & BI_CTX) {
        puts_(e, "c");
        sep = ", ";
    }
    int i = 0;
    for (const ast_expr *a = x->args; a; a = a->next, i++) {
        puts_(e, sep);
        put_builtin_arg(e, a, g->args[i]);
        sep = ", ";
    }
    for (; i < g->max_args; i++) {
        puts_(e, sep);
        puts_(e, g->defaults[i - g->min_args]);
        sep = ", ";
    }
    if (g->flags & BI_WHERE) {
        puts_(e, sep);
        put_where(e, x->off);
    }
    puts_(e, ")");
}

/* ---- expressions ------------------------------------------------------------ */

/* == != < <= > >= */
static void put_compare(emitter *e, const ast_expr *x)
{
    const char *op = x->op == TK_EQ ? "==" : x->op == TK_NE ? "!=" : x->op == TK_LT ? "<"
                   : x->op == TK_LE ? "<=" : x->op == TK_GT ? ">" : ">=";
    if (x->lhs->kind == EX_NULL || x->rhs->kind == EX_NULL) {   /* v == null */
        puts_(e, x->op == TK_EQ ? "(" : "(!");
        put_null_flag(e, x->lhs->kind == EX_NULL ? x->rhs : x->lhs);
        puts_(e, ")");
        return;
    }
    puts_(e, "(");
    if (x->lhs->type == TY_STRING) {
        puts_(e, "swl_str_cmp(");
        put_expr(e, x->lhs, true);
        puts_(e, ", ");
        put_expr(e, x->rhs, true);
        putf(e, ") %s 0", op);
    } else {
        put_expr(e, x->lhs, false);
        putf(e, " %s ", op);
        put_expr(e, x->rhs, false);
    }
    puts_(e, ")");
}

/* + and - on dates (days) and timestamps (µs; the number is seconds). */
static void put_time_arith(emitter *e, const ast_expr *x)
{
    ast_type l = x->lhs->type, r = x->rhs->type;
    const char *op = x->op == TK_PLUS ? " + " : " - ";
    puts_(e, "(");
    if (l == TY_TIMESTAMP && r == TY_TIMESTAMP) {
        puts_(e, "(double)(");
        put_expr(e, x->lhs, false);
        puts_(e, " - ");
        put_expr(e, x->rhs, false);
        puts_(e, ") / 1e6");
    } else if (l == TY_TIMESTAMP) {
        put_expr(e, x->lhs, false);
        puts_(e, op);
        puts_(e, r == TY_INT ? "INT64_C(1000000) * " : "(int64_t)(1e6 * ");
        put_expr(e, x->rhs, false);
        if (r != TY_INT)
            puts_(e, ")");
    } else {
        put_expr(e, x->lhs, false);
        puts_(e, op);
        put_expr(e, x->rhs, false);
    }
    puts_(e, ")");
}

/* An operator application; division goes through the runtime's checked
 * helpers. */
static void put_binary(emitter *e, const ast_expr *x, bool top)
{
    switch (x->op) {
    case TK_CONCAT:
        put_doc_call(e, x);
        return;
    case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE:
        put_compare(e, x);
        return;
    case TK_AND:
    case TK_OR:
        puts_(e, "(");
        put_expr(e, x->lhs, false);
        puts_(e, x->op == TK_AND ? " && " : " || ");
        put_expr(e, x->rhs, false);
        puts_(e, ")");
        return;
    case TK_SLASH:
    case TK_PERCENT: {
        const char *fn = x->op == TK_PERCENT ? "sdb_mod_i64" : x->type == TY_FLOAT ? "sdb_div_f64"
                                                                                    : "sdb_div_i64";
        putf(e, "%s(c, ", fn);
        put_expr(e, x->lhs, true);
        puts_(e, ", ");
        put_expr(e, x->rhs, true);
        puts_(e, ", ");
        put_where(e, x->off);
        puts_(e, ")");
        return;
    }
    default:
        break;
    }
    if (x->lhs->type == TY_DATE || x->lhs->type == TY_TIMESTAMP) {
        put_time_arith(e, x);
        return;
    }
    if (!top)
        puts_(e, "(");
    put_expr(e, x->lhs, false);
    puts_(e, x->op == TK_PLUS ? " + " : x->op == TK_MINUS ? " - " : " * ");
    put_expr(e, x->rhs, false);
    if (!top)
        puts_(e, ")");
}

/* A name. */
static void put_ref(emitter *e, const ast_expr *x)
{
    switch (x->ref) {
    case REF_SCALE: puts_(e, "c->scale"); return;
    case REF_ROW: puts_(e, "c->row"); return;
    case REF_WORKER: puts_(e, "c->worker"); return;
    case REF_WORKERS: puts_(e, "c->nworkers"); return;
    case REF_FOUND: puts_(e, "f->found"); return;
    case REF_AFFECTED: puts_(e, "f->affected"); return;
    case REF_VAR: puts_(e, "f->v_"); put_name(e, x->var->name); return;
    case REF_COLUMN: puts_(e, "col_"); put_name(e, x->col->name); return;
    case REF_LOOP: puts_(e, "lv_"); put_name(e, x->loop->name); return;
    case REF_PARAM: {
        ast_type t = x->param->type;
        putf(e, t == TY_BOOL ? "(c->params[%d].i != 0)" : "c->params[%d].%s", x->param->index,
             t == TY_FLOAT ? "f" : t == TY_STRING ? "s" : "i");
        return;
    }
    case REF_LIST:
    case REF_NONE:
        break;
    }
    fprintf(stderr, "swlc: internal error: unresolved name (%s:%d)\n", __FILE__, __LINE__);
    e->failed = true;
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
    case EX_DURATION:
        put_float_lit(e, x->fval);
        return;
    case EX_STRING:
        puts_(e, "sdb_str_lit(");
        put_cstr(e, x->sval.s, x->sval.len);
        putf(e, ", %" PRIu32 ")", x->sval.len);
        return;
    case EX_BOOL:
        puts_(e, x->ival ? "1" : "0");
        return;
    case EX_TYPED:
        putf(e, "INT64_C(%" PRId64 ")", x->cval);
        return;
    case EX_NULL:
        puts_(e, "0 /* null */");
        return;
    case EX_NAME:
        put_ref(e, x);
        return;
    case EX_CALL:
        put_call(e, x);
        return;
    case EX_NOT:
        puts_(e, "!");
        put_expr(e, x->lhs, false);
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
    case EX_ARRAY:
    case EX_JSON:
        put_doc_call(e, x);
        return;
    case EX_LIST:
    case EX_JFIELD:
        break;
    }
    fprintf(stderr, "swlc: internal error: expression kind %d (%s:%d)\n", (int)x->kind, __FILE__,
            __LINE__);
    e->failed = true;
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

/* State of one transaction's body being written. */
typedef struct txw {
    const ast_tx *tx;
    int resume;           /* resume points so far */
} txw;

static void put_block(emitter *e, txw *w, const ast_stmt *body, int depth);

/* Stores value x into variable v (frame fields v_NAME, n_NAME). */
static void put_store(emitter *e, const ast_var *v, const ast_expr *x, int depth)
{
    if (maybe_null(x) && v->nullable) {
        indent(e, depth);
        puts_(e, "f->n_");
        put_name(e, v->name);
        puts_(e, " = ");
        put_null_flag(e, x);
        puts_(e, ";\n");
        indent(e, depth);
        puts_(e, "f->v_");
        put_name(e, v->name);
        puts_(e, " = f->n_");
        put_name(e, v->name);
        putf(e, " ? %s : ", zero_of(v->type));
        if (x->kind == EX_NULL)
            puts_(e, zero_of(v->type));
        else
            put_value(e, x);
        puts_(e, ";\n");
        return;
    }
    if (v->nullable) {
        indent(e, depth);
        puts_(e, "f->n_");
        put_name(e, v->name);
        puts_(e, " = 0;\n");
    }
    indent(e, depth);
    puts_(e, "f->v_");
    put_name(e, v->name);
    puts_(e, " = ");
    /* a string read from a loop's rows points into the result: copy it */
    bool copy = x->kind == EX_NAME && x->ref == REF_VAR && x->var->loop && x->type == TY_STRING;
    if (copy)
        puts_(e, "swl_copy(c, ");
    put_expr(e, x, true);
    if (copy) {
        puts_(e, ", ");
        put_where(e, x->off);
        puts_(e, ")");
    }
    puts_(e, ";\n");
}

/* Binds argument i of the next statement. */
static void put_bind(emitter *e, const ast_expr *a, int i, int depth)
{
    indent(e, depth);
    if (a->kind == EX_NULL) {
        putf(e, "sdb_bind_null(c, %d);\n", i);
        return;
    }
    if (maybe_null(a)) {
        puts_(e, "if (");
        put_null_flag(e, a);
        putf(e, ")\n");
        indent(e, depth + 1);
        putf(e, "sdb_bind_null(c, %d);\n", i);
        indent(e, depth);
        puts_(e, "else\n");
        indent(e, depth + 1);
    }
    putf(e, "sdb_bind_%s(c, %d, ", value_fn(a->type), i);
    put_value(e, a);
    puts_(e, ");\n");
}

/* Binds the arguments and queues statement `name`. */
static void put_queue(emitter *e, ast_name name, const ast_expr *args, int depth)
{
    int i = 0;
    for (const ast_expr *a = args; a; a = a->next, i++)
        put_bind(e, a, i, depth);
    indent(e, depth);
    puts_(e, "sdb_exec(c, stmt_");
    put_name(e, name);
    putf(e, ", %d);\n", i);
}

/* Returns to the runtime and continues at a new resume point. */
static void put_yield(emitter *e, txw *w, int depth)
{
    w->resume++;
    indent(e, depth);
    putf(e, "return %d;\n", w->resume);
    line_c(e);
    putf(e, "resume_%d:;\n", w->resume);
}

/* Reads column `col` of row `row` (C text) of result `res` into v. */
static void put_read(emitter *e, const ast_var *v, const char *res, const char *row, int col,
                     uint32_t off, int depth, bool first_row_only)
{
    indent(e, depth);
    puts_(e, "f->n_");
    put_name(e, v->name);
    if (first_row_only)
        putf(e, " = sdb_result_rows(%s) < 1 || sdb_result_isnull(%s, 0, %d);\n", res, res, col);
    else
        putf(e, " = sdb_result_isnull(%s, %s, %d);\n", res, row, col);
    indent(e, depth);
    puts_(e, "f->v_");
    put_name(e, v->name);
    puts_(e, " = f->n_");
    put_name(e, v->name);
    putf(e, " ? %s : ", zero_of(v->type));
    if (v->type == TY_STRING && first_row_only)
        puts_(e, "swl_copy(c, ");
    putf(e, "sdb_result_%s(c, %s, %s, %d, ", value_fn(v->type), res, row, col);
    put_where(e, off);
    puts_(e, ")");
    if (v->type == TY_STRING && first_row_only) {
        puts_(e, ", ");
        put_where(e, off);
        puts_(e, ")");
    }
    puts_(e, ";\n");
}

/* After a batch: result k sets found/affected (and r). */
static void put_note(emitter *e, int k, bool keep_r, int depth)
{
    indent(e, depth);
    putf(e, "%sswl_result(c, %d, &f->found, &f->affected);\n", keep_r ? "r = " : "", k);
}

/* The captures of a statement call (result in r). */
static void put_captures(emitter *e, const ast_stmt *s, int depth)
{
    int col = 0;
    for (const ast_var *v = s->vars; v; v = v->next, col++)
        put_read(e, v, "r", "0", col, v->name.off, depth, true);
}

/* The BEGIN this transaction sends. */
static const char *begin_stmt(const ast_tx *tx)
{
    switch (tx->isolation) {
    case ISO_READ_COMMITTED: return "SDB_STMT_BEGIN_READ_COMMITTED";
    case ISO_REPEATABLE_READ: return "SDB_STMT_BEGIN_REPEATABLE_READ";
    case ISO_SERIALIZABLE: return "SDB_STMT_BEGIN_SERIALIZABLE";
    default: return "SDB_STMT_BEGIN";
    }
}

/* Queues one item of a pipeline (or a lone statement). */
static void put_queue_item(emitter *e, const txw *w, const ast_stmt *s, int depth)
{
    switch (s->kind) {
    case ST_EXEC:
        put_queue(e, s->name, s->args, depth);
        break;
    case ST_CAPTURE:
        put_queue(e, s->value->text, s->value->args, depth);
        break;
    default:
        indent(e, depth);
        putf(e, "sdb_exec(c, %s, 0);\n", s->kind == ST_BEGIN ? begin_stmt(w->tx) : "SDB_STMT_COMMIT");
        break;
    }
}

/* pipeline { ... }: one batch, then the results by position. */
static void put_pipeline(emitter *e, txw *w, const ast_stmt *s, int depth)
{
    for (const ast_stmt *x = s->body; x; x = x->next) {
        line_swl(e, x->off);
        put_queue_item(e, w, x, depth);
    }
    put_yield(e, w, depth);
    /* found/affected describe the block's last statement call: an earlier
     * call without captures needs no note (the last one overwrites it) */
    const ast_stmt *last = NULL;
    for (const ast_stmt *x = s->body; x; x = x->next)
        if (x->kind == ST_EXEC || x->kind == ST_CAPTURE)
            last = x;
    int k = 0;
    for (const ast_stmt *x = s->body; x; x = x->next, k++) {
        if (x->kind == ST_EXEC && x == last)
            put_note(e, k, false, depth);
        if (x->kind == ST_CAPTURE) {
            put_note(e, k, true, depth);
            put_captures(e, x, depth);
        }
    }
}

/* for NAME in LO .. HI { ... } */
static void put_for_range(emitter *e, txw *w, const ast_stmt *s, int depth)
{
    indent(e, depth);
    puts_(e, "for (f->v_");
    put_name(e, s->vars->name);
    puts_(e, " = ");
    put_expr(e, s->value, true);
    putf(e, ", f->hi_%d = ", s->slot);
    put_expr(e, s->hi, true);
    puts_(e, "; f->v_");
    put_name(e, s->vars->name);
    putf(e, " <= f->hi_%d; f->v_", s->slot);
    put_name(e, s->vars->name);
    puts_(e, "++) {\n");
    put_block(e, w, s->body, depth + 1);
    indent(e, depth + 1);
    puts_(e, "if (f->v_");
    put_name(e, s->vars->name);
    puts_(e, " == INT64_MAX)\n");
    indent(e, depth + 2);
    puts_(e, "break;\n");
    indent(e, depth);
    puts_(e, "}\n");
}

/* for a T, b T in STATEMENT(...) { ... } */
static void put_for_rows(emitter *e, txw *w, const ast_stmt *s, int depth)
{
    put_queue(e, s->value->text, s->value->args, depth);
    put_yield(e, w, depth);
    put_note(e, 0, true, depth);
    indent(e, depth);
    if (s->keep) {
        putf(e, "f->rs_%d = sdb_result_keep(c, 0, ", s->slot);
        put_where(e, s->off);
        puts_(e, ");\n");
    } else {
        putf(e, "f->rs_%d = r;\n", s->slot);
    }
    indent(e, depth);
    putf(e, "f->rn_%d = f->rs_%d ? sdb_result_rows(f->rs_%d) : 0;\n", s->slot, s->slot, s->slot);
    indent(e, depth);
    putf(e, "for (f->ri_%d = 0; f->ri_%d < f->rn_%d; f->ri_%d++) {\n", s->slot, s->slot, s->slot,
         s->slot);
    char res[32], row[32];
    snprintf(res, sizeof res, "f->rs_%d", s->slot);
    snprintf(row, sizeof row, "f->ri_%d", s->slot);
    int col = 0;
    for (const ast_var *v = s->vars; v; v = v->next, col++)
        put_read(e, v, res, row, col, v->name.off, depth + 1, false);
    put_block(e, w, s->body, depth + 1);
    indent(e, depth);
    puts_(e, "}\n");
    if (s->keep) {
        /* the loop is done with its rows: a loop entered again (nested in
         * another) must not pile up kept results */
        indent(e, depth);
        putf(e, "sdb_result_release(c, f->rs_%d);\n", s->slot);
        indent(e, depth);
        putf(e, "f->rs_%d = NULL;\n", s->slot);
    }
}

/* if ... { } else if ... { } else { } */
static void put_if(emitter *e, txw *w, const ast_stmt *s, int depth)
{
    puts_(e, "if (");
    put_expr(e, s->value, true);
    puts_(e, ") {\n");
    put_block(e, w, s->body, depth + 1);
    indent(e, depth);
    const ast_stmt *els = s->else_body;
    if (els && els->kind == ST_IF) {
        puts_(e, "} else ");
        put_if(e, w, els, depth);
        return;
    }
    if (els) {
        puts_(e, "} else {\n");
        put_block(e, w, els->body, depth + 1);
        indent(e, depth);
    }
    puts_(e, "}\n");
}

/* One body item. */
static void put_stmt(emitter *e, txw *w, const ast_stmt *s, int depth)
{
    line_swl(e, s->off);
    switch (s->kind) {
    case ST_LET:
        put_store(e, s->vars, s->value, depth);
        return;
    case ST_ASSIGN:
        put_store(e, s->assigned, s->value, depth);
        return;
    case ST_EXEC:
        put_queue(e, s->name, s->args, depth);
        put_yield(e, w, depth);
        put_note(e, 0, false, depth);
        return;
    case ST_CAPTURE:
        put_queue(e, s->value->text, s->value->args, depth);
        put_yield(e, w, depth);
        put_note(e, 0, true, depth);
        put_captures(e, s, depth);
        return;
    case ST_FOR_RANGE:
        put_for_range(e, w, s, depth);
        return;
    case ST_FOR_ROWS:
        put_for_rows(e, w, s, depth);
        return;
    case ST_IF:
        indent(e, depth);
        put_if(e, w, s, depth);
        return;
    case ST_ELSE:
        return;
    case ST_BEGIN:
    case ST_COMMIT:
        put_queue_item(e, w, s, depth);
        put_yield(e, w, depth);
        return;
    case ST_ROLLBACK:
        indent(e, depth);
        puts_(e, "sdb_exec(c, SDB_STMT_ROLLBACK, 0);\n");
        put_yield(e, w, depth);
        indent(e, depth);
        puts_(e, "return 0;   /* rollback ends the transaction */\n");
        return;
    case ST_RETURN:
        indent(e, depth);
        puts_(e, "return 0;\n");
        return;
    case ST_SLEEP:
        indent(e, depth);
        puts_(e, "sdb_sleep(c, ");
        if (s->value->type == TY_INT)
            puts_(e, "(double)");
        put_expr(e, s->value, s->value->type != TY_INT);
        puts_(e, ");\n");
        put_yield(e, w, depth);
        return;
    case ST_PIPELINE:
        put_pipeline(e, w, s, depth);
        return;
    case ST_COUNT:
        indent(e, depth);
        putf(e, "sdb_count(c, %d, ", s->counter ? s->counter->index : 0);
        if (s->value)
            put_expr(e, s->value, true);
        else
            puts_(e, "1");
        puts_(e, ");\n");
        return;
    }
}

static void put_block(emitter *e, txw *w, const ast_stmt *body, int depth)
{
    for (const ast_stmt *s = body; s && !e->failed; s = s->next)
        put_stmt(e, w, s, depth);
    line_c(e);
}

/* The frame fields of the loops in body (hi_N; rs_N, ri_N, rn_N). */
static void put_loop_fields(emitter *e, const ast_stmt *body)
{
    for (const ast_stmt *s = body; s; s = s->next) {
        if (s->kind == ST_FOR_RANGE)
            putf(e, "    int64_t hi_%d;   /* last value of a range loop */\n", s->slot);
        if (s->kind == ST_FOR_ROWS)
            putf(e, "    const sdb_result *rs_%d;\n    int64_t ri_%d, rn_%d;  /* row, rows */\n",
                 s->slot, s->slot, s->slot);
        put_loop_fields(e, s->body);
        if (s->else_body)
            put_loop_fields(e, s->else_body);
    }
}

/* The resume points of body: one per put_yield that put_block writes. */
static int count_yields(const ast_stmt *body)
{
    int n = 0;
    for (const ast_stmt *s = body; s; s = s->next) {
        switch (s->kind) {
        case ST_EXEC: case ST_CAPTURE: case ST_BEGIN: case ST_COMMIT: case ST_ROLLBACK:
        case ST_SLEEP: case ST_PIPELINE: case ST_FOR_ROWS:
            n++;
            break;
        default:
            break;
        }
        if (s->kind != ST_PIPELINE)   /* one batch for the whole block */
            n += count_yields(s->body);
        if (s->else_body)
            n += count_yields(s->else_body);
    }
    return n;
}

/* The switch that jumps to resume point pc. */
static void put_dispatch(emitter *e, int n)
{
    puts_(e, "    switch (pc) {\n    case 0:\n        break;\n");
    for (int i = 1; i <= n; i++)
        putf(e, "    case %d:\n        goto resume_%d;\n", i, i);
    puts_(e, "    default:\n        return 0;   /* not a resume point of this transaction */\n    }\n");
}

/* keying/think time functions. */
static void put_time_fn(emitter *e, const ast_tx *tx, const char *kind, const ast_expr *x)
{
    if (!x)
        return;
    putf(e, "\n/* %s time of transaction ", kind);
    put_name(e, tx->name);
    putf(e, ", in seconds */\nstatic double %s_", kind);
    put_name(e, tx->name);
    puts_(e, "(sdb_ctx *c)\n{\n    (void)c;\n");
    line_swl(e, x->off);
    puts_(e, "    return ");
    if (x->type == TY_INT)
        puts_(e, "(double)");
    put_expr(e, x, x->type != TY_INT);
    puts_(e, ";\n");
    line_c(e);
    puts_(e, "}\n");
}

static bool fill_tx(emitter *e, const char *key, size_t n, const void *arg)
{
    const ast_tx *tx = arg;
    if (key_is(key, n, "NAME")) {
        put_name(e, tx->name);
    } else if (key_is(key, n, "WHERE")) {
        put_file_line(e, tx->off);
    } else if (key_is(key, n, "TIMES")) {
        put_time_fn(e, tx, "keying", tx->keying);
        put_time_fn(e, tx, "think", tx->think);
    } else if (key_is(key, n, "FIELDS")) {
        for (const ast_var *v = tx->vars; v; v = v->frame_next) {
            putf(e, "    %s v_", c_type(v->type));
            put_name(e, v->name);
            puts_(e, ";\n");
            if (v->nullable) {
                puts_(e, "    int n_");
                put_name(e, v->name);
                puts_(e, ";   /* v_");
                put_name(e, v->name);
                puts_(e, " is null */\n");
            }
        }
        put_loop_fields(e, tx->body);
    } else if (key_is(key, n, "DISPATCH")) {
        put_dispatch(e, count_yields(tx->body));
    } else if (key_is(key, n, "BODY")) {
        txw w = {tx, 0};
        put_block(e, &w, tx->body, 1);
    } else {
        return false;
    }
    return true;
}

/* ---- loads --------------------------------------------------------------- */

/* One column of a row: copied, and kept in a local when a later column
 * reads it. */
static void put_column(emitter *e, const ast_column *col)
{
    const ast_expr *x = col->value;
    ast_type t = x->type;
    line_swl(e, col->name.off);
    if (t == TY_NULL) {
        puts_(e, "    sdb_copy_null(b);\n");
        return;
    }
    if (!col->referenced) {
        if (maybe_null(x)) {
            puts_(e, "    if (");
            put_null_flag(e, x);
            puts_(e, ")\n        sdb_copy_null(b);\n    else\n    ");
        }
        putf(e, "    sdb_copy_%s(b, ", value_fn(t));
        put_value(e, x);
        puts_(e, ");\n");
        return;
    }
    if (maybe_null(x)) {
        puts_(e, "    const int coln_");
        put_name(e, col->name);
        puts_(e, " = ");
        put_null_flag(e, x);
        putf(e, ";\n    const %s col_", c_type(t));
        put_name(e, col->name);
        puts_(e, " = coln_");
        put_name(e, col->name);
        putf(e, " ? %s : ", zero_of(t));
        put_value(e, x);
        puts_(e, ";\n    if (coln_");
        put_name(e, col->name);
        puts_(e, ")\n        sdb_copy_null(b);\n    else\n    ");
    } else {
        putf(e, "    const %s col_", c_type(t));
        put_name(e, col->name);
        puts_(e, " = ");
        put_expr(e, x, true);
        puts_(e, ";\n");
    }
    putf(e, "    sdb_copy_%s(b, col_", value_fn(t));
    put_name(e, col->name);
    puts_(e, ");\n");
}

/* The span of range r: swl_span(lo, hi). */
static void put_span(emitter *e, const ast_range *r)
{
    puts_(e, "swl_span(");
    put_expr(e, r->lo, true);
    puts_(e, ", ");
    put_expr(e, r->hi, true);
    puts_(e, ")");
}

/* The loop variables of a nested load, from c->row (innermost fastest). */
static void put_loop_vars(emitter *e, const ast_load *l)
{
    if (!l->ranges)
        return;
    int n = 0;
    for (const ast_range *r = l->ranges; r; r = r->next)
        n++;
    puts_(e, "    int64_t rest = c->row - 1;   /* row number -> loop variables */\n");
    for (int i = n - 1; i >= 0; i--) {
        const ast_range *r = l->ranges;
        for (int k = 0; k < i; k++)
            r = r->next;
        line_swl(e, r->name.off);
        puts_(e, "    const int64_t lv_");
        put_name(e, r->name);
        puts_(e, " = ");
        put_expr(e, r->lo, false);
        puts_(e, " + rest % ");
        put_span(e, r);
        puts_(e, ";\n    rest /= ");
        put_span(e, r);
        puts_(e, ";\n    (void)lv_");
        put_name(e, r->name);
        puts_(e, ";\n");
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
    } else if (key_is(key, n, "ROWS") && l->rows) {
        line_swl(e, l->rows->off);
        puts_(e, "    return ");
        put_expr(e, l->rows, true);
        puts_(e, ";\n");
        line_c(e);
    } else if (key_is(key, n, "ROWS")) {
        puts_(e, "    int64_t n = 1;\n");
        for (const ast_range *r = l->ranges; r; r = r->next) {
            line_swl(e, r->name.off);
            puts_(e, "    n *= ");
            put_span(e, r);
            puts_(e, ";\n");
        }
        line_c(e);
        puts_(e, "    return n;\n");
    } else if (key_is(key, n, "COLUMNS")) {
        put_loop_vars(e, l);
        for (const ast_column *col = l->columns; col; col = col->next)
            put_column(e, col);
        line_c(e);
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
        puts_(e, ",\n      ");
        put_where(e, t->off);
        putf(e, ", %d, ", t->max_tries);
        put_float_lit(e, t->limit_pct);
        puts_(e, ", ");
        put_float_lit(e, t->limit_s);
        puts_(e, ", ");
        if (t->keying) {
            puts_(e, "keying_");
            put_name(e, t->name);
        } else {
            puts_(e, "NULL");
        }
        puts_(e, ", ");
        if (t->think) {
            puts_(e, "think_");
            put_name(e, t->name);
        } else {
            puts_(e, "NULL");
        }
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

/* An optional description (of a mix, check or probe) as a C string; "" when absent. */
static void put_description(emitter *e, ast_string d)
{
    if (d.s)
        put_cstr(e, d.s, d.len);
    else
        puts_(e, "\"\"");
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
        put_description(e, m->description);
        puts_(e, ", mix_");
        put_name(e, m->name);
        putf(e, ", %d },\n", m->deck ? 1 : 0);
    }
    if (!f->mixes.head) {
        puts_(e, "    { ");
        put_cstr(e, f->workload->name.s, f->workload->name.len);
        puts_(e, ", \"every transaction by its own weight\", mix_");
        put_name(e, f->workload->name);
        puts_(e, ", 0 },\n");
    }
    puts_(e, "};\n");
}

/* The array `name` of C type `type` (sdb_check_def or sdb_probe_def, which
 * have one shape: name, description, sql, where) for a list of checks or
 * probes; nothing when the list is empty. */
static void put_named_sql_array(emitter *e, const char *type, const char *name, const ast_check *list)
{
    if (!list)
        return;
    putf(e, "\nstatic const %s %s[] = {\n", type, name);
    for (const ast_check *c = list; c; c = c->next) {
        puts_(e, "    {\n        ");
        put_cstr(e, c->name.s, c->name.len);
        puts_(e, ",\n        ");
        put_description(e, c->description);
        puts_(e, ",\n        \"");
        put_escaped(e, e->src + c->sql.off, c->sql.len, true, "        ");
        puts_(e, "\",\n        ");
        put_where(e, c->sql.off);
        if (strcmp(type, "sdb_probe_def") == 0)   /* 1-based `per` probe, 0 = none */
            putf(e, ",\n        %d", c->per_probe ? c->per_probe->index + 1 : 0);
        puts_(e, "\n    },\n");
    }
    puts_(e, "};\n");
}

/* params[], checks[], probes[] and extensions[]. */
static void put_extra_arrays(emitter *e)
{
    const ast_file *f = e->file;
    if (f->params.head) {
        puts_(e, "\nstatic const sdb_param_def params[] = {\n");
        for (const ast_param *p = f->params.head; p; p = p->next) {
            static const char *const types[] = {"SDB_T_INT", "SDB_T_FLOAT", "SDB_T_STRING", "SDB_T_BOOL"};
            int ti = p->type == TY_FLOAT ? 1 : p->type == TY_STRING ? 2 : p->type == TY_BOOL ? 3 : 0;
            puts_(e, "    { ");
            put_cstr(e, p->name.s, p->name.len);
            putf(e, ", %s, ", types[ti]);
            put_cstr(e, p->default_text, strlen(p->default_text));
            puts_(e, ", ");
            put_where(e, p->off);
            puts_(e, " },\n");
        }
        puts_(e, "};\n");
    }
    put_named_sql_array(e, "sdb_check_def", "checks", f->checks.head);
    put_named_sql_array(e, "sdb_probe_def", "probes", f->probes.head);
    if (f->counters.head) {
        puts_(e, "\nstatic const sdb_counter_def counters[] = {\n");
        for (const ast_check *c = f->counters.head; c; c = c->next) {
            puts_(e, "    { ");
            put_cstr(e, c->name.s, c->name.len);
            puts_(e, ", ");
            put_description(e, c->description);
            putf(e, ", %d },\n", c->per_probe ? c->per_probe->index + 1 : 0);
        }
        puts_(e, "};\n");
    }
    if (f->nextensions) {
        puts_(e, "\nstatic const char *const extensions[] = {\n");
        for (const ast_witem *w = f->workload->items; w; w = w->next)
            if (w->kind == WI_EXTENSION) {
                puts_(e, "    ");
                put_cstr(e, w->value.s, w->value.len);
                puts_(e, ",\n");
            }
        puts_(e, "};\n");
    }
}

/* The sdb_sql `name` of one command of the header, if there is one. */
static void put_sql_item(emitter *e, const char *name, const ast_sql *sql)
{
    if (!sql)
        return;
    putf(e, "\nstatic const sdb_sql %s = {\n    \"", name);
    put_escaped(e, e->src + sql->off, sql->len, true, "    ");
    puts_(e, "\",\n    ");
    put_where(e, sql->off);
    puts_(e, "\n};\n");
}

static void put_arrays(emitter *e)
{
    const ast_file *f = e->file;
    put_sql_array(e, "schema", f->schema.head);
    put_sql_array(e, "after_load", f->after_load.head);
    put_sql_item(e, "scale_query", f->scale_query);
    put_sql_item(e, "nurand_load", f->nurand_load);
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
    put_extra_arrays(e);
    if (f->nheadline_txs > 0) {
        puts_(e, "\nstatic const int headline_txs[] = {");
        for (int i = 0; i < f->nheadline_txs; i++)
            putf(e, "%s %d", i ? "," : "", f->headline_txs[i]->index);
        puts_(e, " };\n");
    }
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

/* The headline's name as a C string, or NULL without a headline. */
static void put_headline_name(emitter *e, const ast_file *f)
{
    if (f->headline_tx)
        put_cstr(e, f->headline_name.s, f->headline_name.len);
    else
        puts_(e, "NULL");
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
    else if (key_is(key, n, "PARAMS")) put_or_null(e, f->params.head, "params");
    else if (key_is(key, n, "NPARAMS")) putf(e, "%d", f->params.count);
    else if (key_is(key, n, "CHECKS")) put_or_null(e, f->checks.head, "checks");
    else if (key_is(key, n, "NCHECKS")) putf(e, "%d", f->checks.count);
    else if (key_is(key, n, "EXTENSIONS")) put_or_null(e, f->nextensions, "extensions");
    else if (key_is(key, n, "NEXTENSIONS")) putf(e, "%d", f->nextensions);
    else if (key_is(key, n, "NSEQUENCES")) putf(e, "%d", f->nsequences);
    else if (key_is(key, n, "PROBES")) put_or_null(e, f->probes.head, "probes");
    else if (key_is(key, n, "NPROBES")) putf(e, "%d", f->probes.count);
    else if (key_is(key, n, "NURAND_LOAD")) put_or_null(e, f->nurand_load, "&nurand_load");
    else if (key_is(key, n, "HEADLINE_TXS")) puts_(e, f->nheadline_txs ? "headline_txs" : "NULL");
    else if (key_is(key, n, "NHEADLINE_TXS")) putf(e, "%d", f->nheadline_txs);
    else if (key_is(key, n, "HEADLINE_NAME")) put_headline_name(e, f);
    else if (key_is(key, n, "CONNECTION_MODE")) putf(e, "%d", f->connection_mode);
    else if (key_is(key, n, "COUNTERS")) puts_(e, f->counters.head ? "counters" : "NULL");
    else if (key_is(key, n, "NCOUNTERS")) putf(e, "%d", (int)f->counters.count);
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
    if (f->sites || f->lists.head || f->loads.head) {
        banner_begin(&e, "lists, call-site data and helpers");
        put_sites(&e);
        banner_end(&e, "lists, call-site data and helpers");
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
