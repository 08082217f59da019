-- The correctness monitor (dev.shop.order.correctness): what is broken now, and when it last ran.
-- Written by the one instance holding the monitor's lock; read by every instance (gauges, ops page).
create table correctness_violation (
    invariant  varchar(40)   not null,
    subject    varchar(100)  not null, -- order id, SKU or customer id
    detail     varchar(1000) not null,
    first_seen timestamptz   not null,
    last_seen  timestamptz   not null,
    primary key (invariant, subject)
);

create table correctness_run (
    id             bigserial   primary key,
    finished_at    timestamptz not null,
    orders_checked int         not null,
    violations     int         not null
);
create index correctness_run_finished on correctness_run (finished_at);

-- The monitor walks terminal orders by their last change (keyset cursor on updated_at, id).
create index orders_updated on orders (updated_at, id);
