-- Warm pool: a member may be claimed only once its session is ready AND its kernel is up.
-- Set by the pool after the warm-up; NULL for every sandbox that did not come from the pool.
ALTER TABLE sandboxes ADD COLUMN warmed_at timestamptz;
