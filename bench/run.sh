#!/usr/bin/env bash
# The scale benchmark: actionplan's import and report against their floors, on
# the same generated files, side by side.
#
#   bench/run.sh [--bin FILE] [--data DIR] [--runs N] [--quarter Q] [--modes LIST] [SIZE...]
#   bench/run.sh --smoke [--bin FILE] [--data DIR]
#
# SIZE is a number of children (default: 10000 100000 1000000). For each size:
#   load floor     sqlite3 shell, fresh database, `.import --csv` of the seven
#                  files into untyped tables (the shell makes them from the header)
#   import         actionplan init + actionplan import of the same folder
#   compute floor  one plain SQL pass (sqlite3 shell, read-only) over the columns
#                  the headline figures need, on actionplan's own database
#   report         actionplan report, PDF + XLSX with the 8-quarter trend
# --modes LIST (comma-separated; default "fresh") adds the intake's workflows,
# each against the same load floor of the files it imports:
#   fresh          the above: the export sorted by id into a new database, and the report
#   shuffled       the same export with every file's rows in random order (gen.py
#                  --shuffle), into a new database
#   reimport       the next export (gen.py --change 5: 5% of every file's rows
#                  changed) over a database holding the plain export (loaded first,
#                  not timed); the floor loads the changed files into a new database
#   workbook       the plain export as one workbook (gen_workbook.py: a sheet per
#                  table, shared strings, serial dates, as Excel saves one) into a
#                  new database; its "floor" is actionplan's own import of the same
#                  export as CSV (target 3x, not 2x). Excel's sheets end at row
#                  1,048,576, so this mode needs SIZE <= 760000 children.
# Targets (SPEC.md, Intake, Scale): shuffled and reimport at most 2x their floor,
# workbook at most 3x the CSV; every peak under 256 MiB.
# Each is timed (wall clock, and CPU = user + system, which a busy machine does
# not inflate) with its peak memory from /usr/bin/time; best of N runs (default
# 3, or 1 at 1M children and over). The report's quarter defaults to 2023/24-Q4,
# the last of the generated data, so its cumulative figures read every row. Generated data is cached in
# bench/data/ (git-ignored). --smoke: 10k children, one run, also checks the
# generated files with check_gen.py and that every number is present; exit 0
# when the script works (no targets enforced). Exit 77 when a tool is missing.
#
# Environment: AP_BIN (default build/actionplan), BENCH_SEED (default 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${AP_BIN:-$root/build/actionplan}
data=$here/data
runs=""
quarter=2023/24-Q4
seed=${BENCH_SEED:-1}
smoke=0
sizes=()
modes=fresh

die() { echo "bench/run.sh: $*" >&2; exit 3; }
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --quarter) quarter=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --modes) modes=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/run.sh: unknown option '$1'; see bench/run.sh --help" >&2; exit 1 ;;
    *) [[ $1 =~ ^[0-9]+$ ]] || { echo "bench/run.sh: size '$1' is not a number of children" >&2; exit 1; }
       sizes+=("$1"); shift ;;
  esac
done
if [ $smoke = 1 ]; then sizes=(10000); runs=1; fi
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)

for tool in sqlite3 python3; do
  command -v $tool > /dev/null || { echo "bench/run.sh: '$tool' is not installed (Debian package $tool)" >&2; exit 77; }
done
[ -x /usr/bin/time ] || { echo "bench/run.sh: /usr/bin/time is missing; install the Debian package 'time'" >&2; exit 77; }
[ -x "$bin" ] || die "no actionplan binary at '$bin'; build it (cmake -S . -B build && make -C build) or pass --bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$data"
data=$(cd "$data" && pwd)

tables=(children cases missing_episodes perpetrators perpetrator_actions action_plan action_updates)
fail() { echo "bench/run.sh: $1 failed; its output:" >&2; cat "$2" >&2; exit 3; }

# measure NAME LOG CMD...: run CMD under /usr/bin/time; append "NAME WALL_US CPU_S KIB"
# to $results. Wall time comes from the nanosecond clock (time's own is only to
# 10 ms); CPU time (user + system) is what a busy machine does not inflate.
measure() {
  local name=$1 log=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$log.rss" "$@" > "$log" 2>&1 || fail "$name ($*)" "$log"
  t1=$(date +%s%N)
  echo "$name $(( (t1 - t0) / 1000 )) $(tail -n 1 "$log.rss")" >> "$results"
}

# best NAME: "WALL_S CPU_S MIB": the fastest wall time and the least CPU time of
# NAME's runs, and the largest peak memory of all of them.
best() {
  awk -v n="$1" '$1 == n { c = $3 + $4; if (t == "" || $2 < t) t = $2; if (u == "" || c < u) u = c
      if ($5 > m) m = $5 }
    END { if (t == "") exit 1; printf "%.3f %.2f %.1f\n", t / 1e6, u, m / 1024 }' "$results"
}

