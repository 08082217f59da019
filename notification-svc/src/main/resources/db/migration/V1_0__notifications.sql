create table notification (
    id          uuid        primary key,
    order_id    uuid        not null unique,
    customer_id varchar(64) not null,
    type        varchar(32) not null,
    created_at  timestamptz not null
);
create index notification_customer on notification (customer_id, created_at desc);
