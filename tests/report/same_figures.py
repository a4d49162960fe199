#!/usr/bin/python3
"""Same figures everywhere: writes the sample data's cabinet and board reports
(2016/17 Q4) as PDF, workbook and HTML page in one run, reads each back with a
program of its own, and compares every table cell by cell:

- the HTML with Python's html.parser: each table's caption title, its column
  headings and its cells, as a reader sees them (the reference);
- the workbook with openpyxl (Debian's python3-openpyxl, hence /usr/bin/python3):
  the sheet whose first cell is the table's title, the Excel table on it, each
  cell's value; a number must equal the page's figure to the precision shown
  ("46.7%" is 0.467 within 0.0005), a date must read as the page shows it, and
  text and markers must be the same text;
- the PDF with pdftotext -layout: the text from the table's title to the next
  table's title must hold every cell's words in the table's order. pdftotext
  lays wrapped cells out side by side, so the order checked is that of each
  cell's first word (every cell of a row starts on the row's first line); the
  rest of a cell's words must follow its first word.

usage: same_figures.py BINARY SOURCE_DIR WORK_DIR
"""
import datetime
import html.parser
import os
import re
import shutil
import subprocess
import sys

import openpyxl

failures = 0
checked = {"html": 0, "xlsx": 0, "pdf": 0}


def fail(msg):
    global failures
    failures += 1
    if failures <= 40:
        print("FAIL: " + msg)


def norm(s):
    return " ".join(s.split())


