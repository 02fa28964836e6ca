/*
 * parser.y — lemon grammar of the .swl language (docs/language.md).
 *
 * Actions are one line and call the constructors of ast.c.  The driver
 * (parse.c) pushes tokens, including the SQL tokens its SQL scanner makes,
 * and ends with an explicit end of input.  Nodes live in the compilation's
 * arena, so the destructors lemon runs when it discards symbols during
 * error handling have nothing to free.
 */
%name parse_lemon
%token_prefix TK_
%token_type { lex_token }
%extra_context { parse_ctx *ctx }
%stack_size 1000

%include {
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "ast.h"
#include "parse.h"

static void report_syntax_error(parse_ctx *ctx, const void *parser, int major, lex_token tok);
}

%syntax_error { report_syntax_error(ctx, yypParser, yymajor, TOKEN); }
%stack_overflow { ctx->stack_overflow = true; }
%parse_failure { ctx->syntax_error = true; }

/* Every terminal, in a fixed order. */
%token WORKLOAD VERSION DESCRIPTION AUTHOR SCALE_QUERY SCHEMA AFTER LOAD ROWS
       STATEMENT TRANSACTION WEIGHT MIX LET BEGIN COMMIT ROLLBACK NULL
       IDENT INT FLOAT STRING SQL
       LBRACE RBRACE LPAREN RPAREN COMMA SEMI COLON ASSIGN.

%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.

%type expr { ast_expr * }
%type number { ast_expr * }
%type weight_opt { ast_expr * }
%type args { ast_expr * }
%type args_opt { ast_expr * }
%type body { ast_stmt * }
%type bstmt { ast_stmt * }
%type columns { ast_column * }
%type mix_entries { ast_mix_entry * }
%type witems { ast_witem * }
%type witem { ast_witem * }
%type sqls { ast_sql * }
%destructor expr { (void)ctx; (void)$$; /* arena-owned */ }
%destructor number { (void)ctx; (void)$$; }
%destructor weight_opt { (void)ctx; (void)$$; }
%destructor args { (void)ctx; (void)$$; }
%destructor args_opt { (void)ctx; (void)$$; }
%destructor body { (void)ctx; (void)$$; }
%destructor bstmt { (void)ctx; (void)$$; }
%destructor columns { (void)ctx; (void)$$; }
%destructor mix_entries { (void)ctx; (void)$$; }
%destructor witems { (void)ctx; (void)$$; }
%destructor witem { (void)ctx; (void)$$; }
%destructor sqls { (void)ctx; (void)$$; }

file ::= items.
items ::= .
items ::= items item.

/* workload NAME { ... } */
item ::= WORKLOAD(K) IDENT(N) LBRACE witems(L) RBRACE. { ast_add_workload(ctx, K, N, L); }
witems(A) ::= . { A = NULL; }
witems(A) ::= witems(L) witem(W). { A = ast_witem_append(L, W); }
witem(A) ::= VERSION(K) STRING(S) SEMI. { A = ast_witem_string(ctx, K, WI_VERSION, S); }
witem(A) ::= DESCRIPTION(K) STRING(S) SEMI. { A = ast_witem_string(ctx, K, WI_DESCRIPTION, S); }
witem(A) ::= AUTHOR(K) STRING(S) SEMI. { A = ast_witem_string(ctx, K, WI_AUTHOR, S); }
witem(A) ::= SCALE_QUERY(K) COLON SQL(S) SEMI. { A = ast_witem_sql(ctx, K, S); }

/* schema { SQL... }  and  after load { SQL... } */
item ::= SCHEMA LBRACE sqls(L) RBRACE. { ast_add_schema(ctx, L); }
item ::= AFTER LOAD LBRACE sqls(L) RBRACE. { ast_add_after_load(ctx, L); }
sqls(A) ::= . { A = NULL; }
sqls(A) ::= sqls(L) SQL(S). { A = ast_sql_append(L, ast_sql_new(ctx, S)); }

/* load TABLE rows EXPR { COLUMN = EXPR; ... } */
item ::= LOAD(K) IDENT(T) ROWS expr(R) LBRACE columns(C) RBRACE. { ast_add_load(ctx, K, T, R, C); }
columns(A) ::= . { A = NULL; }
columns(A) ::= columns(L) IDENT(N) ASSIGN expr(E) SEMI. { A = ast_column_append(L, ast_column_new(ctx, N, E)); }

/* statement NAME: SQL; */
item ::= STATEMENT(K) IDENT(N) COLON SQL(S) SEMI. { ast_add_statement(ctx, K, N, S); }

