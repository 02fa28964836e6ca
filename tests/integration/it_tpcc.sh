# stormdb-tpcc: the population of clause 4.3.3 at one warehouse, a run of
# the default deck mix (client-side statements) and of tpcc_stored
# (PL/pgSQL functions), each followed by --check (the consistency
# conditions of clause 3.3.2), and checks that do fail on broken data.
. "$(dirname "$0")/lib.sh"

TPCC=$BIN/stormdb-tpcc
[ -x "$TPCC" ] || fail "$TPCC not built"

# --- load ----------------------------------------------------------------
t0=$(date +%s)
$TPCC --setup --scale 1 --no-run >setup.txt 2>&1 || { cat setup.txt; fail "setup"; }
t1=$(date +%s)
echo "load of 1 warehouse: $((t1 - t0)) s ($(grep '^setup done' setup.txt))"
[ $((t1 - t0)) -le 40 ] || fail "loading 1 warehouse took $((t1 - t0)) s"

assert_eq "$(sql 'SELECT count(*) FROM warehouse')" 1 "warehouse rows"
assert_eq "$(sql 'SELECT count(*) FROM district')" 10 "district rows"
assert_eq "$(sql 'SELECT count(*) FROM customer')" 30000 "customer rows"
assert_eq "$(sql 'SELECT count(*) FROM history')" 30000 "history rows"
assert_eq "$(sql 'SELECT count(*) FROM orders')" 30000 "orders rows"
assert_eq "$(sql 'SELECT count(*) FROM new_order')" 9000 "new_order rows"
assert_eq "$(sql 'SELECT count(*) FROM item')" 100000 "item rows"
assert_eq "$(sql 'SELECT count(*) FROM stock')" 100000 "stock rows"
ol=$(sql 'SELECT count(*) FROM order_line')
assert_gt "$ol" 284999 "order_line rows"
assert_gt 315001 "$ol" "order_line rows (at most 315000)"
# clause 4.3.3.1 details
assert_eq "$(sql "SELECT count(*) FROM customer WHERE c_id <= 1000 AND c_last <> (
    SELECT string_agg((ARRAY['BAR','OUGHT','ABLE','PRI','PRES','ESE','ANTI','CALLY','ATION','EING'])
                      [substr(lpad((c_id - 1)::text, 3, '0'), k, 1)::int + 1], '' ORDER BY k)
      FROM generate_series(1, 3) k)")" 0 "the first 1000 last names in order"
assert_eq "$(sql 'SELECT count(DISTINCT c_last) FROM customer')" 1000 "1000 distinct last names"
assert_eq "$(sql "SELECT count(*) FROM orders WHERE (o_carrier_id IS NULL) <> (o_id > 2100)")" 0 "carriers below 2101"
assert_eq "$(sql "SELECT count(*) FROM order_line WHERE (ol_o_id < 2101) <> (ol_amount = 0 AND ol_delivery_d IS NOT NULL)")" 0 "delivered lines"
assert_eq "$(sql "SELECT min(o_ol_cnt) || '-' || max(o_ol_cnt) FROM orders")" "5-15" "lines per order"
assert_eq "$(sql 'SELECT count(DISTINCT (o_d_id, o_c_id)) FROM orders')" 30000 "O_C_ID a permutation per district"
bc=$(sql "SELECT count(*) FROM customer WHERE c_credit = 'BC'")
assert_gt "$bc" 2700 "BC customers (10%)"
assert_gt 3300 "$bc" "BC customers (10%)"
orig=$(sql "SELECT count(*) FROM stock WHERE s_data LIKE '%ORIGINAL%'")
assert_gt "$orig" 9000 "ORIGINAL in s_data (10%)"
assert_gt 11000 "$orig" "ORIGINAL in s_data (10%)"
assert_eq "$(sql "SELECT w_ytd || ' ' || (SELECT sum(d_ytd) FROM district) || ' ' || (SELECT min(d_next_o_id) FROM district) FROM warehouse")" "300000.00 300000.00 3001" "starting YTD and next order"
assert_eq "$(sql "SELECT count(*) FROM customer WHERE c_balance <> -10 OR c_ytd_payment <> 10 OR c_zip NOT LIKE '____11111'")" 0 "starting balances and zips"
assert_eq "$(sql 'SELECT count(*) FROM tpcc_meta WHERE c_load_last BETWEEN 0 AND 255')" 1 "C-Load stored"
$TPCC --check >check0.txt 2>&1 || { cat check0.txt; fail "--check right after the load"; }
assert_contains check0.txt "checks: 12 passed, 0 failed, 0 errors"

