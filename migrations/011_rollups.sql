-- 011 roll-ups: traffic_metrics summed into 5-minute (traffic_metrics_5m) and hourly
-- (traffic_metrics_1h) buckets, so long ranges read a few hundred rows a series instead of tens of
-- thousands. Same columns and key as traffic_metrics, plus one 'network' row per bucket (flow_id and
-- device_id NULL: the sum of the bucket's 'flow' rows, what the network's chart reads); partitioned
-- by UTC day the same way, so
-- retention (storage/retention.ts) drops whole partitions per table: per-minute 30 days, 5-minute 90,
-- hourly 365 by default ([storage] retention_days, rollup_5m_days, rollup_1h_days).
--
-- Which buckets to recompute: every statement that inserts or updates per-minute rows records the
-- 5-minute buckets it touched in rollup_pending, in the same transaction (statement-level triggers
-- with a transition table: one small INSERT per statement, not per row). storage/rollups.ts takes
-- pending buckets, recomputes each one from scratch (DELETE + INSERT … SELECT sum(…)) and marks its
-- hour; hours are recomputed from their 5-minute rows. Recomputing a bucket twice gives the same rows
-- (idempotent), and a minute written after its bucket was rolled up marks it pending again, so once
-- nothing is pending, every 5-minute row is exactly the sum of its minutes and every hourly row the
-- sum of its 5-minute rows. Both steps stay inside one UTC day, so a day whose minutes were dropped
-- is never recomputed from nothing.
--
-- With TimescaleDB (hypertables), transition tables are not available: the triggers are not created
-- and roll-ups stay empty (long ranges then read the per-minute table). That path cannot be tested on
-- a server without TimescaleDB.

SELECT netsentinel_create_time_series('traffic_metrics_5m', $columns$
  time            timestamptz NOT NULL,
  bucket_seconds  integer NOT NULL DEFAULT 300,
  flow_id         bigint,
  device_id       bigint,
  metric_type     varchar(20) NOT NULL CHECK (metric_type IN ('flow', 'device_in', 'device_out', 'network')),
  packet_count    bigint NOT NULL DEFAULT 0,
  byte_count      bigint NOT NULL DEFAULT 0,
  max_packet_size integer,
  min_packet_size integer,
  tcp_syn_count   bigint NOT NULL DEFAULT 0,
  tcp_rst_count   bigint NOT NULL DEFAULT 0,
  tcp_fin_count   bigint NOT NULL DEFAULT 0,
  CONSTRAINT traffic_metrics_5m_bucket UNIQUE NULLS NOT DISTINCT (time, metric_type, flow_id, device_id)
$columns$);

SELECT netsentinel_create_time_series('traffic_metrics_1h', $columns$
  time            timestamptz NOT NULL,
  bucket_seconds  integer NOT NULL DEFAULT 3600,
  flow_id         bigint,
  device_id       bigint,
  metric_type     varchar(20) NOT NULL CHECK (metric_type IN ('flow', 'device_in', 'device_out', 'network')),
  packet_count    bigint NOT NULL DEFAULT 0,
  byte_count      bigint NOT NULL DEFAULT 0,
  max_packet_size integer,
  min_packet_size integer,
  tcp_syn_count   bigint NOT NULL DEFAULT 0,
  tcp_rst_count   bigint NOT NULL DEFAULT 0,
  tcp_fin_count   bigint NOT NULL DEFAULT 0,
  CONSTRAINT traffic_metrics_1h_bucket UNIQUE NULLS NOT DISTINCT (time, metric_type, flow_id, device_id)
$columns$);

-- The network's chart reads one 'network' row per bucket; a device's series reads by device and
-- time (the unique key leads with time and would scan every row of the range).
CREATE INDEX traffic_metrics_5m_network ON traffic_metrics_5m (time) WHERE metric_type = 'network';
CREATE INDEX traffic_metrics_1h_network ON traffic_metrics_1h (time) WHERE metric_type = 'network';
CREATE INDEX traffic_metrics_device_time ON traffic_metrics (device_id, time) WHERE device_id IS NOT NULL;
CREATE INDEX traffic_metrics_5m_device_time ON traffic_metrics_5m (device_id, time) WHERE device_id IS NOT NULL;
CREATE INDEX traffic_metrics_1h_device_time ON traffic_metrics_1h (device_id, time) WHERE device_id IS NOT NULL;

-- Buckets to recompute: 'traffic_metrics_5m' buckets (5-minute starts) and 'traffic_metrics_1h' ones
-- (hour starts).
CREATE TABLE rollup_pending (
  target text NOT NULL CHECK (target IN ('traffic_metrics_5m', 'traffic_metrics_1h')),
  bucket timestamptz NOT NULL,
  PRIMARY KEY (target, bucket)
);

CREATE FUNCTION netsentinel_mark_rollup_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_pending (target, bucket)
  SELECT DISTINCT 'traffic_metrics_5m', date_bin('5 minutes', time, timestamptz '2000-01-01 00:00:00+00')
    FROM changed_minutes
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'traffic_metrics'::regclass) THEN
    CREATE TRIGGER traffic_metrics_rollup_insert AFTER INSERT ON traffic_metrics
      REFERENCING NEW TABLE AS changed_minutes FOR EACH STATEMENT EXECUTE FUNCTION netsentinel_mark_rollup_pending();
    CREATE TRIGGER traffic_metrics_rollup_update AFTER UPDATE ON traffic_metrics
      REFERENCING NEW TABLE AS changed_minutes FOR EACH STATEMENT EXECUTE FUNCTION netsentinel_mark_rollup_pending();
  ELSE
    RAISE NOTICE 'traffic_metrics is a hypertable: roll-ups are not maintained';
  END IF;
END $$;

-- What was stored before this migration is rolled up by the first run.
INSERT INTO rollup_pending (target, bucket)
SELECT DISTINCT 'traffic_metrics_5m', date_bin('5 minutes', time, timestamptz '2000-01-01 00:00:00+00')
  FROM traffic_metrics
ON CONFLICT DO NOTHING;
