#!/usr/bin/env python3
"""Independent check that a gen.py export obeys SPEC.md's import rules.

    bench/check_gen.py DIR

Reads the seven CSV files with Python's csv module (not the project's reader)
and checks: the header columns, unique ids, references, enumerations, date
forms and range, closure_reason iff closed_on, outcome iff concluded_on,
closed_on >= opened_on, non-overlapping cases per child (same-day reopen
allowed, an open case is the child's last), returned_at >= missing_from and
interviews >= returned_at. Prints one line per problem (at most 20) and exits 1
if there is any; prints a row count summary and exits 0 otherwise.
"""

import csv
import os
import re
import sys
from collections import defaultdict

FIRST, LAST = "2014-04-01", "2024-03-31"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
ENUMS = {
    "gender": {"female", "male", "other", "unknown"},
    "ethnicity": {"white", "mixed", "asian", "black", "other", "unknown"},
    "risk_level": {"low", "medium", "high"},
    "referral_source": {"police", "social_care", "education", "health", "family", "self",
                        "voluntary", "other"},
    "closure_reason": {"risk_reduced", "removed_from_abuse", "moved_away", "transferred",
                       "turned_18", "disengaged", "other"},
    "outcome": {"prosecuted", "disrupted", "no_further_action", "other"},
    "action": {"investigation", "monitoring", "cawn", "disruption_letter", "council_injunction",
               "housing_injunction", "sexual_risk_order", "shpo", "closure_order",
               "slavery_trafficking_order", "criminal_behaviour_order", "bail_conditions",
               "arrested", "charged", "convicted", "other"},
    "status": {"not_started", "in_progress", "complete"},
    "rag": {"red", "amber", "green"},
}
HEADERS = {
    "children": "child_id,birth_date,gender,ethnicity,area",
    "cases": "case_id,child_id,opened_on,closed_on,risk_level,referral_source,closure_reason",
    "missing_episodes": "episode_id,child_id,missing_from,returned_at,interview_offered_at,"
                        "interview_completed_at",
    "perpetrators": "perpetrator_id,identified_on,concluded_on,outcome",
    "perpetrator_actions": "action_id,perpetrator_id,action,action_on",
    "action_plan": "action_ref,theme,action,lead,due_on",
    "action_updates": "action_ref,updated_on,status,rag,commentary",
}

problems = []


def bad(where, what):
    problems.append("%s: %s" % (where, what))


