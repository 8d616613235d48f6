-- 003 supervision and configuration: alerts, DHCP leases, the seed spec's config_settings and users,
-- sessions and the audit log.
--
-- Departures from the seed spec:
-- - NO default admin row: the spec's INSERT of admin/changeme is a known password on every appliance.
--   The first start creates the admin and prints a one-time password (or `deno task user:add`).
-- - users gain created_at, must_change_password and failed_logins (login rate limit), a role check.
-- - sessions keep a SHA-256 of the cookie token, never the token (a leaked table opens no session).

CREATE TABLE config_settings (
  key          varchar(128) PRIMARY KEY,
  value        jsonb NOT NULL,
  value_type   varchar(20) NOT NULL CHECK (value_type IN ('string', 'integer', 'boolean', 'json')),
  category     varchar(64) NOT NULL,
  description  text,
  is_sensitive boolean NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username             varchar(64) NOT NULL UNIQUE,
  email                varchar(255),
  password_hash        varchar(255) NOT NULL,
  role                 varchar(20) NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'operator', 'viewer')),
  is_active            boolean NOT NULL DEFAULT true,
  must_change_password boolean NOT NULL DEFAULT false,
  failed_logins        integer NOT NULL DEFAULT 0,
  last_login           timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_sha256 bytea PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip_address   inet,
  user_agent   text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time       timestamptz NOT NULL DEFAULT now(),
  user_id    uuid REFERENCES users (id) ON DELETE SET NULL,
  username   varchar(64), -- kept when the user is deleted
  action     varchar(64) NOT NULL, -- e.g. login, login_failed, device.update, export.run
  target     text,
  details    jsonb NOT NULL DEFAULT '{}',
  ip_address inet
);
CREATE INDEX audit_log_time ON audit_log (time);

-- Alerts raised by the aggregator's rules (new device, IP conflict, rogue DHCP, OT write…), with
-- their life cycle. An alert that fires again while open is counted, not duplicated.
CREATE TABLE alerts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule            varchar(64) NOT NULL, -- stable id, e.g. new_device, ip_conflict
  severity        varchar(16) NOT NULL CHECK (severity IN ('info', 'notice', 'warning', 'critical')),
  status          varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
  title           text NOT NULL,
  dedup_key       text NOT NULL, -- rule-specific identity of "the same alert"
  device_id       bigint REFERENCES devices (id) ON DELETE SET NULL,
  flow_id         bigint REFERENCES traffic_flows (id) ON DELETE SET NULL,
  details         jsonb NOT NULL DEFAULT '{}',
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  count           bigint NOT NULL DEFAULT 1,
  acknowledged_by uuid REFERENCES users (id) ON DELETE SET NULL,
  acknowledged_at timestamptz,
  closed_at       timestamptz
);
CREATE UNIQUE INDEX uq_alert_open ON alerts (rule, dedup_key) WHERE status <> 'closed';
CREATE INDEX alerts_status_time ON alerts (status, last_seen);

-- DHCP leases heard on the wire (offer/ack): who got which address from which server.
CREATE TABLE dhcp_leases (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_mac    macaddr NOT NULL,
  ip_address    inet NOT NULL,
  vlan_id       smallint,
  outer_vlan_id smallint,
  server_mac    macaddr,
  server_ip     inet,
  hostname      varchar(255),
  lease_seconds integer,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  count         bigint NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_dhcp_lease ON dhcp_leases (
  client_mac, ip_address, (COALESCE(server_ip, '0.0.0.0/0'::inet)),
  (COALESCE(vlan_id, -1)), (COALESCE(outer_vlan_id, -1))
);
CREATE INDEX dhcp_leases_server ON dhcp_leases (server_ip);
