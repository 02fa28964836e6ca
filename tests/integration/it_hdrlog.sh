# --hdr-log FILE: an HdrHistogram interval log of a real run, decoded here
# with an independent reader (base64, zlib, the V2 encoding): the header,
# one line per interval of the JSON time series, every completed
# transaction counted once, the max as the JSON's; a run stopped by SIGINT
# still leaves a complete log and no temporary file.
. "$(dirname "$0")/lib.sh"

# decode.py LOG — prints "intervals total max_ms hist_max_ms" after checking
# the log's structure; exits 1 with a message when it is malformed.
cat >decode.py <<'EOF'
import base64, struct, sys, zlib

def zigzag(buf, pos):
    u, shift = 0, 0
    for k in range(9):
        b = buf[pos]; pos += 1
        if k == 8:
            u |= b << 56
            break
        u |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            break
    return (u >> 1) ^ -(u & 1), pos

def lowest_value(i):   # HdrHistogram's layout: lowest 1, 2 digits (sub-buckets of 256)
    bucket, sub = (i >> 7) - 1, (i & 127) + 128
    if bucket < 0:
        bucket, sub = 0, sub - 128
    return sub << bucket, 1 << bucket

def decode(text):
    raw = base64.b64decode(text, validate=True)
    cookie, zlen = struct.unpack('>ii', raw[:8])
    assert cookie == 0x1c849314, hex(cookie)
    assert zlen == len(raw) - 8
    enc = zlib.decompress(raw[8:])
    cookie, plen, norm, digits, lowest, highest, ratio = struct.unpack('>iiiiqqd', enc[:40])
    assert cookie == 0x1c849313, hex(cookie)
    assert (plen, norm, digits, lowest, highest, ratio) == (len(enc) - 40, 0, 2, 1, 3600000000000, 1.0)
    counts, pos, idx = {}, 40, 0
    while pos < len(enc):
        v, pos = zigzag(enc, pos)
        if v < 0:
            idx += -v
        else:
            counts[idx] = v
            idx += 1
    assert idx <= 4608
    return counts

lines = open(sys.argv[1]).read().split('\n')
assert lines[-1] == '', 'no final newline'
lines = lines[:-1]
assert lines[0] == '#[Histogram log format version 1.3]', lines[0]
assert lines[1].startswith('#[StartTime: ') and '(seconds since epoch), ' in lines[1], lines[1]
assert lines[2].startswith('#[BaseTime: '), lines[2]
assert lines[3] == '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'
total, max_ms, hist_max_ns, expect_start = 0, 0.0, 0, 0.0
for line in lines[4:]:
    start, length, imax, text = line.split(',')
    start, length, imax = float(start), float(length), float(imax)
    assert abs(start - expect_start) < 0.0015, (start, expect_start)
    assert 0 < length <= 1.0005, length
    expect_start = start + length
    counts = decode(text)
    total += sum(counts.values())
    max_ms = max(max_ms, imax)
    if counts:
        low, width = lowest_value(max(i for i, c in counts.items() if c > 0))
        hist_max_ns = max(hist_max_ns, low + width - 1)
        assert low <= imax * 1e6 + 1 and imax * 1e6 <= low + width, (imax, low, width)
print(len(lines) - 4, total, max_ms, hist_max_ns / 1e6)
EOF

$BIN/stormdb-simple --setup --duration 1s --no-summary >/dev/null
# 4 s: the transactions that end in the drain after the last second are
# in the last interval, so the log holds every transaction of the report
$BIN/stormdb-simple --duration 4s --workers 2 --no-summary --hdr-log run.hlog \
    --json run.json >out.txt 2>&1 || { cat out.txt; fail "run with --hdr-log"; }
assert_contains out.txt "HdrHistogram log written to run.hlog"
[ -e run.hlog.tmp ] && fail "temporary log left behind"
decoded=$(python3 decode.py run.hlog) || fail "the log does not decode"
set -- $decoded
intervals=$1 total=$2 max_ms=$3 hist_max_ms=$4
echo "intervals $intervals, total $total, max $max_ms ms (histogram $hist_max_ms ms)"
rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["time_series"]["rows"]))' run.json)
assert_eq "$intervals" "$rows" "one line per interval of the time series"
assert_eq "$intervals" 4 "intervals of a 4 s run"
assert_gt "$total" 0 "transactions in the log"
assert_eq "$total" "$($JGET run.json performance.successful)" "transactions in the log"
json_max=$($JGET run.json latency.max_ms)
awk -v a="$max_ms" -v b="$json_max" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * 0.01) }' ||
    fail "max $max_ms ms is not within 1% of the JSON's $json_max ms"
awk -v a="$hist_max_ms" -v b="$json_max" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * 0.01) }' ||
    fail "histogram max $hist_max_ms ms is not within 1% of the JSON's $json_max ms"

# stopped by SIGINT: still a complete log
$BIN/stormdb-simple --duration 60s --workers 2 --no-summary --hdr-log int.hlog >out.txt 2>&1 &
pid=$!
sleep 3
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
assert_eq "$rc" 130 "exit status after SIGINT"
[ -e int.hlog.tmp ] && fail "temporary log left behind after SIGINT"
decoded=$(python3 decode.py int.hlog) || fail "the log of an interrupted run does not decode"
set -- $decoded
assert_gt "$1" 1 "intervals logged before SIGINT"
assert_gt "$2" 0 "transactions logged before SIGINT"

# a log that cannot be created fails before the run
expect_status 2 $BIN/stormdb-simple --duration 1s --no-summary --hdr-log no/such/dir/x.hlog \
    >out.txt 2>err.txt
assert_contains err.txt "cannot create no/such/dir/x.hlog.tmp"
grep -q "running" out.txt && fail "the run started despite an unwritable --hdr-log"
echo "ok"
