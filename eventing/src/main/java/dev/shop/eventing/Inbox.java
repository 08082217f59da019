package dev.shop.eventing;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * The idempotent-consumer half of at-least-once delivery: the id of every processed event is
 * inserted in the same transaction as the event's effect. A redelivered event finds its id and is
 * acknowledged without a second effect. The guarantee holds per event id, so a producer must never
 * re-publish the same fact under a new id (the outbox reuses the stored id on every retry).
 */
@ApplicationScoped
public class Inbox {

    private static final String INSERT =
            "insert into inbox (event_id, type) values ($1, $2) on conflict (event_id) do nothing";

    /** @return true the first time this event id is seen, written in the consumer's transaction {@code tx}. */
    public Uni<Boolean> firstDelivery(SqlClient tx, CloudEvent event) {
        UUID id;
        try {
            id = UUID.fromString(event.id());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new PoisonEventException("CloudEvent id is not a UUID: " + event.id()));
        }
        return tx.preparedQuery(INSERT).execute(Tuple.of(id, event.type())).map(rows -> rows.rowCount() == 1);
    }
}
