-- 002 time series: traffic_metrics (the seed spec's per-minute buckets) and protocol_events, one
-- partition per UTC day, so retention drops whole partitions (storage/retention.ts).
--
-- When the timescaledb extension is available AND loadable (shared_preload_libraries), the same
-- tables are created as hypertables with 1-day chunks instead; retention then uses TimescaleDB's
-- policies. That path cannot be tested on a server without TimescaleDB.
--
-- Departures from the seed spec:
-- - bucket_size INTERVAL (16 bytes a row) is bucket_seconds integer (4 bytes; the analyze JSON's name).
-- - flow_id / device_id are bigint (see 001); the unique key (time, metric_type, flow_id, device_id)
--   is NULLS NOT DISTINCT (PostgreSQL 15+) so flow rows and device rows upsert on one constraint.
-- - No foreign keys from time series to flows/devices: a foreign key on a partitioned table costs a
--   lookup per inserted row, and partitions are dropped wholesale anyway.
--
-- Rows and disk: see storage/README.md ("Sizing").

-- Microseconds since the epoch (what the sensors count in) to timestamptz, exactly (floor to the µs).
CREATE FUNCTION netsentinel_time(us double precision) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_timestamp(floor(us) / 1000000.0);

-- True when TimescaleDB is available and loads; creates the extension then. Plain PostgreSQL and
-- PGlite answer false.
CREATE FUNCTION netsentinel_use_timescaledb() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    RETURN false;
  END IF;
  BEGIN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    RETURN true;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'timescaledb is installed but cannot be loaded (%): using plain partitioning', SQLERRM;
    RETURN false;
  END;
END $$;

-- Creates a time-series table from its column list: partitioned by day on "time", or a hypertable.
CREATE FUNCTION netsentinel_create_time_series(table_name text, columns text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  IF netsentinel_use_timescaledb() THEN
    EXECUTE format('CREATE TABLE %I (%s)', table_name, columns);
    EXECUTE format(
      'SELECT create_hypertable(%L::regclass, %L, chunk_time_interval => interval %L)',
      table_name, 'time', '1 day');
    EXECUTE format('ALTER TABLE %I SET (timescaledb.compress)', table_name);
    EXECUTE format('SELECT add_compression_policy(%L::regclass, interval %L)', table_name, '2 days');
    RETURN 'hypertable';
  END IF;
  EXECUTE format('CREATE TABLE %I (%s) PARTITION BY RANGE (time)', table_name, columns);
  RETURN 'partitioned';
END $$;

-- Creates the missing daily partitions of a partitioned table for the given UTC days. Partitions
-- are named <table>_pYYYYMMDD and cover [day 00:00 UTC, next day 00:00 UTC). Returns their names.
CREATE FUNCTION netsentinel_ensure_day_partitions(parent regclass, days date[]) RETURNS text[]
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
      EXECUTE format(
        'CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
        parent_schema, partition_name, parent,
        to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
      created := created || partition_name;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- Drops the daily partitions (named by netsentinel_ensure_day_partitions) that end on or before
-- `before` 00:00 UTC. Returns their names.
CREATE FUNCTION netsentinel_drop_day_partitions(parent regclass, before date) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped text[] := '{}';
BEGIN
  FOR part IN
    SELECT c.oid::regclass AS rel, c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent AND c.relname ~ '_p[0-9]{8}$'
     ORDER BY c.relname
  LOOP
    IF to_date(right(part.name, 8), 'YYYYMMDD') + 1 <= before THEN
      EXECUTE format('DROP TABLE %s', part.rel);
      dropped := dropped || part.name::text;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;

-- Per-minute buckets: one row per flow and minute ('flow'), per device, direction and minute
-- ('device_in', 'device_out'); counters are added when a minute arrives in several flushes.
SELECT netsentinel_create_time_series('traffic_metrics', $columns$
  time            timestamptz NOT NULL,
  bucket_seconds  integer NOT NULL DEFAULT 60,
  flow_id         bigint,
  device_id       bigint,
  metric_type     varchar(20) NOT NULL CHECK (metric_type IN ('flow', 'device_in', 'device_out')),
  packet_count    bigint NOT NULL DEFAULT 0,
  byte_count      bigint NOT NULL DEFAULT 0,
  avg_packet_size real,
  max_packet_size integer,
  min_packet_size integer,
  tcp_syn_count   integer NOT NULL DEFAULT 0,
  tcp_rst_count   integer NOT NULL DEFAULT 0,
  tcp_fin_count   integer NOT NULL DEFAULT 0,
  CONSTRAINT traffic_metrics_bucket UNIQUE NULLS NOT DISTINCT (time, metric_type, flow_id, device_id)
$columns$);

-- Protocol events and anomalies (modbus.write, s7.cpu_stop, arp.gratuitous…), one row per distinct
-- event per flush with its count; "time" is when it was first heard in that flush.
SELECT netsentinel_create_time_series('protocol_events', $columns$
  id          bigint GENERATED ALWAYS AS IDENTITY,
  time        timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  type        varchar(128) NOT NULL,
  kind        varchar(16) NOT NULL DEFAULT 'event', -- event | anomaly
  severity    varchar(16) NOT NULL,
  source      varchar(64) NOT NULL, -- dissector
  sensor_id   text,
  device_id   bigint,
  mac_address macaddr,
  ip_address  inet,
  src_mac     macaddr,
  dst_mac     macaddr,
  src_ip      inet,
  dst_ip      inet,
  vlan_id     smallint,
  fields      jsonb NOT NULL DEFAULT '{}',
  count       bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (time, id)
$columns$);
CREATE INDEX protocol_events_type ON protocol_events (type, time);
CREATE INDEX protocol_events_device ON protocol_events (device_id, time);
