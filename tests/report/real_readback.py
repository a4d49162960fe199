#!/usr/bin/python3
"""Real reports read back (issue 13, item 5): `actionplan report` on the worked
fixture (tests/fixtures/report, figures worked out by hand in EXPECTED.md), the
real workbook read with openpyxl and the real PDF with pdftotext, each figure
compared with the hand-worked value (the same values check_model.py checks in
the model). Run with Debian's /usr/bin/python3 (python3-openpyxl).

usage: real_readback.py BINARY SOURCE_DIR WORK_DIR
"""
import decimal
import os
import re
import shutil
import subprocess
import sys

import openpyxl

binary, src, work = sys.argv[1:4]
fix = os.path.join(src, "tests", "fixtures", "report")
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


db = os.path.join(work, "t.db")
run("init", "--db", db)
run("import", "--db", db, os.path.join(fix, "data"))
books, pdfs = {}, {}
for t in ("cabinet", "board"):
    pdf, xlsx = os.path.join(work, t + ".pdf"), os.path.join(work, t + ".xlsx")
    run("report", "--db", db, "--config", os.path.join(fix, "actionplan.ini"), "--template", t,
        "--quarter", "2016/17-Q4", "--pdf", pdf, "--xlsx", xlsx)
    books[t] = openpyxl.load_workbook(xlsx)
    pdfs[t] = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                             text=True, check=True).stdout.splitlines()


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


def xlsx_row(t, sheet, label):
    """The row of sheet whose first cell is label, without the label."""
    for row in books[t][sheet].iter_rows(min_row=5):
        if row[0].value == label:
            return [shown(c) for c in row[1:] if c.value is not None]
    return None


def pdf_has_row(t, label, values):
    """A line of the PDF's text starting with the label (or its first words, if
    the cell wraps) followed by the values in order."""
    start = " ".join(label.split()[:4])
    for line in pdfs[t]:
        s = line.strip()
        if s.startswith(start):
            rest = s[len(start):].split()
            it = iter(rest)
            if all(any(v == tok for tok in it) for v in values):
                return True
    return False


# Headline figures (EXPECTED.md): raw in the board pack, suppressed in public.
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
raw = {"children_supported": "20", "active_cases": "13", "children_closed": "7",
       "children_protected": "4", "children_supported_in_period": "17", "new_cases": "4",
       "closed_cases": "4", "perpetrators_active": "2", "perpetrators_dealt_with": "3",
       "perpetrators_identified_in_period": "2", "missing_episodes": "8",
       "return_interviews_offered_72h": "6", "return_interviews_completed": "5",
       "actions_complete": "1", "actions_overdue": "1"}
public = {"children_supported": "20", "active_cases": "13", "children_protected": "[c]",
          "children_supported_in_period": "17", "perpetrators_active": "2",
          "perpetrators_dealt_with": "3", "missing_episodes": "8", "actions_complete": "1"}
for t, want in (("board", raw), ("cabinet", public)):
    for metric, value in want.items():
        row = xlsx_row(t, "summary", labels[metric])
        check(row and row[0] == value, f"{t} workbook: {metric} is {row}, expected {value}")
        check(pdf_has_row(t, labels[metric], [value]),
              f"{t} PDF: no row '{labels[metric]}' showing {value}")
# Changes and rates worked by hand: 8 - 3 = +5 missing episodes; a change against a
# [c] is [c]; 20 per 40,000 children = 5.0 per 10,000; 17 -> 4.25 -> 4.3.
check(xlsx_row("board", "summary", labels["missing_episodes"])[1] == "+5", "board +5")
check(xlsx_row("cabinet", "summary", labels["missing_episodes"])[1] == "[c]", "cabinet [c]")
check(xlsx_row("cabinet", "summary", labels["children_supported"])[-1] == "5.0", "rate 5.0")
check(xlsx_row("cabinet", "summary", labels["children_supported_in_period"])[-1] == "4.3",
      "rate 4.3")
check(pdf_has_row("board", labels["missing_episodes"], ["8", "+5"]), "board PDF: 8 and +5")

# Tables (the rows check_model.py checks in the model, here in the real outputs).
rows = [
    ("board", "risk_levels", "High", ["7", "53.8%"]),
    ("cabinet", "risk_levels", "Medium", ["[c]", "[c]"]),
    ("cabinet", "risk_levels", "Low", ["[c]", "[c]"]),
    ("cabinet", "risk_levels", "High", ["7", "53.8%"]),
    ("cabinet", "risk_levels", "Total", ["13", "100.0%"]),
    ("cabinet", "age_bands", "12 to 13", ["[c]", "[c]"]),
    ("cabinet", "age_bands", "16 to 17", ["[c]", "[c]"]),
    ("cabinet", "age_bands", "14 to 15", ["8", "47.1%"]),
    ("cabinet", "age_bands", "Under 12", ["0", "0.0%"]),
    ("board", "age_bands", "16 to 17", ["6", "35.3%"]),
    ("board", "ethnicity", "Black or Black British", ["2", "11.8%"]),
    ("cabinet", "gender", "Female", ["11", "64.7%"]),
    ("cabinet", "gender", "Male", ["6", "35.3%"]),
    ("cabinet", "referral_sources", "Total", ["[c]", "[c]"]),
    ("cabinet", "referral_sources", "Children's social care", ["0", "[c]"]),
    ("board", "area", "North Ward", ["10", "58.8%"]),
    ("board", "closure_reasons", "Stopped engaging", ["1", "25.0%"]),
    ("board", "perpetrator_actions", "Sexual risk order", ["1", "20.0%"]),
    ("cabinet", "perpetrator_actions", "Sexual risk order", ["1", "20.0%"]),
    ("cabinet", "missing", "Percentage offered a return interview within 72 hours",
     ["[c]", "[c]", "[z]"]),
    ("board", "missing", "Percentage with a completed return interview",
     ["62.5%", "66.7%", "[z]"]),
    ("cabinet", "data_quality", "Action plan items never updated", ["Warning", "1"]),
    ("cabinet", "data_quality",
     "Return interviews offered more than 72 hours after the return", ["Warning", "[c]"]),
]
for t, sheet, label, want in rows:
    got = xlsx_row(t, sheet, label)
    check(got == want, f"{t} workbook {sheet} '{label}': {got}, expected {want}")
    check(pdf_has_row(t, label, want), f"{t} PDF {sheet}: no row '{label}' showing {want}")

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures or not passed else 0)
