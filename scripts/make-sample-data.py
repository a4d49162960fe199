#!/usr/bin/env python3
"""Write the SYNTHETIC sample data in sample-data/*.csv.

Every record is invented (no real person): ids like SC0001, invented ward names.
The output is deterministic (a fixed seed, no dates from the clock), so running
this again gives byte-identical files. Python 3 standard library only.

For --quarter 2016/17-Q4 (1 January to 31 March 2017) the data must give the
figures of the published reference report (SPEC.md, "Sample data"). This script
computes those seven figures itself from the rows it writes, with its own
implementation of SPEC.md's definitions, and refuses to write anything if they
drift; it also checks the rules the import enforces and that every value of
every enumeration is used.

Usage: scripts/make-sample-data.py [OUTPUT_DIR]   (default: sample-data/ next to scripts/)
"""

import csv
import datetime as dt
import os
import random
import sys

D = dt.date(2017, 3, 31)          # period end of 2016/17-Q4; no date in the data is later
S = dt.date(2017, 1, 1)           # period start
TEAM_START = dt.date(2015, 11, 1)
FIRST_OPEN = dt.date(2015, 11, 2)  # the team's first case

TARGETS = {
    "children_supported": 97,
    "active_cases": 38,
    "children_closed": 59,
    "children_protected": 59,
    "perpetrators_active": 12,
    "perpetrators_dealt_with": 14,
    "months_since_start": 17,
}

GENDERS = ["female", "male", "other", "unknown"]
ETHNICITIES = ["white", "mixed", "asian", "black", "other", "unknown"]
AREAS = ["Northgate", "Riverside", "Old Town", "Hillcrest", "Eastfield", "Westmoor"]
RISK = ["low", "medium", "high"]
REFERRAL = ["police", "social_care", "education", "health", "family", "self", "voluntary", "other"]
CLOSURE = ["risk_reduced", "removed_from_abuse", "moved_away", "transferred", "turned_18",
           "disengaged", "other"]
PROTECTED = ["risk_reduced", "removed_from_abuse"]
EARLIER_ONLY = ["moved_away", "transferred", "turned_18", "disengaged", "other"]
OUTCOMES = ["prosecuted", "disrupted", "no_further_action", "other"]
ACTIONS = ["investigation", "monitoring", "cawn", "disruption_letter", "council_injunction",
           "housing_injunction", "sexual_risk_order", "shpo", "closure_order",
           "slavery_trafficking_order", "criminal_behaviour_order", "bail_conditions", "arrested",
           "charged", "convicted", "other"]
STATUSES = ["not_started", "in_progress", "complete"]
RAGS = ["red", "amber", "green"]

rng = random.Random(20170331)


def pick(values, weights, i):
    """The i-th of values for the first rows (so every value, empty included, is
    used), then a weighted random choice."""
    if 0 <= i < len(values):
        return values[i]
    return rng.choices(values, weights=weights)[0]


def day(d):
    return d.isoformat() if d else ""


