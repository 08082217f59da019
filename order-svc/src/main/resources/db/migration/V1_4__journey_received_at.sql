-- Expand-only: when order-svc received a peer's event (null for the events order-svc publishes itself
-- and for rows written before this column). With the producer's event time it splits the gap between
-- two saga steps into outbox relay + broker (until delivery) and the next service's own work.
alter table journey_step add column received_at timestamptz;
