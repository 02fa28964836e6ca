/* parse.c — the parse driver (see parse.h). */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

/* The functions lemon generates in parser.c (%name parse_lemon). */
void *parse_lemonAlloc(void *(*alloc)(size_t), parse_ctx *ctx);
void parse_lemonFree(void *parser, void (*release)(void *));
void parse_lemon(void *parser, int major, lex_token minor);
bool parse_lemon_accepts(const void *parser, int major);

/* The driver's state for one parse. */
typedef struct driver {
    parse_ctx *ctx;
    void *parser;       /* the lemon parser, NULL while skipping */
    bool skipping;      /* after a syntax error: until the next item start */
    bool fatal;         /* stop reading: nesting cap hit or out of memory */
    int prev1, prev2, prev3; /* kinds of the last three tokens read (any mode) */
    int parens;         /* open parentheses in the current item */
} driver;

const char *parse_token_name(int kind)
{
    switch (kind) {
    case LEX_EOF: return "end of file";
    case TK_WORKLOAD: return "'workload'";
    case TK_VERSION: return "'version'";
    case TK_DESCRIPTION: return "'description'";
    case TK_AUTHOR: return "'author'";
    case TK_SCALE_QUERY: return "'scale_query'";
    case TK_SCHEMA: return "'schema'";
    case TK_AFTER: return "'after'";
    case TK_LOAD: return "'load'";
    case TK_ROWS: return "'rows'";
    case TK_STATEMENT: return "'statement'";
    case TK_TRANSACTION: return "'transaction'";
    case TK_WEIGHT: return "'weight'";
    case TK_MIX: return "'mix'";
    case TK_LET: return "'let'";
    case TK_BEGIN: return "'begin'";
    case TK_COMMIT: return "'commit'";
    case TK_ROLLBACK: return "'rollback'";
    case TK_NULL: return "'null'";
    case TK_PARAM: return "'param'";
    case TK_LIST: return "'list'";
    case TK_CHECK: return "'check'";
    case TK_REQUIRES: return "'requires'";
    case TK_FOR: return "'for'";
    case TK_IN: return "'in'";
    case TK_IF: return "'if'";
    case TK_ELSE: return "'else'";
    case TK_RETURN: return "'return'";
    case TK_SLEEP: return "'sleep'";
    case TK_PIPELINE: return "'pipeline'";
    case TK_TRUE: return "'true'";
    case TK_FALSE: return "'false'";
    case TK_AND: return "'and'";
    case TK_OR: return "'or'";
    case TK_NOT: return "'not'";
    case TK_RETRY: return "'retry'";
    case TK_ISOLATION: return "'isolation'";
    case TK_KEYING: return "'keying'";
    case TK_THINK: return "'think'";
    case TK_JSON: return "'json'";
    case TK_ARRAY: return "'array'";
    case TK_DECK: return "'deck'";
    case TK_LIMIT: return "'limit'";
    case TK_PROBE: return "'probe'";
    case TK_NURAND_LOAD: return "'nurand_load'";
    case TK_HEADLINE: return "'headline'";
    case TK_CONNECTION_MODE: return "'connection_mode'";
    case TK_PER: return "'per'";
    case TK_COUNTER: return "'counter'";
    case TK_COUNT: return "'count'";
    case TK_BY: return "'by'";
    case TK_DURATION: return "a duration";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    case TK_EQ: return "'=='";
    case TK_NE: return "'!='";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_CONCAT: return "'||'";
    case TK_DOTDOT: return "'..'";
    case TK_IDENT: return "a name";
    case TK_INT: return "an integer";
    case TK_FLOAT: return "a number";
    case TK_STRING: return "a string";
    case TK_SQL: return "SQL text";
    case TK_LBRACE: return "'{'";
    case TK_RBRACE: return "'}'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_COLON: return "':'";
    case TK_ASSIGN: return "'='";
    case TK_PLUS: return "'+'";
    case TK_MINUS: return "'-'";
    case TK_STAR: return "'*'";
    case TK_SLASH: return "'/'";
    case TK_PERCENT: return "'%'";
    default: return "a token";
    }
}

/* True for the terminals that can start an expression. */
static bool starts_expr(int kind)
{
    switch (kind) {
    case TK_INT: case TK_FLOAT: case TK_DURATION: case TK_STRING: case TK_NULL: case TK_TRUE:
    case TK_FALSE: case TK_IDENT: case TK_LPAREN: case TK_MINUS: case TK_NOT: case TK_LBRACKET:
    case TK_ARRAY: case TK_JSON: case TK_ROWS:
        return true;
    default:
        return false;
    }
}

