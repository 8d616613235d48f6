-- 014 topology: what the maps keep besides the inventory (storage/read/topology*.ts, zones.ts,
-- snapshots.ts). Everything else the maps show is derived from the inventory tables at read time.
--
-- - topology_positions: where a user dragged a node, shared by every user (one layout per
--   appliance, so an operator's arrangement is what the control room sees). node_id is the node's
--   API id, which names its level (d:12, ip:8.8.8.8, subnet:10.0.0.0/24, vlan:10, zone:3).
-- - zones: named zones (IEC 62443) an admin defined. A zone is a VLAN, a subnet, or both (an
--   address in the subnet AND learnt on the VLAN); an address no zone claims belongs to the default
--   zone of its VLAN, else of its /24 (IPv4) or /64 (IPv6) subnet.
-- - inventory_snapshots: the inventory and the communication paths at one moment, as JSON.

CREATE TABLE topology_positions (
  node_id    varchar(128) PRIMARY KEY,
  x          double precision NOT NULL,
  y          double precision NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE zones (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         varchar(64) NOT NULL,
  description  text,
  vlan_id      smallint CHECK (vlan_id BETWEEN 0 AND 4095),
  subnet       cidr,
  purdue_level smallint CHECK (purdue_level BETWEEN 0 AND 5),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT zones_name_key UNIQUE (name),
  CONSTRAINT zones_scope CHECK (vlan_id IS NOT NULL OR subnet IS NOT NULL)
);

CREATE TABLE inventory_snapshots (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  taken_at   timestamptz NOT NULL DEFAULT now(),
  reason     varchar(16) NOT NULL CHECK (reason IN ('manual', 'daily')),
  taken_by   varchar(64),
  devices    jsonb NOT NULL,
  paths      jsonb NOT NULL
);
CREATE INDEX inventory_snapshots_taken_at ON inventory_snapshots (taken_at);