class Tables(html.parser.HTMLParser):
    """Every <table>: its caption's h3, its header row and its body rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []
        self.cur = None
        self.cell = None
        self.in_h3 = False
        self.section = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.cur = {"title": "", "head": [], "rows": []}
        elif self.cur is None:
            return
        elif tag == "h3":
            self.in_h3 = True
        elif tag == "thead":
            self.section = "head"
        elif tag == "tbody":
            self.section = "body"
        elif tag == "tr" and self.section == "body":
            self.cur["rows"].append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.cur is None:
            return
        if tag == "h3":
            self.in_h3 = False
        elif tag in ("th", "td") and self.cell is not None:
            text = norm("".join(self.cell))
            if self.section == "head":
                self.cur["head"].append(text)
            else:
                self.cur["rows"][-1].append(text)
            self.cell = None
        elif tag == "table":
            self.tables.append(self.cur)
            self.cur = None

    def handle_data(self, data):
        if self.cur is None:
            return
        if self.in_h3:
            self.cur["title"] += data
        elif self.cell is not None:
            self.cell.append(data)


def read_html(path):
    p = Tables()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    for t in p.tables:
        t["title"] = norm(t["title"])
    return p.tables


# ---- the workbook ----

NUMBER = re.compile(r"^[+-]?[0-9][0-9,]*(\.[0-9]+)?%?$")


def same_value(text, value):
    """Does the workbook's value read as the page's text?"""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        if not NUMBER.match(text):
            return False
        t = text.replace(",", "")
        pct = t.endswith("%")
        t = t.rstrip("%")
        dec = len(t.split(".")[1]) if "." in t else 0
        shown = float(t) / (100 if pct else 1)
        tol = 0.5 * 10 ** -dec / (100 if pct else 1) + 1e-9
        return abs(shown - value) <= tol
    if isinstance(value, datetime.datetime):
        return value.strftime("%-d %b %Y") == text or value.strftime("%d %b %Y") == text
    if value is None:
        return text == ""
    return norm(str(value)) == text


def read_xlsx(path):
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        title = ws.cell(row=1, column=1).value
        if not isinstance(title, str) or not ws.tables:
            continue
        # The table that starts under the title (a chart's data may follow it).
        ref = min((ref for _, ref in ws.tables.items()), key=lambda r: int(re.sub(r"\D", "", r.split(":")[0])))
        rows = [[c.value for c in r] for r in ws[ref]]
        sheets[norm(title)] = {"head": [norm(str(v)) for v in rows[0]], "rows": rows[1:]}
    return sheets


def compare_xlsx(name, t, sheets):
    s = sheets.get(t["title"])
    if s is None:
        fail("%s: '%s' has no sheet in the workbook" % (name, t["title"]))
        return
    if s["head"][: len(t["head"])] != t["head"]:
        fail("%s: '%s': headings %r in the workbook, %r on the page"
             % (name, t["title"], s["head"], t["head"]))
    if len(s["rows"]) != len(t["rows"]):
        fail("%s: '%s': %d rows in the workbook, %d on the page"
             % (name, t["title"], len(s["rows"]), len(t["rows"])))
        return
    for r, (hrow, xrow) in enumerate(zip(t["rows"], s["rows"])):
        for c, text in enumerate(hrow):
            checked["xlsx"] += 1
            value = xrow[c] if c < len(xrow) else None
            if not same_value(text, value):
                fail("%s: '%s' row %d column %d: the page shows %r, the workbook holds %r"
                     % (name, t["title"], r + 1, c + 1, text, value))


# ---- the PDF ----

def find_seq(tokens, words, start=0):
    """Index of the first place at or after start where words appear as
    consecutive tokens, else -1."""
    n = len(words)
    for i in range(start, len(tokens) - n + 1):
        if tokens[i:i + n] == words:
            return i
    return -1


def find_word(tokens, w, start, end):
    """Position after w found at or after start (before end); a word the PDF
    broke after a hyphen ("Multi-" ... "Agency") may come in pieces."""
    for i in range(start, end):
        t = tokens[i]
        if t == w:
            return i + 1
        if len(t) >= 2 and t.endswith("-") and w.startswith(t) and len(w) > len(t):
            rest = find_word(tokens, w[len(t):], i + 1, end)
            if rest >= 0:
                return rest
    return -1


def compare_pdf(name, tables, text):
    tokens = text.split()
    starts = []
    at = 0
    for t in tables:
        i = find_seq(tokens, t["title"].split(), at)
        if i < 0:
            fail("%s: '%s' is not in the PDF's text" % (name, t["title"]))
            return
        starts.append(i)
        at = i + 1
    for k, t in enumerate(tables):
        lo = starts[k] + len(t["title"].split())
        hi = starts[k + 1] if k + 1 < len(tables) else len(tokens)
        for h in t["head"]:
            for w in h.split():
                if find_word(tokens, w, lo, hi) < 0:
                    fail("%s: '%s': heading word %r is not in the PDF's table" % (name, t["title"], w))
        cursor = lo
        for r, row in enumerate(t["rows"]):
            for c, cell in enumerate(row):
                words = cell.split()
                if not words:
                    continue
                checked["pdf"] += 1
                first = find_word(tokens, words[0], cursor, hi)
                if first < 0:
                    fail("%s: '%s' row %d column %d: %r is not in the PDF after the cells before it"
                         % (name, t["title"], r + 1, c + 1, cell))
                    continue
                after = first
                for w in words[1:]:
                    after = find_word(tokens, w, after, hi)
                    if after < 0:
                        fail("%s: '%s' row %d column %d: %r: %r is missing in the PDF"
                             % (name, t["title"], r + 1, c + 1, cell, w))
                        break
                cursor = first


def main():
    binary, src, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1491004800")
    cfg = os.path.join(src, "sample-data", "actionplan.ini")
    db = os.path.join(work, "sample.db")
    run = lambda *a: subprocess.run([binary, *a], env=env, check=True, capture_output=True)
    run("init", "--db", db)
    run("import", "--config", cfg, "--db", db, os.path.join(src, "sample-data"))
    for tmpl in ("cabinet", "board"):
        base = os.path.join(work, tmpl)
        run("report", "--config", cfg, "--db", db, "--quarter", "2016/17-Q4", "--template", tmpl,
            "--pdf", base + ".pdf", "--xlsx", base + ".xlsx", "--html", base + ".html")
        tables = read_html(base + ".html")
        if len(tables) < 10:
            fail("%s: only %d tables on the page" % (tmpl, len(tables)))
        for t in tables:
            checked["html"] += sum(len(r) for r in t["rows"])
            if any(len(r) != len(t["head"]) for r in t["rows"]):
                fail("%s: '%s': a row's length differs from the headings'" % (tmpl, t["title"]))
        sheets = read_xlsx(base + ".xlsx")
        for t in tables:
            compare_xlsx(tmpl, t, sheets)
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", base + ".pdf", "-"],
                              check=True, capture_output=True, text=True).stdout
        compare_pdf(tmpl, tables, text)
        print("%s: %d tables compared" % (tmpl, len(tables)))
    print("cells: %d on the pages, %d compared with the workbooks, %d found in the PDFs; %d failures"
          % (checked["html"], checked["xlsx"], checked["pdf"], failures))
    return 1 if failures or not checked["pdf"] else 0


if __name__ == "__main__":
    sys.exit(main())
