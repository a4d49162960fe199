#!/usr/bin/env python3
"""Deterministic generator of large synthetic CSV exports for the scale benchmark.

    bench/gen.py --children N --seed S --out DIR [--shuffle] [--change PCT]

writes the seven files of SPEC.md "Input" (children, cases, missing_episodes,
perpetrators, perpetrator_actions, action_plan, action_updates) into DIR. Every
record is synthetic (ids like C0000001, areas like "North Ward") and obeys
every import rule, so `actionplan import` must accept the whole folder:
unique ids, valid references, a child's cases never overlap (a case may open
the day the previous one closed; only the last can be open), closure_reason
iff closed_on, outcome iff concluded_on, returned_at >= missing_from, interviews
>= returned_at, all dates within 2014-04-01..2024-03-31.

About 4.5 rows per child across the files: 1 child, ~1.38 cases, ~1.2 missing
episodes, 0.3 perpetrators, ~0.55 perpetrator actions; the action plan is a
fixed 40 items with ~10 updates each. Enumerations are skewed as a real team's
would be, with a few empty optional values; referrals grow over the decade.

--shuffle writes each file's rows in a random order (an export sorted by
nothing). --change PCT alters a value in about PCT% of the rows of every file,
keeping every rule (the next quarter's export of the same records, for the
re-import benchmark): gender, risk_level, perpetrator action and lead cycle to
another value, an interview is completed or no longer, a perpetrator is
identified a day earlier, an update's commentary is rewritten. Both apply to
the export the same seed and N give, so --change without --shuffle is the
plain export with PCT% of its rows different, line for line.

Same seed and N give the same bytes (only random.random() is used, whose
sequence Python keeps stable). Standard library only.
"""

import argparse
import bisect
import csv
import datetime
import io
import math
import os
import random
import sys

START = datetime.date(2014, 4, 1).toordinal()
END = datetime.date(2024, 3, 31).toordinal()
BASE = datetime.date(1990, 1, 1).toordinal()  # earliest birth date we can need
SPAN = END - START + 1


def day_strings():
    """ISO text of every day from BASE to a little past END, indexed by ordinal - BASE."""
    return [datetime.date.fromordinal(o).isoformat() for o in range(BASE, END + 400)]


DAYS = day_strings()
HMS = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
END_SEC = (END - BASE + 1) * 86400 - 1  # 2024-03-31 23:59:59 in seconds since BASE


