-- 012 flow totals: flows, packets and bytes per application (the dashboard's protocol donut and flow
-- counts, /stats/protocols), kept current by statement-level triggers on traffic_flows in the
-- writer's transaction, so reading them costs a dozen rows instead of a scan of every flow.
--
-- Inserted flows add their counters, updated flows add NEW - OLD (an application that changes moves
-- its flow from one row to the other). Flows deleted by retention are subtracted by retention itself
-- (storage/retention.ts), not by a trigger: emptying both tables in any order must leave them empty
-- and consistent. Rows whose flows fall to 0 stay (with 0) and are not shown.

CREATE TABLE flow_application_totals (
  application varchar(64) PRIMARY KEY, -- 'other' for flows without one
  flows       bigint NOT NULL DEFAULT 0,
  packets     bigint NOT NULL DEFAULT 0,
  bytes       bigint NOT NULL DEFAULT 0
);

INSERT INTO flow_application_totals (application, flows, packets, bytes)
SELECT COALESCE(application, 'other'), count(*), sum(packet_count), sum(byte_count) FROM traffic_flows GROUP BY 1;

CREATE FUNCTION netsentinel_flow_totals_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO flow_application_totals AS t (application, flows, packets, bytes)
  SELECT COALESCE(application, 'other'), count(*), sum(packet_count), sum(byte_count)
    FROM new_flows GROUP BY 1 ORDER BY 1
  ON CONFLICT (application) DO UPDATE SET flows = t.flows + EXCLUDED.flows,
    packets = t.packets + EXCLUDED.packets, bytes = t.bytes + EXCLUDED.bytes;
  RETURN NULL;
END $$;

CREATE FUNCTION netsentinel_flow_totals_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO flow_application_totals AS t (application, flows, packets, bytes)
  SELECT application, sum(flows), sum(packets), sum(bytes) FROM (
    SELECT COALESCE(application, 'other') AS application, 1 AS flows, packet_count AS packets, byte_count AS bytes
      FROM new_flows
    UNION ALL
    SELECT COALESCE(application, 'other'), -1, -packet_count, -byte_count FROM old_flows
  ) delta GROUP BY 1 HAVING sum(flows) <> 0 OR sum(packets) <> 0 OR sum(bytes) <> 0 ORDER BY 1
  ON CONFLICT (application) DO UPDATE SET flows = t.flows + EXCLUDED.flows,
    packets = t.packets + EXCLUDED.packets, bytes = t.bytes + EXCLUDED.bytes;
  RETURN NULL;
END $$;

CREATE TRIGGER traffic_flows_totals_insert AFTER INSERT ON traffic_flows
  REFERENCING NEW TABLE AS new_flows FOR EACH STATEMENT EXECUTE FUNCTION netsentinel_flow_totals_insert();
CREATE TRIGGER traffic_flows_totals_update AFTER UPDATE ON traffic_flows
  REFERENCING OLD TABLE AS old_flows NEW TABLE AS new_flows FOR EACH STATEMENT
  EXECUTE FUNCTION netsentinel_flow_totals_update();