def rows(folder, name):
    with open(os.path.join(folder, name + ".csv"), newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        if ",".join(header) != HEADERS[name]:
            bad(name, "header %r" % header)
        for n, row in enumerate(rd, start=2):
            if len(row) != len(header):
                bad("%s:%d" % (name, n), "%d fields" % len(row))
                continue
            yield "%s:%d" % (name, n), dict(zip(header, row))


def check_date(where, col, v, required=False, dt=False):
    if not v:
        if required:
            bad(where, "%s empty" % col)
        return
    if not (DATETIME if dt else DATE).match(v):
        bad(where, "%s malformed %r" % (col, v))
    elif col != "birth_date" and not FIRST <= v[:10] <= LAST:
        bad(where, "%s out of range %r" % (col, v))


def check_enum(where, col, v, required=False):
    if not v:
        if required:
            bad(where, "%s empty" % col)
    elif v not in ENUMS[col]:
        bad(where, "%s unknown %r" % (col, v))


def unique(seen, where, key):
    if key in seen:
        bad(where, "duplicate id %r" % key)
    seen.add(key)


def main():
    folder = sys.argv[1]
    count = {}
    children = set()
    for w, r in rows(folder, "children"):
        unique(children, w, r["child_id"])
        check_date(w, "birth_date", r["birth_date"])
        check_enum(w, "gender", r["gender"])
        check_enum(w, "ethnicity", r["ethnicity"])
    count["children"] = len(children)

    case_ids = set()
    by_child = defaultdict(list)
    for w, r in rows(folder, "cases"):
        unique(case_ids, w, r["case_id"])
        if r["child_id"] not in children:
            bad(w, "child %r unknown" % r["child_id"])
        check_date(w, "opened_on", r["opened_on"], required=True)
        check_date(w, "closed_on", r["closed_on"])
        check_enum(w, "risk_level", r["risk_level"])
        check_enum(w, "referral_source", r["referral_source"])
        check_enum(w, "closure_reason", r["closure_reason"])
        if bool(r["closed_on"]) != bool(r["closure_reason"]):
            bad(w, "closure_reason without closed_on or the reverse")
        if r["closed_on"] and r["closed_on"] < r["opened_on"]:
            bad(w, "closed before opened")
        by_child[r["child_id"]].append((r["opened_on"], r["closed_on"] or "9999-12-31", w))
    for spans in by_child.values():
        spans.sort()
        for (_, c1, _), (o2, _, w2) in zip(spans, spans[1:]):
            if o2 < c1:
                bad(w2, "overlaps the child's previous case")
    count["cases"] = len(case_ids)

    ep_ids = set()
    for w, r in rows(folder, "missing_episodes"):
        unique(ep_ids, w, r["episode_id"])
        if r["child_id"] not in children:
            bad(w, "child %r unknown" % r["child_id"])
        for col in ("missing_from", "returned_at", "interview_offered_at",
                    "interview_completed_at"):
            check_date(w, col, r[col], required=col == "missing_from", dt=True)
        if r["returned_at"] and r["returned_at"] < r["missing_from"]:
            bad(w, "returned before missing")
        for col in ("interview_offered_at", "interview_completed_at"):
            if r[col] and (not r["returned_at"] or r[col] < r["returned_at"]):
                bad(w, "%s before returned_at" % col)
    count["missing_episodes"] = len(ep_ids)

    perps = set()
    for w, r in rows(folder, "perpetrators"):
        unique(perps, w, r["perpetrator_id"])
        check_date(w, "identified_on", r["identified_on"], required=True)
        check_date(w, "concluded_on", r["concluded_on"])
        check_enum(w, "outcome", r["outcome"])
        if bool(r["concluded_on"]) != bool(r["outcome"]):
            bad(w, "outcome without concluded_on or the reverse")
        if r["concluded_on"] and r["concluded_on"] < r["identified_on"]:
            bad(w, "concluded before identified")
    count["perpetrators"] = len(perps)

    act_ids = set()
    for w, r in rows(folder, "perpetrator_actions"):
        unique(act_ids, w, r["action_id"])
        if r["perpetrator_id"] not in perps:
            bad(w, "perpetrator %r unknown" % r["perpetrator_id"])
        check_enum(w, "action", r["action"], required=True)
        check_date(w, "action_on", r["action_on"], required=True)
    count["perpetrator_actions"] = len(act_ids)

    refs = set()
    for w, r in rows(folder, "action_plan"):
        unique(refs, w, r["action_ref"])
        if not r["theme"] or not r["action"]:
            bad(w, "theme or action empty")
        check_date(w, "due_on", r["due_on"])
    count["action_plan"] = len(refs)

    keys = set()
    for w, r in rows(folder, "action_updates"):
        unique(keys, w, (r["action_ref"], r["updated_on"]))
        if r["action_ref"] not in refs:
            bad(w, "action_ref %r unknown" % r["action_ref"])
        check_date(w, "updated_on", r["updated_on"], required=True)
        check_enum(w, "status", r["status"], required=True)
        check_enum(w, "rag", r["rag"])
    count["action_updates"] = len(keys)

    for p in problems[:20]:
        print("check_gen.py: " + p, file=sys.stderr)
    if problems:
        print("check_gen.py: %d problems" % len(problems), file=sys.stderr)
        return 1
    print(" ".join("%s=%d" % kv for kv in count.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