/* transaction NAME [weight N] { ... } */
item ::= TRANSACTION(K) IDENT(N) weight_opt(W) LBRACE body(B) RBRACE. { ast_add_tx(ctx, K, N, W, B); }
weight_opt(A) ::= . { A = NULL; }
weight_opt(A) ::= WEIGHT number(N). { A = N; }
body(A) ::= . { A = NULL; }
body(A) ::= body(L) bstmt(S). { A = ast_stmt_append(L, S); }
bstmt(A) ::= LET(K) IDENT(N) ASSIGN expr(E) SEMI. { A = ast_let(ctx, K, N, E); }
bstmt(A) ::= IDENT(N) LPAREN args_opt(L) RPAREN SEMI. { A = ast_exec(ctx, N, L); }
bstmt(A) ::= BEGIN(K) SEMI. { A = ast_control(ctx, K, ST_BEGIN); }
bstmt(A) ::= COMMIT(K) SEMI. { A = ast_control(ctx, K, ST_COMMIT); }
bstmt(A) ::= ROLLBACK(K) SEMI. { A = ast_control(ctx, K, ST_ROLLBACK); }

/* mix NAME ["description"] { TRANSACTION: WEIGHT; ... } */
item ::= MIX(K) IDENT(N) LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, NULL, E); }
item ::= MIX(K) IDENT(N) STRING(D) LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, &D, E); }
mix_entries(A) ::= . { A = NULL; }
mix_entries(A) ::= mix_entries(L) IDENT(T) COLON number(W) SEMI. { A = ast_mix_entry_append(L, ast_mix_entry_new(ctx, T, W)); }

/* weights: a number, negative only so that sema can say why it is wrong */
number(A) ::= INT(T). { A = ast_int(ctx, T); }
number(A) ::= FLOAT(T). { A = ast_float(ctx, T); }
number(A) ::= MINUS(M) INT(T). { A = ast_neg(ctx, M, ast_int(ctx, T)); }
number(A) ::= MINUS(M) FLOAT(T). { A = ast_neg(ctx, M, ast_float(ctx, T)); }

/* expressions */
args_opt(A) ::= . { A = NULL; }
args_opt(A) ::= args(L). { A = L; }
args(A) ::= expr(E). { A = ast_arg_append(NULL, E); }
args(A) ::= args(L) COMMA expr(E). { A = ast_arg_append(L, E); }

expr(A) ::= INT(T). { A = ast_int(ctx, T); }
expr(A) ::= FLOAT(T). { A = ast_float(ctx, T); }
expr(A) ::= STRING(T). { A = ast_string_lit(ctx, T); }
expr(A) ::= NULL(T). { A = ast_null(ctx, T); }
expr(A) ::= IDENT(T). { A = ast_name_ref(ctx, T); }
expr(A) ::= IDENT(N) LPAREN args_opt(L) RPAREN. { A = ast_call(ctx, N, L); }
expr(A) ::= LPAREN expr(E) RPAREN. { A = E; }
expr(A) ::= MINUS(M) expr(E). [UMINUS] { A = ast_neg(ctx, M, E); }
expr(A) ::= expr(L) PLUS(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) MINUS(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) STAR(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) SLASH(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) PERCENT(O) expr(R). { A = ast_binary(ctx, O, L, R); }

%code {
/* Most terminals collected for an "expected ..." message. */
#define EXPECT_LIST_MAX 64

/* True when the parser in `p` could shift terminal `t` next: replays the
 * reductions `t` would cause on a copy of the state stack. */
static bool token_acceptable(const yyParser *p, int t)
{
    YYACTIONTYPE st[YYSTACKDEPTH + 2];
    int top = (int)(p->yytos - p->yystack);
    if (top < 0 || top >= YYSTACKDEPTH)
        return false;
    for (int i = 0; i <= top; i++)
        st[i] = p->yystack[i].stateno;
    YYACTIONTYPE act = st[top];
    for (int steps = 0; steps < 10000; steps++) {
        act = yy_find_shift_action((YYCODETYPE)t, act);
        if (act >= YY_MIN_REDUCE) {
            unsigned rule = act - YY_MIN_REDUCE;
            int size = yyRuleInfoNRhs[rule];   /* minus the number of RHS symbols */
            if (top + size < 0 || top + size + 1 > YYSTACKDEPTH)
                return false;
            act = yy_find_reduce_action(st[top + size], (YYCODETYPE)yyRuleInfoLhs[rule]);
            top += size + 1;
            st[top] = act;
            continue;
        }
        return act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION;
    }
    return false;
}

/* Reports a syntax error at `tok`, naming the expected terminals when there
 * are few of them; called from lemon's %syntax_error. */
static void report_syntax_error(parse_ctx *ctx, const void *parser, int major, lex_token tok)
{
    const yyParser *p = parser;
    int expected[EXPECT_LIST_MAX];
    int nexpected = 0;
    ctx->syntax_error = true;
    if (major == 0 && ctx->eof_reported)
        return;
    for (int t = 1; t < YYNTOKEN; t++) {
        if (!token_acceptable(p, t))
            continue;
        if (nexpected < EXPECT_LIST_MAX)
            expected[nexpected] = t;
        nexpected++;
    }
    parse_report_unexpected(ctx, major, tok, expected, nexpected <= EXPECT_LIST_MAX ? nexpected : -1);
}
}
