#!/bin/sh
# One golden test of swlc.
#   run_golden.sh SWLC CC RUNTIME_INCLUDE WORKDIR valid|invalid FILE.swl
# valid:   swlc must exit 0, emit the same C twice (determinism), and the C
#          must compile with -std=c11 -Wall -Wextra -Werror; every
#          "-- expect: LINE:COL: warning: MESSAGE" line must be printed, and
#          no other warning.
# invalid: swlc must exit 1 and its stderr must contain, for every line
#          "-- expect: LINE:COL: error: MESSAGE" of FILE.swl, the text
#          "FILE.swl:LINE:COL: error: MESSAGE".
set -u
swlc=$1 cc=$2 inc=$3 work=$4 kind=$5 file=$6
base=$(basename "$file")
mkdir -p "$work" || exit 1
out="$work/${base%.swl}"

fail() { echo "FAIL: $base: $*"; [ -f "$out.err" ] && cat "$out.err"; exit 1; }

"$swlc" "$file" -o "$out.c" 2>"$out.err"
rc=$?
if [ "$kind" = valid ]; then
    [ $rc -eq 0 ] || fail "swlc exited $rc, expected 0"
    mkdir -p "$work/again" || exit 1
    "$swlc" "$file" -o "$work/again/${base%.swl}.c" 2>/dev/null || fail "second run failed"
    cmp -s "$out.c" "$work/again/${base%.swl}.c" || fail "output differs between two runs"
    $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$inc" "$out.c" 2>"$out.err" \
        || fail "the generated C does not compile cleanly"
    "$swlc" "$file" -o /dev/null 2>"$out.err"
    grep -- '-- expect: ' "$file" | sed 's/^.*-- expect: //' > "$out.expect"
    n=0
    while IFS= read -r want; do
        n=$((n + 1))
        grep -qF -- "$base:$want" "$out.err" || fail "missing diagnostic: $base:$want"
    done < "$out.expect"
    got=$(grep -c ': warning: ' "$out.err")
    [ "$got" -eq "$n" ] || fail "$got warnings printed, $n expected"
    echo "ok: $base ($n warnings)"
    exit 0
fi
[ $rc -eq 1 ] || fail "swlc exited $rc, expected 1"
n=0
grep -- '-- expect: ' "$file" | sed 's/^.*-- expect: //' > "$out.expect"
while IFS= read -r want; do
    n=$((n + 1))
    grep -qF -- "$base:$want" "$out.err" || fail "missing diagnostic: $base:$want"
done < "$out.expect"
[ $n -gt 0 ] || fail "no '-- expect:' line in the test"
echo "ok: $base ($n diagnostics)"
