-- 013 HOT flow updates: every flush updates the counters of every active flow. With the table's
-- fillfactor of 85 a page kept room for the new versions of about one row in six, so most updates
-- left the page, and each one added an entry to all four indexes of traffic_flows (and made them
-- grow until the next vacuum). At 50 every row of a page can be updated in place once per flush
-- (a heap-only tuple: no index entry), and the next flush's visit prunes the old versions.
-- Existing pages keep their fill until they are rewritten (VACUUM FULL traffic_flows).
ALTER TABLE traffic_flows SET (fillfactor = 50);
