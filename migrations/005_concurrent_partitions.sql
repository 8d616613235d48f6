-- 005 concurrent partitions: two aggregators on one database create and drop the same daily
-- partitions at the same time (both at start, in retention; both in the first batch of a new day).
-- The second CREATE of a partition waited for the first and then failed with "relation … already
-- exists", which stopped an aggregator at start; the second DROP failed with "does not exist".
-- Both are now what they mean: the partition is there (or gone) — someone else did it.

CREATE OR REPLACE FUNCTION netsentinel_ensure_day_partitions(parent regclass, days date[]) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  parent_schema text;
  parent_name text;
  day date;
  partition_name text;
  created text[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = parent) THEN
    RETURN created;
  END IF;
  SELECT n.nspname, c.relname INTO parent_schema, parent_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  FOREACH day IN ARRAY days LOOP
    partition_name := parent_name || '_p' || to_char(day, 'YYYYMMDD');
    IF to_regclass(format('%I.%I', parent_schema, partition_name)) IS NULL THEN
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
          parent_schema, partition_name, parent,
          to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
        created := created || partition_name;
      EXCEPTION WHEN duplicate_table OR unique_violation THEN
        -- Another transaction created it meanwhile (and committed): it exists, as asked.
        NULL;
      END;
    END IF;
  END LOOP;
  RETURN created;
END $$;

CREATE OR REPLACE FUNCTION netsentinel_drop_day_partitions(parent regclass, before date) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped text[] := '{}';
BEGIN
  FOR part IN
    SELECT c.oid::regclass AS rel, c.relname AS name, n.nspname AS schema
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = parent AND c.relname ~ '_p[0-9]{8}$'
     ORDER BY c.relname
  LOOP
    IF to_date(right(part.name, 8), 'YYYYMMDD') + 1 <= before THEN
      -- By name, IF EXISTS: another transaction may have dropped it since the list was read.
      EXECUTE format('DROP TABLE IF EXISTS %I.%I', part.schema, part.name);
      dropped := dropped || part.name::text;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;
