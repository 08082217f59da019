-- Expand-only: results pushed to an order's callback URL, retried until accepted.
create table callback_delivery (
    id              uuid          primary key,
    order_id        uuid          not null unique,
    url             varchar(2048) not null,
    payload         varchar(4000) not null,
    status          varchar(16)   not null,
    attempts        int           not null default 0,
    next_attempt_at timestamptz   not null,
    last_error      varchar(500),
    created_at      timestamptz   not null,
    delivered_at    timestamptz
);
create index callback_delivery_due on callback_delivery (next_attempt_at) where status = 'PENDING';
