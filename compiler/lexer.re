/*
 * lexer.re — re2c source of the .swl lexer and the embedded-SQL scanner
 * (contracts in lex.h).  re2c turns this file into lexer.c in the build
 * directory.  Both scanners use re2c's end-of-input rule with the NUL
 * sentinel at buf[len], so NUL bytes inside the buffer are ordinary input.
 */
#include "lex.h"

#include <string.h>

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    digit  = [0-9];
    int    = digit+ ("_" digit+)*;
    exp    = [eE] [+-]? digit+;
    float  = digit+ "." digit+ exp? | digit+ exp;
    ident  = [A-Za-z_] [A-Za-z0-9_]*;
    ws     = [ \t\r\n\f\v]+;
    strch  = [^"\\\n] | "\\" [^\n];
*/

/* The reserved words of the language and their tokens.  The contextual
 * keywords (deck, limit, probe, nurand_load, headline) are not here: they
 * lex as identifiers and the parse driver turns them into keywords where
 * the grammar accepts them (parse.c). */
static const struct {
    const char *word;
    int kind;
} keywords[] = {
    {"workload", TK_WORKLOAD},       {"version", TK_VERSION},
    {"description", TK_DESCRIPTION}, {"author", TK_AUTHOR},
    {"scale_query", TK_SCALE_QUERY}, {"schema", TK_SCHEMA},
    {"after", TK_AFTER},             {"load", TK_LOAD},
    {"rows", TK_ROWS},               {"statement", TK_STATEMENT},
    {"transaction", TK_TRANSACTION}, {"weight", TK_WEIGHT},
    {"mix", TK_MIX},                 {"let", TK_LET},
    {"begin", TK_BEGIN},             {"commit", TK_COMMIT},
    {"rollback", TK_ROLLBACK},       {"null", TK_NULL},
    {"param", TK_PARAM},             {"list", TK_LIST},
    {"check", TK_CHECK},             {"requires", TK_REQUIRES},
    {"for", TK_FOR},                 {"in", TK_IN},
    {"if", TK_IF},                   {"else", TK_ELSE},
    {"return", TK_RETURN},           {"sleep", TK_SLEEP},
    {"pipeline", TK_PIPELINE},       {"true", TK_TRUE},
    {"false", TK_FALSE},             {"and", TK_AND},
    {"or", TK_OR},                   {"not", TK_NOT},
    {"retry", TK_RETRY},             {"isolation", TK_ISOLATION},
    {"keying", TK_KEYING},           {"think", TK_THINK},
    {"json", TK_JSON},               {"array", TK_ARRAY},
};

/* Token kind of the identifier s[0..len): a keyword's or TK_IDENT. */
static int keyword_kind(const unsigned char *s, uint32_t len)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == len && memcmp(keywords[i].word, s, len) == 0)
            return keywords[i].kind;
    return TK_IDENT;
}

/* Builds a token of `kind` over [start, end) of the buffer at base. */
static lex_token make_token(int kind, const unsigned char *base, const unsigned char *start,
                            const unsigned char *end, lex_error err)
{
    lex_token t;
    t.kind = kind;
    t.off = (uint32_t)(start - base);
    t.len = (uint32_t)(end - start);
    t.err = err;
    return t;
}

/* Given p just after a slash-star, returns the byte after the comment's end,
 * or NULL if the comment is not closed before `end`.  With `nested`,
 * slash-star inside opens an inner comment (PostgreSQL's rule). */
static const unsigned char *skip_block_comment(const unsigned char *p, const unsigned char *end,
                                               int nested)
{
    int depth = 1;
    while (p + 1 < end) {
        if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else if (nested && p[0] == '/' && p[1] == '*') {
            p += 2;
            depth++;
        } else {
            p++;
        }
    }
    return NULL;
}

