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

/* Every terminal, in a fixed order.  DECK .. HEADLINE are contextual
 * keywords: the lexer returns them as IDENT and the driver (parse.c) turns
 * them into these tokens only where the grammar accepts them. */
%token WORKLOAD VERSION DESCRIPTION AUTHOR SCALE_QUERY SCHEMA AFTER LOAD ROWS
       STATEMENT TRANSACTION WEIGHT MIX LET BEGIN COMMIT ROLLBACK NULL
       PARAM LIST CHECK REQUIRES FOR IN IF ELSE RETURN SLEEP PIPELINE TRUE FALSE
       RETRY ISOLATION KEYING THINK JSON ARRAY
       DECK LIMIT PROBE NURAND_LOAD HEADLINE PER COUNTER COUNT BY
       IDENT INT FLOAT DURATION STRING SQL
       LBRACE RBRACE LPAREN RPAREN LBRACKET RBRACKET COMMA SEMI COLON ASSIGN DOTDOT.

/* Lowest to highest (docs/language.md, "Operator precedence"). */
%left OR.
%left AND.
%right NOT.
%nonassoc EQ NE LT LE GT GE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.

%type expr { ast_expr * }
%type number { ast_expr * }
%type args { ast_expr * }
%type args_opt { ast_expr * }
%type jobject { ast_expr * }
%type jfields { ast_expr * }
%type jfields_opt { ast_expr * }
%type jfield { ast_expr * }
%type jvalue { ast_expr * }
%type body { ast_stmt * }
%type block { ast_stmt * }
%type bstmt { ast_stmt * }
%type if_stmt { ast_stmt * }
%type tvars { ast_var * }
%type tvar { ast_var * }
%type txopts { ast_txopt * }
%type txopt { ast_txopt * }
%type ranges { ast_range * }
%type range { ast_range * }
%type columns { ast_column * }
%type mix_entries { ast_mix_entry * }
%type witems { ast_witem * }
%type witem { ast_witem * }
%type sqls { ast_sql * }
%type seconds { ast_expr * }
%destructor expr { (void)ctx; (void)$$; /* arena-owned */ }
%destructor number { (void)ctx; (void)$$; }
%destructor args { (void)ctx; (void)$$; }
%destructor args_opt { (void)ctx; (void)$$; }
%destructor jobject { (void)ctx; (void)$$; }
%destructor jfields { (void)ctx; (void)$$; }
%destructor jfields_opt { (void)ctx; (void)$$; }
%destructor jfield { (void)ctx; (void)$$; }
%destructor jvalue { (void)ctx; (void)$$; }
%destructor body { (void)ctx; (void)$$; }
%destructor block { (void)ctx; (void)$$; }
%destructor bstmt { (void)ctx; (void)$$; }
%destructor if_stmt { (void)ctx; (void)$$; }
%destructor tvars { (void)ctx; (void)$$; }
%destructor tvar { (void)ctx; (void)$$; }
%destructor txopts { (void)ctx; (void)$$; }
%destructor txopt { (void)ctx; (void)$$; }
%destructor ranges { (void)ctx; (void)$$; }
%destructor range { (void)ctx; (void)$$; }
%destructor columns { (void)ctx; (void)$$; }
%destructor mix_entries { (void)ctx; (void)$$; }
%destructor witems { (void)ctx; (void)$$; }
%destructor witem { (void)ctx; (void)$$; }
%destructor sqls { (void)ctx; (void)$$; }
%destructor seconds { (void)ctx; (void)$$; }

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
witem(A) ::= SCALE_QUERY(K) COLON SQL(S) SEMI. { A = ast_witem_sql(ctx, K, WI_SCALE_QUERY, S); }
witem(A) ::= NURAND_LOAD(K) COLON SQL(S) SEMI. { A = ast_witem_sql(ctx, K, WI_NURAND_LOAD, S); }
witem(A) ::= HEADLINE(K) IDENT(T) STRING(N) SEMI. { A = ast_witem_headline(ctx, K, T, N); }
witem(A) ::= CONNECTION_MODE(K) IDENT(M) SEMI. { A = ast_witem_word(ctx, K, WI_CONNECTION_MODE, M); }
witem(A) ::= REQUIRES(K) IDENT(W) IDENT(N) SEMI. { A = ast_witem_extension(ctx, K, W, N); }
witem(A) ::= REQUIRES(K) IDENT(W) STRING(N) SEMI. { A = ast_witem_extension(ctx, K, W, N); }

