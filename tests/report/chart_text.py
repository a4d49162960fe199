#!/usr/bin/python3
"""The chart's text alternative is the model's, one text for every output
(issue 13): `actionplan report` on the sample data writes the PDF and the HTML
page; the PDF's Figure /Alt (pikepdf) and the HTML's chart text (html.parser)
must say the same sentences in the same order, and every figure a sentence
names ("12 in 2016/17 Q3") must be the one the HTML's trend table shows for
that period and series. Run with Debian's /usr/bin/python3 (python3-pikepdf).

usage: chart_text.py BINARY SOURCE_DIR WORK_DIR
"""
import html.parser
import os
import re
import shutil
import subprocess
import sys

import pikepdf
from pikepdf import Array, Dictionary, Name

binary, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
env = dict(os.environ, SOURCE_DATE_EPOCH="1491004800")
failures = passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what)


def run(*args):
    r = subprocess.run([binary, *args], capture_output=True, text=True, env=env, cwd=work)
    if r.returncode != 0:
        sys.exit(f"actionplan {' '.join(args)} failed ({r.returncode}): {r.stderr}")


run("init", "--db", "s.db")
run("import", "--db", "s.db", os.path.join(src, "sample-data"))
run("report", "--db", "s.db", "--quarter", "2016/17-Q4", "--pdf", "r.pdf", "--html", "r.html")


class Page(html.parser.HTMLParser):
    """The chart text's paragraphs and items, and every table as rows of cells."""

    def __init__(self):
        super().__init__()
        self.depth_chart = 0  # > 0 inside div.chart-text
        self.parts, self.tables = [], []
        self.cur = None  # text being gathered (a chart part or a cell)
        self.row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "chart-text" in (a.get("class") or "").split():
            self.depth_chart = 1
        elif tag == "div" and self.depth_chart:
            self.depth_chart += 1
        if self.depth_chart and tag in ("p", "li"):
            self.cur = []
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.row = []
            self.tables[-1].append(self.row)
        if tag in ("th", "td") and self.row is not None:
            self.cur = []

    def handle_endtag(self, tag):
        if self.depth_chart and tag in ("p", "li") and self.cur is not None:
            self.parts.append(" ".join("".join(self.cur).split()))
            self.cur = None
        if tag == "div" and self.depth_chart:
            self.depth_chart -= 1
        if tag in ("th", "td") and self.row is not None and self.cur is not None:
            self.row.append(" ".join("".join(self.cur).split()))
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)


page = Page()
with open(os.path.join(work, "r.html"), encoding="utf-8") as f:
    page.feed(f.read())

# The PDF's chart: its one Figure's /Alt.
figures = []


def walk(e):
    if isinstance(e, Dictionary) and e.get("/S") == Name("/Figure"):
        figures.append(e)
    k = e.get("/K") if isinstance(e, Dictionary) else None
    for kid in (list(k) if isinstance(k, Array) else [k] if k is not None else []):
        if isinstance(kid, Dictionary) and kid.get("/Type") not in (Name.MCR, Name.OBJR):
            walk(kid)


with pikepdf.open(os.path.join(work, "r.pdf")) as pdf:
    walk(pdf.Root.StructTreeRoot)
    check(len(figures) == 1, "one Figure in the PDF, found %d" % len(figures))
    alt = " ".join(str(figures[0].get("/Alt", "")).split()) if figures else ""

parts = page.parts
check(len(parts) >= 3, "the HTML chart text has an intro, series and a reference: %r" % parts)
intro, series, ref = parts[0], parts[1:-1], parts[-1]
check(intro.startswith("A line chart with "), "the intro says what the chart is: %r" % intro)
m = re.fullmatch(r"Every figure is in (.+), which follows\.", ref)
check(m is not None, "the HTML says where every figure is: %r" % ref)
table_title = m.group(1) if m else ""
want = " ".join([intro] + series + ["Every figure is in %s." % table_title])
check(alt == want, "the PDF's /Alt is the HTML's chart text:\n  PDF:  %r\n  HTML: %r" % (alt, want))

# Each figure named is the trend table's: find the table whose first column
# holds the chart's periods and whose headings name the series.
names = [s.split(": ", 1)[0] for s in series]
trend = None
for t in page.tables:
    if t and all(n in t[0] for n in names):
        trend = t
check(trend is not None, "a table with a column for each series %r" % names)
named = 0
for s in series if trend else []:
    name, text = s.split(": ", 1)
    col = trend[0].index(name)
    rows = {r[0]: r for r in trend[1:] if r}
    for value, period in re.findall(r"(\S+) in (\d{4}/\d\d Q\d)", text):
        named += 1
        row = rows.get(period)
        check(row is not None and row[col] == value,
              "%s: %s in %s, the table shows %r" % (name, value, period, row and row[col]))
    for period, marker in re.findall(r"(\d{4}/\d\d Q\d) (\[[a-z]\])", text):
        named += 1
        check(rows.get(period) and rows[period][col].startswith(marker),
              "%s: no figure for %s %s, the table shows %r"
              % (name, period, marker, rows.get(period) and rows[period][col]))
check(named >= 2 * len(series), "the sentences name the figures (%d found)" % named)
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