lex_token lex_next(const char *buf, uint32_t len, uint32_t pos)
{
    const unsigned char *base = (const unsigned char *)buf;
    const unsigned char *YYCURSOR = base + pos;
    const unsigned char *YYLIMIT = base + len;
    const unsigned char *YYMARKER = YYCURSOR;
    const unsigned char *tok;

    for (;;) {
        tok = YYCURSOR;
        /*!re2c
            $      { return make_token(LEX_EOF, base, YYLIMIT, YYLIMIT, LEX_OK); }
            ws     { continue; }
            "--" [^\n]* { continue; }
            "/*"   {
                const unsigned char *after = skip_block_comment(YYCURSOR, YYLIMIT, 0);
                if (!after)
                    return make_token(LEX_EOF, base, tok, tok, LEX_E_UNTERMINATED_COMMENT);
                YYCURSOR = after;
                continue;
            }
            int    { return make_token(TK_INT, base, tok, YYCURSOR, LEX_OK); }
            float  { return make_token(TK_FLOAT, base, tok, YYCURSOR, LEX_OK); }
            (int | float) ("ms" | "s" | "m" | "h") {
                return make_token(TK_DURATION, base, tok, YYCURSOR, LEX_OK);
            }
            digit [0-9A-Za-z_]* ("." [0-9A-Za-z_]+)* {
                return make_token(TK_INT, base, tok, YYCURSOR, LEX_E_BAD_NUMBER);
            }
            ident  {
                uint32_t n = (uint32_t)(YYCURSOR - tok);
                return make_token(keyword_kind(tok, n), base, tok, YYCURSOR,
                                  n > LEX_MAX_IDENT ? LEX_E_LONG_IDENT : LEX_OK);
            }
            "\"" strch* "\"" { return make_token(TK_STRING, base, tok, YYCURSOR, LEX_OK); }
            "\"" strch*      {
                return make_token(TK_STRING, base, tok, YYCURSOR, LEX_E_UNTERMINATED_STRING);
            }
            "{"    { return make_token(TK_LBRACE, base, tok, YYCURSOR, LEX_OK); }
            "}"    { return make_token(TK_RBRACE, base, tok, YYCURSOR, LEX_OK); }
            "("    { return make_token(TK_LPAREN, base, tok, YYCURSOR, LEX_OK); }
            ")"    { return make_token(TK_RPAREN, base, tok, YYCURSOR, LEX_OK); }
            ","    { return make_token(TK_COMMA, base, tok, YYCURSOR, LEX_OK); }
            ";"    { return make_token(TK_SEMI, base, tok, YYCURSOR, LEX_OK); }
            ":"    { return make_token(TK_COLON, base, tok, YYCURSOR, LEX_OK); }
            "="    { return make_token(TK_ASSIGN, base, tok, YYCURSOR, LEX_OK); }
            "+"    { return make_token(TK_PLUS, base, tok, YYCURSOR, LEX_OK); }
            "-"    { return make_token(TK_MINUS, base, tok, YYCURSOR, LEX_OK); }
            "*"    { return make_token(TK_STAR, base, tok, YYCURSOR, LEX_OK); }
            "/"    { return make_token(TK_SLASH, base, tok, YYCURSOR, LEX_OK); }
            "%"    { return make_token(TK_PERCENT, base, tok, YYCURSOR, LEX_OK); }
            "["    { return make_token(TK_LBRACKET, base, tok, YYCURSOR, LEX_OK); }
            "]"    { return make_token(TK_RBRACKET, base, tok, YYCURSOR, LEX_OK); }
            "=="   { return make_token(TK_EQ, base, tok, YYCURSOR, LEX_OK); }
            "!="   { return make_token(TK_NE, base, tok, YYCURSOR, LEX_OK); }
            "<"    { return make_token(TK_LT, base, tok, YYCURSOR, LEX_OK); }
            "<="   { return make_token(TK_LE, base, tok, YYCURSOR, LEX_OK); }
            ">"    { return make_token(TK_GT, base, tok, YYCURSOR, LEX_OK); }
            ">="   { return make_token(TK_GE, base, tok, YYCURSOR, LEX_OK); }
            "||"   { return make_token(TK_CONCAT, base, tok, YYCURSOR, LEX_OK); }
            ".."   { return make_token(TK_DOTDOT, base, tok, YYCURSOR, LEX_OK); }
            [\x80-\xff]+ {
                return make_token(LEX_ILLEGAL, base, tok, YYCURSOR, LEX_E_ILLEGAL_CHAR);
            }
            *      { return make_token(LEX_ILLEGAL, base, tok, YYCURSOR, LEX_E_ILLEGAL_CHAR); }
        */
    }
}

