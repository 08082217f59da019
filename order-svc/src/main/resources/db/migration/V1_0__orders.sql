create table orders (
    id                  uuid primary key,
    customer_id         varchar(64)  not null,
    total               numeric(12, 2),
    status              varchar(16)  not null,
    cancellation_reason varchar(32),
    idempotency_key     varchar(200) unique,
    request_hash        varchar(64),
    callback_url        varchar(2048),
    created_at          timestamptz  not null,
    updated_at          timestamptz  not null,
    version             bigint       not null default 0
);
-- The timeout sweeper scans only pending orders.
create index orders_pending_created on orders (created_at) where status = 'PENDING';

create table order_line (
    order_id   uuid        not null references orders (id),
    line_no    int         not null,
    sku        varchar(64) not null,
    quantity   int         not null,
    unit_price numeric(12, 2),
    primary key (order_id, line_no)
);
