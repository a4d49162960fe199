#!/usr/bin/env python3
"""Checks the report model of the hand-made fixtures (tests/fixtures/report)
against the figures worked out by hand in EXPECTED.md, through the text dump
(`actionplan report --text -`), parsed here independently of the C code.

usage: check_model.py BINARY SOURCE_DIR WORK_DIR
"""
import os
import re
import shutil
import subprocess
import sys

binary, src, work = sys.argv[1:4]
fix = os.path.join(src, "tests", "fixtures", "report")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
db = os.path.join(work, "t.db")
env = dict(os.environ, SOURCE_DATE_EPOCH="1491004800")
failures = 0
passed = 0


def run(*args):
    return subprocess.run([binary, *args], capture_output=True, text=True, env=env)


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what)


def parse(dump):
    """{'headlines': {metric: {field: (kind, text)}}, 'tables': {id: [[(kind, text)]]},
    'paragraphs': [...], 'fields': {...}}"""
    model = {"headlines": {}, "tables": {}, "paragraphs": [], "fields": {}, "notes": []}
    cur_h = cur_t = None
    row = None
    for line in dump.splitlines():
        m = re.match(r'^headline \d+ (\S+)$', line)
        if m:
            cur_h, cur_t = {}, None
            model["headlines"][m.group(1)] = cur_h
            continue
        m = re.match(r'^table \d+ (\S+)$', line)
        if m:
            cur_t, cur_h = [], None
            model["tables"][m.group(1)] = cur_t
            continue
        if re.match(r'^(section|chart|note|end)', line):
            cur_h = cur_t = None
            if line.startswith("note "):
                model["notes"].append(line)
            continue
        m = re.match(r'^  (\w+): "(.*)"$', line)
        if m and cur_h is None and cur_t is None:
            model["fields"][m.group(1)] = m.group(2)
        if line.startswith('  paragraph: '):
            model["paragraphs"].append(line[len('  paragraph: "'):-1])
        if cur_h is not None:
            m = re.match(r'^  direction: "(.*)" tone=(\w+)$', line)
            if m:
                cur_h["direction"] = (m.group(2), m.group(1))
            m = re.match(r'^  (\w+): (\w+)(?:/\w+)?(?: [-\d.e+]+)? "(.*?)"', line)
            if m:
                cur_h[m.group(1)] = (m.group(2), m.group(3))
        if cur_t is not None:
            if re.match(r'^  row \d+$', line):
                row = []
                cur_t.append(row)
            m = re.match(r'^    (\w+)(?:/\w+)?(?: [-\d.e+]+)? "(.*?)"( tone=\w+)?(?: key=\S+)?$', line)
            if m:
                row.append((m.group(1), m.group(2), (m.group(3) or "").strip()))
    return model


def column(model, table, label_text):
    """The cells of the row whose first cell's text is label_text, without the label."""
    for r in model["tables"][table]:
        if r[0][1] == label_text:
            return [c[1] for c in r[1:]]
    return None


def report(template, *period):
    r = run("report", "--db", db, "--config", os.path.join(fix, "actionplan.ini"),
            "--template", template, *(period or ("--quarter", "2016/17-Q4")), "--text", "-")
    if r.returncode != 0:
        print(r.stderr)
        sys.exit(f"report --template {template} failed with {r.returncode}")
    return parse(r.stdout)


r = run("init", "--db", db)
assert r.returncode == 0, r.stderr
r = run("import", "--db", db, os.path.join(fix, "data"))
assert r.returncode == 0, r.stderr

cab = report("cabinet")
board = report("board")

# Headlines (EXPECTED.md): raw in the board report, suppressed in the cabinet one.
raw = {"children_supported": "20", "active_cases": "13", "children_closed": "7",
       "children_protected": "4", "children_supported_in_period": "17", "new_cases": "4",
       "closed_cases": "4", "perpetrators_active": "2", "perpetrators_dealt_with": "3",
       "perpetrators_identified_in_period": "2", "missing_episodes": "8",
       "return_interviews_offered_72h": "6", "return_interviews_completed": "5",
       "actions_complete": "1", "actions_overdue": "1"}
for metric, want in raw.items():
    got = board["headlines"].get(metric, {}).get("value")
    check(got and got[1] == want, f"board headline {metric} is {got}, expected {want}")
public = {"children_supported": "20", "active_cases": "13", "children_protected": "[c]",
          "children_supported_in_period": "17", "perpetrators_active": "2",
          "perpetrators_dealt_with": "3", "missing_episodes": "8", "actions_complete": "1"}
for metric, want in public.items():
    got = cab["headlines"].get(metric, {}).get("value")
    check(got and got[1] == want, f"cabinet headline {metric} is {got}, expected {want}")

# Changes: previous quarter had 3 missing episodes ([c]), so the change is [c] too.
check(cab["headlines"]["missing_episodes"]["change_prev"][1] == "[c]",
      "a change against a suppressed figure is suppressed")
check(board["headlines"]["missing_episodes"]["change_prev"][1] == "+5", "board: 8 - 3 = +5")
# 20 children per 40,000 = 5.0 per 10,000; 17 -> 4.25 -> 4.3 (half away from zero).
check(cab["headlines"]["children_supported"]["rate"][1] == "5.0", "rate per 10,000")
check(cab["headlines"]["children_supported_in_period"]["rate"][1] == "4.3", "rate rounding")
check(cab["headlines"]["children_protected"]["rate"][1] == "[c]", "rate of a [c] figure")
check(cab["headlines"]["perpetrators_dealt_with"]["direction"][1] == "up",
      "direction of travel")

