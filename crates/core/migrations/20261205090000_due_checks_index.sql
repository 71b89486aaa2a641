-- The monitor's due query (`lifecycle = 'connected' AND next_check_at <= ?`)
-- and its nap (`MIN(next_check_at)` of connected connections).
CREATE INDEX connections_due ON connections (lifecycle, next_check_at);
