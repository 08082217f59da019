package dev.shop.eventing;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * The write side of the transactional outbox. {@link #append} runs inside the caller's transaction
 * (a saga step's, or a REST use case's Hibernate Reactive one): the event row commits or rolls back
 * together with the state change that caused it. {@link OutboxRelay} publishes committed rows to the broker and keeps them
 * as this service's event log for {@code shop.eventing.outbox.retention} ({@link EventLog}).
 *
 * <p>Event ids are derived from the state change, not drawn at random: one event per order and type
 * ({@link #eventId}). A decision made again (after a database restore, or a redelivery that got past
 * a lost inbox row) produces the id of the original, so every consumer's inbox drops it, and here
 * the insert is a no-op when the row is still in the log.
 */
@ApplicationScoped
public class Outbox {

    private static final String INSERT =
            "insert into outbox (event_id, type, subject, payload, traceparent) values ($1, $2, $3, $4, $5)"
            + " on conflict (event_id) do nothing";

    private final EventCodec codec;
    private final ContractValidator contracts;
    private final EventingConfig config;

    public Outbox(EventCodec codec, ContractValidator contracts, EventingConfig config) {
        this.codec = codec;
        this.contracts = contracts;
        this.config = config;
    }

    /**
     * Records an event for publication in the current Hibernate Reactive transaction (REST use cases
     * written with Panache).
     *
     * @throws IllegalArgumentException when {@code data} violates the event's contract: that is a
     *                                  bug in this service, and the whole transaction must fail.
     */
    public Uni<CloudEvent> append(String type, String orderId, Object data) {
        CloudEvent event = newEvent(type, orderId, data);
        List<Object> row = row(event);
        return Panache.getSession()
                .flatMap(session -> {
                    var insert = session.createNativeQuery(INSERT.replace('$', '?'));
                    for (int i = 0; i < row.size(); i++) {
                        insert.setParameter(i + 1, row.get(i));
                    }
                    return insert.executeUpdate();
                })
                .replaceWith(event);
    }

    /**
     * Records an event for publication in the transaction {@code tx} (a saga step's, see {@link SagaStep}).
     *
     * @throws IllegalArgumentException when {@code data} violates the event's contract (see above)
     */
    public Uni<CloudEvent> append(SqlClient tx, String type, String orderId, Object data) {
        CloudEvent event = newEvent(type, orderId, data);
        return tx.preparedQuery(INSERT).execute(Tuple.from(row(event))).replaceWith(event);
    }

    private List<Object> row(CloudEvent event) {
        // traceparent may be null (no span current): not List.of.
        return java.util.Arrays.asList(UUID.fromString(event.id()), event.type(), event.subject(),
                new String(codec.encode(event), java.nio.charset.StandardCharsets.UTF_8), event.traceparent());
    }

    CloudEvent newEvent(String type, String orderId, Object data) {
        if (!contracts.knows(type)) {
            throw new IllegalArgumentException("no contract for event type " + type + " in contracts/schemas");
        }
        var tree = codec.toTree(data);
        List<String> errors = contracts.validateData(type, tree);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(type + " violates its contract: " + String.join("; ", errors));
        }
        String traceparent = Tracing.currentTraceparent();
        return new CloudEvent(CloudEvent.SPEC_VERSION, eventId(type, orderId).toString(), config.source(), type, orderId,
                OffsetDateTime.now(ZoneOffset.UTC), "application/json", "urn:shop:schema:" + type + ":v1",
                traceparent, null, tree);
    }

    /**
     * The id of the event of {@code type} about {@code subject}: a name-based UUID, so the same state
     * change always gets the same id. Every event type happens at most once per order in the saga
     * (docs/contracts.md); a type that could happen twice would need its occurrence in the name.
     */
    public static UUID eventId(String type, String subject) {
        return UUID.nameUUIDFromBytes(("urn:shop:event:" + type + ":" + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
