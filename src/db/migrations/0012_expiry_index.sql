-- The loads-expire job (every 5 minutes) finds open loads past their pickup window or their board's
-- expiry. Without these it read every open load: 0.3–0.5 s at 200 000, a pause every page and
-- every telemetry message waited through. The expression must stay the one in the job's query
-- (src/loads/store.ts, PICKUP_GRACE_MS = 2 h); a test checks the query uses these indexes.
CREATE INDEX loads_open_pickup_end ON loads(coalesce(pickup_latest, pickup_earliest + 7200000)) WHERE status = 'open';
CREATE INDEX loads_open_expires ON loads(expires_at) WHERE status = 'open' AND expires_at IS NOT NULL;