# The compute floor: one pass over each table, reading every value the headline
# figures (and their breakdowns) need once, with the report's period bounds.
floor_sql() {
  local s=$1 d=$2
  cat <<EOF
SELECT count(*), sum(opened_on <= '$d' AND (closed_on IS NULL OR closed_on > '$d')),
       sum(opened_on BETWEEN '$s' AND '$d'), sum(closed_on BETWEEN '$s' AND '$d'),
       sum(closure_reason IN ('risk_reduced', 'removed_from_abuse')),
       count(risk_level), count(referral_source), count(child_id) FROM cases;
SELECT count(*), count(birth_date), count(gender), count(ethnicity), count(area) FROM children;
SELECT sum(identified_on <= '$d' AND (concluded_on IS NULL OR concluded_on > '$d')),
       sum(concluded_on <= '$d' AND outcome IN ('prosecuted', 'disrupted')),
       sum(identified_on BETWEEN '$s' AND '$d') FROM perpetrators;
SELECT sum(action_on BETWEEN '$s' AND '$d'), count(action) FROM perpetrator_actions;
SELECT sum(substr(returned_at, 1, 10) BETWEEN '$s' AND '$d'), count(interview_offered_at),
       count(interview_completed_at) FROM missing_episodes;
SELECT count(*), count(status), count(rag) FROM action_updates;
SELECT count(*), count(due_on) FROM action_plan;
EOF
}

# quarter_bounds Q: "START END" of a financial-year quarter (April start) 2016/17-Q4.
quarter_bounds() {
  [[ $1 =~ ^([0-9]{4})/[0-9]{2}-Q([1-4])$ ]] || { echo "bench/run.sh: quarter '$1' is not like 2016/17-Q4" >&2; exit 1; }
  local y=${BASH_REMATCH[1]} q=${BASH_REMATCH[2]}
  case $q in
    1) echo "$y-04-01 $y-06-30" ;;
    2) echo "$y-07-01 $y-09-30" ;;
    3) echo "$y-10-01 $y-12-31" ;;
    4) echo "$((y + 1))-01-01 $((y + 1))-03-31" ;;
  esac
}
read -r qstart qend < <(quarter_bounds "$quarter")

cores=$(nproc)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "actionplan scale benchmark: $cores cores${cpu:+ ($cpu)}, sqlite3 $(sqlite3 --version | cut -d' ' -f1),"
echo "report period $quarter ($qstart..$qend), seed $seed, $(date -u '+%Y-%m-%d %H:%M UTC')"

summary=$data/summary.$$
: > "$summary"
# export N SUFFIX GEN_OPTIONS...: the generated export's folder (made once, cached).
export_dir() {
  local n=$1 suffix=$2; shift 2
  local dir=$data/export-$n-s$seed$suffix t0 t1
  if [ ! -f "$dir.complete" ]; then
    rm -rf "$dir"
    t0=$(date +%s%N)
    python3 "$here/gen.py" --children "$n" --seed "$seed" --out "$dir" "$@" 2> "$data/gen.log" ||
      fail "gen.py" "$data/gen.log"
    t1=$(date +%s%N)
    touch "$dir.complete"
    echo "generated $n children${suffix:+ ($suffix)} in $(( (t1 - t0) / 1000000 )) ms: $dir" >&2
  fi
  echo "$dir"
}

