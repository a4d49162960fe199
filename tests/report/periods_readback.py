#!/usr/bin/python3
"""Periods that are not quarters (issue 13, item 4), read back from real reports.

`actionplan report` on the worked fixture (tests/fixtures/report) for the
financial year 2016/17, the 9-month range 1 July 2016 to 31 March 2017 and the
month March 2017; the workbook read with openpyxl (Debian's python3-openpyxl,
hence /usr/bin/python3), the PDF with pdftotext, the HTML page as text, the text
model and `metrics --format json`. Every figure is compared with the value
worked out by hand in tests/fixtures/report/EXPECTED.md; the words must name
the kind of period (never "quarter"), and the trend's rows must not overlap.

usage: periods_readback.py BINARY SOURCE_DIR WORK_DIR
"""
import decimal
import html
import json
import os
import re
import shutil
import subprocess
import sys

import openpyxl

binary, src, work = sys.argv[1:4]
fix = os.path.join(src, "tests", "fixtures", "report")
cfg = os.path.join(fix, "actionplan.ini")
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
    r = subprocess.run([binary, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"actionplan {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


db = os.path.join(work, "t.db")
run("init", "--db", db)
run("import", "--db", db, os.path.join(fix, "data"))

PERIODS = {
    "year": ["--year", "2016/17"],
    "range": ["--from", "2016-07-01", "--to", "2017-03-31"],
    "month": ["--month", "2017-03"],
}
out = {}  # (period, template) -> {"pdf": lines, "book": workbook, "html": text, "text": model}
for period, opts in PERIODS.items():
    for t in ("board", "cabinet"):
        base = os.path.join(work, f"{period}-{t}")
        run("report", "--db", db, "--config", cfg, "--template", t, *opts, "--pdf", base + ".pdf",
            "--xlsx", base + ".xlsx", "--html", base + ".html", "--text", base + ".txt")
        pdf = subprocess.run(["pdftotext", "-layout", base + ".pdf", "-"], capture_output=True,
                             text=True, check=True).stdout
        with open(base + ".html", encoding="utf-8") as f:
            page = html.unescape(re.sub(r"<[^>]+>", " ", f.read()))
        with open(base + ".txt", encoding="utf-8") as f:
            model = f.read()
        out[period, t] = {"pdf": pdf, "lines": pdf.splitlines(), "book":
                          openpyxl.load_workbook(base + ".xlsx"), "html": " ".join(page.split()),
                          "text": model}


def shown(cell):
    """A cell as Excel shows it: its number through its number format."""
    v, fmt = cell.value, cell.number_format
    if not isinstance(v, (int, float)):
        return str(v)
    d = decimal.Decimal(repr(v))
    up = decimal.ROUND_HALF_UP
    if "%" in fmt:
        return str((d * 100).quantize(decimal.Decimal("0.1"), up)) + "%"
    if "0.0" in fmt:
        return str(d.quantize(decimal.Decimal("0.1"), up))
    s = str(int(d))
    return "+" + s if fmt.startswith("+") and d > 0 else s


def sheet_rows(key, sheet):
    """The first table of a sheet, header first: the rows from the one whose
    first cell is a table's first heading to the first empty row after it."""
    rows, started = [], False
    for row in out[key]["book"][sheet].iter_rows():
        vals = [shown(c) for c in row if c.value is not None]
        if not started:
            started = bool(vals) and vals[0] in ("Measure", "Year", "Period", "Month", "Quarter")
        elif not vals:
            break
        if started:
            rows.append(vals)
    return rows


def xlsx_row(key, sheet, label):
    for r in sheet_rows(key, sheet):
        if r[0] == label:
            return r[1:]
    return None


def pdf_has_row(key, label, values):
    """A line of the PDF's text starting with the label (or its first words, if
    the cell wraps) followed by the values in order."""
    start = " ".join(label.split()[:4])
    for line in out[key]["lines"]:
        s = line.strip()
        if s.startswith(start):
            it = iter(s[len(start):].split())
            if all(any(v == tok for tok in it) for v in values):
                return True
    return False


def words(key, what):
    return " ".join(out[key][what].split())


labels = {
    "children_supported": "Children supported since the team started",
    "active_cases": "Active cases",
    "children_closed": "Children whose support has ended",
    "children_protected": "Children protected or removed from abuse",
    "children_supported_in_period": "Children supported in the period",
    "new_cases": "New cases", "closed_cases": "Cases closed",
    "perpetrators_active": "Perpetrators currently identified",
    "perpetrators_identified_in_period": "Perpetrators identified in the period",
    "perpetrators_dealt_with": "Perpetrators dealt with by prosecution or disruption",
    "missing_episodes": "Missing episodes ended in the period",
    "return_interviews_offered_72h": "Return interviews offered within 72 hours",
    "return_interviews_completed": "Return interviews completed",
    "actions_complete": "Action plan items complete",
    "actions_overdue": "Action plan items overdue",
}

def text_headlines(key):
    """metric -> [value, change_prev, change_year] as the text model shows them."""
    heads, cur = {}, None
    for line in out[key]["text"].splitlines():
        m = re.match(r"headline \d+ (\w+)$", line)
        if m:
            cur = heads.setdefault(m.group(1), {})
            continue
        m = re.match(r'  (value|change_prev|change_year): (?:\S+ )*"([^"]*)"', line)
        if cur is not None and m:
            cur[m.group(1)] = m.group(2)
        elif not line.startswith("  "):
            cur = None
    return {k: [v.get("value"), v.get("change_prev"), v.get("change_year")]
            for k, v in heads.items()}


# --- The year 2016/17: one comparison, with 2015/16 (EXPECTED.md) ---------
year = {  # metric: (figure, change since 2015/16)
    "children_supported": ("20", "+12"), "active_cases": ("13", "+6"),
    "children_closed": ("7", "+6"), "children_protected": ("4", "+3"),
    "children_supported_in_period": ("19", "+11"), "new_cases": ("13", "+5"),
    "closed_cases": ("7", "+6"), "perpetrators_active": ("2", "0"),
    "perpetrators_identified_in_period": ("4", "+2"), "perpetrators_dealt_with": ("3", "+3"),
    "missing_episodes": ("11", "+11"), "return_interviews_offered_72h": ("9", "+9"),
    "return_interviews_completed": ("7", "+7"), "actions_complete": ("1", "+1"),
    "actions_overdue": ("1", "+1"),
}
k = ("year", "board")
head = sheet_rows(k, "summary")[0]
check(head == ["Measure", "Figure", "Change since 2015/16", "Direction of travel",
               "Rate per 10,000 children"], f"year summary headings {head}")
for metric, (fig, change) in year.items():
    row = xlsx_row(k, "summary", labels[metric])
    check(row is not None and row[:2] == [fig, change],
          f"year board workbook {metric}: {row}, expected {fig} {change}")
    check(pdf_has_row(k, labels[metric], [fig, change]),
          f"year board PDF: no row '{labels[metric]}' showing {fig} {change}")
heads = text_headlines(k)
for metric, (fig, change) in year.items():
    check(heads.get(metric) == [fig, change, ""],
          f"year board text model {metric}: {heads.get(metric)}, expected {fig} {change}")
check(xlsx_row(k, "summary", labels["children_supported_in_period"])[-1] == "4.8",
      "year rate 19 per 40,000 = 4.75 -> 4.8")
# the public report: 2015/16's active cases (7) hide, since 7 of 8 children
# leaves 1 whose support ended; so does the change
for metric, want in (("children_supported", ["20", "+12"]), ("active_cases", ["13", "[c]"]),
                     ("children_supported_in_period", ["19", "+11"]),
                     ("missing_episodes", ["11", "+11"]), ("perpetrators_dealt_with", ["3", "+3"])):
    row = xlsx_row(("year", "cabinet"), "summary", labels[metric])
    check(row is not None and row[:2] == want, f"year cabinet workbook {metric}: {row}, {want}")
    check(pdf_has_row(("year", "cabinet"), labels[metric], want), f"year cabinet PDF {metric}")
# the headline cards name 2015/16, and give no second comparison
for t in ("board", "cabinet"):
    check("Since 2015/16: +12" in words(("year", t), "pdf"), f"year {t} PDF card 'Since 2015/16'")
    check("Since 2015/16 +12" in out["year", t]["html"], f"year {t} HTML card 'Since 2015/16'")
    check("a year ago" not in out["year", t]["html"].lower(), f"year {t} HTML: no second change")
check("Since 2015/16: +12" in out["year", "board"]["text"] or
      'change_prev_label: "Since 2015/16"' in out["year", "board"]["text"], "year text labels")
check('period_kind: "year"' in out["year", "board"]["text"], "year text: period_kind")
check('change_year_label: ""' in out["year", "board"]["text"], "year text: one comparison")
check("2016/17 (1 April 2016 to 31 March 2017)" in out["year", "board"]["html"], "year label")
# perpetrators and missing tables: this year and 2015/16 only
row = xlsx_row(k, "missing", labels["missing_episodes"])
check(row == ["11", "0"], f"year missing table: {row}")
check(sheet_rows(k, "missing")[0] == ["Measure", "2016/17", "2015/16"],
      f"year missing headings {sheet_rows(k, 'missing')[0]}")
# the trend: years, no overlap; 13 + 8 new cases = the 21 cases opened by D
trend = sheet_rows(k, "trend")
check([r[0] for r in trend] == ["Year"] + [f"{y}/{(y + 1) % 100:02d}" for y in range(2009, 2017)],
      f"year trend rows {[r[0] for r in trend]}")
new_col = trend[0].index("New cases")
news = [r[new_col] for r in trend[1:]]
check(news[-2:] == ["8", "13"], f"year trend new cases {news}")
check(sum(int(v) for v in news if v.isdigit()) == 21, f"year trend: 21 cases once each {news}")
check("Key figures for the last eight years" in words(k, "pdf"), "year PDF trend title")

# --- The range 1 July 2016 to 31 March 2017: two comparisons ----------------
rng = {  # metric: (figure, since the 9 months before, since the same 9 months a year earlier)
    "children_supported": ("20", "+9", "+12"), "active_cases": ("13", "+4", "+6"),
    "children_closed": ("7", "+5", "+6"), "children_protected": ("4", "+2", "+3"),
    "children_supported_in_period": ("19", "+8", "+11"), "new_cases": ("10", "-1", "+2"),
    "closed_cases": ("6", "+4", "+5"), "perpetrators_active": ("2", "0", "0"),
    "perpetrators_identified_in_period": ("3", "0", "+1"),
    "perpetrators_dealt_with": ("3", "+2", "+3"), "missing_episodes": ("11", "+11", "+11"),
    "actions_complete": ("1", "+1", "+1"),
}
k = ("range", "board")
head = sheet_rows(k, "summary")[0]
check(head[:4] == ["Measure", "Figure", "Change since the 9 months before",
                   "Change since the same 9 months a year earlier"], f"range headings {head}")
for metric, (fig, prev, yr) in rng.items():
    row = xlsx_row(k, "summary", labels[metric])
    check(row is not None and row[:3] == [fig, prev, yr],
          f"range board workbook {metric}: {row}, expected {fig} {prev} {yr}")
    check(pdf_has_row(k, labels[metric], [fig, prev, yr]),
          f"range board PDF: no row '{labels[metric]}' showing {fig} {prev} {yr}")
heads = text_headlines(k)
for metric, want in rng.items():
    check(heads.get(metric) == list(want),
          f"range board text model {metric}: {heads.get(metric)}, expected {want}")
for t in ("board", "cabinet"):
    h = out["range", t]["html"]
    check("Since the 9 months before +9" in h, f"range {t} HTML card: the 9 months before")
    check("Since the same 9 months a year earlier +12" in h, f"range {t} HTML card: a year earlier")
    p = words(("range", t), "pdf")
    check("Since the 9 months before: +9" in p, f"range {t} PDF card: the 9 months before")
    check("Key figures for the last eight periods of 9 months" in p, f"range {t} PDF trend title")
    check("since the 9 months before and since the same 9 months a year earlier" in p,
          f"range {t} PDF narrative names both windows")
row = xlsx_row(("range", "cabinet"), "summary", labels["children_supported"])
check(row is not None and row[:3] == ["20", "+9", "+12"], f"range cabinet children_supported {row}")
check(sheet_rows(k, "perpetrators")[0] == ["Measure", "1 July 2016 to 31 March 2017",
                                          "1 October 2015 to 30 June 2016",
                                          "1 July 2015 to 31 March 2016"],
      f"range perpetrators headings {sheet_rows(k, 'perpetrators')[0]}")
check(xlsx_row(k, "perpetrators", labels["perpetrators_dealt_with"]) == ["3", "1", "0"],
      "range perpetrators dealt with 3, 1, 0")
# the trend: eight 9-month windows, each ending the day before the next starts
windows = ["1 April 2011 to 31 December 2011", "1 January 2012 to 30 September 2012",
           "1 October 2012 to 30 June 2013", "1 July 2013 to 31 March 2014",
           "1 April 2014 to 31 December 2014", "1 January 2015 to 30 September 2015",
           "1 October 2015 to 30 June 2016", "1 July 2016 to 31 March 2017"]
trend = sheet_rows(k, "trend")
check([r[0] for r in trend] == ["Period"] + windows, f"range trend rows {[r[0] for r in trend]}")
new_col = trend[0].index("New cases")
news = [r[new_col] for r in trend[1:]]
check(news[-3:] == ["[z]", "11", "10"], f"range trend new cases {news}")
check(sum(int(v) for v in news if v.isdigit()) == 21, f"range trend: 21 cases once each {news}")

# --- The month March 2017 -------------------------------------------------
k = ("month", "board")
for metric, want in (("new_cases", ["2", "+1", "+1"]), ("closed_cases", ["2", "+1", "+1"]),
                     ("missing_episodes", ["3", "+1", "+3"])):
    row = xlsx_row(k, "summary", labels[metric])
    check(row is not None and row[:3] == want, f"month {metric}: {row}, expected {want}")
head = sheet_rows(k, "summary")[0]
check(head[2:4] == ["Change since the previous month", "Change since the same month last year"],
      f"month headings {head}")
check("Since last month: +1" in words(k, "pdf"), "month PDF card 'Since last month'")
check("Key figures for the last eight months" in words(k, "pdf"), "month trend title")
check([r[0] for r in sheet_rows(k, "trend")][-2:] == ["February 2017", "March 2017"],
      "month trend rows")
# a --from/--to range that is exactly a month is worded as the month
same = os.path.join(work, "month-range.txt")
run("report", "--db", db, "--config", cfg, "--template", "board", "--from", "2017-03-01", "--to",
    "2017-03-31", "--text", same)
with open(same, encoding="utf-8") as f:
    check(f.read() == out[k]["text"], "--from 2017-03-01 --to 2017-03-31 is the month March 2017")

# --- No report but a quarter's says "quarter" -------------------------------
for key, o in out.items():
    book_text = " ".join(str(c.value) for ws in o["book"].worksheets for row in ws.iter_rows()
                         for c in row if isinstance(c.value, str))
    for what, text in (("PDF", o["pdf"]), ("HTML", o["html"]), ("workbook", book_text),
                       ("text", o["text"])):
        hits = re.findall(r"[^.]*\bquarters?\b[^.]*", text, re.I)
        check(not hits, f"{key} {what} says 'quarter': {hits[:2]}")

# --- metrics: the year's raw figures, worked by hand --------------------------
m = json.loads(run("metrics", "--db", db, "--config", cfg, "--year", "2016/17", "--format",
                   "json"))
for name, want in (("period_start", "2016-04-01"), ("period_end", "2017-03-31"),
                   ("children_supported_in_period", 19), ("new_cases", 13), ("closed_cases", 7),
                   ("missing_episodes", 11), ("return_interviews_offered_72h", 9),
                   ("return_interviews_completed", 7), ("perpetrators_identified_in_period", 4)):
    check(m.get(name) == want, f"metrics --year 2016/17 {name}: {m.get(name)}, expected {want}")
check(sum(m["perpetrator_actions"].values()) == 6, "metrics --year: 6 perpetrator actions")
check(m["closure_reasons"].get("removed_from_abuse") == 2, "year: K002 and K007 removed from abuse")
m = json.loads(run("metrics", "--db", db, "--config", cfg, "--year", "2015/16", "--format",
                   "json"))
for name, want in (("children_supported", 8), ("active_cases", 7), ("children_closed", 1),
                   ("children_protected", 1), ("new_cases", 8), ("closed_cases", 1),
                   ("perpetrators_active", 2), ("perpetrators_dealt_with", 0)):
    check(m.get(name) == want, f"metrics --year 2015/16 {name}: {m.get(name)}, expected {want}")
text = run("metrics", "--db", db, "--config", cfg, "--year", "2016/17")
check("(2016/17)" in text.splitlines()[0], f"metrics text names the year: {text.splitlines()[0]}")

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures or not passed else 0)
