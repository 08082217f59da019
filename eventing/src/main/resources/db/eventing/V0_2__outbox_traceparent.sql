-- Expand-only: the relay starts its publish span from the trace that wrote the row.
alter table outbox add column traceparent varchar(55);
