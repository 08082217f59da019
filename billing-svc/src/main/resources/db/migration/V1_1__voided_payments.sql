-- Expand: cancellations that arrive before the authorisation are now VOIDED payment rows, so both
-- race on the payment primary key (safe with concurrent consumers and replicas). Existing markers
-- are copied; cancelled_order is left in place for instances of the previous version still running
-- during a rolling update, and is dropped by a later (contract) migration.
insert into payment (order_id, customer_id, amount, status, updated_at)
select order_id, 'unknown', 0, 'VOIDED', cancelled_at from cancelled_order
on conflict (order_id) do nothing;