const char *lex_error_text(lex_error err)
{
    switch (err) {
    case LEX_OK: return "no error";
    case LEX_E_UNTERMINATED_STRING: return "unterminated string literal";
    case LEX_E_UNTERMINATED_COMMENT: return "unterminated comment";
    case LEX_E_LONG_IDENT: return "identifier is longer than 63 bytes";
    case LEX_E_BAD_NUMBER: return "malformed number";
    case LEX_E_ILLEGAL_CHAR: return "illegal character";
    case LEX_E_SQL_STRING: return "unterminated string in SQL";
    case LEX_E_SQL_QUOTED_IDENT: return "unterminated quoted identifier in SQL";
    case LEX_E_SQL_DOLLAR: return "unterminated dollar-quoted string in SQL";
    case LEX_E_SQL_COMMENT: return "unterminated comment in SQL";
    }
    return "unknown lexical error";
}

int64_t lex_string_value(const char *buf, lex_token tok, char *out, uint32_t *out_len)
{
    int64_t bad = -1;
    uint32_t n = 0;
    uint32_t i = tok.off + 1;
    uint32_t end = tok.off + tok.len;
    if (tok.err == LEX_OK && tok.len >= 2)
        end--;  /* closing quote */
    while (i < end) {
        char ch = buf[i];
        if (ch == '\\' && i + 1 < end) {
            char e = buf[i + 1];
            char v = e == 'n' ? '\n' : e == 't' ? '\t' : e == '\\' ? '\\' : e == '"' ? '"' : 0;
            if (v) {
                out[n++] = v;
                i += 2;
                continue;
            }
            if (bad < 0)
                bad = i;
        }
        out[n++] = ch;
        i++;
    }
    *out_len = n;
    return bad;
}

/* ---- embedded SQL ---------------------------------------------------- */

/*!re2c
    sqlword = [A-Za-z_\x80-\xff] [A-Za-z0-9_$\x80-\xff]*;
    dtag    = [A-Za-z_\x80-\xff] [A-Za-z0-9_\x80-\xff]*;
*/

/* Longest $tag$ delimiter recognised; longer ones are not dollar quotes. */
#define LEX_MAX_DOLLAR_TAG 66

/* Builds an SQL token of `kind` over [start, end). */
static lex_sql_token make_sql(lex_sql_kind kind, const unsigned char *base,
                              const unsigned char *start, const unsigned char *end,
                              lex_error err)
{
    lex_sql_token t;
    t.kind = kind;
    t.off = (uint32_t)(start - base);
    t.len = (uint32_t)(end - start);
    t.err = err;
    return t;
}

/* Finds the delimiter [d, d+n) at or after p; returns the byte after it, or
 * NULL when it does not occur before end. */
static const unsigned char *find_delimiter(const unsigned char *p, const unsigned char *end,
                                           const unsigned char *d, size_t n)
{
    for (; (size_t)(end - p) >= n; p++)
        if (*p == '$' && memcmp(p, d, n) == 0)
            return p + n;
    return NULL;
}

