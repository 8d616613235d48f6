-- 001 inventory: the seed spec's CMDB tables (devices, device_ips, vlans, traffic_flows) adapted to
-- PostgreSQL, plus device_vlans, identity_attributes, sensors, sensor_boots and ingested_batches.
--
-- Departures from the seed spec (netsentinel-spec.fr.md section 5), on purpose:
-- - ids are bigint identities, not UUIDs: traffic_metrics holds tens of millions of rows a day that
--   reference flows and devices; 8 bytes instead of 16 per reference, and append-only index pages.
-- - UNIQUE (... COALESCE(...)) is not valid PostgreSQL: those are unique indexes on expressions
--   (same names as the spec's constraints), used as ON CONFLICT targets.
-- - traffic_flows is keyed by the spec's tuple PLUS outer_vlan_id and ethertype (model/flow_key.ts:
--   QinQ 200/100 and VLAN 100 are different flows, ARP and LLDP between two MACs too); src_mac and
--   dst_mac may be NULL (raw IP link types carry no MAC); ethertype is an integer (0x86dd does not fit
--   a SMALLINT); COALESCE defaults are values a real key cannot hold (-1, 0.0.0.0/0) so a missing
--   field never merges with a real one (VLAN 0 is a priority tag, not "no VLAN").
-- - device_ips also keys on outer_vlan_id (QinQ), records how each binding was learnt (learnt_from),
--   and keeps the traffic a MAC received for addresses it does not own (learnt_from empty: e.g. a
--   router receiving for remote hosts) so their counters are right if the address is learnt later.
-- - devices gain locally_administered and gateway_reasons (computed from device_ips, not summed).
-- - tables are filled with fillfactor 85 where rows are updated every flush (HOT updates) and the
--   counters that change every flush are never indexed.

CREATE TABLE devices (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mac_address            macaddr NOT NULL,
  oui_vendor             varchar(128),
  oui_prefix             char(8) NOT NULL,
  locally_administered   boolean NOT NULL DEFAULT false,
  device_type            varchar(50) NOT NULL DEFAULT 'unknown',
  device_name            varchar(255),
  device_notes           text,
  first_seen             timestamptz NOT NULL DEFAULT now(),
  last_seen              timestamptz NOT NULL DEFAULT now(),
  total_packets_sent     bigint NOT NULL DEFAULT 0,
  total_packets_received bigint NOT NULL DEFAULT 0,
  total_bytes_sent       bigint NOT NULL DEFAULT 0,
  total_bytes_received   bigint NOT NULL DEFAULT 0,
  is_gateway             boolean NOT NULL DEFAULT false,
  gateway_reasons        text[] NOT NULL DEFAULT '{}',
  is_active              boolean NOT NULL DEFAULT true,
  is_flagged             boolean NOT NULL DEFAULT false,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT devices_mac_address_key UNIQUE (mac_address)
) WITH (fillfactor = 85);

CREATE TABLE device_ips (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id        bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  ip_address       inet NOT NULL,
  ip_version       smallint NOT NULL DEFAULT 4,
  vlan_id          smallint,
  outer_vlan_id    smallint,
  subnet_mask      inet,
  -- NULL while the address was only a destination of the device's frames (learnt_from empty).
  first_seen       timestamptz,
  last_seen        timestamptz,
  packets_sent     bigint NOT NULL DEFAULT 0,
  packets_received bigint NOT NULL DEFAULT 0,
  bytes_sent       bigint NOT NULL DEFAULT 0,
  bytes_received   bigint NOT NULL DEFAULT 0,
  -- traffic (source address of its frames), arp, ndp, dhcp; empty: not an address of the device.
  learnt_from      text[] NOT NULL DEFAULT '{}'
) WITH (fillfactor = 85);
CREATE UNIQUE INDEX uq_device_ip_vlan
  ON device_ips (device_id, ip_address, (COALESCE(vlan_id, -1)), (COALESCE(outer_vlan_id, -1)));
CREATE INDEX device_ips_ip_address ON device_ips (ip_address);

CREATE TABLE vlans (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vlan_id          smallint NOT NULL,
  outer_vlan_id    smallint, -- QinQ: vlan_id is the inner (C-) tag, outer_vlan_id the S-tag
  vlan_name        varchar(64),
  vlan_description text,
  device_count     integer NOT NULL DEFAULT 0, -- distinct devices in device_vlans, recomputed
  first_seen       timestamptz NOT NULL DEFAULT now(),
  last_seen        timestamptz NOT NULL DEFAULT now(),
  total_packets    bigint NOT NULL DEFAULT 0,
  total_bytes      bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 85);