/* How many terminals starts_expr accepts. */
#define PARSE_EXPR_STARTERS 15

/* Most alternatives named after "expected"; with more, none are named. */
#define PARSE_EXPECT_SHOWN 6

void parse_report_unexpected(parse_ctx *ctx, int major, lex_token tok, const int *expected,
                             int nexpected)
{
    char what[DIAG_NAME_MAX + 32];
    if (major == TK_IDENT || major == TK_INT || major == TK_FLOAT)
        snprintf(what, sizeof what, "'%.*s'%s", tok.len > DIAG_NAME_MAX ? DIAG_NAME_MAX : (int)tok.len,
                 ctx->src + tok.off, tok.len > DIAG_NAME_MAX ? "..." : "");
    else
        snprintf(what, sizeof what, "%s", parse_token_name(major));
    uint32_t off = major == LEX_EOF ? ctx->len : tok.off;
    if (major == LEX_EOF)
        ctx->eof_reported = true;

    /* the alternatives, with all expression starters shown as one */
    const char *names[PARSE_EXPECT_SHOWN];
    int nnames = 0, nexpr = 0;
    for (int i = 0; i < nexpected; i++)
        nexpr += starts_expr(expected[i]);
    bool group = nexpr == PARSE_EXPR_STARTERS;
    if (group)
        names[nnames++] = "an expression";
    for (int i = 0; i < nexpected && nnames <= PARSE_EXPECT_SHOWN; i++) {
        if (group && starts_expr(expected[i]))
            continue;
        if (nnames < PARSE_EXPECT_SHOWN)
            names[nnames] = parse_token_name(expected[i]);
        nnames++;
    }
    if (nexpected <= 0 || nnames > PARSE_EXPECT_SHOWN) {
        diag_error(ctx->diag, off, "syntax error: unexpected %s", what);
        return;
    }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < nnames; i++) {
        const char *sep = i == 0 ? "" : i == nnames - 1 ? " or " : ", ";
        int n = snprintf(list + used, sizeof list - used, "%s%s", sep, names[i]);
        if (n < 0 || (size_t)n >= sizeof list - used)
            break;
        used += (size_t)n;
    }
    diag_error(ctx->diag, off, "syntax error: unexpected %s; expected %s", what, list);
}

/* True for the keywords that start a top-level item. */
static bool starts_item(int kind)
{
    switch (kind) {
    case TK_WORKLOAD: case TK_SCHEMA: case TK_AFTER: case TK_LOAD:
    case TK_STATEMENT: case TK_TRANSACTION: case TK_MIX: case TK_PARAM: case TK_LIST:
    case TK_CHECK: case TK_PROBE: case TK_COUNTER:
        return true;
    default:
        return false;
    }
}

/* The contextual keywords: identifiers everywhere except where the grammar
 * accepts the keyword's token. */
static const struct {
    const char *word;
    int kind;
} contextual[] = {
    {"deck", TK_DECK},        {"limit", TK_LIMIT},       {"probe", TK_PROBE},
    {"nurand_load", TK_NURAND_LOAD}, {"headline", TK_HEADLINE},
    {"connection_mode", TK_CONNECTION_MODE}, {"per", TK_PER},
    {"counter", TK_COUNTER}, {"count", TK_COUNT}, {"by", TK_BY},
};

/* The kind to push for token t: a contextual keyword's token when t spells
 * one and the parser accepts that token now (while skipping after an error,
 * `probe` after ';' or '}', where an item may start), else t.kind. */
static int contextual_kind(const driver *dr, lex_token t)
{
    if (t.kind != TK_IDENT)
        return t.kind;
    for (size_t i = 0; i < sizeof contextual / sizeof contextual[0]; i++) {
        int kw = contextual[i].kind;
        if (strlen(contextual[i].word) != t.len ||
            memcmp(contextual[i].word, dr->ctx->src + t.off, t.len) != 0)
            continue;
        if (dr->skipping)
            return starts_item(kw) && (dr->prev1 == TK_SEMI || dr->prev1 == TK_RBRACE) ? kw : t.kind;
        return dr->parser && parse_lemon_accepts(dr->parser, kw) ? kw : t.kind;
    }
    return t.kind;
}

