#!/usr/bin/python3
"""The intruder test: public workbooks read back by an independent intruder
(intruder.py: openpyxl and scipy's linear programming) must give no hidden
figure away.

  1. The sample report (sample-data/) for every quarter it covers.
  2. Synthetic exports (bench/gen.py) of 50 to 2,000 children: five sizes,
     each for a different fifth of the 40 quarters from 2014/15 Q1 to
     2023/24 Q4 (every fifth quarter), so every quarter from the first to the
     last is read once: 40 workbooks, and 6 of the sample, in about 20 s of
     CPU.
  3. The test can fail: the two leaks of issue 12 (the closure reasons 11 and
     14 of 28 beside three [c]; the active cases of 2015/16 Q4 worked out as
     18 + 24 - 9 = 33) are planted back into a copy of the sample workbook,
     with the true values taken from the restricted (board) workbook, and the
     intruder must catch each.
  4. Revisions: the report fixture's 2016/17 Q4 cabinet report is published,
     a correction is imported (tests/fixtures/revisions: a published 7 that
     becomes 4, a published 4 that becomes 9), and the Q4 and 2017/18 Q1
     reports are read together with the published one (intruder.joint: a
     count both show and the table of revisions does not list is taken to be
     unchanged); no hidden cell of either may be pinned.
     And it can fail: a later workbook that hides a published 7, or shows a
     published [c], without listing it, gives the figure away.

usage: intruder_test.py BINARY SOURCE_DIR WORK_DIR   (Debian's /usr/bin/python3)
"""
import os
import shutil
import subprocess
import sys
import time

import openpyxl

binary, src, work = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "report"))
import intruder  # noqa: E402

shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
env = dict(os.environ, SOURCE_DATE_EPOCH="1491004800")
failures = 0
passed = 0
started = time.time()


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
    return r


def load(db, config, data):
    run("init", "--db", db)
    run("import", "--db", db, *(["--config", config] if config else []), data)


def leaks(path):
    try:
        P, k = intruder.read(path)
        check(k is not None, f"{path}: the notes say what [c] hides")
        return intruder.solve(P)
    except SystemExit as e:
        check(False, f"{path}: {e}")
        return []


def quarters(first_year, last_year):
    return [f"{y}/{(y + 1) % 100:02d}-Q{q}" for y in range(first_year, last_year + 1)
            for q in (1, 2, 3, 4)]


def audit(db, config, q, name):
    out = os.path.join(work, name + ".xlsx")
    run("report", "--db", db, "--config", config, "--quarter", q, "--template", "cabinet",
        "--xlsx", out)
    found = leaks(out)
    for where, a, b in found:
        print(f"LEAK in {name} ({q}): {where} is {a:g} .. {b:g}")
    check(not found, f"{name} ({q}): no hidden cell can be worked out")
    return out


# 1. The sample report.
sample = os.path.join(src, "sample-data")
scfg = os.path.join(sample, "actionplan.ini")
sdb = os.path.join(work, "sample.db")
load(sdb, scfg, sample)
for q in quarters(2015, 2016)[2:]:
    audit(sdb, scfg, q, "sample-" + q.replace("/", "-"))
sample_q4 = os.path.join(work, "sample-2016-17-Q4.xlsx")

# 2. Synthetic exports.
bcfg = os.path.join(src, "bench", "bench.ini")
allq = quarters(2014, 2023)
sizes = [50, 150, 400, 1000, 2000]
for i, n in enumerate(sizes):
    data = os.path.join(work, f"gen{n}")
    subprocess.run([sys.executable, os.path.join(src, "bench", "gen.py"), "--children", str(n),
                    "--seed", str(12 + i), "--out", data], check=True, capture_output=True)
    db = os.path.join(work, f"gen{n}.db")
    load(db, None, data)
    for q in allq[i::len(sizes)]:
        audit(db, bcfg, q, f"gen{n}-" + q.replace("/", "-"))

# 3. Plant the two leaks in copies of the sample workbook.
board = os.path.join(work, "sample-board.xlsx")
run("report", "--db", sdb, "--config", scfg, "--quarter", "2016/17-Q4", "--template", "board",
    "--xlsx", board)
truth = openpyxl.load_workbook(board, data_only=True)


def find_row(ws, label):
    for row in ws.iter_rows(min_row=5):
        if row[0].value == label:
            return row
    sys.exit(f"no row '{label}' in {ws.title}")


