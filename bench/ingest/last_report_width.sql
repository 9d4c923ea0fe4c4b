-- What the identity filter in person_last_report cost the daily sweep's scan (issue 10 point 2,
-- migration 0018; BENCHMARKS.md, "Issue 10: the filter in a table of its own").
--
--   createdb -h 127.0.0.1 -U postgres scratch
--   psql -h 127.0.0.1 -U postgres -d scratch -v n=2000000 -f bench/ingest/last_report_width.sql
--   then, alternating, several rounds (no parallel workers, as one sweep statement's share):
--   PGOPTIONS="-c max_parallel_workers_per_gather=0" psql … -c "EXPLAIN (ANALYZE, BUFFERS)
--     SELECT person_id, device_time, region, location_permission FROM plr_new|plr_old
--     WHERE last_contact_at IS NOT NULL"
--
-- plr_new: person_last_report's columns since 0018; plr_old: with the filter's columns as 0017
-- had them (two bit(8192) generations), filled like a phone reporting every 15 minutes (96
-- client ids a generation: 1,000 random filters, shared round-robin).
CREATE OR REPLACE FUNCTION rbits(n int) RETURNS bit(8192) LANGUAGE sql AS $$
  SELECT string_agg(CASE WHEN random() < 1 - exp(-4.0 * n / 8192) THEN '1' ELSE '0' END, '')::bit(8192)
  FROM generate_series(1, 8192) $$;
DROP TABLE IF EXISTS f, plr_old, plr_new;
CREATE TABLE f AS SELECT g AS k, rbits(96) a, rbits(96) b FROM generate_series(0, 999) g;
CREATE TABLE plr_new (person_id varchar(36) PRIMARY KEY, device_id varchar(36), device_time timestamptz,
  received_at timestamptz, lat float8, lon float8, region varchar(6), flags int2, last_contact_at timestamptz NOT NULL,
  status_reported_at timestamptz, location_permission bool, location_services bool, battery_saver bool, app_version varchar(40));
CREATE TABLE plr_old (LIKE plr_new INCLUDING ALL, id_day timestamptz, id_bits bit(8192), id_bits_old bit(8192),
  id_ahead timestamptz, id_ahead_old timestamptz, id_since timestamptz, id_gone_ahead timestamptz);
INSERT INTO plr_new SELECT gen_random_uuid()::text, gen_random_uuid()::text, now() - (g % 3000) * interval '1 minute', now(), 55.7, 37.6, 'RU-MOW', 0, now(), now(), true, true, false, '1.4.2'
  FROM generate_series(1, :n) g;
INSERT INTO plr_old SELECT p.*, date_trunc('day', now()), f.a, f.b, NULL, NULL, now() - interval '1 day', NULL
  FROM plr_new p JOIN f ON f.k = (hashtext(p.person_id) & 999);
VACUUM ANALYZE plr_new; VACUUM ANALYZE plr_old;
SELECT 'new', pg_size_pretty(pg_total_relation_size('plr_new')), pg_relation_size('plr_new')/8192 AS pages, (SELECT avg(pg_column_size(p.*)) FROM plr_new p TABLESAMPLE SYSTEM(1))
UNION ALL SELECT 'old', pg_size_pretty(pg_total_relation_size('plr_old')), pg_relation_size('plr_old')/8192, (SELECT avg(pg_column_size(p.*)) FROM plr_old p TABLESAMPLE SYSTEM(1));
