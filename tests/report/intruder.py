#!/usr/bin/python3
"""An intruder who reads a whole public workbook and tries to work out its
hidden figures, independently of actionplan's C code.

It reads the workbook back with openpyxl, knows only what the workbook shows
(sheet names, table headings, the definitions sheet that names each measure,
the notes, which say that a true zero is shown as 0 and that [c] hides a count
from 1 to k), and writes down every linear relation a careful reader could:
rows adding up to their total; percentages (stored in full) as numerator over
denominator; changes since the previous quarter and a year before; one child
population behind every rate; the same measure in several tables as one
figure; and what the metric definitions imply between measures and from one
quarter to the next (the flow of cases, cumulative counts that never fall,
bounds). Then, with scipy's linear programming (HiGHS), it finds for every
hidden cell its least and greatest possible value; a cell whose interval
holds one whole number only (checked with whole-number programming where the
interval holds two or three) is a leak.

    intruder.py WORKBOOK...        exit 1 and name each leak found

Used by tests/report/intruder_test.py.
"""
import datetime
import math
import re
import sys

import numpy as np
import openpyxl
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

EPS = 1e-6
INF = math.inf

# What each breakdown divides up, as its definition says ("closure_reasons:
# closed_cases by closure_reason"); perpetrator_actions is its own total.
WHOLE = {
    "closure_reasons": "closed_cases",
    "referral_sources": "new_cases",
    "risk_levels": "active_cases",
    "gender": "children_supported_in_period",
    "ethnicity": "children_supported_in_period",
    "area": "children_supported_in_period",
    "age_bands": "children_supported_in_period",
    "perpetrator_actions": "perpetrator_actions",
}
MONTHS = {m: i + 1 for i, m in enumerate(
    "January February March April May June July August September October November "
    "December".split())}


def table(ws):
    """(headings, rows) of a table sheet: title, description, 'This table
    contains N rows', then the header and N rows. A last column 'Notes' (it
    marks revised rows) holds no figure and is left out."""
    rows = list(ws.iter_rows(values_only=True))
    m = re.match(r"This table contains (\d+) rows?", str(rows[2][0]))
    n = int(m.group(1))
    head, body = list(rows[3]), [list(r) for r in rows[4:4 + n]]
    while head and head[-1] is None:
        head.pop()
    if head and head[-1] == "Notes":
        head = head[:-1]
        body = [r[:len(head)] for r in body]
    return head, body


def parse_period(label):
    """(start, end) dates of a trend row's label, or None if it is a quarter
    code ('2016/17 Q4'), whose neighbours follow each other anyway."""
    m = re.match(r"(\d+) (\w+) (\d{4}) to (\d+) (\w+) (\d{4})$", label)
    if not m:
        return None
    a = datetime.date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
    z = datetime.date(int(m.group(6)), MONTHS[m.group(5)], int(m.group(4)))
    return a, z


