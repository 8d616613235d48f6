-- 004 identification: what the aggregator concludes about each device, kept with the device so the
-- UI can show the type, the OT role and "why" without re-deriving them (aggregator/identify/).
--
-- device_type (001) holds the detected type; device_name stays the user's override of display_name.
-- They are recomputed from identity_attributes and device_activity for the devices a batch touched,
-- in the batch's transaction (storage/identification.ts).

ALTER TABLE devices
  ADD COLUMN type_confidence    smallint NOT NULL DEFAULT 0,
  ADD COLUMN type_reasons       text[] NOT NULL DEFAULT '{}',
  ADD COLUMN os_family          varchar(128),
  ADD COLUMN display_name       varchar(255),
  ADD COLUMN display_name_source varchar(32),
  ADD COLUMN ot_role            varchar(32),
  ADD COLUMN ot_role_confidence smallint NOT NULL DEFAULT 0,
  ADD COLUMN ot_role_reasons    text[] NOT NULL DEFAULT '{}',
  ADD COLUMN purdue_level       smallint CHECK (purdue_level BETWEEN 0 AND 5),
  ADD COLUMN ot_protocols       text[] NOT NULL DEFAULT '{}',
  ADD COLUMN ot_facts           jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN ot_children        jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN identified_at      timestamptz;
CREATE INDEX devices_ot_role ON devices (ot_role) WHERE ot_role IS NOT NULL;

-- Who did what to whom on industrial protocols, summed over time (one row per pair, dissector,
-- event type and operation): the evidence of OT roles, bounded by the plant's conversations rather
-- than by its traffic. protocol_events keeps each flush's occurrences for the time line.
CREATE TABLE device_activity (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  src_mac    macaddr,
  src_ip     inet,
  dst_mac    macaddr,
  dst_ip     inet,
  source     varchar(64) NOT NULL,
  type       varchar(128) NOT NULL,
  op         varchar(32) NOT NULL,
  severity   varchar(16) NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  count      bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_device_activity ON device_activity (
  (COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(dst_ip, '0.0.0.0/0'::inet)),
  source, type, op, severity
);
CREATE INDEX device_activity_src_ip ON device_activity (src_ip);
CREATE INDEX device_activity_dst_ip ON device_activity (dst_ip);
CREATE INDEX device_activity_src_mac ON device_activity (src_mac);
CREATE INDEX device_activity_dst_mac ON device_activity (dst_mac);

-- DHCP leases (table of 003) get the tracker's state, relay and renewals.
ALTER TABLE dhcp_leases
  ADD COLUMN relay_ip inet,
  ADD COLUMN state    varchar(16) NOT NULL DEFAULT 'bound',
  ADD COLUMN renewals integer NOT NULL DEFAULT 0;
CREATE INDEX identity_attributes_ip ON identity_attributes (ip_address);
