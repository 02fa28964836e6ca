# The example workloads of examples/: each builds with `swlc --build`, its
# SQL passes `swlc --check-sql`, it runs for a moment with --setup without a
# failed transaction, and its post-run checks pass (--check).  A deliberately
# broken statement is reported by --check-sql at its .swl line and column.
. "$(dirname "$0")/lib.sh"
: "${SDB_SOURCE:?}"

cp "$SDB_SOURCE"/examples/*.swl "$SDB_SOURCE"/examples/*.txt .
for ex in bank shop cache; do
    $BIN/swlc --build $ex.swl -o stormdb-$ex 2>err.txt || { cat err.txt; fail "swlc --build $ex"; }
    $BIN/swlc --check-sql $ex.swl >sql.txt 2>&1 || { cat sql.txt; fail "swlc --check-sql $ex"; }
    ./stormdb-$ex --setup --duration 2s --workers 2 --no-summary --json $ex.json >out.txt 2>&1 \
        || { cat out.txt; fail "$ex run"; }
    assert_eq "$($JGET $ex.json performance.failed)" 0 "$ex: failed transactions"
    assert_gt "$($JGET $ex.json performance.successful)" 0 "$ex: successful transactions"
    ./stormdb-$ex --check >check.txt 2>&1 || { cat check.txt; fail "$ex --check"; }
    assert_contains check.txt "0 failed"
done

# the bank's money is conserved across transfers
assert_eq "$(sql 'SELECT sum(balance) = count(*) * 1000 FROM accounts')" t "bank: total balance"

# --check-sql maps the server's error position back to the .swl
sed 's/SELECT price, stock FROM product/SELECT price, stok FROM product/' shop.swl >broken.swl
expect_status 1 $BIN/swlc --check-sql broken.swl 2>broken.txt
assert_contains broken.txt 'broken.swl:56:40: error: statement '"'"'product_price'"'"': column "stok" does not exist'
echo "ok"
