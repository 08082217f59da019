-- Expand-only: the order journey projection (every saga event of an order, from every service).
create table journey_step (
    event_id    uuid         primary key,
    order_id    uuid         not null,
    type        varchar(100) not null,
    service     varchar(100) not null,
    occurred_at timestamptz  not null,
    outcome     varchar(300) not null,
    trace_id    varchar(32)
);
create index journey_step_order on journey_step (order_id, occurred_at);
