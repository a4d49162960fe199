#!/usr/bin/env python3
"""Concurrency (SPEC Part 2, "The database over the years"), with real processes.

1. Two imports at once: while one runs, a second with busy_timeout 0 fails at
   once with exit 3 and "another import is running on FILE; try again when it
   has finished"; a second with a long timeout waits and then succeeds; the
   first is not disturbed.
2. The wait itself, against a write lock held by the sqlite3 shell: with
   busy_timeout 1 the import fails after about a second; with the default it
   waits out a 2-second lock and succeeds. An import that cannot save because
   a reader holds its read lock past the timeout says so and changes nothing.
3. A reader polling `metrics` during an import sees exactly the figures of
   before it or of after it, never anything else, and never fails.
4. `backup` during an import makes a copy that passes integrity_check and
   holds the figures of before it or after it.

Usage: concurrent.py BINARY SOURCE_DIR WORK_DIR
"""

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


def run(*args):
    return subprocess.run([AP, *args], capture_output=True, text=True)


def metrics(db):
    return run("metrics", "--db", db, "--quarter", QUARTER, "--format", "json")


def fresh(db):
    for f in (db, db + "-journal"):
        if os.path.exists(f):
            os.remove(f)
    shutil.copy("base.db", db)


def start_import(db, *extra):
    return subprocess.Popen([AP, "import", *extra, "--db", db, "big"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_journal(db, p):
    """Until the import p holds its write lock (its journal exists)."""
    while p.poll() is None and not os.path.exists(db + "-journal"):
        time.sleep(0.001)
    return p.poll() is None


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
gen = os.path.join(SRC, "bench", "gen.py")
for n, seed, out in (("2000", "1", "base"), ("10000", "2", "big")):
    subprocess.run([sys.executable, gen, "--children", n, "--seed", seed, "--out", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
subprocess.run([AP, "init", "--db", "base.db"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([AP, "import", "--db", "base.db", "base"], check=True, stdout=subprocess.DEVNULL)
with open("now.ini", "w") as f:
    f.write("[database]\nbusy_timeout = 0\n")
with open("one.ini", "w") as f:
    f.write("[database]\nbusy_timeout = 1\n")
# Long enough for the first import even under a sanitizer on a busy machine.
with open("long.ini", "w") as f:
    f.write("[database]\nbusy_timeout = 600\n")
before = metrics("base.db").stdout
fresh("full.db")
subprocess.run([AP, "import", "--db", "full.db", "big"], check=True, stdout=subprocess.DEVNULL)
after = metrics("full.db").stdout
if before == after:
    bad("the big import does not change the figures: the test would prove nothing")

# 1. Two imports at once.
fresh("c.db")
a = start_import("c.db")
if wait_for_journal("c.db", a):
    b = run("import", "--config", "now.ini", "--db", "c.db", "base/children.csv")
    running = a.poll() is None
    if b.returncode != 3 or ("another import is running on c.db; try again when it has finished"
                             not in b.stderr):
        bad(f"second import (no wait): exit {b.returncode}: {b.stderr.strip()}")
    if not running:
        print("note: the first import ended before the second was refused")
else:
    bad("the first import ended before it took its lock")
if a.wait() != 0:
    bad(f"the first import failed: {a.stderr.read()}")
if metrics("c.db").stdout != after:
    bad("after the refused second import, the figures are not the first import's")

fresh("c.db")
a = start_import("c.db")
wait_for_journal("c.db", a)
t0 = time.monotonic()
b = run("import", "--config", "long.ini", "--db", "c.db", "base/children.csv")
waited = time.monotonic() - t0
if a.wait() != 0 or b.returncode != 0:
    bad(f"waiting second import: exits {a.returncode} and {b.returncode}: {b.stderr.strip()}")
print(f"the second import waited {waited:.2f} s for the first and then ran")

# 2. The wait against a lock held by another program.
fresh("l.db")
shell = subprocess.Popen(["sqlite3", "l.db"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, text=True)
shell.stdin.write("BEGIN IMMEDIATE; CREATE TABLE held(x);\n")
shell.stdin.flush()
while not os.path.exists("l.db-journal"):
    time.sleep(0.01)
t0 = time.monotonic()
b = run("import", "--config", "one.ini", "--db", "l.db", "base/children.csv")
took = time.monotonic() - t0
if b.returncode != 3 or "another import is running on l.db" not in b.stderr or took < 0.9:
    bad(f"busy_timeout 1: exit {b.returncode} after {took:.2f} s: {b.stderr.strip()}")


def release_later():
    time.sleep(2)
    shell.stdin.write("ROLLBACK;\n.quit\n")
    shell.stdin.flush()


import threading  # noqa: E402

t = threading.Thread(target=release_later)
t.start()
t0 = time.monotonic()
b = run("import", "--db", "l.db", "base/children.csv")
took = time.monotonic() - t0
t.join()
shell.wait()
if b.returncode != 0 or took < 1.5:
    bad(f"default timeout against a 2 s lock: exit {b.returncode} after {took:.2f} s")
print(f"busy_timeout 1 gave up after the second; the default waited {took:.2f} s for a 2 s lock")

# A reader that holds its read lock past the timeout: the import cannot
# save, says why, and leaves the database as it was.
fresh("h.db")
shell = subprocess.Popen(["sqlite3", "h.db"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, text=True)
shell.stdin.write("BEGIN; SELECT count(*) FROM children;\n")
shell.stdin.flush()
time.sleep(0.5)
b = run("import", "--config", "one.ini", "--db", "h.db", "big")
shell.stdin.write("COMMIT;\n.quit\n")
shell.stdin.flush()
shell.wait()
if b.returncode != 3 or "h.db is being read by another program" not in b.stderr:
    bad(f"import blocked by a reader: exit {b.returncode}: {b.stderr.strip()}")
if metrics("h.db").stdout != before:
    bad("an import that could not save changed the figures")

# 3. A reader polling during an import.
fresh("r.db")
a = start_import("r.db")
seen = {"before": 0, "after": 0}
while True:
    done = a.poll() is not None
    m = metrics("r.db")
    if m.returncode != 0:
        bad(f"a reader during the import failed: {m.stderr.strip()}")
    elif m.stdout == before:
        seen["before"] += 1
    elif m.stdout == after:
        seen["after"] += 1
    else:
        bad("a reader during the import saw figures of neither before nor after it")
    if done:
        break
if a.returncode != 0:
    bad(f"the import under readers failed: {a.stderr.read()}")
print(f"reader during an import: {seen['before']} reads saw before, {seen['after']} after")
if seen["before"] < 1:
    bad("no read happened during the import: the test proved nothing")

# 4. A backup taken while an import runs: one state, before or after it.
fresh("k.db")
a = start_import("k.db")
wait_for_journal("k.db", a)
running = a.poll() is None
t0 = time.monotonic()
b = run("backup", "--db", "k.db", "k-copy.db")
took = time.monotonic() - t0
if a.wait() != 0 or b.returncode != 0:
    bad(f"backup during an import: exits {a.returncode} and {b.returncode}: {b.stderr.strip()}")
else:
    copy = metrics("k-copy.db").stdout
    integrity = subprocess.run(["sqlite3", "k-copy.db", "PRAGMA integrity_check"],
                               capture_output=True, text=True).stdout.strip()
    if copy not in (before, after) or integrity != "ok":
        bad(f"the backup taken during an import is not one state of it ({integrity})")
    print(f"backup during an import ({'running' if running else 'already ended'}) took"
          f" {took:.2f} s and holds the figures of {'before' if copy == before else 'after'} it")
    if metrics("k.db").stdout != after:
        bad("the import under a backup did not land")

print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