/* schema { SQL... }  and  after load { SQL... } */
item ::= SCHEMA LBRACE sqls(L) RBRACE. { ast_add_schema(ctx, L); }
item ::= AFTER LOAD LBRACE sqls(L) RBRACE. { ast_add_after_load(ctx, L); }
sqls(A) ::= . { A = NULL; }
sqls(A) ::= sqls(L) SQL(S). { A = ast_sql_append(L, ast_sql_new(ctx, S)); }

/* param NAME = EXPR;  list NAME = [...];  list NAME = file "PATH";  check NAME ["..."]: SQL; */
item ::= PARAM(K) IDENT(N) ASSIGN expr(E) SEMI. { ast_add_param(ctx, K, N, E); }
item ::= LIST(K) IDENT(N) ASSIGN LBRACKET args_opt(L) RBRACKET SEMI. { ast_add_list(ctx, K, N, L); }
item ::= LIST(K) IDENT(N) ASSIGN IDENT(F) STRING(P) SEMI. { ast_add_list_file(ctx, K, N, F, P); }
item ::= CHECK(K) IDENT(N) COLON SQL(S) SEMI. { ast_add_check(ctx, K, N, NULL, S); }
item ::= CHECK(K) IDENT(N) STRING(D) COLON SQL(S) SEMI. { ast_add_check(ctx, K, N, &D, S); }

/* probe NAME ["..."]: SQL; */
item ::= PROBE(K) IDENT(N) COLON SQL(S) SEMI. { ast_add_probe(ctx, K, N, NULL, S); }
item ::= PROBE(K) IDENT(N) STRING(D) COLON SQL(S) SEMI. { ast_add_probe(ctx, K, N, &D, S); }
item ::= PROBE(K) IDENT(N) PER IDENT(P) COLON SQL(S) SEMI. { ast_add_probe_per(ctx, K, N, NULL, P, S); }
item ::= COUNTER(K) IDENT(N) SEMI. { ast_add_counter(ctx, K, N, NULL, NULL); }
item ::= COUNTER(K) IDENT(N) STRING(D) SEMI. { ast_add_counter(ctx, K, N, &D, NULL); }
item ::= COUNTER(K) IDENT(N) PER IDENT(P) SEMI. { ast_add_counter(ctx, K, N, NULL, &P); }
item ::= COUNTER(K) IDENT(N) STRING(D) PER IDENT(P) SEMI. { ast_add_counter(ctx, K, N, &D, &P); }
item ::= PROBE(K) IDENT(N) STRING(D) PER IDENT(P) COLON SQL(S) SEMI. { ast_add_probe_per(ctx, K, N, &D, P, S); }

/* load TABLE rows EXPR { ... }  and  load TABLE for V in LO .. HI, ... { ... } */
item ::= LOAD(K) IDENT(T) ROWS expr(R) LBRACE columns(C) RBRACE. { ast_add_load(ctx, K, T, R, NULL, C); }
item ::= LOAD(K) IDENT(T) FOR ranges(V) LBRACE columns(C) RBRACE. { ast_add_load(ctx, K, T, NULL, V, C); }
ranges(A) ::= range(R). { A = ast_range_append(NULL, R); }
ranges(A) ::= ranges(L) COMMA range(R). { A = ast_range_append(L, R); }
range(A) ::= IDENT(N) IN expr(L) DOTDOT expr(H). { A = ast_range_new(ctx, N, L, H); }
columns(A) ::= . { A = NULL; }
columns(A) ::= columns(L) IDENT(N) ASSIGN expr(E) SEMI. { A = ast_column_append(L, ast_column_new(ctx, N, E)); }

/* statement NAME: SQL; */
item ::= STATEMENT(K) IDENT(N) COLON SQL(S) SEMI. { ast_add_statement(ctx, K, N, S); }

