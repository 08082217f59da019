-- Messaging tables shared by every service (shop-eventing). Versioned 0.x so they sort before the
-- service's own migrations; later eventing migrations rely on flyway out-of-order = true.

-- Transactional outbox: written in the same transaction as the state change, published by OutboxRelay.
create table outbox (
    seq        bigserial primary key,
    event_id   uuid         not null unique,
    type       varchar(100) not null,
    subject    varchar(100) not null,
    payload    text         not null,
    created_at timestamptz  not null default now()
);

-- Wake the relay on commit (NOTIFY is delivered at commit time, once per transaction and channel).
create function shop_outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('shop_outbox', '');
    return null;
end
$$;
create trigger outbox_notify after insert on outbox
    for each statement execute function shop_outbox_notify();

-- Idempotent consumer: ids of processed events, written with the event's effect.
create table inbox (
    event_id     uuid primary key,
    type         varchar(100) not null,
    processed_at timestamptz  not null default now()
);
create index inbox_processed_at on inbox (processed_at);