class Problem:
    def __init__(self):
        self.index = {}     # (metric, category, quarter) -> column
        self.value = []     # shown value, or None when hidden or unseen
        self.hidden = []    # the cell is [c]
        self.where = []     # sheet!row for messages
        self.rows = []      # (dict col -> coef, lo, hi, what)
        self.objs = []      # (dict col -> coef, what): hidden linear figures

    def var(self, key):
        if key not in self.index:
            self.index[key] = len(self.value)
            self.value.append(None)
            self.hidden.append(False)
            self.where.append("")
        return self.index[key]

    def cell(self, key, v, where):
        """A cell the reader sees: a number, [c], or a marker with no value."""
        j = self.var(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if self.value[j] is not None and abs(self.value[j] - v) > EPS:
                raise SystemExit(f"{where}: {key} shown as {v} and as {self.value[j]}")
            self.value[j] = float(v)
            self.hidden[j] = False
        elif v == "[c]" and self.value[j] is None:
            self.hidden[j] = True
        elif v == "[z]" and self.value[j] is None and key[2] is not None:
            self.value[j] = 0.0  # a quarter before the team began: nothing to count
        if not self.where[j]:
            self.where[j] = where
        return j

    def rel(self, terms, lo, hi, what):
        t = {}
        for key, c in terms:
            j = self.var(key)
            t[j] = t.get(j, 0) + c
        self.rows.append((t, lo, hi, what))


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    names = set(wb.sheetnames)
    P = Problem()
    # The definitions sheet names each measure: label -> metric name.
    _, defs = table(wb["definitions"])
    metric = {r[0]: r[1] for r in defs}
    P.metric = metric
    # The notes say what [c] hides: a count from 1 to k.
    k = None
    for r in wb["Notes"].iter_rows(values_only=True):
        m = re.search(r"a count of 1 to (\d+)", str(r[1] or ""))
        if r[0] == "[c]" and m:
            k = int(m.group(1))
    # The trend gives the quarters in order, the last being the report's own.
    head, trend = table(wb["trend"])
    quarters = [r[0] for r in trend]
    P.quarters = quarters
    P.revised = revisions(wb, metric) if "revisions" in names else set()
    NOW, PREV, YEAR = len(quarters) - 1, len(quarters) - 2, len(quarters) - 5
    for i, r in enumerate(trend):
        for c in range(1, len(head)):
            P.cell((metric[head[c]], None, i), r[c], f"trend!{quarters[i]} {head[c]}")
    qi = {q: i for i, q in enumerate(quarters)}

    if "summary" in names:
        head, rows = table(wb["summary"])
        rate_col = head.index("Rate per 10,000 children") if "Rate per 10,000 children" in head \
            else None
        for r in rows:
            m = metric[r[0]]
            P.cell((m, None, NOW), r[1], f"summary!{r[0]}")
            for col, before, what in ((2, PREV, "change since the previous quarter"),
                                      (3, YEAR, "change since a year before")):
                if YEAR < 0:
                    continue
                a, b = (m, None, NOW), (m, None, before)
                if number(r[col]):
                    P.rel([(a, 1), (b, -1)], r[col], r[col], f"summary {r[0]}: {what}")
            if rate_col is not None:
                P.rates = getattr(P, "rates", [])
                P.rates.append(((m, None, NOW), r[rate_col], r[0]))

    # Tables of this, the previous and the year-before period.
    for sheet in ("perpetrators", "missing"):
        if sheet not in names:
            continue
        head, rows = table(wb[sheet])
        cols = [qi.get(h) for h in head]
        for r in rows:
            label = r[0]
            for c in range(1, len(head)):
                q = cols[c]
                if q is None:
                    continue
                if label.startswith("Percentage"):
                    num = ("return_interviews_offered_72h" if "offered" in label
                           else "return_interviews_completed")
                    if number(r[c]):
                        P.rel([((num, None, q), 1), (("missing_episodes", None, q), -r[c])],
                              -EPS, EPS, f"{sheet}!{label} {head[c]}")
                else:
                    P.cell((metric[label], None, q), r[c], f"{sheet}!{label} {head[c]}")

    # Breakdowns of the report's own period: rows add up to the total, and
    # each percentage is the row over the total.
    for sheet, whole in WHOLE.items():
        if sheet not in names:
            continue
        head, rows = table(wb[sheet])
        total = (whole, None, NOW)
        terms = []
        for r in rows:
            key = total if r[0] == "Total" else (sheet, r[0], NOW)
            P.cell(key, r[1], f"{sheet}!{r[0]}")
            if r[0] != "Total":
                terms.append((key, 1))
            if number(r[2]):
                P.rel([(key, 1), (total, -r[2])], -EPS, EPS, f"{sheet}!{r[0]} percentage")
        P.rel(terms + [(total, -1)], 0, 0, f"{sheet} rows add up to the total")

    # One child population behind every rate: any shown rate beside a shown
    # count gives it away, and then every shown rate gives its count.
    pop = None
    for key, rate, _ in getattr(P, "rates", []):
        j = P.index[key]
        if number(rate) and rate > 0 and P.value[j] is not None:
            pop = P.value[j] * 10000.0 / rate
    for key, rate, label in getattr(P, "rates", []):
        if pop and number(rate):
            P.rel([(key, 10000.0 / pop)], rate - 1e-6, rate + 1e-6, f"summary!{label} rate")

    # What the definitions imply, for every quarter and from one to the next.
    def v(name, q):
        return (name, None, q)
    for q in range(len(quarters)):
        P.rel([(v("children_closed", q), 1), (v("children_supported", q), -1),
               (v("active_cases", q), 1)], 0, 0, "children closed = supported - active")
        P.rel([(v("children_closed", q), 1), (v("children_protected", q), -1)], 0, INF,
              "protected <= closed")
        P.rel([(v("children_supported_in_period", q), 1), (v("active_cases", q), -1)], 0, INF,
              "active <= supported in the period")
        P.rel([(v("children_supported", q), 1), (v("children_supported_in_period", q), -1)],
              0, INF, "supported in the period <= since the start")
        for part in ("return_interviews_offered_72h", "return_interviews_completed"):
            P.rel([(v("missing_episodes", q), 1), (v(part, q), -1)], 0, INF,
                  f"{part} <= missing episodes")
        if q == 0:
            continue
        a, b = parse_period(quarters[q]) or (None, None), parse_period(quarters[q - 1])
        if b is not None and a[0] != b[1] + datetime.timedelta(days=1):
            continue  # periods that overlap: no flow between them
        p = q - 1
        P.rel([(v("active_cases", q), 1), (v("active_cases", p), -1), (v("new_cases", q), -1),
               (v("closed_cases", q), 1)], 0, 0, f"flow of cases into {quarters[q]}")
        P.rel([(v("children_supported", q), 1), (v("children_supported", p), -1)], 0, INF,
              "supported since the start never falls")
        P.rel([(v("new_cases", q), 1), (v("children_supported", q), -1),
               (v("children_supported", p), 1)], 0, INF, "grows by at most the new cases")
        P.rel([(v("children_supported_in_period", q), 1), (v("active_cases", p), -1)], 0, INF,
              "supported in the period >= active at the start")
        P.rel([(v("active_cases", p), 1), (v("new_cases", q), 1),
               (v("children_supported_in_period", q), -1)], 0, INF,
              "supported in the period <= active at the start + new cases")
        P.rel([(v("children_supported_in_period", q), 1), (v("children_supported", q), -1),
               (v("children_supported", p), 1)], 0, INF,
              "supported in the period >= children new in it")
        P.rel([(v("perpetrators_dealt_with", q), 1), (v("perpetrators_dealt_with", p), -1)], 0,
              INF, "dealt with never falls")
    return P, k


def revisions(wb, metric):
    """The counts the table of revisions lists, as (metric or breakdown,
    category label or None, quarter label): 'Active cases, by risk level:
    High' in 2016/17 Q4 is ('risk_levels', 'High', '2016/17 Q4'). Other
    kinds of figure (a percentage, a change, a rate) carry their kind in
    brackets and are not counts."""
    _, rows = table(wb["revisions"])
    listed = set()
    for period, measure, _published, _now in rows:
        if measure.endswith(")"):
            continue
        head, _, cat = measure.partition(": ")
        if head in metric:
            listed.add((metric[head], cat or None, period))
    return listed


def labelled(P, key):
    """A key with its quarter as a label, the same in any workbook."""
    m, cat, q = key
    return (m, cat, P.quarters[q])


def joint(old, new):
    """One problem of two workbooks of the same template: the published one
    (old) and a later one (new), each with its own figures and relations.
    What the later one says about the earlier figures links them: a count
    that both show (as a number or as [c]) and that the table of revisions
    does not list is one the reader may take to be unchanged, so the two are
    equal, unless both are hidden, about which the report says nothing.
    Hidden cells of both workbooks are then audited together."""
    J = Problem()
    for side, P in (("published", old), ("now", new)):
        cols = {}
        for key, j in P.index.items():
            jj = J.var((side,) + labelled(P, key))
            cols[j] = jj
            J.value[jj], J.hidden[jj] = P.value[j], P.hidden[j]
            J.where[jj] = f"{side}: {P.where[j]}" if P.where[j] else ""
        for t, lo, hi, what in P.rows:
            J.rows.append(({cols[j]: c for j, c in t.items()}, lo, hi, f"{side}: {what}"))
        for t, what in P.objs:
            J.objs.append(({cols[j]: c for j, c in t.items()}, f"{side}: {what}"))
    links = 0
    for key, j in new.index.items():
        lk = labelled(new, key)
        jo = old.index.get(next((k for k in old.index if labelled(old, k) == lk), None))
        if jo is None or not old.where[jo] or not new.where[j]:
            continue  # not shown in both
        if lk in new.revised or (old.hidden[jo] and new.hidden[j]):
            continue
        J.rel([(("published",) + lk, 1), (("now",) + lk, -1)], 0, 0, f"unchanged: {lk}")
        links += 1
    J.links = links
    return J


def solve(P):
    """[(where, lo, hi)] of the hidden cells (and hidden changes) that are pinned."""
    n = len(P.value)
    lb = np.zeros(n)
    ub = np.full(n, np.inf)
    for j in range(n):
        if P.value[j] is not None:
            lb[j] = ub[j] = P.value[j]
        elif P.hidden[j]:
            lb[j] = 1.0
    A = np.zeros((len(P.rows), n))
    lo = np.zeros(len(P.rows))
    hi = np.zeros(len(P.rows))
    for i, (t, l, h, _) in enumerate(P.rows):
        for j, c in t.items():
            A[i, j] = c
        lo[i], hi[i] = l, h
    bounds = list(zip(lb, [None if math.isinf(u) else u for u in ub]))
    # linprog wants A_ub x <= b_ub and A_eq x = b_eq
    eq = [i for i in range(len(P.rows)) if lo[i] == hi[i]]
    le = [i for i in range(len(P.rows)) if lo[i] != hi[i]]
    A_ub = np.vstack([A[[i for i in le if not math.isinf(hi[i])]],
                      -A[[i for i in le if not math.isinf(lo[i])]]])
    b_ub = np.concatenate([hi[[i for i in le if not math.isinf(hi[i])]],
                           -lo[[i for i in le if not math.isinf(lo[i])]]])
    A_eq, b_eq = A[eq], lo[eq]

    def extreme(c, sign):
        r = linprog(sign * c, A_ub=A_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                    A_eq=A_eq if len(eq) else None, b_eq=b_eq if len(eq) else None,
                    bounds=bounds, method="highs")
        if r.status == 2:
            # HiGHS's presolve can call an unbounded problem infeasible: ask
            # again without it
            r = linprog(sign * c, A_ub=A_ub if len(b_ub) else None,
                        b_ub=b_ub if len(b_ub) else None, A_eq=A_eq if len(eq) else None,
                        b_eq=b_eq if len(eq) else None, bounds=bounds, method="highs",
                        options={"presolve": False})
        if r.status == 3:
            return sign * INF
        if r.status != 0:
            raise SystemExit(f"the relations read from the workbook have no solution ({r.message})")
        return sign * r.fun

    def whole_extreme(c, sign):
        cons = [LinearConstraint(A, lo, hi)] if len(P.rows) else []
        r = milp(sign * c, constraints=cons, integrality=np.ones(n),
                 bounds=Bounds(lb, ub))
        return sign * r.fun if r.status == 0 else None

    pinned = []
    targets = [({j: 1.0}, P.where[j]) for j in range(n) if P.hidden[j] and P.value[j] is None]
    targets += P.objs
    for terms, where in targets:
        c = np.zeros(n)
        for j, x in terms.items():
            c[j] = x
        a, b = extreme(c, 1), extreme(c, -1)
        if math.isinf(a) or math.isinf(b):
            continue
        ia, ib = math.ceil(a - EPS), math.floor(b + EPS)
        if ib > ia and ib - ia <= 2:
            wa, wb = whole_extreme(c, 1), whole_extreme(c, -1)
            if wa is not None and wb is not None:
                a, b, ia, ib = wa, wb, round(wa), round(wb)
        if ia >= ib:
            pinned.append((where, a, b))
    return pinned


def main(paths):
    bad = 0
    for path in paths:
        P, k = read(path)
        if k is None:
            print(f"{path}: the notes do not say what [c] hides")
            bad += 1
            continue
        for where, a, b in solve(P):
            print(f"{path}: LEAK: the hidden {where} can be worked out: {a:g} .. {b:g}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
