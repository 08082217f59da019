-- Expand-only: published rows are kept as the service's event log (marked, not deleted) for
-- shop.eventing.outbox.retention, so events a restored consumer lost can be republished with their
-- original ids (docs/operations.md). Rows present now are unpublished: the relay deleted published ones.
-- Instances of the previous version still delete rows after publishing; that only shortens the log.
alter table outbox add column published_at timestamptz;
create index outbox_unpublished on outbox (seq) where published_at is null;
create index outbox_published_at on outbox (published_at) where published_at is not null;
create index outbox_subject on outbox (subject);
