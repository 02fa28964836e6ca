# --embedded starts a throwaway cluster, sets up, runs, reports, and leaves no
# cluster or directory behind; --keep-embedded keeps it and says how to connect.
. "$(dirname "$0")/lib.sh"

export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
chmod 1777 "$TMPDIR"
$BIN/stormdb-simple --embedded --duration 2s --workers 2 --no-summary --json e.json >out.txt 2>&1 \
    || { cat out.txt; fail "embedded run"; }
assert_gt "$($JGET e.json performance.tps)" 0 "embedded tps"
assert_eq "$($JGET e.json run.embedded)" true "embedded flag in JSON"
assert_eq "$(ls "$TMPDIR" | wc -l)" 0 "nothing left in TMPDIR"
pgrep -f "postgres -D $TMPDIR" >/dev/null && fail "embedded server still running"

$BIN/stormdb-simple --embedded --keep-embedded --duration 1s --no-summary >out.txt 2>&1 \
    || { cat out.txt; fail "keep-embedded run"; }
assert_contains out.txt "psql -h"
dir=$(ls -d "$TMPDIR"/stormdb-embedded-* | head -1)
[ -d "$dir" ] || fail "kept cluster directory missing"
port=$(sed -n 's/.*psql -h [^ ]* -p \([0-9]*\).*/\1/p' out.txt | head -1)
assert_eq "$(psql -XAtq -h "$dir" -p "$port" -U stormdb -d stormdb -c 'SELECT count(*) FROM loadtest')" 10000 "kept cluster has the data"
owner=$(stat -c %U "$dir")
if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$owner" --regid=nogroup --clear-groups -- \
        "$SDB_TEST_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
else
    "$SDB_TEST_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
fi
rm -rf "$dir"

# Ctrl-C in the middle of an embedded run: report, then the cluster is gone
$BIN/stormdb-simple --embedded --duration 60s --workers 2 --no-summary >out.txt 2>&1 &
pid=$!
for i in $(seq 1 100); do
    grep -q "^running" out.txt && break
    sleep 0.1
done
sleep 1
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
assert_eq "$rc" 130 "exit status after SIGINT"
assert_contains out.txt "Performance Summary"
assert_eq "$(ls "$TMPDIR" | wc -l)" 0 "nothing left in TMPDIR after Ctrl-C"
echo "ok"
