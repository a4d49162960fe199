#!/usr/bin/env bash
# Shared by the readonly and outputs cases: make-db.sh DB [N]
# Creates DB with `actionplan init`, then fills it straight through the sqlite3
# shell (so these cases do not depend on the importer) with N synthetic children,
# each with one case, plus perpetrators and an action plan. N defaults to 2000,
# enough pages that truncating or damaging the file hits data, not just the schema.
set -euo pipefail
db=$1 n=${2:-2000}
"$AP" init --db "$db" > /dev/null
sqlite3 "$db" <<SQL
BEGIN;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
INSERT INTO children SELECT printf('CH%05d', i), date('2003-01-01', printf('+%d days', i % 3000)),
  CASE i % 4 WHEN 0 THEN 'female' WHEN 1 THEN 'male' WHEN 2 THEN 'other' ELSE NULL END,
  CASE i % 3 WHEN 0 THEN 'white' WHEN 1 THEN 'asian' ELSE 'mixed' END,
  CASE i % 3 WHEN 0 THEN 'North Ward' WHEN 1 THEN 'South Ward' ELSE 'East Ward' END FROM k;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
INSERT INTO cases SELECT printf('C%05d', i), printf('CH%05d', i),
  date('2015-11-01', printf('+%d days', i % 500)),
  CASE WHEN i % 2 = 0 THEN date('2015-11-01', printf('+%d days', i % 500 + 60)) END,
  CASE i % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END, 'police',
  CASE WHEN i % 2 = 0 THEN 'risk_reduced' END FROM k;
INSERT INTO perpetrators VALUES ('P001', '2016-01-10', NULL, NULL),
  ('P002', '2016-02-01', '2017-02-01', 'prosecuted');
INSERT INTO perpetrator_actions VALUES ('PA001', 'P001', 'cawn', '2017-01-15');
INSERT INTO action_plan VALUES ('1.1', 'Prevent', 'Train every school', 'Head of Education',
  '2017-03-01');
INSERT INTO action_updates VALUES ('1.1', '2017-02-01', 'in_progress', 'amber', 'On track');
COMMIT;
SQL
