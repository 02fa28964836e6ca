# --prometheus-port: /metrics scraped twice during a real run and parsed as
# the text exposition format 0.0.4; 404 and 405 for other paths and
# methods; a port in use is refused with exit status 2 before the run.
. "$(dirname "$0")/lib.sh"

# parse.py FILE — checks the exposition and prints "transactions_total".
cat >parse.py <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith('\n'), 'no final newline'
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
sample = re.compile(r'^(%s)(\{(%s(,%s)*)?\})? (\S+)$' % (name_re, label_re, label_re))
helps, types, samples = {}, {}, {}
for line in text[:-1].split('\n'):
    if line.startswith('# HELP '):
        name, _, doc = line[7:].partition(' ')
        assert name not in helps and doc, line
        helps[name] = doc
    elif line.startswith('# TYPE '):
        name, _, kind = line[7:].partition(' ')
        assert kind in ('counter', 'gauge', 'summary', 'histogram', 'untyped'), line
        assert name not in types and name in helps, line
        types[name] = kind
    else:
        assert not line.startswith('#'), line
        m = sample.match(line)
        assert m, 'not a sample: %r' % line
        name, value = m.group(1), float(m.group(5))
        family = name
        if name not in types:
            base = re.sub(r'_(sum|count|bucket)$', '', name)
            assert types.get(base) in ('summary', 'histogram'), 'no TYPE for %s' % name
            family = base
        assert family in helps, 'no HELP for %s' % name
        if types[family] == 'counter':
            assert name.endswith('_total') and value >= 0, line
        samples[name + (m.group(2) or '')] = value
want = ['stormdb_up', 'stormdb_elapsed_seconds', 'stormdb_workers', 'stormdb_transactions_total',
        'stormdb_failures_total', 'stormdb_tps', 'stormdb_latency_seconds_max',
        'stormdb_latency_seconds_sum', 'stormdb_latency_seconds_count']
want += ['stormdb_latency_seconds{quantile="%s"}' % q for q in ('0.5', '0.9', '0.99', '0.999')]
for k in want:
    assert k in samples, 'missing ' + k
assert samples['stormdb_up'] == 1 and samples['stormdb_workers'] == 3
assert [k for k in samples if k.startswith('stormdb_info{')] == \
    ['stormdb_info{workload="simple",type="simple_mixed",version="%s"}' % sys.argv[2]], samples
assert samples['stormdb_latency_seconds_count'] == samples['stormdb_transactions_total']
# the histogram: cumulative buckets, +Inf = count = completions
assert types['stormdb_latency_histogram_seconds'] == 'histogram'
buckets = [(float(k.split('le="')[1].rstrip('"}')), v) for k, v in samples.items()
           if k.startswith('stormdb_latency_histogram_seconds_bucket{')]
buckets.sort()
assert len(buckets) == 17 and buckets[-1][0] == float('inf'), buckets
assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
assert buckets[-1][1] == samples['stormdb_latency_histogram_seconds_count'] == \
    samples['stormdb_transactions_total'], buckets
assert buckets[-2][1] > 0, 'transactions under 10 s'
print(int(samples['stormdb_transactions_total']))
EOF

$BIN/stormdb-simple --setup --duration 1s --no-summary >/dev/null
version=$($BIN/stormdb-simple --version | awk '{ print $2 }')
STORMDB_DB_PASSWORD=sekrit-never-shown $BIN/stormdb-simple --duration 5s --workers 3 --no-summary \
    --prometheus-port 0 >out.txt 2>&1 &
pid=$!
port=
for _ in $(seq 50); do
    port=$(sed -n 's|^Prometheus metrics at http://localhost:\([0-9][0-9]*\)/metrics$|\1|p' out.txt)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat out.txt; fail "no 'Prometheus metrics at' line"; }
url=http://localhost:$port
sleep 1.6
curl -sS -D h1.txt -o m1.txt "$url/metrics" || fail "first scrape"
sleep 2
curl -sS -o m2.txt "$url/metrics" || fail "second scrape"
code404=$(curl -sS -o /dev/null -w '%{http_code}' "$url/nothing")
code405=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d x=1 "$url/metrics")
wait $pid || { cat out.txt; fail "run with --prometheus-port"; }

grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' h1.txt || { cat h1.txt; fail "Content-Type"; }
t1=$(python3 parse.py m1.txt "$version") || { cat m1.txt; fail "first scrape does not parse"; }
t2=$(python3 parse.py m2.txt "$version") || { cat m2.txt; fail "second scrape does not parse"; }
echo "transactions_total: $t1, then $t2"
assert_gt "$t1" 0 "transactions_total at the first scrape"
assert_gt "$t2" "$t1" "transactions_total between the scrapes"
assert_eq "$code404" 404 "status for another path"
assert_eq "$code405" 405 "status for another method"
grep -q sekrit m1.txt m2.txt && fail "a secret in the metrics"
# the server is gone after the run
curl -s -o /dev/null "$url/metrics" && fail "still serving after the run"

# a port in use: a clear message, exit 2, no run
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("0.0.0.0", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
time.sleep(30)' >busy.txt &
holder=$!
for _ in $(seq 50); do [ -s busy.txt ] && break; sleep 0.1; done
busy=$(cat busy.txt)
[ -n "$busy" ] || fail "no port held"
expect_status 2 $BIN/stormdb-simple --duration 2s --no-summary --prometheus-port "$busy" \
    >out.txt 2>err.txt
kill $holder
assert_contains err.txt "port $busy is in use: pick another with --prometheus-port"
grep -q "^running" out.txt && fail "the run started despite the port in use"
echo "ok"
