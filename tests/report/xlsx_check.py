#!/usr/bin/env python3
"""Read back the workbook that xlsx_fixture renders from the fake report model,
with Python's zipfile and xml.etree only (never our own code), and check the
layout the Government Analysis Function advises and the figures, worked out by
hand from tests/support/fake_report.c.

usage: xlsx_check.py XLSX_FIXTURE WORKDIR
"""
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
RID = "{%s}id" % NS["r"]

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, file=sys.stderr)


def check_eq(got, want, what):
    check(got == want, "%s: got %r, want %r" % (what, got, want))


def col_number(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref):
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    return col_number(m.group(1)), int(m.group(2))


def resolve(base_dir, target):
    if target.startswith("/"):
        return target[1:]
    parts = (base_dir + "/" + target).split("/")
    out = []
    for p in parts:
        if p == "..":
            out.pop()
        elif p and p != ".":
            out.append(p)
    return "/".join(out)


class Book:
    """The parts of an unzipped workbook the checks need."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        self.names = self.zip.namelist()
        wb = self.xml("xl/workbook.xml")
        rels = self.rels("xl/workbook.xml")
        self.sheets = []  # (name, part path)
        for s in wb.find("m:sheets", NS):
            self.sheets.append((s.get("name"), rels[s.get(RID)][1]))
        self.strings = []
        if "xl/sharedStrings.xml" in self.names:
            for si in self.xml("xl/sharedStrings.xml").findall("m:si", NS):
                self.strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        styles = self.xml("xl/styles.xml")
        fmts = {int(f.get("numFmtId")): f.get("formatCode")
                for f in styles.iter("{%s}numFmt" % NS["m"])}
        fonts = []
        for f in styles.find("m:fonts", NS):
            colour = f.find("m:color", NS)
            fonts.append(colour.get("rgb") if colour is not None else None)
        self.xf_format = []
        self.xf_colour = []
        self.xf_wrap = []
        for xf in styles.find("m:cellXfs", NS):
            self.xf_format.append(fmts.get(int(xf.get("numFmtId", "0")), "General"))
            self.xf_colour.append(fonts[int(xf.get("fontId", "0"))])
            al = xf.find("m:alignment", NS)
            self.xf_wrap.append(al is not None and al.get("wrapText") == "1")

    def wraps(self, name, ref):
        for c in self.xml(self.sheet_part(name)).iter("{%s}c" % NS["m"]):
            if c.get("r") == ref:
                return self.xf_wrap[int(c.get("s", "0"))]
        return False

    def row_height(self, name, row):
        for r in self.xml(self.sheet_part(name)).iter("{%s}row" % NS["m"]):
            if r.get("r") == str(row):
                return float(r.get("ht", "15"))
        return 15.0

    def colour(self, name, ref):
        """The font colour of a cell, or None."""
        for c in self.xml(self.sheet_part(name)).iter("{%s}c" % NS["m"]):
            if c.get("r") == ref:
                return self.xf_colour[int(c.get("s", "0"))]
        return None

    def text(self, part):
        return self.zip.read(part).decode("utf-8")

    def xml(self, part):
        return ET.fromstring(self.zip.read(part))

    def rels(self, part):
        """{rId: (type, resolved target)} for a part."""
        d, f = part.rsplit("/", 1) if "/" in part else ("", part)
        rp = (d + "/" if d else "") + "_rels/" + f + ".rels"
        out = {}
        if rp not in self.names:
            return out
        for r in self.xml(rp):
            out[r.get("Id")] = (r.get("Type").rsplit("/", 1)[1], resolve(d, r.get("Target")))
        return out

    def sheet_part(self, name):
        for n, p in self.sheets:
            if n == name:
                return p
        raise KeyError(name)

    def cells(self, name):
        """{ref: (kind, value, number format, has formula)}; kind 'n' or 's'."""
        ws = self.xml(self.sheet_part(name))
        out = {}
        for c in ws.iter("{%s}c" % NS["m"]):
            t = c.get("t", "n")
            v = c.find("m:v", NS)
            has_f = c.find("m:f", NS) is not None
            fmt = self.xf_format[int(c.get("s", "0"))]
            if t == "s":
                out[c.get("r")] = ("s", self.strings[int(v.text)], fmt, has_f)
            elif t == "inlineStr":
                out[c.get("r")] = ("s", "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])),
                                   fmt, has_f)
            elif t in ("n",) and v is not None:
                out[c.get("r")] = ("n", float(v.text), fmt, has_f)
            elif v is None:
                out[c.get("r")] = ("blank", None, fmt, has_f)
            else:
                out[c.get("r")] = (t, v.text, fmt, has_f)
        return out

    def tables(self, name):
        """The Excel table parts of a sheet, parsed."""
        part = self.sheet_part(name)
        return [self.xml(target) for typ, target in self.rels(part).values() if typ == "table"]


def run(fixture, args):
    return subprocess.run([fixture] + args, capture_output=True, text=True)


# The fake model's tables: sheet, ref, headings (tests/support/fake_report.c).
EXPECTED_TABLES = [
    ("summary", "A4:E13", ["Measure", "This quarter", "Previous quarter", "Change",
                           "Same quarter last year"]),
    ("trend", "A4:D12", ["Quarter", "Children supported (cumulative)", "Current cases",
                         "Perpetrators currently identified"]),
    ("area", "A4:E11", ["Area", "Female", "Male", "Other or unknown", "Total"]),
    ("actions", "A4:H64", ["Ref", "Theme", "Action", "Lead", "Due", "Status", "RAG",
                           "Commentary"]),
    ("definitions", "A4:B13", ["Term", "Definition"]),
]
MARKING = "OFFICIAL-SENSITIVE"


def check_layout(book):
    names = [n for n, _ in book.sheets]
    check_eq(names, ["Cover", "Contents", "Notes"] + [t[0] for t in EXPECTED_TABLES],
             "sheet order")
    for name, part in book.sheets:
        text = book.text(part)
        ws = ET.fromstring(text)
        check("<mergeCell" not in text, "%s: no merged cells" % name)
        hf = ws.find("m:headerFooter", NS)
        check(hf is not None, "%s: has a header and footer" % name)
        if hf is not None:
            check(MARKING in (hf.findtext("m:oddHeader", "", NS)), "%s: marking in header" % name)
            check(MARKING in (hf.findtext("m:oddFooter", "", NS)), "%s: marking in footer" % name)
        check(ws.find(".//m:f", NS) is None, "%s: no formula anywhere" % name)
    # Every table sheet: title, description, size sentence, then one Excel table.
    table_names = set()
    for sheet, ref, heads in EXPECTED_TABLES:
        cells = book.cells(sheet)
        check(cells.get("A1", ("",))[0] == "s" and cells["A1"][1].startswith("Table "),
              "%s: A1 holds the table title" % sheet)
        check(cells.get("A3", ("", ""))[1].startswith("This table contains "),
              "%s: A3 says how many rows" % sheet)
        # The lines above the table never wrap, even where the first column does.
        check(not book.wraps(sheet, "A2") and not book.wraps(sheet, "A3"),
              "%s: A2 and A3 do not wrap" % sheet)
        tables = book.tables(sheet)
        want_tables = 2 if sheet == "trend" else 1  # the trend sheet adds its chart's data
        check_eq(len(tables), want_tables, "%s: number of Excel tables" % sheet)
        t = [x for x in tables if x.get("ref").startswith("A4:")]
        check_eq(len(t), 1, "%s: one table from A4" % sheet)
        if not t:
            continue
        t = t[0]
        table_names.add(t.get("name"))
        check_eq(t.get("ref"), ref, "%s: table range" % sheet)
        check(t.get("headerRowCount", "1") == "1", "%s: one header row" % sheet)
        check(t.get("totalsRowCount") is None and t.get("totalsRowShown", "0") == "0",
              "%s: no total row" % sheet)
        got = [c.get("name") for c in t.find("m:tableColumns", NS)]
        check_eq(got, heads, "%s: table column names" % sheet)
        # The header row in the cells matches, and no data cell in the range is blank.
        (c0, r0), (c1, r1) = (split_ref(x) for x in ref.split(":"))
        for i, h in enumerate(heads):
            letter = chr(ord("A") + i)
            check_eq(cells.get("%s4" % letter, (None, None))[1], h, "%s: header cell %s4" % (sheet, letter))
        blanks = []
        for row in range(r0 + 1, r1 + 1):
            for col in range(c0, c1 + 1):
                ref_ = "%s%d" % (chr(64 + col), row)
                if ref_ not in cells or cells[ref_][0] == "blank" or cells[ref_][1] == "":
                    blanks.append(ref_)
        check_eq(blanks, [], "%s: no blank cells inside the table" % sheet)
        ws = book.xml(book.sheet_part(sheet))
        pane = ws.find(".//m:pane", NS)
        check(pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == "4"
              and pane.get("topLeftCell") == "A5", "%s: frozen below the header row" % sheet)
        widths = [float(c.get("width")) for c in ws.iter("{%s}col" % NS["m"])]
        check(len(widths) >= len(heads) and min(widths) >= 8, "%s: column widths set, >= 8" % sheet)
    check_eq(len(table_names), len(EXPECTED_TABLES), "table names are unique")


def check_figures(book):
    s = book.cells("summary")
    check_eq(s["B5"][:3], ("n", 97.0, "#,##0"), "summary B5: children supported 97 as a count")
    check_eq(s["D5"][:3], ("n", 9.0, "+#,##0;-#,##0;0"), "summary D5: change +9 (97 - 88)")
    check_eq(s["D6"][:3], ("n", -2.0, "+#,##0;-#,##0;0"), "summary D6: change -2 (38 - 40)")
    check_eq(s["E9"][:2], ("s", "[c]"), "summary E9: suppressed figure is the string [c]")
    check_eq(s["B13"][:3], ("n", 0.455, "0.0%"), "summary B13: 45.5% stored as 0.455")
    check_eq(s["D13"][:2], ("s", "[z]"), "summary D13: [z] is a string")
    a = book.cells("area")
    check_eq(a["B5"][:2], ("n", 14.0), "area B5: North Ward female 14")
    check_eq(a["C6"][:2], ("s", "[c]"), "area C6: South Ward male suppressed")
    check_eq(a["B10"][:2], ("n", 0.0), "area B10: a true zero is the number 0")
    check_eq(a["E11"][:2], ("n", 67.0), "area E11: total 67")
    t = book.cells("trend")
    check_eq(t["D6"][:2], ("s", "[x]"), "trend D6: not available is the string [x]")
    check_eq(t["B12"][:2], ("n", 97.0), "trend B12: 2016/17 Q4 children supported 97")
    act = book.cells("actions")
    # 31 Mar 2017 = day 17256 since 1970-01-01; Excel's serial for 1970-01-01 is 25569.
    check_eq(act["E5"][:3], ("n", 42825.0, "d mmm yyyy"), "actions E5: due date as a date")
    # Row A01: status "In progress" ((0 * 7 + 1) % 3 = 1), rating (0 * 5) % 3 = 0: Red.
    check_eq(act["G5"][:2], ("s", "Red"), "actions G5: RAG by word")
    check_eq(act["G7"][:2], ("s", "Green"), "actions G7: A03 is complete, so Green")
    # Row A11 (index 10) has no rating: shown as [x], not a blank.
    check_eq(act["G15"][:2], ("s", "[x]"), "actions G15: no rating yet is [x]")
    check_eq(act["A64"][:2], ("s", "A60"), "actions A64: the 60th action")


def check_wrapping(book):
    # A05's commentary (196 characters) in a 40-wide column: wrapped, and the
    # row made tall enough for 5 lines or more, as readers keep stored heights.
    check(book.wraps("actions", "H9"), "actions H9: long commentary wraps")
    check(book.row_height("actions", 9) >= 75, "actions row 9 tall enough: %r"
          % book.row_height("actions", 9))
    check(book.wraps("actions", "C5"), "actions C5: action text longer than its column wraps")
    check(not book.wraps("actions", "A5"), "actions A5: a short ref does not wrap")
    check(book.wraps("definitions", "A7"), "definitions A7: a long term wraps in column A")
    check_eq(book.row_height("summary", 6), 15.0, "summary row 6: one line, default height")


def check_rag(book):
    ws = book.xml(book.sheet_part("actions"))
    cfs = ws.findall("m:conditionalFormatting", NS)
    check_eq([c.get("sqref") for c in cfs], ["G5:G64"], "actions: conditional format on the RAG column")
    rules = [(r.get("type"), r.get("text")) for c in cfs for r in c.findall("m:cfRule", NS)]
    for word in ("Red", "Amber", "Green"):
        check(("containsText", word) in rules, "actions: a rule for %s" % word)
    styles = book.xml("xl/styles.xml")
    dxfs = styles.find("m:dxfs", NS)
    fills = [f.get("rgb") for f in dxfs.iter("{%s}bgColor" % NS["m"])] if dxfs is not None else []
    check_eq(sorted(fills), sorted(["FFFFC7CE", "FFFFEB9C", "FFC6EFCE"]), "RAG fills")
    for name in ("summary", "area", "definitions"):
        check(book.xml(book.sheet_part(name)).find("m:conditionalFormatting", NS) is None,
              "%s: no conditional formats" % name)


def check_chart(book):
    check("xl/charts/chart1.xml" in book.names, "a chart part exists")
    if "xl/charts/chart1.xml" not in book.names:
        return
    chart = book.xml("xl/charts/chart1.xml")
    line = chart.find(".//c:lineChart", NS)
    check(line is not None, "the chart is a line chart")
    sers = line.findall("c:ser", NS) if line is not None else []
    check_eq(len(sers), 3, "three series")
    names = [s.findtext("c:tx/c:v", "", NS) for s in sers]
    check_eq(names, ["Children supported (cumulative)", "Current cases",
                     "Perpetrators currently identified"], "series names")
    cats = [s.findtext("c:cat//c:f", "", NS) for s in sers]
    vals = [s.findtext("c:val//c:f", "", NS) for s in sers]
    check(all(f.startswith("trend!") for f in cats + vals), "series reference the trend sheet")
    # One value is missing, so the series draw on the chart's data below the table
    # (A15:D23, header at 15), where that value is blank: Excel draws text as 0.
    check_eq(cats, ["trend!$A$16:$A$23"] * 3, "categories: the quarters")
    check_eq(vals, ["trend!$B$16:$B$23", "trend!$C$16:$C$23", "trend!$D$16:$D$23"], "values")
    t = book.cells("trend")
    check("D17" not in t or t["D17"][0] == "blank", "trend D17: the missing value is a gap")
    check_eq(t["D16"][:2], ("n", 3.0), "trend D16: chart data 2015/16 Q1 perpetrators 3")
    check_eq(t["B23"][:2], ("n", 97.0), "trend B23: chart data 2016/17 Q4 children 97")
    titles = ["".join(x.text or "" for x in tt.iter("{%s}t" % NS["a"]))
              for tt in chart.iter("{%s}title" % NS["c"])]
    check(any(x.startswith("Chart 1:") for x in titles), "chart title")
    check("Quarter" in titles and "Number" in titles, "axis titles: %r" % titles)
    check(chart.find(".//c:legend/c:legendPos", NS).get("val") == "b", "legend at the bottom")
    # The chart sits below both tables on the sheet.
    part = book.sheet_part("trend")
    drawings = [t for typ, t in book.rels(part).values() if typ == "drawing"]
    check_eq(len(drawings), 1, "trend: one drawing")
    if drawings:
        d = book.xml(drawings[0])
        top = int(d.find(".//xdr:from/xdr:row", NS).text) + 1  # 1-based
        last = max(split_ref(x.get("ref").split(":")[1])[1] for x in book.tables("trend"))
        check(top > last, "trend: chart (row %d) below the tables (to row %d)" % (top, last))
        check("Line chart" in d.find(".//xdr:cNvPr", NS).get("descr", ""), "chart alt text")


def check_meta_sheets(book):
    cover = book.cells("Cover")
    texts = [v[1] for v in cover.values() if v[0] == "s"]
    joined = "\n".join(texts)
    check_eq(cover["A1"][1], "Child Sexual Exploitation Action Plan: progress report", "Cover A1")
    for want in (MARKING, "This workbook contains 5 tables", "synthetic sample data",
                 "2016/17 Q4 (1 January 2017 to 31 March 2017)", "31 March 2017",
                 "Sample Borough Council, Multi-agency CSE Team", "counts from 1 to 5 are shown as [c]",
                 "performance@example.gov.uk"):
        check(want in joined, "Cover says %r" % want)
    cells = book.cells("Contents")
    ws = book.xml(book.sheet_part("Contents"))
    links = {h.get("ref"): h.get("location") for h in ws.iter("{%s}hyperlink" % NS["m"])}
    want = ["Notes"] + [t[0] for t in EXPECTED_TABLES]
    for i, name in enumerate(want):
        ref = "A%d" % (5 + i)
        check_eq(cells.get(ref, (None, None))[1], name, "Contents %s" % ref)
        check_eq(links.get(ref), "'%s'!A1" % name, "Contents %s links to its sheet" % ref)
    check_eq(cells["B6"][1], "Table 1: Summary of figures, 2016/17 Q4", "Contents B6 title")
    check_eq([t.get("ref") for t in book.tables("Contents")], ["A4:C10"], "Contents table")
    notes = book.cells("Notes")
    check_eq([t.get("ref") for t in book.tables("Notes")], ["A4:B8"], "Notes table")
    check_eq([notes["A%d" % r][1] for r in range(5, 9)], ["[c]", "[z]", "[x]", "Note 1"],
             "Notes markers")
    check(notes["B5"][1].startswith("Confidential"), "Notes B5 explains [c]")


def check_core(book, created):
    core = book.xml("docProps/core.xml")
    check_eq(core.findtext("dc:title", "", NS),
             "Child Sexual Exploitation Action Plan: progress report", "core title")
    check_eq(core.findtext("dcterms:created", "", NS), created, "core created")
    check_eq(core.findtext("dc:subject", "", NS), "CSE action plan progress, 2016/17 Q4", "subject")
    check_eq(core.findtext("cp:keywords", "", NS),
             "child sexual exploitation, action plan, Cabinet, 2016/17 Q4", "keywords")
    app = book.text("docProps/app.xml")
    check("<Company>Sample Borough Council</Company>" in app, "company is the organisation")


def check_formula_text(fixture, work):
    out = os.path.join(work, "formula.xlsx")
    p = run(fixture, ["--formula-text", out])
    check_eq(p.returncode, 0, "formula-text render: %s" % p.stderr)
    if p.returncode:
        return
    book = Book(out)
    act = book.cells("actions")
    check_eq(act["H5"][:2], ("s", "=SUM(A1:A9) was not a formula"), "H5: '=' text is a string")
    check(not act["H5"][3], "H5: no formula")
    check_eq(act["C6"][:2], ("s", "+44 1632 960000 is a phone number"), "C6: '+' text is a string")
    for name, part in book.sheets:
        check("<f>" not in book.text(part) and "<f " not in book.text(part), "%s: no <f>" % name)


def check_reproducible(fixture, work, first):
    again = os.path.join(work, "again.xlsx")
    p = run(fixture, [again])
    check_eq(p.returncode, 0, "second render")
    with open(first, "rb") as f1, open(again, "rb") as f2:
        check(f1.read() == f2.read(), "two renders with the same created time are byte-identical")
    other = os.path.join(work, "other.xlsx")
    p = run(fixture, ["--created", "1500000000", other])
    check_eq(p.returncode, 0, "render with another created time")
    check_core(Book(other), "2017-07-14T02:40:00Z")


def check_tones(fixture, work):
    out = os.path.join(work, "tones.xlsx")
    p = run(fixture, ["--tones", out])
    check_eq(p.returncode, 0, "tones render: %s" % p.stderr)
    if p.returncode:
        return
    book = Book(out)
    check_eq(book.colour("summary", "D5"), "FF006100", "summary D5: good news in dark green")
    check_eq(book.colour("summary", "D6"), "FF9C0006", "summary D6: bad news in dark red")
    check_eq(book.colour("summary", "D7"), "FF595959", "summary D7: neutral in dark grey")
    check_eq(book.colour("summary", "D8"), None, "summary D8: no tone, no colour")
    check_eq(book.cells("summary")["D5"][:3], ("n", 9.0, "+#,##0;-#,##0;0"),
             "summary D5: still a signed number")


def check_no_gap(fixture, work):
    out = os.path.join(work, "no-gap.xlsx")
    p = run(fixture, ["--no-gap", out])
    check_eq(p.returncode, 0, "no-gap render: %s" % p.stderr)
    if p.returncode:
        return
    book = Book(out)
    check_eq([t.get("ref") for t in book.tables("trend")], ["A4:D12"],
             "no-gap: the trend sheet holds only its table")
    chart = book.xml("xl/charts/chart1.xml")
    vals = [f.text for f in chart.iter("{%s}f" % NS["c"])]
    check_eq(vals, ["trend!$A$5:$A$12", "trend!$B$5:$B$12", "trend!$A$5:$A$12",
                    "trend!$C$5:$C$12", "trend!$A$5:$A$12", "trend!$D$5:$D$12"],
             "no-gap: the chart draws on the table itself")
    drawing = [t for typ, t in book.rels(book.sheet_part("trend")).values() if typ == "drawing"]
    top = int(book.xml(drawing[0]).find(".//xdr:from/xdr:row", NS).text) + 1
    check(top > 12, "no-gap: chart starts below the table (row %d)" % top)
    check(book.cells("trend")["A3"][1].endswith("Below it: a line chart of these figures."),
          "no-gap: A3 says where the chart is")


def check_board(fixture, work):
    out = os.path.join(work, "board.xlsx")
    p = run(fixture, ["--board", out])
    check_eq(p.returncode, 0, "board render: %s" % p.stderr)
    if p.returncode:
        return
    cover = Book(out).cells("Cover")
    texts = [cover["A%d" % n][1] for n in range(1, len(cover) + 1) if "A%d" % n in cover]
    joined = "\n".join(texts)
    check("Small numbers are not suppressed in this workbook" in joined,
          "board cover: says figures are not suppressed")
    check("[c]" not in joined.split("Small numbers")[1].split("Contents")[0],
          "board cover: no suppression sentence")
    check("synthetic" not in joined, "board cover: no sample notice when not sample data")
    check("Contact" not in texts, "board cover: no contact heading without a contact")
    for head in ("Produced by", "Period covered"):
        i = texts.index(head) if head in texts else -1
        check(i >= 0 and texts[i + 1] == "Not given", "board cover: %s says Not given" % head)
    check_eq(len(cover), len(texts), "board cover: no blank rows in column A")


def check_failures(fixture, work):
    bad = os.path.join(work, "no-such-folder", "report.xlsx")
    p = run(fixture, [bad])
    check_eq(p.returncode, 3, "unwritable path: exit 3")
    check(p.stderr.startswith("actionplan: %s: error: cannot create the workbook" % bad),
          "unwritable path: clear message, got %r" % p.stderr)
    check("check that the folder exists" in p.stderr, "unwritable path: says how to fix it")
    check(not os.path.exists(bad), "unwritable path: no file")
    check("[ERROR]" not in p.stderr, "unwritable path: no libxlsxwriter noise")

    folder = os.path.join(work, "a-folder.xlsx")
    os.makedirs(folder, exist_ok=True)
    p = run(fixture, [folder])
    check_eq(p.returncode, 3, "folder as output: exit 3")
    check("this is a folder; give a file name" in p.stderr, "folder as output: message %r" % p.stderr)
    check(os.path.isdir(folder), "folder as output: folder untouched")

    # A full disk shows only when the workbook is zipped at the end: a 4 KB file
    # size limit stands in for it (SIGXFSZ ignored, so write() fails instead).
    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = os.path.join(work, "full-disk.xlsx")
    p = subprocess.run([fixture, out], capture_output=True, text=True, preexec_fn=small_disk)
    check_eq(p.returncode, 3, "full disk: exit 3")
    check(("actionplan: %s: error: cannot write the workbook: " % out) in p.stderr
          and "check the free space" in p.stderr and ".;" not in p.stderr,
          "full disk: clear message, got %r" % p.stderr)
    check(not os.path.exists(out), "full disk: no half-written file left")

    out = os.path.join(work, "bad-utf8.xlsx")
    p = run(fixture, ["--bad-utf8", out])
    check_eq(p.returncode, 3, "invalid UTF-8: exit 3")
    check("is not valid UTF-8" in p.stderr and "'area'" in p.stderr,
          "invalid UTF-8: names the sheet, got %r" % p.stderr)
    check(not os.path.exists(out), "invalid UTF-8: no file left")

    out = os.path.join(work, "mismatch.xlsx")
    p = run(fixture, ["--chart-mismatch", out])
    check_eq(p.returncode, 3, "chart mismatch: exit 3")
    check("report model bug: sheet 'trend' has a chart" in p.stderr,
          "chart mismatch: message, got %r" % p.stderr)
    check(not os.path.exists(out), "chart mismatch: no file left")


def check_awkward(fixture, work):
    out = os.path.join(work, "awkward.xlsx")
    p = run(fixture, ["--awkward", "--marking", "OFFICIAL & SAMPLE", out])
    check_eq(p.returncode, 0, "awkward render: %s" % p.stderr)
    if p.returncode:
        return
    book = Book(out)
    names = [n for n, _ in book.sheets]
    check_eq(names[:3], ["Cover", "Contents", "Notes"], "awkward: fixed sheets first")
    check_eq(len(names), 9, "awkward: 3 + 6 sheets")
    folded = [n.lower() for n in names]
    check_eq(len(set(folded)), len(folded), "awkward: names unique ignoring case: %r" % names)
    for n in names:
        check(0 < len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) and not n.startswith("'")
              and not n.endswith("'"), "awkward: %r is a valid sheet name" % n)
    check_eq(names[3], "Notes_2", "awkward: a table called Notes does not clash")
    check_eq(names[5], "area_ _by_ward___", "awkward: forbidden characters replaced")
    check_eq(names[6], "children's-actions-with-a-name-", "awkward: cut to 31 characters")
    check_eq(names[7], "KEY TREND'S_2", "awkward: KEY TREND'S clashes with Key trend's")
    check_eq(names[4], "Key trend's", "awkward: the trend sheet keeps its awkward name")
    chart = book.xml("xl/charts/chart1.xml")
    refs = [f.text for f in chart.iter("{%s}f" % NS["c"])]
    check(refs and all(r.startswith("'Key trend''s'!$") for r in refs),
          "awkward: chart ranges quote the sheet name: %r" % refs[:2])
    empty = book.cells("empty")
    check_eq([t.get("ref") for t in book.tables("empty")], ["A4:B5"], "empty table: one row")
    check_eq((empty["A5"][1], empty["B5"][1]), ("None in this period", "[z]"), "empty table row")
    notes = book.cells("Notes")
    z = [v for v in notes.values() if v[1] == "[z]"]
    check_eq(len(z), 1, "awkward: [z] explained once")
    cells = book.cells("Contents")
    links = {h.get("ref"): h.get("location")
             for h in book.xml(book.sheet_part("Contents")).iter("{%s}hyperlink" % NS["m"])}
    check_eq(links.get("A8"), "'area_ _by_ward___'!A1", "awkward: link uses the sheet name")
    check_eq(links.get("A9"), "'children''s-actions-with-a-name-'!A1",
             "awkward: an apostrophe is doubled in a link")
    check_eq(cells["A11"][1], "empty", "awkward: contents lists the empty table")
    hf = book.xml(book.sheet_part("Cover")).find("m:headerFooter", NS)
    check("OFFICIAL && SAMPLE" in hf.findtext("m:oddHeader", "", NS), "header escapes '&'")
    check("OFFICIAL && SAMPLE" in hf.findtext("m:oddFooter", "", NS), "footer escapes '&'")


def check_libreoffice(work, xlsx):
    """LibreOffice must open the workbook and print it; the PDF's text then
    shows the title, a table and a marker. scripts/deps.sh --test installs it
    (libreoffice-calc-nogui): without it the check fails, it is not skipped."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        check(False, "LibreOffice round trip: soffice or pdftotext is not installed "
              "(scripts/deps.sh --test installs libreoffice-calc-nogui and poppler-utils)")
        return
    outdir = os.path.join(work, "lo")
    # The profile outlives the work folder: making one is most of LibreOffice's start-up.
    profile = "file://" + os.path.join(os.path.dirname(os.path.abspath(work)), "xlsx_lo_profile")
    try:
        p = subprocess.run([soffice, "-env:UserInstallation=" + profile, "--headless",
                            "--convert-to", "pdf", "--outdir", outdir, xlsx],
                           capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        print("LibreOffice check skipped: no answer within 180 s (an environment problem, "
              "not the workbook's)")
        return
    pdf = os.path.join(outdir, os.path.basename(xlsx)[:-5] + ".pdf")
    check(p.returncode == 0 and os.path.exists(pdf), "LibreOffice converts the workbook: %s" % p.stderr)
    if not os.path.exists(pdf):
        return
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          text=True).stdout
    for want in ("Child Sexual Exploitation Action Plan: progress report",
                 "Table 4: Progress against the CSE action plan", "[c]", MARKING,
                 "31 Mar 2017", "45.5%"):
        check(want in text, "LibreOffice PDF shows %r" % want)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fixture, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    first = os.path.join(work, "report.xlsx")
    p = run(fixture, [first])
    check_eq(p.returncode, 0, "render: %s" % p.stderr)
    check_eq(p.stderr, "", "render is quiet")
    if p.returncode == 0:
        book = Book(first)
        check(book.zip.testzip() is None, "zip is sound")
        check_layout(book)
        check_figures(book)
        check_rag(book)
        check_wrapping(book)
        check_chart(book)
        check_meta_sheets(book)
        check_core(book, "2017-04-10T09:00:00Z")
        check_reproducible(fixture, work, first)
        check_libreoffice(work, first)
    check_formula_text(fixture, work)
    check_tones(fixture, work)
    check_board(fixture, work)
    check_no_gap(fixture, work)
    check_failures(fixture, work)
    check_awkward(fixture, work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