/* transaction NAME [weight N] [retry N] [isolation ...] [keying E] [think E]
 *                  [limit pNN|NN% SECONDS] { ... } */
item ::= TRANSACTION(K) IDENT(N) txopts(O) LBRACE body(B) RBRACE. { ast_add_tx(ctx, K, N, O, B); }
txopts(A) ::= . { A = NULL; }
txopts(A) ::= txopts(L) txopt(O). { A = ast_txopt_append(L, O); }
txopt(A) ::= WEIGHT(K) number(N). { A = ast_txopt_new(ctx, K, TO_WEIGHT, N, NULL, NULL); }
txopt(A) ::= RETRY(K) number(N). { A = ast_txopt_new(ctx, K, TO_RETRY, N, NULL, NULL); }
txopt(A) ::= KEYING(K) expr(E). { A = ast_txopt_new(ctx, K, TO_KEYING, E, NULL, NULL); }
txopt(A) ::= THINK(K) expr(E). { A = ast_txopt_new(ctx, K, TO_THINK, E, NULL, NULL); }
txopt(A) ::= ISOLATION(K) IDENT(W). { A = ast_txopt_new(ctx, K, TO_ISOLATION, NULL, &W, NULL); }
txopt(A) ::= ISOLATION(K) IDENT(W) IDENT(V). { A = ast_txopt_new(ctx, K, TO_ISOLATION, NULL, &W, &V); }
txopt(A) ::= LIMIT(K) IDENT(P) seconds(S). { A = ast_txopt_limit(ctx, K, &P, NULL, S); }
txopt(A) ::= LIMIT(K) number(P) PERCENT seconds(S). { A = ast_txopt_limit(ctx, K, NULL, P, S); }
seconds(A) ::= DURATION(T). { A = ast_duration(ctx, T); }
seconds(A) ::= number(N). { A = N; }

body(A) ::= . { A = NULL; }
body(A) ::= body(L) bstmt(S). { A = ast_stmt_append(L, S); }
block(A) ::= LBRACE body(B) RBRACE. { A = B; }
bstmt(A) ::= LET(K) IDENT(N) ASSIGN expr(E) SEMI. { A = ast_let(ctx, K, N, E); }
bstmt(A) ::= LET(K) tvars(V) ASSIGN expr(E) SEMI. { A = ast_capture(ctx, K, V, E); }
bstmt(A) ::= IDENT(N) ASSIGN expr(E) SEMI. { A = ast_assign(ctx, N, E); }
bstmt(A) ::= IDENT(N) LPAREN args_opt(L) RPAREN SEMI. { A = ast_exec(ctx, N, L); }
bstmt(A) ::= FOR(K) IDENT(N) IN expr(L) DOTDOT expr(H) block(B). { A = ast_for_range(ctx, K, N, L, H, B); }
bstmt(A) ::= FOR(K) tvars(V) IN expr(E) block(B). { A = ast_for_rows(ctx, K, V, E, B); }
bstmt(A) ::= if_stmt(S). { A = S; }
bstmt(A) ::= BEGIN(K) SEMI. { A = ast_control(ctx, K, ST_BEGIN); }
bstmt(A) ::= COMMIT(K) SEMI. { A = ast_control(ctx, K, ST_COMMIT); }
bstmt(A) ::= ROLLBACK(K) SEMI. { A = ast_control(ctx, K, ST_ROLLBACK); }
bstmt(A) ::= RETURN(K) SEMI. { A = ast_control(ctx, K, ST_RETURN); }
bstmt(A) ::= SLEEP(K) expr(E) SEMI. { A = ast_sleep(ctx, K, E); }
bstmt(A) ::= COUNT(K) IDENT(N) SEMI. { A = ast_count(ctx, K, N, NULL); }
bstmt(A) ::= COUNT(K) IDENT(N) BY expr(E) SEMI. { A = ast_count(ctx, K, N, E); }
bstmt(A) ::= PIPELINE(K) block(B). { A = ast_pipeline(ctx, K, B); }
if_stmt(A) ::= IF(K) expr(C) block(B). { A = ast_if(ctx, K, C, B, NULL); }
if_stmt(A) ::= IF(K) expr(C) block(B) ELSE block(E). { A = ast_if(ctx, K, C, B, ast_else(ctx, E)); }
if_stmt(A) ::= IF(K) expr(C) block(B) ELSE if_stmt(E). { A = ast_if(ctx, K, C, B, E); }
tvars(A) ::= tvar(V). { A = ast_var_append(NULL, V); }
tvars(A) ::= tvars(L) COMMA tvar(V). { A = ast_var_append(L, V); }
tvar(A) ::= IDENT(N) IDENT(T). { A = ast_var_new(ctx, N, T); }

