-- Dead letters parked from this service's DLQ, so an operator can list, replay or discard them.
create table dead_letter (
    id             uuid primary key,
    dedupe_key     varchar(64)  not null unique,
    message_id     varchar(200),
    routing_key    varchar(100) not null,
    reason         varchar(1000) not null,
    failure_class  varchar(32)  not null,
    attempts       int          not null,
    failed_at      timestamptz  not null,
    failed_by      varchar(100),
    body           text         not null,
    status         varchar(16)  not null default 'PENDING', -- PENDING | REPLAYED | DISCARDED
    resolved_at    timestamptz,
    created_at     timestamptz  not null default now()
);
create index dead_letter_pending on dead_letter (created_at) where status = 'PENDING';

-- Every operator action on a dead letter, who did it and why.
create table dead_letter_audit (
    id             bigserial primary key,
    dead_letter_id uuid         not null references dead_letter (id),
    action         varchar(16)  not null, -- REPLAYED | DISCARDED
    reason         varchar(1000),
    actor          varchar(100) not null,
    at             timestamptz  not null default now()
);
