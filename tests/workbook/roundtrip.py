#!/usr/bin/python3
"""Round trip of the input workbook (Debian's python3-openpyxl):

1. `actionplan workbook` writes a blank workbook; openpyxl reads it back: the sheets, headings,
   drop-down lists, date checks, frozen headers, hidden lists sheet, notes, mode 0600.
2. openpyxl fills a copy the way an officer would: labels as printed in the reports (in any
   case, some codes), dates and date-times typed as real Excel dates, one date typed as text,
   ids with leading zeros kept as text.
3. The filled copy is imported with no profile; the same rows as CSV files (codes, ISO dates)
   into another database. `metrics --format json` of both must be equal, and equal to the
   figures worked out by hand below (period 2024/25-Q4: 1 January to 31 March 2025).

usage: roundtrip.py ACTIONPLAN SOURCE_DIR WORK_DIR
"""
import datetime as dt
import json
import os
import shutil
import stat
import subprocess
import sys

import openpyxl

ap, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args, want=0):
    p = subprocess.run([ap, *args], cwd=work, capture_output=True, text=True)
    if p.returncode != want:
        print("$ actionplan", " ".join(args), "->", p.returncode, "\n", p.stdout, p.stderr)
        sys.exit(1)
    return p.stdout


D, DT = dt.date, dt.datetime
# The rows, as an officer would type them into the workbook (labels, real dates) ...
rows = {
    "children": [
        ["C1", D(2011, 2, 14), "Female", "White", "North"],
        ["C2", D(2009, 6, 1), "male", "Asian or Asian British", "South"],
        ["C3", D(2012, 3, 1), "Not known", None, "North"],
        ["0042", D(2008, 12, 31), "FEMALE", "Black or Black British", None],
    ],
    "cases": [
        ["K1", "C1", D(2024, 11, 4), D(2025, 2, 10), "High", "Police", "Risk reduced"],
        ["K2", "C2", D(2025, 1, 15), None, "Medium", "Children's social care", None],
        ["K3", "C3", "31/03/2025", None, "low", "School or college", None],
        ["K4", "0042", D(2024, 6, 1), D(2024, 12, 20), None, "Health services",
         "Moved out of the area"],
    ],
    "missing_episodes": [
        ["E1", "C1", DT(2025, 1, 10, 21, 0), DT(2025, 1, 11, 8, 0), DT(2025, 1, 13, 9, 0),
         DT(2025, 1, 14, 10, 0)],
        ["E2", "C2", D(2025, 2, 1), D(2025, 2, 2), D(2025, 2, 6), None],
        ["E3", "C3", DT(2025, 3, 30, 23, 0), DT(2025, 4, 1, 2, 0), None, None],
        ["E4", "0042", DT(2024, 12, 30, 10, 0), DT(2025, 1, 1, 0, 30), DT(2025, 1, 4, 0, 30),
         D(2025, 1, 5)],
    ],
    "perpetrators": [
        ["P1", D(2024, 10, 1), D(2025, 3, 1), "Disrupted"],
        ["P2", D(2025, 2, 2), None, None],
    ],
    "perpetrator_actions": [
        ["A1", "P1", "Child abduction warning notice", D(2025, 1, 20)],
        ["A2", "P2", "arrested", D(2025, 3, 15)],
        ["A3", "P1", "Police investigation", D(2024, 12, 1)],
    ],
    "action_plan": [
        ["1.1", "Prevention", "Deliver sessions in schools", "Education", D(2025, 3, 1)],
        ["1.2", "Disruption", "Use licensing powers", "Licensing", D(2025, 6, 30)],
        ["2.1", "Support", "Recruit a worker", None, D(2025, 2, 28)],
    ],
    "action_updates": [
        ["1.1", D(2025, 1, 31), "In progress", "Amber", "Half the schools reached"],
        ["1.1", D(2025, 3, 20), "Complete", "Green", None],
        ["1.2", D(2025, 2, 15), "in_progress", "Red", "Delayed"],
        ["2.1", D(2025, 4, 10), "Complete", "Green", None],
    ],
}
# ... and the same rows as the CSV export would give them (codes, ISO dates).
csv = {
    "children": "child_id,birth_date,gender,ethnicity,area\n"
                "C1,2011-02-14,female,white,North\nC2,2009-06-01,male,asian,South\n"
                "C3,2012-03-01,unknown,,North\n0042,2008-12-31,female,black,\n",
    "cases": "case_id,child_id,opened_on,closed_on,risk_level,referral_source,closure_reason\n"
             "K1,C1,2024-11-04,2025-02-10,high,police,risk_reduced\n"
             "K2,C2,2025-01-15,,medium,social_care,\nK3,C3,2025-03-31,,low,education,\n"
             "K4,0042,2024-06-01,2024-12-20,,health,moved_away\n",
    "missing_episodes": "episode_id,child_id,missing_from,returned_at,interview_offered_at,"
                        "interview_completed_at\n"
                        "E1,C1,2025-01-10 21:00,2025-01-11 08:00,2025-01-13 09:00,"
                        "2025-01-14 10:00\n"
                        "E2,C2,2025-02-01,2025-02-02,2025-02-06,\n"
                        "E3,C3,2025-03-30 23:00,2025-04-01 02:00,,\n"
                        "E4,0042,2024-12-30 10:00,2025-01-01 00:30,2025-01-04 00:30,2025-01-05\n",
    "perpetrators": "perpetrator_id,identified_on,concluded_on,outcome\n"
                    "P1,2024-10-01,2025-03-01,disrupted\nP2,2025-02-02,,\n",
    "perpetrator_actions": "action_id,perpetrator_id,action,action_on\n"
                           "A1,P1,cawn,2025-01-20\nA2,P2,arrested,2025-03-15\n"
                           "A3,P1,investigation,2024-12-01\n",
    "action_plan": "action_ref,theme,action,lead,due_on\n"
                   "1.1,Prevention,Deliver sessions in schools,Education,2025-03-01\n"
                   "1.2,Disruption,Use licensing powers,Licensing,2025-06-30\n"
                   "2.1,Support,Recruit a worker,,2025-02-28\n",
    "action_updates": "action_ref,updated_on,status,rag,commentary\n"
                      "1.1,2025-01-31,in_progress,amber,Half the schools reached\n"
                      "1.1,2025-03-20,complete,green,\n1.2,2025-02-15,in_progress,red,Delayed\n"
                      "2.1,2025-04-10,complete,green,\n",
}
# Worked out by hand from the definitions in SPEC.md, for S = 2025-01-01, D = 2025-03-31.
want = {
    "children_supported": 4,          # K1..K4 all opened by D
    "active_cases": 2,                # K2, and K3 (opened on D); K1 and K4 closed
    "children_closed": 2,             # 4 less C2, C3
    "children_protected": 1,          # C1 (risk reduced); 0042 moved away
    "children_supported_in_period": 3,  # K4 closed before S
    "new_cases": 2,                   # K2, K3
    "closed_cases": 1,                # K1
    "closure_reasons": {"risk_reduced": 1, "moved_away": 0},
    "referral_sources": {"social_care": 1, "education": 1, "police": 0, "health": 0},
    "risk_levels": {"low": 1, "medium": 1, "high": 0, "unknown": 0},
    "gender": {"female": 1, "male": 1, "unknown": 1},
    "ethnicity": {"white": 1, "asian": 1, "unknown": 1, "black": 0},
    "area": {"North": 2, "South": 1},
    "age_bands": {"12_13": 2, "14_15": 1},  # C1 13 on 4/11/24, C2 15 on 15/1/25, C3 13 on 31/3/25
    "perpetrators_active": 1,         # P2; P1 concluded before D
    "perpetrators_dealt_with": 1,     # P1 disrupted
    "perpetrators_identified_in_period": 1,  # P2
    "perpetrator_actions": {"cawn": 1, "arrested": 1, "investigation": 0},
    "missing_episodes": 3,            # E1, E2, E4 returned in the period; E3 after D
    "return_interviews_offered_72h": 2,  # E1 49 h, E4 exactly 72 h; E2 4 days (bare dates)
    "return_interviews_completed": 2,  # E1, E4
    "actions_total": 3,
    "actions_complete": 1,            # 1.1 (update of 20/3)
    "actions_in_progress": 1,         # 1.2
    "actions_not_started": 1,         # 2.1: its only update is after D
    "actions_red": 1, "actions_amber": 0, "actions_green": 1,
    "actions_overdue": 1,             # 2.1 due 28/2, not started
    "months_since_start": 10,         # June 2024 (K4) to March 2025
}

