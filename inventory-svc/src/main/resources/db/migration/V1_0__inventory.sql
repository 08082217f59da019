create table product (
    sku       varchar(64)    primary key,
    name      varchar(200)   not null,
    price     numeric(12, 2) not null check (price >= 0),
    available int            not null check (available >= 0),
    reserved  int            not null default 0 check (reserved >= 0),
    version   bigint         not null default 0
);

create table reservation (
    order_id      uuid        primary key,
    status        varchar(16) not null,
    reject_reason varchar(32),
    updated_at    timestamptz not null,
    version       bigint      not null default 0
);

create table reservation_line (
    order_id   uuid           not null references reservation (order_id),
    line_no    int            not null,
    sku        varchar(64)    not null,
    quantity   int            not null,
    unit_price numeric(12, 2) not null,
    primary key (order_id, line_no)
);