CREATE UNIQUE INDEX uq_vlan_ids ON vlans (vlan_id, (COALESCE(outer_vlan_id, -1)));

-- Which devices were seen on which VLAN (source or destination of a tagged frame): device counts
-- per VLAN cannot be summed across flushes, they are counted here.
CREATE TABLE device_vlans (
  device_id     bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  vlan_id       smallint NOT NULL,
  outer_vlan_id smallint,
  first_seen    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_device_vlan ON device_vlans (device_id, vlan_id, (COALESCE(outer_vlan_id, -1)));
CREATE INDEX device_vlans_vlan ON device_vlans (vlan_id, outer_vlan_id);

CREATE TABLE traffic_flows (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  src_device_id      bigint REFERENCES devices (id) ON DELETE SET NULL,
  src_mac            macaddr,
  src_ip             inet,
  src_port           integer,
  dst_device_id      bigint REFERENCES devices (id) ON DELETE SET NULL,
  dst_mac            macaddr,
  dst_ip             inet,
  dst_port           integer,
  vlan_id            smallint,
  outer_vlan_id      smallint,
  ethertype          integer,
  ip_protocol        smallint,
  application        varchar(64),
  application_source varchar(16), -- dissector | port
  first_seen         timestamptz NOT NULL,
  last_seen          timestamptz NOT NULL,
  packet_count       bigint NOT NULL DEFAULT 0,
  byte_count         bigint NOT NULL DEFAULT 0,
  tcp_flags_seen     smallint,
  tcp_syn_count      bigint NOT NULL DEFAULT 0,
  tcp_rst_count      bigint NOT NULL DEFAULT 0,
  tcp_fin_count      bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 85);
CREATE UNIQUE INDEX idx_flows_unique_tuple ON traffic_flows (
  (COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)),
  (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(src_port, -1)),
  (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)),
  (COALESCE(dst_ip, '0.0.0.0/0'::inet)),
  (COALESCE(dst_port, -1)),
  (COALESCE(vlan_id, -1)),
  (COALESCE(outer_vlan_id, -1)),
  (COALESCE(ethertype, -1)),
  (COALESCE(ip_protocol, -1))
);
CREATE INDEX traffic_flows_src_device ON traffic_flows (src_device_id);
CREATE INDEX traffic_flows_dst_device ON traffic_flows (dst_device_id);

-- Identity attributes heard in payloads (hostname, vendor, model, firmware, role…).
CREATE TABLE identity_attributes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id   bigint REFERENCES devices (id) ON DELETE CASCADE,
  mac_address macaddr,
  ip_address  inet,
  vlan_id     smallint,
  source      varchar(64) NOT NULL, -- dissector that reported it
  key         varchar(128) NOT NULL, -- dotted lowercase, e.g. dhcp.hostname
  value       text NOT NULL,
  confidence  smallint NOT NULL DEFAULT 0, -- 0..100, the highest heard
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  count       bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 85);
CREATE UNIQUE INDEX uq_identity_attribute ON identity_attributes (
  (COALESCE(mac_address, '00:00:00:00:00:00'::macaddr)),
  (COALESCE(ip_address, '0.0.0.0/0'::inet)),
  (COALESCE(vlan_id, -1)),
  source,
  key,
  (md5(value))
);
CREATE INDEX identity_attributes_device ON identity_attributes (device_id);

-- Sensors feeding this database, and the engine counters of each of their process starts (boots).
CREATE TABLE sensors (
  sensor_id   text PRIMARY KEY, -- e.g. plant-a/eth0
  description text,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  last_boot   text NOT NULL
);

CREATE TABLE sensor_boots (
  sensor_id  text NOT NULL REFERENCES sensors (sensor_id) ON DELETE CASCADE,
  boot       text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now(),
  last_seq   bigint NOT NULL,
  stats      jsonb NOT NULL, -- cumulative engine counters at last_seq (model/engine_stats.ts)
  PRIMARY KEY (sensor_id, boot)
);

-- Idempotency: a batch id committed here is never applied again (redelivery after a crash).
CREATE TABLE ingested_batches (
  sensor_id  text NOT NULL,
  boot       text NOT NULL,
  seq        bigint NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  flows      integer NOT NULL DEFAULT 0,
  packets    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (sensor_id, boot, seq)
);
CREATE INDEX ingested_batches_applied_at ON ingested_batches (applied_at);
