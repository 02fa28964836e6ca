#!/usr/bin/env python3
"""html_render_check.py — checks what headless Chromium rendered of a
stormdb --html report (tests/integration/it_html_render.sh).

  html_render_check.py dom DOM_FILE [--failures]
      DOM_FILE is `chromium --dump-dom` of the report.  Checks the four SVG
      charts (throughput, latency percentiles, failed transactions, the
      percentile spectrum) are there, in that order, each with its series:
      polylines with at least two points, every point inside the chart, a
      throughput line above zero somewhere, a spectrum that never goes down;
      with --failures, at least one failure bar of non-zero height.

  html_render_check.py png PNG_FILE WIDTH HEIGHT
      PNG_FILE is `chromium --screenshot`.  Decodes it (zlib and struct
      only), checks its size, and counts the pixels in the charts' series
      colours (the page is otherwise black, grey and white): blue, red and
      green lines must all be drawn, spread over the height of four charts,
      and the region they span must hold enough non-white pixels.

Prints what it found; exit status 0 when it all holds, 1 when not, 2 on a
file that cannot be read or decoded.
"""
import struct
import sys
import zlib
from html.parser import HTMLParser

CHART_TITLES = ["Throughput over time", "Latency percentiles over time",
                "Failed transactions over time", "Latency by percentile"]
# the series colours of runtime/src/html.c's palette that the charts use
SERIES = {"blue": (0x1f, 0x77, 0xb4), "red": (0xd6, 0x27, 0x28), "green": (0x2c, 0xa0, 0x2c)}

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


# ---- the DOM ----------------------------------------------------------------

class Charts(HTMLParser):
    """Collects each <svg class="chart"> with its viewBox, polylines and rects."""

    def __init__(self):
        super().__init__()
        self.charts = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "chart" in (a.get("class") or "").split():
            box = [float(v) for v in (a.get("viewbox") or "0 0 0 0").split()]
            self.current = {"title": a.get("aria-label") or "", "box": box,
                            "polylines": [], "rects": [], "axis_y": None}
            self.charts.append(self.current)
        elif self.current is not None and tag == "polyline":
            pts = []
            for pair in (a.get("points") or "").split():
                x, y = pair.split(",")
                pts.append((float(x), float(y)))
            self.current["polylines"].append(pts)
        elif self.current is not None and tag == "line" and a.get("class") == "axisline":
            self.current["axis_y"] = float(a.get("y1") or 0)
        elif self.current is not None and tag == "rect":
            self.current["rects"].append({k: a.get(k) for k in ("x", "y", "width", "height")})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.current = None


def check_dom(path, want_failures):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    p = Charts()
    p.feed(text)
    charts = p.charts
    check(len(charts) == 4, f"{len(charts)} svg charts (want 4)")
    for i, title in enumerate(CHART_TITLES):
        got = charts[i]["title"] if i < len(charts) else "(none)"
        check(got.startswith(title), f"chart {i + 1} is '{got[:40]}' (want '{title}')")
    if len(charts) != 4:
        return
    for c in charts:
        _, _, w, h = c["box"]
        for pts in c["polylines"]:
            inside = all(0 <= x <= w and 0 <= y <= h for x, y in pts)
            check(len(pts) >= 2 and inside,
                  f"'{c['title'][:30]}': a line of {len(pts)} points inside its {w:g}x{h:g} chart")
    tps, lat, failed, spectrum = charts
    check(len(tps["polylines"]) == 1, f"throughput: {len(tps['polylines'])} line (want 1)")
    check(len(lat["polylines"]) == 3, f"latency over time: {len(lat['polylines'])} lines (want 3)")
    check(len(spectrum["polylines"]) == 1,
          f"spectrum: {len(spectrum['polylines'])} line (want 1)")
    if tps["polylines"]:
        ys = [y for _, y in tps["polylines"][0]]
        axis = tps["axis_y"] if tps["axis_y"] is not None else 0.0
        # y grows downwards: a point above the x axis is a non-zero tps
        check(min(ys) < axis - 1, f"throughput line reaches y={min(ys):g} (x axis at y={axis:g})")
    if spectrum["polylines"]:
        ys = [y for _, y in spectrum["polylines"][0]]
        check(all(b <= a + 0.05 for a, b in zip(ys, ys[1:])) and ys[-1] < ys[0],
              "spectrum: latency rises with the percentile")
    bars = [r for r in failed["rects"] if float(r["y"] or 0) > 20]   # not the legend swatch
    tall = [r for r in bars if float(r["height"] or 0) > 0]
    if want_failures:
        check(len(tall) >= 1, f"failed transactions: {len(tall)} of {len(bars)} bars above zero")
    else:
        check(len(tall) == 0, f"failed transactions: {len(tall)} bars above zero (want none)")