# import_mode MODE N: one of the intake's workflows (see --modes), timed beside
# the load floor of the files it imports; appends a line to $modes_summary.
import_mode() {
  local mode=$1 n=$2 dir base nruns i work results
  case $mode in
    shuffled) dir=$(export_dir "$n" -shuffled --shuffle) ;;
    reimport) base=$(export_dir "$n" ""); dir=$(export_dir "$n" -changed5 --change 5) ;;
    workbook) base=$(export_dir "$n" ""); dir=$base.xlsx
      if [ ! -f "$dir.complete" ]; then
        local t0 t1
        t0=$(date +%s%N)
        /usr/bin/python3 "$here/gen_workbook.py" "$base" "$dir" 2> "$data/gen.log" || fail "gen_workbook.py" "$data/gen.log"
        t1=$(date +%s%N)
        touch "$dir.complete"
        echo "made the workbook of $n children in $(( (t1 - t0) / 1000000 )) ms: $dir" >&2
      fi ;;
    *) echo "bench/run.sh: unknown mode '$mode' (fresh, shuffled, reimport, workbook)" >&2; exit 1 ;;
  esac
  if [ "$mode" = workbook ]; then cat "$dir" "$base"/*.csv > /dev/null; else cat "$dir"/*.csv > /dev/null; fi
  nruns=${runs:-$([ "$n" -ge 1000000 ] && echo 1 || echo 3)}
  work=$data/work-$n-$mode
  rm -rf "$work"
  mkdir -p "$work"
  results=$work/results
  : > "$results"
  for t in "${tables[@]}"; do echo ".import --csv $dir/$t.csv $t"; done > "$work/floor.sql"
  if [ "$mode" = reimport ]; then
    "$bin" init --db "$work/base.db" > /dev/null
    "$bin" import --db "$work/base.db" "$base" > "$work/base.log" 2>&1 || fail "import of $base" "$work/base.log"
  fi
  for ((i = 1; i <= nruns; i++)); do
    rm -f "$work/floor.db" "$work/ap.db"
    if [ "$mode" = workbook ]; then
      measure floor_init "$work/init.log" "$bin" init --db "$work/floor.db"
      measure load_floor "$work/floor.log" "$bin" import --db "$work/floor.db" "$base"
    else
      measure load_floor "$work/floor.log" sqlite3 -bail "$work/floor.db" ".read $work/floor.sql"
    fi
    if [ "$mode" = reimport ]; then
      cp "$work/base.db" "$work/ap.db"
      measure import "$work/import.log" "$bin" import --db "$work/ap.db" "$dir"
    else
      measure init "$work/init.log" "$bin" init --db "$work/ap.db"
      measure import "$work/import.log" "$bin" import --db "$work/ap.db" "$dir"
    fi
  done
  read -r imp_s imp_c imp_mib < <(best import)
  if [ "$mode" != reimport ]; then
    read -r init_s init_c init_mib < <(best init)
    read -r imp_s imp_c imp_mib < <(awk -v a="$imp_s" -v b="$init_s" -v c="$imp_c" -v e="$init_c" \
      -v m="$imp_mib" -v k="$init_mib" 'BEGIN { printf "%.3f %.2f %.1f\n", a + b, c + e, (m > k ? m : k) }')
  fi
  read -r lf_s lf_c lf_mib < <(best load_floor)
  if [ "$mode" = workbook ]; then # the CSV import includes its init too
    read -r fi_s fi_c fi_mib < <(best floor_init)
    read -r lf_s lf_c lf_mib < <(awk -v a="$lf_s" -v b="$fi_s" -v c="$lf_c" -v e="$fi_c" \
      -v m="$lf_mib" 'BEGIN { printf "%.3f %.2f %.1f\n", a + b, c + e, m }')
  fi
  echo "$mode $n $imp_s $imp_c $lf_s $lf_c $imp_mib $nruns $lf_mib" >> "$modes_summary"
  rm -f "$work/base.db" "$work/floor.db" "$work/ap.db"
}

modes_summary=$data/modes.$$
: > "$modes_summary"
for n in "${sizes[@]}"; do
  for mode in ${modes//,/ }; do
    [ "$mode" = fresh ] || import_mode "$mode" "$n"
  done
  [[ ",$modes," == *,fresh,* ]] || continue
  dir=$(export_dir "$n" "")
  if [ $smoke = 1 ]; then
    python3 "$here/check_gen.py" "$dir" > "$data/check.log" 2>&1 || fail "check_gen.py" "$data/check.log"
  fi
  rows=$(cat "$dir"/*.csv | wc -l)
  rows=$((rows - 7))
  cat "$dir"/*.csv > /dev/null # the page cache holds the files for every contender alike

  nruns=${runs:-$([ "$n" -ge 1000000 ] && echo 1 || echo 3)}
  work=$data/work-$n
  rm -rf "$work"
  mkdir -p "$work/out"
  results=$work/results
  : > "$results"
  for t in "${tables[@]}"; do echo ".import --csv $dir/$t.csv $t"; done > "$work/floor.sql"
  for ((i = 1; i <= nruns; i++)); do
    rm -f "$work/floor.db"
    measure load_floor "$work/floor.log" sqlite3 -bail "$work/floor.db" ".read $work/floor.sql"
    rm -f "$work/ap.db"
    measure init "$work/init.log" "$bin" init --db "$work/ap.db"
    measure import "$work/import.log" "$bin" import --db "$work/ap.db" "$dir"
  done
  sql=$(floor_sql "$qstart" "$qend")
  for ((i = 1; i <= nruns; i++)); do
    measure compute_floor "$work/compute.log" sqlite3 -readonly -bail "$work/ap.db" "$sql"
    rm -rf "$work/out"/*
    measure report "$work/report.log" "$bin" report --db "$work/ap.db" \
      --config "$here/bench.ini" --quarter "$quarter" --out "$work/out"
  done
  for ext in pdf xlsx; do
    ls "$work/out"/*."$ext" > /dev/null 2>&1 || die "report wrote no .$ext file in $work/out"
  done
  # init is part of importing: add its time to the import's.
  read -r init_s init_c init_mib < <(best init)
  read -r imp_s imp_c imp_mib < <(best import)
  read -r imp_s imp_c imp_mib < <(awk -v a="$imp_s" -v b="$init_s" -v c="$imp_c" -v e="$init_c" \
    -v m="$imp_mib" -v k="$init_mib" 'BEGIN { printf "%.3f %.2f %.1f\n", a + b, c + e, (m > k ? m : k) }')
  read -r lf_s lf_c lf_mib < <(best load_floor)
  read -r rep_s rep_c rep_mib < <(best report)
  read -r cf_s cf_c cf_mib < <(best compute_floor)
  echo "$n $rows $imp_s $imp_c $lf_s $lf_c $imp_mib $lf_mib $rep_s $rep_c $cf_s $cf_c $rep_mib $cf_mib $nruns" >> "$summary"
done

if [ -s "$summary" ]; then
echo
echo "wall = best wall-clock seconds, cpu = least user+system CPU seconds, of the runs;"
echo "ratio = ours / floor (wall, then cpu); MiB = peak resident memory"
awk '
function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
BEGIN {
  printf "%8s %8s | %7s %7s %7s %7s %5s %5s %6s %5s | %7s %7s %7s %7s %5s %5s %6s %5s | %s\n",
    "children", "rows", "import", "cpu", "floor", "cpu", "ratio", "cpu", "MiB", "floor",
    "report", "cpu", "floor", "cpu", "ratio", "cpu", "MiB", "floor", "runs"
}
{
  printf "%8d %8d | %7.2f %7.2f %7.2f %7.2f %5s %5s %6.1f %5.1f | %7.2f %7.2f %7.2f %7.2f %5s %5s %6.1f %5.1f | %d\n",
    $1, $2, $3, $4, $5, $6, ratio($3, $5), ratio($4, $6), $7, $8,
    $9, $10, $11, $12, ratio($9, $11), ratio($10, $12), $13, $14, $15
  iw[$1] = $3; ic[$1] = $4; rw[$1] = $9; rc[$1] = $10; im[$1] = $7; rm[$1] = $13
  irw[$1] = ratio($3, $5); irc[$1] = ratio($4, $6); rrw[$1] = ratio($9, $11); rrc[$1] = ratio($10, $12)
}
function mark(ok) { return ok ? "ok" : "MISSED" }
END {
  if ((100000 in iw) && (1000000 in iw))
    printf "\ngrowth 100k -> 1M children (linear = 10.0x): import %.1fx wall, %.1fx cpu; report %.1fx wall, %.1fx cpu\n",
      iw[1000000] / iw[100000], ic[1000000] / ic[100000], rw[1000000] / rw[100000], rc[1000000] / rc[100000]
  if (1000000 in iw) {
    n = 1000000
    printf "targets at 1M: import ratio <= 2: %s wall, %s cpu (%s); report ratio <= 3 (stretch 1.5): %s wall, %s cpu (%s);\n",
      irw[n], irc[n], mark(irw[n] <= 2), rrw[n], rrc[n], mark(rrw[n] <= 3)
    printf "               report peak %.1f MiB <= 64 (%s); import peak %.1f MiB <= 256 (%s)\n",
      rm[n], mark(rm[n] <= 64), im[n], mark(im[n] <= 256)
  }
}' "$summary"
fi

if [ -s "$modes_summary" ]; then
  echo
  echo "intake workflows (import = actionplan, floor = sqlite3 .import of the same files, or for"
  echo "workbook actionplan's import of the same export as CSV; cpu = user+system; MiB = peak):"
  awk 'function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
    function mark(ok) { return ok ? "ok" : "MISSED" }
    BEGIN { printf "%-9s %9s | %7s %7s | %7s %7s | %5s %5s | %6s %6s | %-6s | %s\n", "mode", "children",
              "import", "cpu", "floor", "cpu", "ratio", "cpu", "MiB", "floor", "target", "runs" }
    { target = $1 == "workbook" ? 3 : 2
      printf "%-9s %9d | %7.2f %7.2f | %7.2f %7.2f | %5s %5s | %6.1f %6.1f | %-6s | %d\n", $1, $2, $3, $4, $5,
        $6, ratio($3, $5), ratio($4, $6), $7, $9, mark($4 <= target * $6 && $7 < 256), $8 }' "$modes_summary"
fi
rm -f "$modes_summary"

if [ $smoke = 1 ]; then
  # Every figure present and a number: 11 fields, all numeric, times above zero.
  awk 'NF != 15 { exit 1 } { for (i = 1; i <= NF; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) exit 1 }
       $3 <= 0 || $5 <= 0 || $9 <= 0 || $11 <= 0 || $7 <= 0 || $13 <= 0 { exit 1 }' "$summary" ||
    { echo "bench/run.sh: smoke: a figure is missing from: $(cat "$summary")" >&2; exit 3; }
  echo "smoke: ok"
fi
rm -f "$summary"
