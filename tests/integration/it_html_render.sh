# The --html report of a real run, opened in headless Chromium, renders its
# charts: the DOM Chromium built holds the four SVG charts with their lines
# (and failure bars, for a run that fails on purpose), and a 1200x2000
# screenshot shows the series drawn in their colours over the height of the
# four charts.  A copy of the report with its lines and bars removed must
# fail both checks, so the checks can fail.
. "$(dirname "$0")/lib.sh"

CHECK="python3 $SDB_SOURCE/tests/integration/html_render_check.py"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (Debian package chromium; .ci/deps installs it)"

# Chromium writes a profile, caches and crash reports under HOME and the XDG
# directories: keep them all in the work directory.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
    XDG_DATA_HOME="$WORK/home/.local/share" XDG_RUNTIME_DIR="$WORK/home/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# run_chromium OUT_OPTION FILE.html: one headless Chromium pass over a local file.
# --no-sandbox: the sandbox wants user namespaces that containers (and root)
# lack, and it guards against hostile pages, not our own report.  Chromium
# is noisy on stderr (D-Bus, GPU): that goes to a file, shown only when it
# fails.  The output option decides what it writes (--dump-dom to stdout).
run_chromium() {
    set +e
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --hide-scrollbars --user-data-dir="$WORK/home/profile" \
        --window-size=1200,2000 "$1" "file://$WORK/$2" 2>chromium.err
    rc=$?
    set -e
    [ "$rc" = 0 ] || { tail -20 chromium.err >&2; fail "chromium $1 $2 exited $rc (124: timed out)"; }
}

# render NAME: NAME.html into NAME.dom (the DOM after loading) and NAME.png
render() {
    run_chromium --dump-dom "$1.html" >"$1.dom"
    run_chromium --screenshot="$WORK/$1.png" "$1.html" >/dev/null
    [ -s "$1.dom" ] || fail "chromium dumped no DOM of $1.html"
    [ -s "$1.png" ] || fail "chromium wrote no screenshot of $1.html"
}

# --- a clean run ----------------------------------------------------------
$BIN/stormdb-simple --setup --workers 2 --duration 3s --no-summary --html clean.html \
    >out.txt 2>&1 || { cat out.txt; fail "simple run"; }
render clean
$CHECK dom clean.dom || fail "the rendered DOM of clean.html"
$CHECK png clean.png 1200 2000 || fail "the screenshot of clean.html"

# --- a run that fails one transaction in three: failure bars ---------------
cat >fails.swl <<'SWL'
workload fails {
    description "fails one transaction in three";
}
statement divide: SELECT 100 / $1::int;
transaction t {
    divide(uniform(0, 2));
}
mix fails_mix { t: 1; }
SWL
$BIN/swlc --build fails.swl -o stormdb-fails 2>err.txt || { cat err.txt; fail "swlc --build"; }
./stormdb-fails --workers 2 --duration 3s --no-summary --html fails.html >out.txt 2>&1 \
    || { cat out.txt; fail "failing run"; }
render fails
$CHECK dom fails.dom --failures || fail "the rendered DOM of fails.html"
$CHECK png fails.png 1200 2000 || fail "the screenshot of fails.html"

# --- the checks catch charts that are not drawn ---------------------------
sed -e 's/<polyline [^>]*>//g' -e 's/<rect [^>]*>//g' clean.html >blank.html
render blank
expect_status 1 $CHECK dom blank.dom >blank-dom.txt
expect_status 1 $CHECK png blank.png 1200 2000 >blank-png.txt
assert_contains blank-png.txt "FAIL"
echo "ok"