class Pick:
    """Weighted choice by one random() draw (cumulative weights + bisect)."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        total = 0.0
        self.cum = []
        for _, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, r):
        return self.values[bisect.bisect_right(self.cum, r() * self.total)]


GENDER = Pick([("female", 70), ("male", 25), ("other", 1), ("unknown", 2), ("", 2)])
ETHNICITY = Pick([("white", 71), ("mixed", 8), ("asian", 9), ("black", 5), ("other", 2),
                  ("unknown", 3), ("", 2)])
AREA = Pick([("North Ward", 16), ("South Ward", 14), ("East Ward", 12), ("West Ward", 11),
             ("Central Ward", 18), ("Riverside Ward", 8), ("Hillside Ward", 6),
             ("Parkside Ward", 5), ("Old Town Ward", 4), ("Harbour Ward", 3),
             ("Out of area", 2), ("", 1)])
RISK = Pick([("low", 30), ("medium", 45), ("high", 22), ("", 3)])
REFERRAL = Pick([("police", 30), ("social_care", 30), ("education", 15), ("health", 8),
                 ("family", 7), ("self", 3), ("voluntary", 4), ("other", 2), ("", 1)])
CLOSURE = Pick([("risk_reduced", 45), ("removed_from_abuse", 20), ("moved_away", 8),
                ("transferred", 10), ("turned_18", 9), ("disengaged", 6), ("other", 2)])
OUTCOME = Pick([("prosecuted", 25), ("disrupted", 40), ("no_further_action", 30), ("other", 5)])
ACTION = Pick([("investigation", 20), ("monitoring", 15), ("cawn", 12), ("disruption_letter", 10),
               ("council_injunction", 3), ("housing_injunction", 2), ("sexual_risk_order", 3),
               ("shpo", 2), ("closure_order", 1), ("slavery_trafficking_order", 1),
               ("criminal_behaviour_order", 2), ("bail_conditions", 8), ("arrested", 10),
               ("charged", 6), ("convicted", 4), ("other", 1)])
AGE_AT_FIRST = Pick([(9, 2), (10, 3), (11, 5), (12, 8), (13, 14), (14, 20), (15, 22), (16, 18),
                     (17, 8)])
N_CASES = Pick([(1, 64), (2, 25), (3, 11)])
N_EPISODES = Pick([(0, 45), (1, 22), (2, 14), (3, 8), (4, 5), (5, 3), (6, 3)])
N_ACTIONS = Pick([(0, 20), (1, 25), (2, 25), (3, 15), (4, 10), (5, 5)])
STATUS_RAG = {"not_started": Pick([("red", 20), ("amber", 50), ("", 30)]),
              "in_progress": Pick([("red", 10), ("amber", 45), ("green", 40), ("", 5)]),
              "complete": Pick([("green", 95), ("", 5)])}
THEMES = ["Prevent", "Protect", "Pursue", "Partnership", "Prepare"]


def growing_day(r, growth=1.5):
    """A day in START..END whose density grows linearly (referrals rise over the decade)."""
    u = r()
    t = (-1.0 + math.sqrt(1.0 + 2.0 * growth * u * (1.0 + growth / 2.0))) / growth
    return START + min(int(t * SPAN), SPAN - 1)


def expo(r, mean):
    return -mean * math.log(1.0 - r())


class Out:
    """One CSV file written in large chunks (lines are pre-joined strings)."""

    def __init__(self, folder, name, header):
        self.f = open(os.path.join(folder, name + ".csv"), "w", encoding="utf-8", newline="")
        self.lines = [header]
        self.rows = 0

    def add(self, line):
        self.lines.append(line)
        self.rows += 1
        if len(self.lines) >= 65536:
            self.flush()

    def flush(self):
        if self.lines:
            self.f.write("\n".join(self.lines))
            self.f.write("\n")
            self.lines = []

    def close(self):
        self.flush()
        self.f.close()


def dt(sec):
    return DAYS[sec // 86400] + " " + HMS[sec % 86400]


def gen_children(r, n, out):
    children = Out(out, "children", "child_id,birth_date,gender,ethnicity,area")
    cases = Out(out, "cases",
                "case_id,child_id,opened_on,closed_on,risk_level,referral_source,closure_reason")
    episodes = Out(out, "missing_episodes",
                   "episode_id,child_id,missing_from,returned_at,interview_offered_at,"
                   "interview_completed_at")
    case_no = 0
    ep_no = 0
    for i in range(1, n + 1):
        cid = "C%07d" % i
        first = growing_day(r)
        # Birth date from the age at the first referral; a few are not recorded.
        if r() < 0.03:
            birth = ""
        else:
            age = AGE_AT_FIRST(r)
            birth = DAYS[first - BASE - int(age * 365.25) - int(r() * 365)]
        children.add(cid + "," + birth + "," + GENDER(r) + "," + ETHNICITY(r) + "," + AREA(r))

        # Cases in sequence; only the last may be open. A case whose natural
        # closing day is after END is still open at the end of the export.
        opened = first
        last_end = first
        for k in range(N_CASES(r)):
            case_no += 1
            close = opened + 14 + int(expo(r, 180))
            if close > END:
                cases.add("K%07d,%s,%s,,%s,%s," % (case_no, cid, DAYS[opened - BASE], RISK(r),
                                                   REFERRAL(r)))
                last_end = END
                break
            cases.add("K%07d,%s,%s,%s,%s,%s,%s" % (case_no, cid, DAYS[opened - BASE],
                                                   DAYS[close - BASE], RISK(r), REFERRAL(r),
                                                   CLOSURE(r)))
            last_end = close
            # The next case: sometimes the same day (a re-referral at closure).
            opened = close if r() < 0.08 else close + 1 + int(expo(r, 300))
            if opened > END:
                break

        # Missing episodes around the child's time with the team.
        lo = max(START, first - 60)
        width = last_end - lo + 1
        for _ in range(N_EPISODES(r)):
            ep_no += 1
            gone = (lo + int(r() * width) - BASE) * 86400 + int(r() * 86400)
            back = gone + 1800 + int(expo(r, 20 * 3600))
            if r() < 0.01 or back > END_SEC:
                episodes.add("M%08d,%s,%s,,," % (ep_no, cid, dt(gone)))
                continue
            offered = completed = ""
            if r() >= 0.08:
                if r() < 0.75:
                    o = back + int(r() * 72 * 3600)
                else:
                    o = back + 72 * 3600 + int(r() * 11 * 86400)
                if o <= END_SEC:
                    if r() < 0.04:  # recorded as a bare date: a later day than the return
                        od = max(o // 86400, back // 86400 + 1)
                        if od * 86400 <= END_SEC:
                            offered = DAYS[od]
                            o = od * 86400
                    else:
                        offered = dt(o)
                if offered and r() < 0.8:
                    c = o + int(r() * 10 * 86400)
                    if c <= END_SEC:
                        completed = dt(c)
            episodes.add("M%08d,%s,%s,%s,%s,%s" % (ep_no, cid, dt(gone), dt(back), offered,
                                                   completed))
    for f in (children, cases, episodes):
        f.close()
    return children.rows + cases.rows + episodes.rows


def gen_perpetrators(r, n, out):
    perps = Out(out, "perpetrators", "perpetrator_id,identified_on,concluded_on,outcome")
    actions = Out(out, "perpetrator_actions", "action_id,perpetrator_id,action,action_on")
    act_no = 0
    for i in range(1, n + 1):
        pid = "P%07d" % i
        ident = growing_day(r)
        concl = ident + 30 + int(expo(r, 300))
        if concl > END:
            perps.add("%s,%s,," % (pid, DAYS[ident - BASE]))
            last = END
        else:
            perps.add("%s,%s,%s,%s" % (pid, DAYS[ident - BASE], DAYS[concl - BASE], OUTCOME(r)))
            last = concl
        for _ in range(N_ACTIONS(r)):
            act_no += 1
            on = ident + int(r() * (last - ident + 1))
            actions.add("PA%08d,%s,%s,%s" % (act_no, pid, ACTION(r), DAYS[on - BASE]))
    perps.close()
    actions.close()
    return perps.rows + actions.rows


def gen_plan(r, out):
    plan = Out(out, "action_plan", "action_ref,theme,action,lead,due_on")
    updates = Out(out, "action_updates", "action_ref,updated_on,status,rag,commentary")
    for i in range(1, 41):
        ref = "AP%02d" % i
        theme = THEMES[(i - 1) % len(THEMES)]
        created = START + int(r() * 365 * 3)
        due = created + 180 + int(r() * 900)
        lead = "" if r() < 0.1 else "\"Lead officer %d, synthetic\"" % (1 + int(r() * 12))
        plan.add("%s,%s,\"Synthetic action %d: review, train and report (%s)\",%s,%s"
                 % (ref, theme, i, theme.lower(), lead, DAYS[min(due, END) - BASE]))
        status = "not_started"
        day = created
        for k in range(10):
            day += 30 + int(r() * 120)
            if day > END:
                break
            if status == "not_started" and r() < 0.6:
                status = "in_progress"
            elif status == "in_progress" and r() < 0.25:
                status = "complete"
            note = "" if r() < 0.2 else "\"Update %d: \"\"on track\"\", see minutes\"" % (k + 1)
            updates.add("%s,%s,%s,%s,%s" % (ref, DAYS[day - BASE], status, STATUS_RAG[status](r),
                                            note))
    plan.close()
    updates.close()
    return plan.rows + updates.rows


def _cycle(values):
    return lambda v: values[(values.index(v) + 1) % len(values)] if v in values else values[0]


def _earlier_day(v):
    o = datetime.date.fromisoformat(v).toordinal()
    return DAYS[o - 1 - BASE] if o > START else v


def _interview(f):
    if f[5]:
        f[5] = ""
    elif f[4]:
        f[5] = f[4]
    elif f[3]:
        f[4] = f[3]
    else:
        f[2] = f[2][:11] + "00:00:00" if len(f[2]) > 10 else f[2]


# file -> how to change one row's fields (a list, changed in place)
CHANGES = {
    "children": lambda f: f.__setitem__(2, _cycle(["female", "male", "other", "unknown"])(f[2])),
    "cases": lambda f: f.__setitem__(4, _cycle(["low", "medium", "high"])(f[4])),
    "missing_episodes": _interview,
    "perpetrators": lambda f: f.__setitem__(1, _earlier_day(f[1])),
    "perpetrator_actions": lambda f: f.__setitem__(2, _cycle(["monitoring", "disruption_letter",
                                                              "investigation", "arrested"])(f[2])),
    "action_plan": lambda f: f.__setitem__(3, "Lead officer changed"),
    "action_updates": lambda f: f.__setitem__(4, "Changed since the last export"),
}


def rework(folder, seed, shuffle, change):
    """Apply --change and --shuffle to the files just written in folder."""
    for k, name in enumerate(sorted(CHANGES)):
        path = os.path.join(folder, name + ".csv")
        with open(path, newline="") as f:
            lines = f.read().split("\n")
        head, rows = lines[0], [x for x in lines[1:] if x]
        if change:
            r = random.Random(seed * 31 + k).random
            plain = name not in ("action_plan", "action_updates")  # no quoted fields
            for i, line in enumerate(rows):
                if r() * 100 >= change:
                    continue
                fields = line.split(",") if plain else next(csv.reader([line]))
                CHANGES[name](fields)
                if plain:
                    rows[i] = ",".join(fields)
                else:
                    out = io.StringIO()
                    csv.writer(out, lineterminator="").writerow(fields)
                    rows[i] = out.getvalue()
        if shuffle:
            random.Random(seed * 37 + k).shuffle(rows)
        with open(path, "w", newline="") as f:
            f.write("\n".join([head] + rows) + "\n")


def main():
    ap = argparse.ArgumentParser(description="Write a large synthetic actionplan CSV export.")
    ap.add_argument("--children", type=int, required=True, help="number of children")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--shuffle", action="store_true", help="rows of each file in random order")
    ap.add_argument("--change", type=float, default=0,
                    help="alter a value in about this percentage of every file's rows")
    a = ap.parse_args()
    if a.children < 1:
        ap.error("--children must be at least 1")
    os.makedirs(a.out, exist_ok=True)
    # One stream per part, so adding a field to one file does not reshuffle the others.
    rows = gen_children(random.Random(a.seed * 3 + 0).random, a.children, a.out)
    rows += gen_perpetrators(random.Random(a.seed * 3 + 1).random,
                             max(1, round(a.children * 0.3)), a.out)
    rows += gen_plan(random.Random(a.seed * 3 + 2).random, a.out)
    if a.shuffle or a.change:
        rework(a.out, a.seed, a.shuffle, a.change)
    print("gen.py: %d children, %d rows (%.2f per child) in %s"
          % (a.children, rows, rows / a.children, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