# 1. The blank workbook, read back.
blank = os.path.join(work, "blank.xlsx")
run("workbook", "blank.xlsx")
check(stat.S_IMODE(os.stat(blank).st_mode) == 0o600, "the workbook is mode 0600")
wb = openpyxl.load_workbook(blank)
tables = list(rows)
check(wb.sheetnames == tables + ["notes", "lists"], "sheets: %s" % wb.sheetnames)
check(wb["lists"].sheet_state == "hidden", "the lists sheet is hidden")
for t in tables:
    ws = wb[t]
    heads = [c.value for c in ws[1]]
    check(heads == csv[t].split("\n")[0].split(","), "%s headings %s" % (t, heads))
    check(ws.freeze_panes == "A2", "%s header row frozen" % t)
dvs = {(t, str(dv.sqref)): dv for t in tables for dv in wb[t].data_validations.dataValidation}
dv = dvs[("cases", "F2:F1048576")]
check(dv.type == "list" and dv.formula1 == '"Police,Children\'s social care,School or college,'
      'Health services,Family or carer,The young person,Voluntary sector,Other"',
      "referral_source drop-down: %s" % dv.formula1)
dv = dvs[("cases", "E2:E1048576")]
check(dv.type == "list" and dv.formula1 == '"Low,Medium,High"', "risk_level drop-down")
dv = dvs[("perpetrator_actions", "C2:C1048576")]
check(dv.type == "list" and dv.formula1 == "lists!$A$2:$A$17", "action list: %s" % dv.formula1)
listed = [c.value for c in wb["lists"]["A"][1:17]]
check(listed[0] == "Police investigation" and listed[2] == "Child abduction warning notice"
      and listed[15] == "Other action" and len(listed) == 16, "the action labels: %s" % listed)