def rand_day(lo, hi):
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def add_years(d, years):
    """d moved by whole years; 29 February becomes 1 March in other years."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return dt.date(d.year + years, 3, 1)


def age_on(birth, on):
    """Completed years on day `on` (a 29 February birthday falls on 1 March)."""
    years = on.year - birth.year
    if add_years(birth, years) > on:
        years -= 1
    return years


def band(age):
    if age is None:
        return "unknown"
    if age < 12:
        return "under_12"
    if age < 14:
        return "12_13"
    if age < 16:
        return "14_15"
    if age < 18:
        return "16_17"
    return "18_plus"


# --- children and cases ---------------------------------------------------

def case_spans(k, active):
    """k non-overlapping (opened, closed) spans; the last open at D if active,
    else closed on or before D. A case may open the day the previous closed."""
    while True:
        opened = rand_day(FIRST_OPEN, dt.date(2017, 3, 20))
        spans = []
        for i in range(k):
            last = i == k - 1
            if last and active:
                spans.append((opened, None))
                break
            closed = opened + dt.timedelta(days=rng.randint(20, 260))
            spans.append((opened, closed))
            opened = closed + dt.timedelta(days=rng.choice([0, 0, 7, 21, 45, 90, 150]))
        ok = all(o <= D for o, _ in spans) and all(c is None or c <= D for _, c in spans)
        if ok:
            return spans


def make_children():
    n_active, n_closed = 38, 59
    kinds = ["active"] * n_active + ["closed"] * n_closed
    rng.shuffle(kinds)
    for i in (0, 1):  # the two hand-made children below have a case open at D
        if kinds[i] != "active":
            j = kinds.index("active", 2)
            kinds[i], kinds[j] = kinds[j], kinds[i]
    # How many cases each child has: most one, some two or three.
    counts = [1] * 97
    multi = rng.sample(range(97), 26)
    for j, i in enumerate(multi):
        counts[i] = 3 if j < 6 else 2
    # Target age bands at the latest case's opening (about what such teams see).
    # (18_plus comes from the children whose earlier case closed when they turned 18.)
    bands = ["under_12"] * 5 + ["12_13"] * 16 + ["14_15"] * 36 + ["16_17"] * 32 + ["unknown"] * 8
    rng.shuffle(bands)

    children, cases = [], []
    # Reasons for the earlier cases of children with more than one: mostly moves,
    # transfers and disengagement; turned_18 only twice (a new case at 18 is rare).
    earlier_reasons = ["moved_away", "transferred", "disengaged", "turned_18", "other",
                       "risk_reduced", "moved_away", "removed_from_abuse", "transferred",
                       "disengaged", "other", "risk_reduced", "moved_away", "transferred",
                       "disengaged", "other", "turned_18", "removed_from_abuse"]
    reason_i = 0
    for i in range(97):
        cid = "SC%04d" % (i + 1)
        active = kinds[i] == "active"
        if i == 0:  # the team's first case, so the earliest opened_on is known
            spans = [(FIRST_OPEN, dt.date(2016, 5, 20)), (dt.date(2016, 5, 20), None)]
            counts[i] = 2
        elif i == 1:  # the child born on 29 February 2004
            spans = [(dt.date(2017, 2, 28), None)]
            counts[i] = 1
        else:
            spans = case_spans(counts[i], active)
        reasons = []
        for j, (o, c) in enumerate(spans):
            if c is None:
                reasons.append(None)
            elif j == len(spans) - 1:
                reasons.append(PROTECTED[(i + j) % 2])
            else:
                reasons.append(earlier_reasons[reason_i % len(earlier_reasons)])
                reason_i += 1
        latest_open = spans[-1][0]
        b = bands[i]
        if i == 1:
            birth = dt.date(2004, 2, 29)
        elif "turned_18" in reasons:
            # Closed at 18: the birthday is the closing day; a later case is 18_plus.
            at = spans[reasons.index("turned_18")][1]
            birth = add_years(at, -18)
        elif b == "unknown":
            birth = None
        else:
            age = {"under_12": rng.randint(9, 11), "12_13": rng.randint(12, 13),
                   "14_15": rng.randint(14, 15), "16_17": rng.randint(16, 17)}[b]
            birth = add_years(latest_open, -age) - dt.timedelta(days=rng.randint(1, 360))
        gender = pick(GENDERS + [""], [70, 22, 2, 3, 3], i - 2)
        ethnicity = pick(ETHNICITIES + [""], [62, 9, 14, 7, 3, 3, 2], i - 2)
        area = pick(AREAS + [""], [20, 18, 16, 14, 14, 12, 6], i - 2)
        if i == 1:
            gender, ethnicity, area = "female", "white", "Hillcrest"
        children.append({"child_id": cid, "birth_date": day(birth), "gender": gender,
                         "ethnicity": ethnicity, "area": area})
        for (o, c), r in zip(spans, reasons):
            cases.append({"child_id": cid, "opened_on": o, "closed_on": c, "closure_reason": r})
    # Case ids in order of opening, as a case system numbers them.
    cases.sort(key=lambda x: (x["opened_on"], x["child_id"]))
    for n, c in enumerate(cases, 1):
        c["case_id"] = "CS%04d" % n
        # Spread the "every value" rows over the period rather than its first weeks.
        k = (n - 1) // 9 if (n - 1) % 9 == 0 else -1
        c["risk_level"] = pick(RISK + [""], [25, 40, 30, 5], k)
        c["referral_source"] = pick(REFERRAL + [""], [30, 25, 15, 8, 8, 4, 6, 2, 2], k)
    return children, cases


# --- missing episodes ------------------------------------------------------

def make_episodes(children, cases):
    first_open = {}
    for c in cases:
        first_open.setdefault(c["child_id"], c["opened_on"])
        first_open[c["child_id"]] = min(first_open[c["child_id"]], c["opened_on"])
    who = sorted(first_open)
    episodes = []
    n = 0
    # About six returns a quarter from 2015/16-Q3 to 2016/17-Q4.
    quarters = [(dt.date(2015, 11, 2), dt.date(2015, 12, 28)), (dt.date(2016, 1, 1), dt.date(2016, 3, 28)),
                (dt.date(2016, 4, 1), dt.date(2016, 6, 28)), (dt.date(2016, 7, 1), dt.date(2016, 9, 28)),
                (dt.date(2016, 10, 1), dt.date(2016, 12, 28)), (dt.date(2017, 1, 1), dt.date(2017, 3, 26))]
    kinds = ["72h", "72h", "72h", "late", "never", "72h", "late", "72h"]
    for qi, (lo, hi) in enumerate(quarters):
        for k in range(4 + qi % 3 + (qi // 2)):
            n += 1
            child = rng.choice([c for c in who if first_open[c] <= hi])
            start = max(lo, first_open[child])
            miss = dt.datetime.combine(rand_day(start, hi), dt.time(rng.randint(7, 22), rng.choice([0, 15, 30, 45])))
            back = miss + dt.timedelta(hours=rng.randint(3, 60))
            kind = kinds[(n + qi) % len(kinds)]
            bare = n % 6 == 0  # some systems record only the date
            offered = completed = None
            if kind == "72h":
                offered = back + dt.timedelta(hours=rng.randint(4, 70))
            elif kind == "late":
                offered = back + dt.timedelta(hours=rng.randint(80, 240))
            if offered and n % 3 != 2:
                completed = offered + dt.timedelta(hours=rng.randint(0, 96))
            if back.date() > D:
                back = offered = completed = None
            if offered and offered.date() > D:
                offered = completed = None
            if completed and completed.date() > D:
                completed = None
            episodes.append({"episode_id": "ME%04d" % n, "child_id": child, "missing_from": miss,
                             "returned_at": back, "interview_offered_at": offered,
                             "interview_completed_at": completed, "bare": bare})
    # The edges of the 72-hour rule: exactly 72 hours, and exactly 3 days as bare dates.
    n += 1
    episodes.append({"episode_id": "ME%04d" % n, "child_id": "SC0002",
                     "missing_from": dt.datetime(2017, 3, 4, 21, 0),
                     "returned_at": dt.datetime(2017, 3, 5, 9, 30),
                     "interview_offered_at": dt.datetime(2017, 3, 8, 9, 30),
                     "interview_completed_at": dt.datetime(2017, 3, 9, 16, 0), "bare": False})
    n += 1
    episodes.append({"episode_id": "ME%04d" % n, "child_id": "SC0001",
                     "missing_from": dt.datetime(2017, 2, 10, 0, 0),
                     "returned_at": dt.datetime(2017, 2, 11, 0, 0),
                     "interview_offered_at": dt.datetime(2017, 2, 14, 0, 0),
                     "interview_completed_at": None, "bare": True})
    # Still missing at the end of the data.
    n += 1
    episodes.append({"episode_id": "ME%04d" % n, "child_id": "SC0001",
                     "missing_from": dt.datetime(2017, 3, 30, 18, 0), "returned_at": None,
                     "interview_offered_at": None, "interview_completed_at": None, "bare": False})
    episodes.sort(key=lambda e: (e["missing_from"], e["child_id"]))
    for n, e in enumerate(episodes, 1):
        e["episode_id"] = "ME%04d" % n
    return episodes


def fmt_dt(x, bare):
    if x is None:
        return ""
    return x.date().isoformat() if bare else x.strftime("%Y-%m-%d %H:%M")


# --- perpetrators ----------------------------------------------------------

def make_perpetrators():
    perps, actions = [], []
    plan = ([("active", None)] * 12 + [("dealt", "prosecuted")] * 6 + [("dealt", "disrupted")] * 8 +
            [("nfa", "no_further_action")] * 2 + [("nfa", "other")] * 2)
    rng.shuffle(plan)
    disrupt = ["cawn", "disruption_letter", "council_injunction", "housing_injunction",
               "sexual_risk_order", "closure_order", "criminal_behaviour_order", "bail_conditions"]
    prosecute = ["arrested", "bail_conditions", "charged", "convicted", "shpo"]
    watch = ["investigation", "monitoring", "cawn", "disruption_letter",
             "slavery_trafficking_order", "other"]
    for i, (kind, outcome) in enumerate(plan, 1):
        pid = "SP%03d" % i
        ident = rand_day(dt.date(2015, 11, 9), dt.date(2017, 1, 31) if kind == "active" else dt.date(2016, 9, 30))
        concluded = None
        if kind != "active":
            concluded = ident + dt.timedelta(days=rng.randint(60, 330))
            concluded = min(concluded, dt.date(2017, 3, 28))
        perps.append({"perpetrator_id": pid, "identified_on": ident, "concluded_on": concluded,
                      "outcome": outcome})
        end = concluded or D
        steps = ["investigation"]
        if outcome == "prosecuted":
            steps += prosecute[:3 + i % 3]
        elif outcome == "disrupted":
            steps += rng.sample(disrupt, 2)
        elif kind == "nfa":
            steps += ["monitoring"]
        else:
            steps += rng.sample(watch[1:], 1 + i % 2)
        span = (end - ident).days
        for k, a in enumerate(steps):
            when = ident + dt.timedelta(days=span * k // len(steps) + (1 if k else 0))
            actions.append({"perpetrator_id": pid, "action": a, "action_on": min(when, end)})
    # Every action used at least once (a register of disruption tools).
    used = {a["action"] for a in actions}
    active_ids = [p["perpetrator_id"] for p in perps if p["concluded_on"] is None]
    for j, a in enumerate(x for x in ACTIONS if x not in used):
        pid = active_ids[j % len(active_ids)]
        p = next(p for p in perps if p["perpetrator_id"] == pid)
        actions.append({"perpetrator_id": pid, "action": a,
                        "action_on": rand_day(max(p["identified_on"], dt.date(2016, 10, 1)), D)})
    actions.sort(key=lambda a: (a["action_on"], a["perpetrator_id"], a["action"]))
    for n, a in enumerate(actions, 1):
        a["action_id"] = "PA%04d" % n
    return perps, actions


# --- action plan -----------------------------------------------------------

PLAN = [
    ("1.1", "Prevention and awareness", "Deliver CSE awareness sessions in every secondary school",
     "Education Safeguarding Lead", "2016-07-31"),
    ("1.2", "Prevention and awareness", "Train taxi drivers and licensed premises staff to spot and report CSE",
     "Licensing Manager", "2016-12-31"),
    ("1.3", "Prevention and awareness", "Run a public awareness campaign with partners each autumn",
     "Communications Manager", "2017-11-30"),
    ("2.1", "Identification and protection", "Use one CSE screening tool across all agencies",
     "CSE Team Manager", "2016-03-31"),
    ("2.2", "Identification and protection", "Offer a return interview within 72 hours of every missing episode",
     "Head of Early Help", "2016-09-30"),
    ("2.3", "Identification and protection", "Map hotspots and share intelligence monthly with the police",
     "Detective Inspector, CSE Team", "2017-03-31"),
    ("3.1", "Disruption and prosecution", "Use civil orders and injunctions against suspected perpetrators",
     "Community Safety Manager", "2016-10-31"),
    ("3.2", "Disruption and prosecution", "Agree a protocol with housing providers to disrupt known addresses",
     "Housing Services Manager", "2017-02-28"),
    ("4.1", "Support and recovery", "Give every child supported a named worker and a support plan",
     "CSE Team Manager", "2016-06-30"),
    ("4.2", "Support and recovery", "Commission therapeutic support for children and their families",
     "Commissioning Manager", "2017-01-31"),
    ("5.1", "Governance and learning", "Report progress to the Safeguarding Children Board every quarter",
     "LSCB Business Manager", "2016-04-30"),
    ("5.2", "Governance and learning", "Audit a sample of closed cases each quarter and share the learning",
     "Head of Quality Assurance", "2017-09-30"),
]

# Each item's updates: (date, status, rag, commentary). Chosen by hand so the
# plan reads like a real one: some complete, some overdue at 31 March 2017,
# one not yet updated.
UPDATES = {
    "1.1": [("2016-01-18", "not_started", "amber", "Schools have been asked for dates; none booked yet."),
            ("2016-04-20", "in_progress", "green", "Sessions held in 6 of 11 secondary schools."),
            ("2016-07-25", "complete", "green", "All 11 secondary schools have had a session, reaching 2,140 pupils.")],
    "1.2": [("2016-04-20", "in_progress", "amber", "Training material agreed with the licensing committee."),
            ("2016-10-17", "in_progress", "amber", "312 drivers trained; licensed premises to follow."),
            ("2017-01-16", "in_progress", "red", "Premises training delayed by a change of provider; new date set for May.")],
    "1.3": [("2016-10-17", "in_progress", "green", "Campaign ran in October with posters on buses and in GP surgeries."),
            ("2017-03-20", "in_progress", "green", "Evaluation shows calls to the team rose by a third during the campaign.")],
    "2.1": [("2016-01-18", "in_progress", "amber", "Draft tool tested by the police and social care."),
            ("2016-03-21", "complete", "green", "All agencies now use the same screening tool.")],
    "2.2": [("2016-04-20", "in_progress", "red", "Fewer than half of interviews are offered within 72 hours."),
            ("2016-07-25", "in_progress", "amber", "A duty rota now covers weekends; timeliness is improving."),
            ("2016-10-17", "in_progress", "amber", "Most interviews are offered in time; completion rates remain low.")],
    "2.3": [("2016-07-25", "in_progress", "green", "Monthly mapping meeting set up with the police analyst."),
            ("2017-01-16", "in_progress", "amber", "Data sharing agreement awaits sign-off by the police.")],
    "3.1": [("2016-04-20", "in_progress", "green", "Two sexual risk orders and one injunction obtained."),
            ("2016-10-24", "complete", "green", "Civil orders are now part of every perpetrator plan.")],
    "3.2": [("2016-10-17", "not_started", "amber", "Housing providers have been invited to a workshop."),
            ("2016-12-12", "in_progress", "amber", "Protocol drafted with the three largest housing providers.")],
    "4.1": [("2016-01-18", "in_progress", "amber", "Caseloads are high; named workers for 80% of children."),
            ("2016-06-27", "complete", "green", "Every child supported has a named worker and a plan.")],
    "4.2": [("2016-07-25", "not_started", "red", "Budget of £45,000 not yet approved."),
            ("2016-10-17", "in_progress", "amber", "Budget approved; tender published."),
            ("2017-03-20", "in_progress", "amber", "Provider chosen; the service starts in June, later than planned.")],
    "5.1": [("2016-04-25", "complete", "green", "First quarterly report presented to the Board in April.")],
    "5.2": [],
}


# --- the figures, computed independently from the rows ---------------------

def open_at(c, x):
    return c["opened_on"] <= x and (c["closed_on"] is None or c["closed_on"] > x)


def figures(cases, perps):
    supported = {c["child_id"] for c in cases if c["opened_on"] <= D}
    open_children = {c["child_id"] for c in cases if open_at(c, D)}
    closed_children = supported - open_children
    latest = {}
    for c in cases:
        if c["opened_on"] <= D:
            k = c["child_id"]
            if k not in latest or c["opened_on"] > latest[k]["opened_on"]:
                latest[k] = c
    protected = {k for k in closed_children if latest[k]["closure_reason"] in PROTECTED}
    t = TEAM_START
    return {
        "children_supported": len(supported),
        "active_cases": sum(1 for c in cases if open_at(c, D)),
        "children_closed": len(supported) - len(open_children),
        "children_protected": len(protected),
        "perpetrators_active": sum(1 for p in perps if p["identified_on"] <= D and
                                   (p["concluded_on"] is None or p["concluded_on"] > D)),
        "perpetrators_dealt_with": sum(1 for p in perps if p["concluded_on"] and
                                       p["concluded_on"] <= D and
                                       p["outcome"] in ("prosecuted", "disrupted")),
        "months_since_start": (D.year * 12 + D.month) - (t.year * 12 + t.month) + 1,
    }


def validate(children, cases, episodes, perps, actions, updates):
    """The rules the import enforces, and the variety the report needs."""
    by_child = {}
    for c in cases:
        by_child.setdefault(c["child_id"], []).append(c)
        assert (c["closed_on"] is None) == (c["closure_reason"] is None), c
        assert c["closed_on"] is None or c["closed_on"] >= c["opened_on"], c
        assert TEAM_START <= c["opened_on"] <= D and (c["closed_on"] or D) <= D, c
    for k, cs in by_child.items():
        cs.sort(key=lambda c: c["opened_on"])
        for a, b in zip(cs, cs[1:]):
            assert a["closed_on"] is not None and a["closed_on"] <= b["opened_on"], (a, b)
        for c in cs[:-1]:
            assert c["closure_reason"] is not None
    # Non-protecting reasons only ever on earlier cases of children with a later case.
    for k, cs in by_child.items():
        assert cs[-1]["closure_reason"] in (None, "risk_reduced", "removed_from_abuse"), cs[-1]
    for e in episodes:
        assert e["returned_at"] is None or e["returned_at"] >= e["missing_from"]
        for f in ("interview_offered_at", "interview_completed_at"):
            assert e[f] is None or (e["returned_at"] and e[f] >= e["returned_at"]), e
            assert e[f] is None or e[f].date() <= D
        assert e["missing_from"].date() <= D
    for p in perps:
        assert (p["concluded_on"] is None) == (p["outcome"] is None), p
        assert p["concluded_on"] is None or p["identified_on"] <= p["concluded_on"] <= D
    for a in actions:
        assert a["action_on"] <= D
    for ref, us in updates.items():
        for u in us:
            assert u[0] <= D.isoformat()
    ids = [c["child_id"] for c in children]
    assert len(ids) == len(set(ids))

    def used(values, rows, key):
        have = {r[key] for r in rows}
        missing = [v for v in values if v not in have]
        assert not missing, (key, missing)
        assert "" in have or None in have, (key, "no empty value")

    used(GENDERS, children, "gender")
    used(ETHNICITIES, children, "ethnicity")
    used(AREAS, children, "area")
    used(RISK, cases, "risk_level")
    used(REFERRAL, cases, "referral_source")
    used(CLOSURE, cases, "closure_reason")
    used(OUTCOMES, perps, "outcome")
    assert {a["action"] for a in actions} == set(ACTIONS)
    all_updates = [u for us in updates.values() for u in us]
    assert {u[1] for u in all_updates} == set(STATUSES)
    assert {u[2] for u in all_updates} == set(RAGS)
    # Every age band, at the opening of each child's latest case.
    birth = {c["child_id"]: c["birth_date"] for c in children}
    bands = set()
    for k, cs in by_child.items():
        b = birth[k]
        bands.add(band(age_on(dt.date.fromisoformat(b), cs[-1]["opened_on"]) if b else None))
    assert bands == {"under_12", "12_13", "14_15", "16_17", "18_plus", "unknown"}, bands
    assert "2004-02-29" in birth.values()
    # Returns in every quarter from 2015/16-Q3 to 2016/17-Q4.
    qs = set()
    for e in episodes:
        if e["returned_at"]:
            r = e["returned_at"].date()
            qs.add((r.year, (r.month - 1) // 3))
    for q in [(2015, 3), (2016, 0), (2016, 1), (2016, 2), (2016, 3), (2017, 0)]:
        assert q in qs, q


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(h) is None else r[h] for h in header])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "sample-data")
    children, cases = make_children()
    episodes = make_episodes(children, cases)
    perps, actions = make_perpetrators()
    validate(children, cases, episodes, perps, actions, UPDATES)
    got = figures(cases, perps)
    if got != TARGETS:
        bad = {k: (got[k], v) for k, v in TARGETS.items() if got[k] != v}
        sys.exit("make-sample-data: figures drifted from the targets (got, want): %r" % bad)

    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "children.csv"),
              ["child_id", "birth_date", "gender", "ethnicity", "area"], children)
    write_csv(os.path.join(out, "cases.csv"),
              ["case_id", "child_id", "opened_on", "closed_on", "risk_level", "referral_source",
               "closure_reason"],
              [dict(c, opened_on=day(c["opened_on"]), closed_on=day(c["closed_on"]))
               for c in cases])
    write_csv(os.path.join(out, "missing_episodes.csv"),
              ["episode_id", "child_id", "missing_from", "returned_at", "interview_offered_at",
               "interview_completed_at"],
              [dict(e, missing_from=fmt_dt(e["missing_from"], e["bare"]),
                    returned_at=fmt_dt(e["returned_at"], e["bare"]),
                    interview_offered_at=fmt_dt(e["interview_offered_at"], e["bare"]),
                    interview_completed_at=fmt_dt(e["interview_completed_at"], e["bare"]))
               for e in episodes])
    write_csv(os.path.join(out, "perpetrators.csv"),
              ["perpetrator_id", "identified_on", "concluded_on", "outcome"],
              [dict(p, identified_on=day(p["identified_on"]), concluded_on=day(p["concluded_on"]))
               for p in perps])
    write_csv(os.path.join(out, "perpetrator_actions.csv"),
              ["action_id", "perpetrator_id", "action", "action_on"],
              [dict(a, action_on=day(a["action_on"])) for a in actions])
    write_csv(os.path.join(out, "action_plan.csv"),
              ["action_ref", "theme", "action", "lead", "due_on"],
              [dict(zip(["action_ref", "theme", "action", "lead", "due_on"], p)) for p in PLAN])
    write_csv(os.path.join(out, "action_updates.csv"),
              ["action_ref", "updated_on", "status", "rag", "commentary"],
              [{"action_ref": ref, "updated_on": u[0], "status": u[1], "rag": u[2],
                "commentary": u[3]} for ref, _, _, _, _ in PLAN for u in UPDATES[ref]])
    print("make-sample-data: wrote %s; 2016/17-Q4: %s" %
          (os.path.normpath(out), ", ".join("%s %d" % kv for kv in got.items())))


if __name__ == "__main__":
    main()
