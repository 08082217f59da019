-- Expand-only: the reserved_matches_holds check sums the lines of HELD reservations every period.
-- HELD rows are the few pending orders, so a partial index keeps that check from scanning every
-- reservation ever made. Weaker than it looks for a rolling update: a plain CREATE INDEX blocks
-- writes to `reservation` (not reads) while it builds, so on a large table placements pause for that
-- long. CONCURRENTLY would avoid it but hangs under Flyway's default PostgreSQL lock (an open
-- transaction the concurrent build waits for).
create index reservation_held on reservation (order_id) where status = 'HELD';