/* mix NAME ["description"] [deck] { TRANSACTION: WEIGHT; ... } */
item ::= MIX(K) IDENT(N) LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, NULL, false, E); }
item ::= MIX(K) IDENT(N) STRING(D) LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, &D, false, E); }
item ::= MIX(K) IDENT(N) DECK LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, NULL, true, E); }
item ::= MIX(K) IDENT(N) STRING(D) DECK LBRACE mix_entries(E) RBRACE. { ast_add_mix(ctx, K, N, &D, true, E); }
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
expr(A) ::= DURATION(T). { A = ast_duration(ctx, T); }
expr(A) ::= STRING(T). { A = ast_string_lit(ctx, T); }
expr(A) ::= NULL(T). { A = ast_null(ctx, T); }
expr(A) ::= TRUE(T). { A = ast_bool(ctx, T, true); }
expr(A) ::= FALSE(T). { A = ast_bool(ctx, T, false); }
expr(A) ::= IDENT(T). { A = ast_name_ref(ctx, T); }
expr(A) ::= IDENT(T) STRING(S). { A = ast_typed_lit(ctx, T, S); }
expr(A) ::= IDENT(N) LPAREN args_opt(L) RPAREN. { A = ast_call(ctx, N, L); }
expr(A) ::= ROWS(N) LPAREN args_opt(L) RPAREN. { A = ast_call(ctx, N, L); }
expr(A) ::= LPAREN expr(E) RPAREN. { A = E; }
expr(A) ::= LBRACKET(B) args_opt(L) RBRACKET. { A = ast_list_lit(ctx, B, EX_LIST, L); }
expr(A) ::= ARRAY(B) LBRACKET args_opt(L) RBRACKET. { A = ast_list_lit(ctx, B, EX_ARRAY, L); }
expr(A) ::= JSON jobject(O). { A = O; }
expr(A) ::= MINUS(M) expr(E). [UMINUS] { A = ast_neg(ctx, M, E); }
expr(A) ::= NOT(M) expr(E). { A = ast_not(ctx, M, E); }
expr(A) ::= expr(L) OR(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) AND(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) EQ(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) NE(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) LT(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) LE(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) GT(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) GE(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) CONCAT(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) PLUS(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) MINUS(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) STAR(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) SLASH(O) expr(R). { A = ast_binary(ctx, O, L, R); }
expr(A) ::= expr(L) PERCENT(O) expr(R). { A = ast_binary(ctx, O, L, R); }

/* json { "key": value, ... }: a value is an expression or a nested { ... } */
jobject(A) ::= LBRACE(B) jfields_opt(F) RBRACE. { A = ast_json(ctx, B, F); }
jfields_opt(A) ::= . { A = NULL; }
jfields_opt(A) ::= jfields(L). { A = L; }
jfields(A) ::= jfield(F). { A = ast_arg_append(NULL, F); }
jfields(A) ::= jfields(L) COMMA jfield(F). { A = ast_arg_append(L, F); }
jfield(A) ::= STRING(K) COLON jvalue(V). { A = ast_jfield(ctx, K, V); }
jvalue(A) ::= expr(E). { A = E; }
jvalue(A) ::= jobject(O). { A = O; }

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

/* True when `parser` could shift terminal `major` next (the driver's test
 * for contextual keywords); declared in parse.c with the other entry points. */
bool parse_lemon_accepts(const void *parser, int major);
bool parse_lemon_accepts(const void *parser, int major)
{
    return token_acceptable(parser, major);
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