# Breakdowns.
check(column(board, "risk_levels", "High") == ["7", "53.8%"], "risk high 7 of 13")
check(column(cab, "risk_levels", "Medium") == ["[c]", "[c]"], "two small cells: medium")
check(column(cab, "risk_levels", "Low") == ["[c]", "[c]"], "two small cells: low")
check(column(cab, "risk_levels", "High") == ["7", "53.8%"], "no secondary with two [c]")
check(column(cab, "risk_levels", "Total") == ["13", "100.0%"], "risk total")
check(column(cab, "age_bands", "12 to 13") == ["[c]", "[c]"], "age 12-13 primary")
check(column(cab, "age_bands", "16 to 17") == ["[c]", "[c]"], "age 16-17 secondary")
check(column(cab, "age_bands", "14 to 15") == ["8", "47.1%"], "age 14-15 shown")
check(column(cab, "age_bands", "Under 12") == ["0", "0.0%"], "a true zero is 0")
check(column(board, "age_bands", "16 to 17") == ["6", "35.3%"], "board age 16-17")
check(column(board, "ethnicity", "Black or Black British") == ["2", "11.8%"], "board black")
check(column(cab, "gender", "Female") == ["11", "64.7%"], "gender female")
check(column(cab, "gender", "Male") == ["6", "35.3%"], "gender male")
check(column(cab, "referral_sources", "Total") == ["[c]", "[c]"], "total 4 is [c]")
check(column(cab, "referral_sources", "Children's social care") == ["0", "[c]"],
      "0 shown; its percentage of a [c] total is [c]")
check(column(board, "area", "North Ward") == ["10", "58.8%"], "area north")
check(column(board, "closure_reasons", "Stopped engaging") == ["1", "25.0%"], "closure")
check(column(board, "perpetrator_actions", "Sexual risk order") == ["1", "20.0%"],
      "perpetrator actions are not suppressed")
check(column(cab, "perpetrator_actions", "Sexual risk order") == ["1", "20.0%"],
      "perpetrator actions are not suppressed in public either")

# Missing episodes and return interviews: this quarter, previous, a year before.
check(column(cab, "missing", "Percentage offered a return interview within 72 hours")
      == ["[c]", "[c]", "[z]"],
      "72-hour percentage: 6 of 8 leaves 2 not offered, so 6 and its percentage are [c]; "
      "[c] over 3; [z] over 0")
check(column(board, "missing", "Percentage offered a return interview within 72 hours")[0]
      == "75.0%", "board: 6 of 8 offered within 72 hours, unsuppressed")
check(column(board, "missing", "Percentage with a completed return interview")
      == ["62.5%", "66.7%", "[z]"], "completed percentage")

# Action plan: ordered by reference; RAG and overdue in words with a tone.
plan = cab["tables"]["action_plan"]
check([r[0][1] for r in plan] == ["AP1", "AP2", "AP3", "AP4"], "plan order by ref")
check(plan[1][6] == ("text", "Red", "tone=red") and plan[1][8][1] == "Overdue",
      "AP2 red and overdue")
check(plan[2][5][1] == "Not started" and plan[2][6][1] == "[x]", "AP3 no update yet")
check(plan[3][5][1] == "In progress", "AP4: an update after the period is ignored")

# Data quality: counts about children are suppressed in public, plan items are not;
# headings are plural whatever the count, so a [c] does not give away a 1.
check(column(cab, "data_quality", "Return interviews offered more than 72 hours after the return")
      == ["Warning", "[c]"], "data-quality count of episodes suppressed")
check(column(cab, "data_quality", "Action plan items never updated") == ["Warning", "1"],
      "data-quality count of plan items shown")
# Ids stay out of the shipped board pack (show_ids = false); the count stays.
check(column(board, "data_quality_detail",
             "Return interviews offered more than 72 hours after the return")
      == ["Warning", "2"], "board counts the late interviews, without their ids")
# A template with show_ids = true lists them.
ids_ini = os.path.join(work, "ids.ini")
with open(os.path.join(src, "templates", "board.ini")) as f:
    text = f.read()
assert "show_ids = false" in text
with open(ids_ini, "w") as f:
    f.write(text.replace("show_ids = false", "show_ids = true"))
check(column(report(ids_ini), "data_quality_detail",
             "Return interviews offered more than 72 hours after the return")
      == ["Warning", "2", "E03, E05"], "show_ids = true lists the episodes to look at")

# Title block and narrative.
check(cab["fields"]["period_label"] == "2016/17 Q4 (1 January to 31 March 2017)", "label")
check(cab["fields"]["marking"] == "OFFICIAL", "cabinet marking")
check(board["fields"]["marking"] == "OFFICIAL-SENSITIVE", "board marking")
check(any("supported 20 children" in p and "[c] children have been protected" in p
          for p in cab["paragraphs"]), "narrative reads [c] for a suppressed figure")
check(any("17 months" in p for p in cab["paragraphs"]), "months since start")
check(any(n.startswith('note 1 "[c]"') for n in cab["notes"]), "[c] explained")
check(not any('"[c]"' in n for n in board["notes"]), "no [c] note when unsuppressed")

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
