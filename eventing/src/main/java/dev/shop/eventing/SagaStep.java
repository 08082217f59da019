package dev.shop.eventing;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * A service's reaction to one event: its state change and the events it causes, written with
 * {@code db}. For the event types that take the transactional path, {@code db} is the consumer's
 * transaction, in which the inbox row is already written and after whose commit the message is
 * acknowledged; a step must write only through it (never through another connection), or its effect
 * would not roll back with the rest. For the other types it is the pool, and the step must be
 * idempotent by itself.
 *
 * <p>Saga steps go through the reactive SQL client (the pool Hibernate Reactive runs on), not through
 * Hibernate: a step is a few keyed statements, and the ORM's session, loads and flush were the largest
 * share of a service's CPU per event (docs/benchmark.md, ADR 0009).
 */
@FunctionalInterface
public interface SagaStep {

    Uni<Void> apply(SqlClient db, CloudEvent event);
}
