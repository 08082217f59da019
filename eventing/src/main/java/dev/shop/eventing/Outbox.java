package dev.shop.eventing;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * The write side of the transactional outbox. {@link #append} must run inside the caller's
 * Hibernate Reactive transaction: the event row commits or rolls back together with the state
 * change that caused it. {@link OutboxRelay} publishes committed rows to the broker and keeps them
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
            "insert into outbox (event_id, type, subject, payload, traceparent) values (?1, ?2, ?3, ?4, ?5)"
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
     * Records an event for publication in the current transaction.
     *
     * @throws IllegalArgumentException when {@code data} violates the event's contract: that is a
     *                                  bug in this service, and the whole transaction must fail.
     */
    public Uni<CloudEvent> append(String type, String orderId, Object data) {
        CloudEvent event = newEvent(type, orderId, data);
        byte[] payload = codec.encode(event);
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery(INSERT)
                        .setParameter(1, UUID.fromString(event.id()))
                        .setParameter(2, event.type())
                        .setParameter(3, event.subject())
                        .setParameter(4, new String(payload, java.nio.charset.StandardCharsets.UTF_8))
                        .setParameter(5, event.traceparent())
                        .executeUpdate())
                .replaceWith(event);
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
