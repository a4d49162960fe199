#!/usr/bin/env python3
"""Progress of a long import on a terminal (SPEC Part 2, issue 9 item 10).

    check_progress.py ACTIONPLAN SOURCE_DIR WORK_DIR

Runs `actionplan import` with standard error on a pseudo-terminal (Python's
pty module) and on a pipe, and checks what each got:
- on the terminal, with AP_PROGRESS_AFTER_MS=0 (the 2-second wait shortened):
  lines "importing FILE (table K of 2): N rows (R rows/s)" drawn over each other with \\r, at
  most about 4 a second, the last one blanked at the end;
- on the terminal, with the normal 2-second wait, a quick import: nothing;
- on a pipe, even with the wait shortened: nothing.
The import must succeed each time, its summary on standard output as usual.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time

ap, work = sys.argv[1], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(ok, what):
    print("ok  " if ok else "FAIL", what)
    if not ok:
        failures.append(what)


def export(folder, n):
    os.makedirs(folder)
    with open(os.path.join(folder, "children.csv"), "w") as f:
        f.write("child_id,gender,area\n")
        for i in range(n):
            f.write("C%07d,female,North Ward\n" % i)
    with open(os.path.join(folder, "cases.csv"), "w") as f:
        f.write("case_id,child_id,opened_on\n")
        for i in range(n):
            f.write("K%07d,C%07d,2016-01-01\n" % (i, i))


def fresh_db(name):
    db = os.path.join(work, name)
    subprocess.run([ap, "init", "--db", db], check=True, stdout=subprocess.DEVNULL)
    return db


def on_pty(args, env):
    """Run with stderr on a pty; return (exit status, stdout, bytes the pty got, seconds)."""
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                         env=env)
    os.close(slave)
    got = b""
    while True:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            got += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read().decode()
    p.wait()
    os.close(master)
    return p.returncode, out, got.decode(), time.monotonic() - t0


n = 150000
folder = os.path.join(work, "export")
export(folder, n)
env = dict(os.environ, AP_PROGRESS_AFTER_MS="0")

# 1. A terminal, progress from the start.
rc, out, err, secs = on_pty([ap, "import", "--db", fresh_db("a.db"), folder], env)
check(rc == 0, "import on a terminal succeeds")
check("children: 150,000 rows: 150,000 new" in out, "the summary is on standard output")
draws = re.findall(r"\rimporting (children|cases)\.csv \(table ([12]) of 2\): ([0-9,]+) rows? "
                   r"\(([0-9,]+) rows/s\)", err)
check(len(draws) >= 1, "progress lines drawn (%d)" % len(draws))
check(all((d[0], d[1]) in (("children", "1"), ("cases", "2")) for d in draws),
      "children is table 1 of 2 and cases table 2 of 2")
check(all(int(d[2].replace(",", "")) <= n for d in draws), "row counts within the file")
check(len(draws) <= secs * 4 + 2, "at most about 4 a second (%d in %.1f s)" % (len(draws), secs))
check(err.endswith("\r"), "the line is blanked at the end")
blank = err[err.rfind("\r", 0, len(err) - 1):]
check(blank.strip() == "" and len(blank) > 2, "the last thing written is blanks between two \\r")
check("\n" not in err, "no line feed on standard error")

# 2. A terminal, the normal 2-second wait, a quick import: nothing shown.
small = os.path.join(work, "small")
export(small, 100)
rc, out, err, secs = on_pty([ap, "import", "--db", fresh_db("b.db"), small],
                            {k: v for k, v in os.environ.items() if k != "AP_PROGRESS_AFTER_MS"})
check(rc == 0 and err == "", "a quick import on a terminal shows nothing (got %r)" % err[:80])

# 3. Not a terminal: nothing, however long it runs.
p = subprocess.run([ap, "import", "--db", fresh_db("c.db"), folder], env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
check(p.returncode == 0 and p.stderr == b"", "standard error on a pipe gets nothing (got %r)"
      % p.stderr[:80])

sys.exit(1 if failures else 0)
