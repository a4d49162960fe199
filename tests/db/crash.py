#!/usr/bin/env python3
"""Crash safety (SPEC Part 2, "The database over the years").

Real imports of a generated 10,000-children export (bench/gen.py) are killed
with SIGKILL at 20 points: 4 spread over the loading, and 16 spread over the
commit, the part where the database file itself is written, found by watching
the rollback journal's header become non-zero (SQLite writes it when the
journal is synced, just before the first page of the database is overwritten).
After each kill, `metrics` (read-only, the first command to touch the file)
must work at once and print exactly the figures of before the import, or of
after it if it had finished first; PRAGMA integrity_check must say ok and no
journal may be left. Then `check`, `report` and `import` after an interrupted
import, and an interrupted import that the reader may not undo (file and
folder not writable by it: run as the user nobody through setpriv, since file
modes do not bind root): it must fail with the command to run and change
nothing; after the owner runs that command, the reader gets the old figures.

Usage: crash.py BINARY SOURCE_DIR WORK_DIR
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time

AP, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
QUARTER = "2019/20-Q3"
failures = []


def bad(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(*args, user=None):
    cmd = [AP, *args]
    if user:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True)


def metrics(db, user=None):
    return run("metrics", "--db", db, "--quarter", QUARTER, "--format", "json", user=user)


def sqlite(db, sql):
    return subprocess.run(["sqlite3", db, sql], capture_output=True, text=True).stdout.strip()


def journal_hot(db):
    """True if DB-journal exists with a non-zero header (what SQLite calls hot)."""
    try:
        with open(db + "-journal", "rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        return False
    return len(head) == 8 and head != bytes(8)


def fresh(db):
    shutil.copy("base.db", db)
    if os.path.exists(db + "-journal"):
        os.remove(db + "-journal")


def import_killed(db, after_hot=None, after_start=None):
    """Start an import of big/ into db and SIGKILL it: after_start seconds
    after it started, or after_hot seconds after its journal became hot.
    Returns (exit status, whether a hot journal was left)."""
    p = subprocess.Popen([AP, "import", "--db", db, "big"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    if after_start is not None:
        time.sleep(after_start)
    else:
        while p.poll() is None and not journal_hot(db):
            time.sleep(0.0002)
        time.sleep(after_hot)
    p.kill()
    rc = p.wait()
    return rc, journal_hot(db), time.monotonic() - t0


os.makedirs(WORK, exist_ok=True)
shutil.rmtree(WORK)
os.makedirs(WORK)
os.chdir(WORK)
gen = os.path.join(SRC, "bench", "gen.py")
subprocess.run([sys.executable, gen, "--children", "2000", "--seed", "1", "--out", "base"],
               check=True, stdout=subprocess.DEVNULL)
subprocess.run([sys.executable, gen, "--children", "10000", "--seed", "2", "--out", "big"],
               check=True, stdout=subprocess.DEVNULL)
subprocess.run([AP, "init", "--db", "base.db"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([AP, "import", "--db", "base.db", "base"], check=True, stdout=subprocess.DEVNULL)
before = metrics("base.db").stdout
fresh("t.db")
check_before = run("check", "--db", "t.db").stdout  # it names the file

# One whole import, timed: when its journal becomes hot, and when it ends.
started = time.monotonic()
fresh("full.db")
p = subprocess.Popen([AP, "import", "--db", "full.db", "big"], stdout=subprocess.DEVNULL)
hot_at = None
while p.poll() is None:
    if hot_at is None and journal_hot("full.db"):
        hot_at = time.monotonic() - started
    time.sleep(0.0002)
end_at = time.monotonic() - started
if p.returncode != 0 or hot_at is None:
    bad(f"the timing import failed or never wrote a hot journal (exit {p.returncode})")
    sys.exit(1)
after = metrics("full.db").stdout
if after == before:
    bad("the big import does not change the figures: the test would prove nothing")

points = [("load", hot_at * k / 5) for k in range(1, 5)]
# Spread over the first two thirds of the commit: the rest is the journal
# being deleted (the commit point) and the process ending.
points += [("commit", (end_at - hot_at) * 0.67 * k / 16) for k in range(0, 16)]
killed = finished = hot_left = 0
t_loop = time.monotonic()
for n, (phase, delay) in enumerate(points, 1):
    fresh("t.db")
    if phase == "load":
        rc, hot, _ = import_killed("t.db", after_start=delay)
    else:
        rc, hot, _ = import_killed("t.db", after_hot=delay)
    hot_left += hot
    m = metrics("t.db")
    if m.returncode != 0:
        bad(f"kill {n} ({phase} +{delay:.3f}s): metrics failed: {m.stderr.strip()}")
    elif rc == -9 and hot:
        killed += 1
        if m.stdout != before:
            bad(f"kill {n} ({phase} +{delay:.3f}s): figures differ from before the import")
        if "an interrupted import was undone" not in m.stderr:
            bad(f"kill {n}: metrics did not say it undid the import: {m.stderr.strip()}")
    elif rc == -9:
        # No hot journal: killed before the commit began, or after its last
        # step (deleting the journal) but before the process ended.
        killed += 1
        if m.stdout not in (before, after):
            bad(f"kill {n} ({phase} +{delay:.3f}s): figures neither of before nor of after")
    else:
        finished += 1
        if m.stdout != after:
            bad(f"kill {n}: the import finished first, but the figures are not its")
    if journal_hot("t.db"):
        bad(f"kill {n}: a hot journal is still there after metrics")
    if sqlite("t.db", "PRAGMA integrity_check") != "ok":
        bad(f"kill {n}: integrity_check failed")
loop_s = time.monotonic() - t_loop
print(f"{len(points)} kill points over an import of {end_at:.2f} s (commit from {hot_at:.2f} s):"
      f" {killed} killed ({hot_left} left a hot journal), {finished} finished first;"
      f" loop {loop_s:.1f} s")
if hot_left < 5:
    bad(f"only {hot_left} kills left a hot journal: the recovery was hardly exercised")


def interrupt(db):
    for _ in range(10):
        fresh(db)
        rc, hot, _ = import_killed(db, after_hot=(end_at - hot_at) / 3)
        if rc == -9 and hot:
            return True
    bad("could not interrupt an import in its commit")
    return False


# Every other kind of command after an interrupted import.
if interrupt("t.db"):
    c = run("check", "--db", "t.db")
    if c.stdout != check_before:
        bad("check after an interrupted import differs from before")
if interrupt("t.db"):
    os.makedirs("rep", exist_ok=True)
    r = run("report", "--db", "t.db", "--quarter", QUARTER, "--out", "rep")
    if r.returncode != 0:
        bad(f"report after an interrupted import failed: {r.stderr.strip()}")
if interrupt("t.db"):
    r = run("import", "--db", "t.db", "base/children.csv")
    if r.returncode != 0 or metrics("t.db").stdout != before:
        bad(f"import after an interrupted import: exit {r.returncode}, or the figures differ")

# The reader may not write the file or its folder.
if os.getuid() == 0 and shutil.which("setpriv") and interrupt("t.db"):
    os.makedirs("ro")
    for f in ("t.db", "t.db-journal"):
        shutil.copy(f, "ro/" + f)
        os.chmod("ro/" + f, 0o644)
    os.chmod("ro", 0o755)
    for d in (WORK, os.path.dirname(WORK)):
        os.chmod(d, os.stat(d).st_mode | 0o001)

    def sums():
        return [hashlib.sha256(open("ro/" + f, "rb").read()).hexdigest()
                for f in ("t.db", "t.db-journal")]
    sums0 = sums()
    db = os.path.join(WORK, "ro", "t.db")
    r = metrics(db, user="nobody")
    if r.returncode != 3:
        bad(f"unwritable: metrics exit {r.returncode}, expected 3: {r.stderr.strip()}")
    if ("an import into this database was interrupted" not in r.stderr
            or f"Run 'actionplan migrate --db {db}' as a user who can write there" not in r.stderr):
        bad(f"unwritable: the message does not say what to do: {r.stderr.strip()}")
    if sums() != sums0:
        bad("unwritable: the files changed")
    if run("migrate", "--db", db).returncode != 0 or os.path.exists(db + "-journal"):
        bad("migrate as the owner failed or left the journal")
    r = metrics(db, user="nobody")
    if r.returncode != 0 or r.stdout != before:
        bad(f"after migrate, nobody cannot read the figures of before: {r.stderr.strip()}")
else:
    print("note: not root or no setpriv: the unwritable case was skipped")

print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
