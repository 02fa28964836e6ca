# --progressive: six short bands of the simple workload from a config
# file; the JSON has every band's results, the fits with R², the USL's
# parameters and a recommendation; the CSV has the bands; the HTML page,
# rendered by headless Chromium, draws the measured points and the fitted
# curves; a bad range is an error before any band runs.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --no-run >/dev/null 2>&1
cat >p.yaml <<'YAML'
workers: 6
progressive:
  enabled: true
  strategy: linear
  min_workers: 1
  max_workers: 6
  bands: 6
  warmup_duration: 1s
  test_duration: 3s
  cooldown_duration: 0s
  latency_budget: 50ms
  export_csv: bands.csv
YAML
$BIN/stormdb-simple -c p.yaml --json p.json --html p.html >out.txt 2>&1 || { cat out.txt; fail "progressive run"; }
assert_contains out.txt "Progressive scaling: simple"
assert_contains out.txt "recommendation:"
python3 - p.json <<'PY' || fail "the progressive JSON"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["progressive"]
bands = p["bands"]
assert [b["workers"] for b in bands] == [1, 2, 3, 4, 5, 6], bands
for b in bands:
    assert b["measured"] and b["transactions"] > 0 and b["tps"] > 0, b
    assert 2.5 <= b["measured_s"] <= 3.5, b          # the warmup is not measured
    assert b["p99_ms"] >= b["p50_ms"] > 0, b
    assert b["tps_ci95"] is not None and b["tps_ci95"] >= 0, b
a = p["analysis"]
assert a["enough_data"], a["status"]
fits = {f["model"]: f for f in a["fits"]}
assert set(fits) == {"linear", "log", "exp_saturation", "logistic", "usl"}, fits.keys()
for f in fits.values():
    assert f["status"] != "ok" or 0 <= f["r2"] <= 1, f
usl = fits["usl"]
assert usl["status"] == "ok", usl
assert set(usl["params"]) >= {"lambda", "sigma", "kappa"}, usl["params"]
assert a["best_fit"] in fits, a["best_fit"]
rec = a["recommendation"]
assert rec and rec["n"] in [1, 2, 3, 4, 5, 6] and rec["text"], rec
assert d["run"]["config"]["database"]["password"] in (None, "********")
PY
assert_eq "$(wc -l < bands.csv)" 7 "CSV: a header and six bands"
head -1 bands.csv | grep -q '^band,workers,connections,measured_s,transactions,' || fail "CSV header"

mkdir -p chrome
HOME=$WORK/chrome timeout 60 chromium --headless --no-sandbox --disable-gpu \
    --user-data-dir="$WORK/chrome/profile" --dump-dom "file://$WORK/p.html" >dom.html 2>chrome.log \
    || { cat chrome.log; fail "chromium"; }
python3 - dom.html <<'PY' || fail "the rendered scaling chart"
import re, sys
dom = open(sys.argv[1]).read()
assert 'aria-label="Throughput against concurrency"' in dom
chart = dom.split('aria-label="Throughput against concurrency"')[1].split("</svg>")[0]
assert len(re.findall(r'<circle class="point"', chart)) == 6, "six measured points"
fits = re.findall(r'<polyline class="fit"[^>]*points="([^"]+)"', chart)
assert fits, "a fitted curve"
assert all(len(f.split()) > 50 for f in fits), "fitted curves drawn over the range"
PY

# the server's side of each band with --collect-pg-stats
printf 'progressive:\n  strategy: exponential\n  min_workers: 1\n  max_workers: 4\n  warmup_duration: 1s\n  test_duration: 2s\n  cooldown_duration: 0s\n' >s.yaml
$BIN/stormdb-simple -c s.yaml --progressive --collect-pg-stats --json s.json >out.txt 2>&1 \
    || { cat out.txt; fail "progressive run with --collect-pg-stats"; }
python3 - s.json <<'PY' || fail "server statistics per band"
import json, sys
bands = json.load(open(sys.argv[1]))["progressive"]["bands"]
assert [b["workers"] for b in bands] == [1, 2, 4], bands
for b in bands:
    assert b["pg_stats"]["run"]["xact_commit"] >= b["transactions"] * 0.9, b["pg_stats"]["run"]
PY

printf 'progressive:\n  enabled: true\n  min_workers: 8\n  max_workers: 4\n' >bad.yaml
expect_status 2 $BIN/stormdb-simple -c bad.yaml 2>err.txt
assert_contains err.txt "progressive.min_workers (8) is greater than max_workers (4)"
echo "ok"