# ---- the screenshot ---------------------------------------------------------

def png_decode(path):
    """Returns (width, height, channels, rows): rows a list of bytes, one per
    scan line, unfiltered.  8-bit RGB or RGBA, not interlaced."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if ihdr is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, color, _, _, interlace = ihdr
    if depth != 8 or color not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {color}, "
                         f"interlace {interlace}")
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for r in range(height):
        start = r * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ftype == 2:
            line = bytearray((a + b) & 0xff for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        elif ftype != 0:
            raise ValueError(f"bad filter type {ftype} on row {r}")
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def nearest_series(r, g, b):
    """The series colour a saturated pixel is closest to, or None for the
    greys of text, axes and grid (and for white)."""
    if max(r, g, b) - min(r, g, b) < 60:
        return None
    best, dist = None, 1 << 30
    for name, (sr, sg, sb) in SERIES.items():
        d = (r - sr) ** 2 + (g - sg) ** 2 + (b - sb) ** 2
        if d < dist:
            best, dist = name, d
    return best if dist < 70 ** 2 else None


def check_png(path, want_w, want_h):
    width, height, bpp, rows = png_decode(path)
    check((width, height) == (want_w, want_h), f"screenshot {width}x{height} (want {want_w}x{want_h})")
    counts = {name: 0 for name in SERIES}
    top, bottom, left, right = height, -1, width, -1
    for y, line in enumerate(rows):
        for x in range(width):
            i = x * bpp
            name = nearest_series(line[i], line[i + 1], line[i + 2])
            if name:
                counts[name] += 1
                top, bottom = min(top, y), max(bottom, y)
                left, right = min(left, x), max(right, x)
    print("series pixels: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    # each legend swatch is 10x10 = 100 pixels: the lines must add clearly more
    check(counts["blue"] >= 1500, f"{counts['blue']} blue pixels (tps, p50, spectrum lines; want >= 1500)")
    check(counts["red"] >= 300, f"{counts['red']} red pixels (p90 line; want >= 300)")
    check(counts["green"] >= 300, f"{counts['green']} green pixels (p99 line; want >= 300)")
    if bottom < 0:
        check(False, "no chart drawn at all")
        return
    check(bottom - top >= 700, f"charts span rows {top}..{bottom} (four charts: want >= 700 rows)")
    check(right - left >= 300, f"charts span columns {left}..{right} (want >= 300)")
    inked = 0
    for line in rows[top:bottom + 1]:
        for x in range(left, right + 1):
            i = x * bpp
            if min(line[i], line[i + 1], line[i + 2]) < 200:
                inked += 1
    area = (bottom - top + 1) * (right - left + 1)
    check(inked >= area // 100,
          f"{inked} non-white pixels in the chart region of {area} (want >= 1%)")


def main(argv):
    try:
        if len(argv) >= 3 and argv[1] == "dom":
            check_dom(argv[2], "--failures" in argv[3:])
        elif len(argv) == 5 and argv[1] == "png":
            check_png(argv[2], int(argv[3]), int(argv[4]))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print(f"html_render_check: {argv[2]}: {e}", file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