for key in (("cases", "C2:C1048576"), ("missing_episodes", "C2:C1048576"),
            ("action_updates", "B2:B1048576")):
    dv = dvs[key]
    check(dv.type == "date" and dv.operator in (None, "between") and dv.formula1 == "1"
          and dv.formula2.startswith("109574.99"), "date check on %s" % (key,))
check(not any(k[0] == "cases" and k[1].startswith("A") for k in dvs), "no check on case_id")
notes = [r for r in wb["notes"].iter_rows(values_only=True) if r[0] in tables]
check(len(notes) == 36, "the notes explain all 36 columns (%d)" % len(notes))
check(("cases", "closure_reason") in {(r[0], r[1]) for r in notes}, "closure_reason noted")

# 2. Fill a copy.
for t in tables:
    ws = wb[t]
    for r in rows[t]:
        ws.append(r)
wb.save(os.path.join(work, "filled.xlsx"))
os.makedirs(os.path.join(work, "csv"))
for t, text in csv.items():
    with open(os.path.join(work, "csv", t + ".csv"), "w") as f:
        f.write(text)

# 3. Import both, compare the figures.
out = {}
for name, path in (("xlsx", "filled.xlsx"), ("csv", "csv")):
    run("init", "--db", name + ".db")
    run("import", "--db", name + ".db", path)
    out[name] = json.loads(run("metrics", "--db", name + ".db", "--quarter", "2024/25-Q4",
                               "--format", "json"))
check(out["xlsx"] == out["csv"], "the workbook and the CSV files give the same figures")
for k, v in want.items():
    got = out["xlsx"].get(k)
    if isinstance(v, dict):
        for kk, vv in v.items():
            check(got.get(kk) == vv, "%s.%s is %s, expected %s" % (k, kk, got.get(kk), vv))
    else:
        check(got == v, "%s is %s, expected %s" % (k, got, v))
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