/* Starts a fresh lemon parser; false (and fatal) when out of memory. */
static bool new_parser(driver *dr)
{
    dr->parser = parse_lemonAlloc(malloc, dr->ctx);
    if (!dr->parser) {
        dr->ctx->oom = true;
        dr->fatal = true;
        return false;
    }
    return true;
}

/* Drops the current lemon parser, if any. */
static void drop_parser(driver *dr)
{
    if (dr->parser)
        parse_lemonFree(dr->parser, free);
    dr->parser = NULL;
}

/* Pushes token t into the parser; on a syntax error drops the parser and
 * skips to the next item start, retrying once with t itself when it starts
 * an item. */
static void feed(driver *dr, lex_token t)
{
    parse_ctx *ctx = dr->ctx;
    for (int attempt = 0; attempt < 2 && !dr->fatal; attempt++) {
        if (dr->skipping) {
            if (!starts_item(t.kind) || !new_parser(dr))
                return;
            dr->skipping = false;
        }
        parse_lemon(dr->parser, t.kind, t);
        if (ctx->stack_overflow)
            diag_error(ctx->diag, t.off, "expression is too complex");
        if (!ctx->syntax_error && !ctx->stack_overflow)
            return;
        ctx->syntax_error = false;
        ctx->stack_overflow = false;
        drop_parser(dr);
        dr->skipping = true;
    }
}

/* Reports the lexical problem of token t, if any. */
static void report_lex_error(driver *dr, lex_token t)
{
    diag_ctx *d = dr->ctx->diag;
    const char *src = dr->ctx->src;
    switch (t.err) {
    case LEX_OK:
        return;
    case LEX_E_ILLEGAL_CHAR: {
        unsigned char ch = (unsigned char)src[t.off];
        if (ch >= 0x21 && ch < 0x7f)
            diag_error(d, t.off, "illegal character '%c'", ch);
        else if (ch >= 0x80)
            diag_error(d, t.off, "illegal character: byte 0x%02x outside a string or SQL", ch);
        else
            diag_error(d, t.off, "illegal character: byte 0x%02x", ch);
        return;
    }
    case LEX_E_BAD_NUMBER:
        diag_error(d, t.off, "malformed number '%.*s'%s",
                   t.len > DIAG_NAME_MAX ? DIAG_NAME_MAX : (int)t.len, src + t.off,
                   t.len > DIAG_NAME_MAX ? "..." : "");
        return;
    case LEX_E_UNTERMINATED_COMMENT:
        dr->ctx->eof_reported = true;
        diag_error(d, t.off, "%s", lex_error_text(t.err));
        return;
    default:
        diag_error(d, t.off, "%s", lex_error_text(t.err));
        return;
    }
}

/* Reports an SQL scan problem of command c (unterminated quote or comment). */
static void report_sql_error(driver *dr, const lex_sql_cmd *c)
{
    if (c->err == LEX_OK)
        return;
    dr->ctx->eof_reported = true;
    diag_error(dr->ctx->diag, c->err_off, "%s", lex_error_text(c->err));
}

/* Makes a token of `kind` over [off, off+len). */
static lex_token token(int kind, uint32_t off, uint32_t len)
{
    lex_token t;
    t.kind = kind;
    t.off = off;
    t.len = len;
    t.err = LEX_OK;
    return t;
}

/* SQL after `statement NAME:`, `check`/`probe NAME ["..."]:`, `scale_query:`
 * or `nurand_load:` at pos; pushes it as one
 * SQL token and returns where the ';' (or the end) is. */
static uint32_t scan_sql_command(driver *dr, uint32_t pos)
{
    parse_ctx *ctx = dr->ctx;
    lex_sql_cmd c = lex_sql_command(ctx->src, ctx->len, pos, false);
    report_sql_error(dr, &c);
    if (c.len == 0)
        diag_error(ctx->diag, c.off, "expected SQL text after ':'");
    else if (c.end == LEX_SQL_END_EOF && c.err == LEX_OK) {
        ctx->eof_reported = true;
        diag_error(ctx->diag, c.off, "SQL text is not terminated by ';'");
    }
    feed(dr, token(TK_SQL, c.off, c.len));
    return c.end_off;
}

/* The commands of a `schema {` or `after load {` block whose '{' is at
 * brace_off; pushes one SQL token per command and the closing '}', and
 * returns the position after it. */
