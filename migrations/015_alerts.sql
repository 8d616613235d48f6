-- 015 alerts: what the alert rules (aggregator/alerts/) and the workflow need beyond 003's table.
-- - device_ids: every device involved (device_id stays the main one);
-- - the workflow: state open → acknowledged → resolved (003's status 'closed' is "resolved"), who
--   changed it last and when, the operator's comment.

ALTER TABLE alerts
  ADD COLUMN device_ids       bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN resolved_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN state_changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN state_changed_at timestamptz,
  ADD COLUMN comment          text;
CREATE INDEX alerts_last_seen ON alerts (last_seen);
CREATE INDEX alerts_rule_time ON alerts (rule, last_seen);
CREATE INDEX alerts_device_ids ON alerts USING gin (device_ids);