def plant(name, sheet, label, col_heading):
    """A copy of the sample workbook with one hidden cell shown at its true
    value; the intruder must then find a hidden cell it can work out."""
    wb = openpyxl.load_workbook(sample_q4)
    ws = wb[sheet]
    heads = [c.value for c in ws[4]]
    col = heads.index(col_heading)
    cell = find_row(ws, label)[col]
    check(cell.value == "[c]", f"{name}: {sheet}!{label} is hidden in the public workbook")
    tws = truth[sheet]
    tcol = [c.value for c in tws[4]].index(col_heading)
    cell.value = find_row(tws, label)[tcol].value
    out = os.path.join(work, name + ".xlsx")
    wb.save(out)
    return leaks(out)


# The closure reasons: with risk reduced (11) shown, 3 cases over three [c].
found = plant("planted-closure", "closure_reasons", "Risk reduced", "Closed cases")
check(any(w.startswith("closure_reasons!") and a == b == 1 for w, a, b in found),
      f"planted closure reasons: the three [c] are found to be 1 each ({found})")
# The flow: with 9 cases closed in 2015/16 Q4 shown, 18 + 24 - 9 = 33.
found = plant("planted-flow", "trend", "2015/16 Q4", "Cases closed")
check(any(w == "trend!2015/16 Q4 Active cases" and round(a) == round(b) == 33
          for w, a, b in found),
      f"planted flow: active cases at the end of 2015/16 Q4 found to be 33 ({found})")

# 4. Revisions. The published workbook and the later ones, read together.
fix = os.path.join(src, "tests", "fixtures", "report")
fcfg = os.path.join(fix, "actionplan.ini")
rdb = os.path.join(work, "revisions.db")
load(rdb, fcfg, os.path.join(fix, "data"))
published = os.path.join(work, "rev-published.xlsx")
run("report", "--db", rdb, "--config", fcfg, "--quarter", "2016/17-Q4", "--xlsx", published,
    "--publish")
run("import", "--db", rdb, "--config", fcfg, os.path.join(src, "tests", "fixtures", "revisions"))
old_P, _ = intruder.read(published)


def joint_leaks(old, new_path, name):
    try:
        J = intruder.joint(old, intruder.read(new_path)[0])
    except SystemExit as e:
        check(False, f"{name}: {e}")
        return None, []
    return J, intruder.solve(J)


for q in ("2016/17-Q4", "2017/18-Q1"):
    name = "rev-" + q.replace("/", "-")
    new = audit(rdb, fcfg, q, name)
    J, found = joint_leaks(old_P, new, name)
    for where, a, b in found:
        print(f"LEAK in {name} with the published report: {where} is {a:g} .. {b:g}")
    check(J is not None and J.links > 20, f"{name}: linked to the published report ({J and J.links})")
    check(not found, f"{name} read with the published report: no hidden cell can be worked out")
# The same Q4 report shows the two tempting figures as the rule says.
wb = openpyxl.load_workbook(os.path.join(work, "rev-2016-17-Q4.xlsx"))
risk = {r[0].value: r[1].value for r in wb["risk_levels"].iter_rows(min_row=5)}
check(risk.get("High") == "[c]" and risk.get("Medium") == 9,
      f"Q4 after the correction: high [c] (was 7), medium 9 (was [c]): {risk}")
rows = [tuple(c.value for c in r[:4]) for r in wb["revisions"].iter_rows(min_row=5)]
for label in ("High", "Medium"):
    check(("2016/17 Q4", "Active cases, by risk level: " + label, "[c]", "[c]") in rows,
          f"revisions list risk level {label} as [c] / [c]: {rows}")


# The joint reading can fail: a later workbook that hides a published 7 without
# listing it gives the 7 back, and one that shows a published [c] without
# listing it gives the published figure away.
def later(name, value_high, value_medium):
    wb = openpyxl.load_workbook(published)
    ws = wb["risk_levels"]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "High":
            row[1].value, row[2].value = value_high, "[c]"
        if row[0].value == "Medium":
            row[1].value = value_medium
    out = os.path.join(work, name + ".xlsx")
    wb.save(out)
    return joint_leaks(old_P, out, name)[1]


found = later("planted-hidden-unlisted", "[c]", "[c]")
check(any(w.startswith("now: risk_levels!High") and round(a) == round(b) == 7 for w, a, b in found),
      f"a published 7 hidden later and not listed is worked out as 7 ({found})")
found = later("planted-shown-unlisted", 7, 4)
check(any(w.startswith("published: risk_levels!Medium") and round(a) == round(b) == 4
          for w, a, b in found),
      f"a published [c] shown later as 4 and not listed is worked out as 4 ({found})")

print(f"{passed} passed, {failures} failed ({time.time() - started:.1f} s)")
sys.exit(1 if failures else 0)