# --- runs ----------------------------------------------------------------
# done_of JSON I: the transactions of type I that ended (committed, rolled
# back or failed); committed_of JSON I: those that committed.  (Whether a
# report's "successful" includes the rolled-back ones is read off the
# totals.)
incl_rb() {
    sum=0
    j=0
    while name=$($JGET "$1" transactions.$j.name 2>/dev/null) && [ -n "$name" ]; do
        sum=$((sum + $($JGET "$1" transactions.$j.successful) + $($JGET "$1" transactions.$j.failed)))
        j=$((j + 1))
    done
    [ "$sum" = "$($JGET "$1" performance.total_transactions)" ]
}
done_of() {
    n=$(( $($JGET "$1" transactions.$2.successful) + $($JGET "$1" transactions.$2.failed) ))
    incl_rb "$1" || n=$((n + $($JGET "$1" transactions.$2.rolled_back)))
    echo $n
}
committed_of() {
    n=$($JGET "$1" transactions.$2.successful)
    ! incl_rb "$1" || n=$((n - $($JGET "$1" transactions.$2.rolled_back)))
    echo $n
}

# run_mix TYPE JSON FIRST: a 10 s run of 4 terminals of mix TYPE, whose five
# transactions are FIRST..FIRST+4 in the report; then the achieved mix,
# rollbacks, failures and --check
run_mix() {
    $TPCC -w "$1" --workers 4 --duration 10s --no-summary --json "$2" >"$1.txt" 2>&1 \
        || { cat "$1.txt"; fail "run of $1"; }
    assert_eq "$($JGET "$2" performance.failed)" 0 "$1: failed transactions"
    assert_contains "$1.txt" "tpmC"
    assert_contains "$1.txt" "nopm"
    total=0
    for k in 0 1 2 3 4; do
        n=$(done_of "$2" $(($3 + k)))
        eval "n_$k=$n"
        total=$((total + n))
    done
    assert_gt "$total" 1000 "$1: transactions"
    k=0
    for want in 45 43 4 4 4; do
        name=$($JGET "$2" transactions.$(($3 + k)).name)
        eval "n=\$n_$k"
        pct=$(awk -v n="$n" -v t="$total" 'BEGIN { printf "%.2f", 100 * n / t }')
        echo "$1: $name $n ($pct%, want $want%)"
        assert_gt "$pct" "$((want - 2))" "$1: share of $name"
        assert_gt "$((want + 2))" "$pct" "$1: share of $name"
        k=$((k + 1))
    done
    rb=$(awk -v r="$($JGET "$2" transactions.$3.rolled_back)" -v n="$n_0" 'BEGIN { printf "%.3f", 100 * r / n }')
    echo "$1: New-Orders rolled back: $rb%"
    assert_gt "$rb" 0.2 "$1: rolled-back New-Orders"
    assert_gt 3 "$rb" "$1: rolled-back New-Orders"
    $TPCC --check >"check-$1.txt" 2>&1 || { cat "check-$1.txt"; fail "--check after $1"; }
    assert_contains "check-$1.txt" "checks: 12 passed, 0 failed, 0 errors"
}

run_mix tpcc r.json 0
assert_eq "$($JGET r.json run.type)" tpcc "the default mix"
assert_eq "$($JGET r.json transactions.0.name)" new_order "client-side New-Order"
# every committed New-Order made one order
assert_eq "$(sql 'SELECT count(*) - 30000 FROM orders')" "$(committed_of r.json 0)" \
    "orders made by committed New-Orders"
orders_before=$(sql 'SELECT count(*) FROM orders')

run_mix tpcc_stored s.json 5
assert_eq "$($JGET s.json transactions.5.name)" new_order_sp "stored New-Order"
assert_eq "$(sql "SELECT count(*) - $orders_before FROM orders")" "$(committed_of s.json 5)" \
    "orders made by stored New-Orders"

# --- the checks catch broken data ------------------------------------------
sql "UPDATE warehouse SET w_ytd = w_ytd + 0.01" >/dev/null
# a line of an undelivered order (a delivered one would break 10 and 12 too)
sql "DELETE FROM order_line WHERE ol_w_id = 1 AND ol_d_id = 3 AND ol_number = 1
       AND ol_o_id = (SELECT max(no_o_id) FROM new_order WHERE no_w_id = 1 AND no_d_id = 3)" >/dev/null
expect_status 1 $TPCC --check >bad.txt 2>&1
assert_contains bad.txt "FAIL c01_w_ytd"
assert_contains bad.txt "FAIL c04_ol_cnt_sum"
assert_contains bad.txt "FAIL c06_ol_cnt"
assert_contains bad.txt "FAIL c08_w_ytd_history"
assert_contains bad.txt "checks: 8 passed, 4 failed, 0 errors"
echo "ok"
