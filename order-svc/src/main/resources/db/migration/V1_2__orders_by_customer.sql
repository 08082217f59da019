-- Customers list their own orders newest first (keyset pagination on created_at, id); staff list all.
create index orders_customer_created on orders (customer_id, created_at desc, id desc);
create index orders_created on orders (created_at desc, id desc);
-- Idempotency keys belong to a customer: two customers may pick the same key without colliding
-- (and without one learning of the other's order).
alter table orders drop constraint orders_idempotency_key_key;
alter table orders add constraint orders_customer_idempotency_key unique (customer_id, idempotency_key);
