create table account (
    customer_id varchar(64)    primary key,
    credit      numeric(12, 2) not null check (credit >= 0),
    version     bigint         not null default 0
);

create table payment (
    order_id       uuid           primary key,
    customer_id    varchar(64)    not null,
    amount         numeric(12, 2) not null,
    status         varchar(16)    not null,
    decline_reason varchar(32),
    updated_at     timestamptz    not null,
    version        bigint         not null default 0
);

create table cancelled_order (
    order_id     uuid        primary key,
    cancelled_at timestamptz not null
);
