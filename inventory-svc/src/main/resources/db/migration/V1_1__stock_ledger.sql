-- Expand-only: per-product bookkeeping for the correctness monitor's invariants
--   stock_conserved:        available + reserved + sold = stocked
--   reserved_matches_holds: reserved = sum of the quantities of HELD reservation lines
-- stocked: units ever stocked (every admin stock change adds its delta, a decrease is a negative adjustment);
-- sold:    units committed (sold to confirmed orders).
-- Both have defaults, so an instance of the previous version still running during a rolling update
-- can insert products. Weaker than it looks: that instance neither adds its admin stock changes to
-- `stocked` nor its sales to `sold`, so products it touches during the rollout show as stock_conserved
-- violations afterwards; running the two backfill updates below again once the rollout is complete
-- repairs them (inventory-svc/README.md, "Correctness").
alter table product add column stocked bigint not null default 0;
alter table product add column sold    bigint not null default 0;

update product p
   set sold = coalesce((select sum(l.quantity)
                          from reservation_line l
                          join reservation r on r.order_id = l.order_id
                         where r.status = 'COMMITTED' and l.sku = p.sku), 0);
update product set stocked = available + reserved + sold;