static uint32_t scan_sql_block(driver *dr, uint32_t pos, uint32_t brace_off)
{
    parse_ctx *ctx = dr->ctx;
    for (;;) {
        lex_sql_cmd c = lex_sql_command(ctx->src, ctx->len, pos, true);
        report_sql_error(dr, &c);
        if (c.len > 0)
            feed(dr, token(TK_SQL, c.off, c.len));
        if (c.end == LEX_SQL_END_SEMI) {
            pos = c.end_off + 1;
            continue;
        }
        if (c.end == LEX_SQL_END_RBRACE) {
            feed(dr, token(TK_RBRACE, c.end_off, 1));
            return c.end_off + 1;
        }
        if (c.err == LEX_OK) {
            ctx->eof_reported = true;
            diag_error(ctx->diag, brace_off, "this '{' is never closed: missing '}' at the end of the SQL block");
        }
        return ctx->len;
    }
}

/* Updates the parenthesis count with token t; false (fatal) when the
 * nesting cap is exceeded. */
static bool count_parens(driver *dr, lex_token t)
{
    if (t.kind == TK_LPAREN && ++dr->parens > PARSE_MAX_PARENS) {
        diag_error(dr->ctx->diag, t.off, "parentheses are nested too deeply (more than %d levels)",
                   PARSE_MAX_PARENS);
        dr->fatal = true;
        return false;
    }
    if (t.kind == TK_RPAREN && dr->parens > 0)
        dr->parens--;
    if (t.kind == TK_LBRACKET && ++dr->parens > PARSE_MAX_PARENS) {
        diag_error(dr->ctx->diag, t.off, "brackets are nested too deeply (more than %d levels)",
                   PARSE_MAX_PARENS);
        dr->fatal = true;
        return false;
    }
    if (t.kind == TK_RBRACKET && dr->parens > 0)
        dr->parens--;
    if (t.kind == TK_SEMI || t.kind == TK_RBRACE || starts_item(t.kind))
        dr->parens = 0;
    return true;
}

ast_file *parse_file(arena *a, diag_ctx *d, const char *src, uint32_t len)
{
    parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    ctx.diag = d;
    ctx.src = src;
    ctx.len = len;
    ctx.file = ast_file_new(a);
    driver dr;
    memset(&dr, 0, sizeof dr);
    dr.ctx = &ctx;
    dr.prev1 = dr.prev2 = dr.prev3 = LEX_EOF;
    if (!ctx.file || !new_parser(&dr)) {
        diag_error(d, 0, "out of memory");
        return NULL;
    }

    uint32_t pos = 0;
    while (!dr.fatal && !ctx.oom) {
        lex_token t = lex_next(src, len, pos);
        report_lex_error(&dr, t);
        if (t.kind == LEX_EOF)
            break;
        pos = t.off + t.len;
        t.kind = contextual_kind(&dr, t);
        if (t.kind == LEX_ILLEGAL || !count_parens(&dr, t))
            continue;
        feed(&dr, t);
        int p1 = dr.prev1, p2 = dr.prev2, p3 = dr.prev3;
        dr.prev3 = p2;
        dr.prev2 = p1;
        dr.prev1 = t.kind;
        bool sql_follows = p1 == TK_SCALE_QUERY || p1 == TK_NURAND_LOAD ||
                           (p1 == TK_IDENT && (p2 == TK_STATEMENT || p2 == TK_CHECK || p2 == TK_PROBE)) ||
                           (p1 == TK_STRING && p2 == TK_IDENT && (p3 == TK_CHECK || p3 == TK_PROBE)) ||
                           (p1 == TK_IDENT && p2 == TK_PER);
        if (t.kind == TK_COLON && sql_follows) {
            pos = scan_sql_command(&dr, pos);
            dr.prev2 = TK_COLON;
            dr.prev1 = TK_SQL;
        } else if (t.kind == TK_LBRACE && (p1 == TK_SCHEMA || (p1 == TK_LOAD && p2 == TK_AFTER))) {
            pos = scan_sql_block(&dr, pos, t.off);
            dr.prev2 = TK_SQL;
            dr.prev1 = TK_RBRACE;
        }
    }
    if (!dr.fatal && !ctx.oom && !dr.skipping)
        parse_lemon(dr.parser, LEX_EOF, token(LEX_EOF, len, 0));
    drop_parser(&dr);
    if (ctx.oom) {
        diag_error(d, 0, "out of memory");
        return NULL;
    }
    return ctx.file;
}