lex_sql_token lex_sql_next(const char *buf, uint32_t len, uint32_t pos)
{
    const unsigned char *base = (const unsigned char *)buf;
    const unsigned char *YYCURSOR = base + pos;
    const unsigned char *YYLIMIT = base + len;
    const unsigned char *YYMARKER = YYCURSOR;
    const unsigned char *tok;

    for (;;) {
        tok = YYCURSOR;
        /*!re2c
            $      { return make_sql(LEX_SQL_EOF, base, YYLIMIT, YYLIMIT, LEX_OK); }
            ws     { continue; }
            "--" [^\n]* { continue; }
            "/*"   {
                const unsigned char *after = skip_block_comment(YYCURSOR, YYLIMIT, 1);
                if (!after)
                    return make_sql(LEX_SQL_OTHER, base, tok, YYLIMIT, LEX_E_SQL_COMMENT);
                YYCURSOR = after;
                continue;
            }
            "'" ([^'] | "''")* "'" { return make_sql(LEX_SQL_STRING, base, tok, YYCURSOR, LEX_OK); }
            "'" ([^'] | "''")*     {
                return make_sql(LEX_SQL_STRING, base, tok, YYLIMIT, LEX_E_SQL_STRING);
            }
            [eE] "'" ([^'\\] | "''" | "\\" [^])* "'" {
                return make_sql(LEX_SQL_STRING, base, tok, YYCURSOR, LEX_OK);
            }
            [eE] "'" ([^'\\] | "''" | "\\" [^])* {
                return make_sql(LEX_SQL_STRING, base, tok, YYLIMIT, LEX_E_SQL_STRING);
            }
            "\"" ([^"] | "\"\"")* "\"" { return make_sql(LEX_SQL_QIDENT, base, tok, YYCURSOR, LEX_OK); }
            "\"" ([^"] | "\"\"")*      {
                return make_sql(LEX_SQL_QIDENT, base, tok, YYLIMIT, LEX_E_SQL_QUOTED_IDENT);
            }
            "$" digit+ { return make_sql(LEX_SQL_PARAM, base, tok, YYCURSOR, LEX_OK); }
            "$" dtag? "$" {
                size_t n = (size_t)(YYCURSOR - tok);
                if (n > LEX_MAX_DOLLAR_TAG) {
                    YYCURSOR = tok + 1;
                    return make_sql(LEX_SQL_OTHER, base, tok, YYCURSOR, LEX_OK);
                }
                const unsigned char *after = find_delimiter(YYCURSOR, YYLIMIT, tok, n);
                if (!after)
                    return make_sql(LEX_SQL_STRING, base, tok, YYLIMIT, LEX_E_SQL_DOLLAR);
                return make_sql(LEX_SQL_STRING, base, tok, after, LEX_OK);
            }
            sqlword { return make_sql(LEX_SQL_WORD, base, tok, YYCURSOR, LEX_OK); }
            digit [0-9A-Za-z_.]* { return make_sql(LEX_SQL_OTHER, base, tok, YYCURSOR, LEX_OK); }
            ";"    { return make_sql(LEX_SQL_SEMI, base, tok, YYCURSOR, LEX_OK); }
            "("    { return make_sql(LEX_SQL_LPAREN, base, tok, YYCURSOR, LEX_OK); }
            ")"    { return make_sql(LEX_SQL_RPAREN, base, tok, YYCURSOR, LEX_OK); }
            "}"    { return make_sql(LEX_SQL_RBRACE, base, tok, YYCURSOR, LEX_OK); }
            "."    { return make_sql(LEX_SQL_DOT, base, tok, YYCURSOR, LEX_OK); }
            *      { return make_sql(LEX_SQL_OTHER, base, tok, YYCURSOR, LEX_OK); }
        */
    }
}

lex_sql_cmd lex_sql_command(const char *buf, uint32_t len, uint32_t pos, bool in_block)
{
    lex_sql_cmd c;
    memset(&c, 0, sizeof c);
    c.err = LEX_OK;
    uint32_t depth = 0, last_end = pos;
    int started = 0;
    for (;;) {
        lex_sql_token t = lex_sql_next(buf, len, pos);
        if (t.err != LEX_OK && c.err == LEX_OK) {
            c.err = t.err;
            c.err_off = t.off;
        }
        if (t.kind == LEX_SQL_EOF) {
            c.end = LEX_SQL_END_EOF;
            c.end_off = len;
            break;
        }
        if (depth == 0 && t.kind == LEX_SQL_SEMI) {
            c.end = LEX_SQL_END_SEMI;
            c.end_off = t.off;
            break;
        }
        if (depth == 0 && in_block && t.kind == LEX_SQL_RBRACE) {
            c.end = LEX_SQL_END_RBRACE;
            c.end_off = t.off;
            break;
        }
        if (t.kind == LEX_SQL_LPAREN)
            depth++;
        else if (t.kind == LEX_SQL_RPAREN && depth > 0)
            depth--;
        if (!started) {
            c.off = t.off;
            started = 1;
        }
        last_end = t.off + t.len;
        pos = last_end;
    }
    if (started)
        c.len = last_end - c.off;
    else
        c.off = c.end_off;
    return c;
}
