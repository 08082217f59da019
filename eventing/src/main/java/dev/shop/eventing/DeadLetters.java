package dev.shop.eventing;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.amqp.IncomingAmqpMetadata;
import io.smallrye.reactive.messaging.amqp.OutgoingAmqpMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Moves a message that cannot be processed to this service's DLQ ({@code <queue>.dlq} via the
 * {@code shop.parking} topic exchange, where the broker lets a service route only to its own DLQ) with the reason in its application properties, so an operator can see
 * why and replay it. Only after the broker confirms the copy is the original acknowledged; if the
 * copy cannot be published the caller rejects the original and the queue's own DLX takes it
 * (without our reason headers, but never lost).
 */
@ApplicationScoped
public class DeadLetters {

    public static final String REASON = "x-failure-reason";
    public static final String FAILURE_CLASS = "x-failure-class";
    public static final String ORIGINAL_ROUTING_KEY = "x-original-routing-key";
    public static final String ORIGINAL_QUEUE = "x-original-queue";
    public static final String ATTEMPTS = "x-attempts";
    public static final String FAILED_AT = "x-failed-at";
    public static final String FAILED_BY = "x-failed-by";

    private final MutinyEmitter<byte[]> emitter;
    private final EventingConfig config;

    public DeadLetters(@Channel("shop-dead-letters") MutinyEmitter<byte[]> emitter, EventingConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    public Uni<Void> publish(Message<?> original, Throwable failure, int attempts) {
        byte[] body = EventCodec.bytesOrText(original.getPayload());
        IncomingAmqpMetadata in = original.getMetadata(IncomingAmqpMetadata.class).orElse(null);
        JsonObject props = new JsonObject();
        if (in != null && in.getProperties() != null) {
            props.mergeIn(in.getProperties());
        }
        String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        props.put(REASON, reason.length() > 1000 ? reason.substring(0, 1000) : reason)
                .put(FAILURE_CLASS, failure instanceof PoisonEventException ? "poison" : "processing-failed")
                .put(ORIGINAL_ROUTING_KEY, in != null && in.getSubject() != null ? in.getSubject() : "")
                .put(ORIGINAL_QUEUE, config.queue())
                .put(ATTEMPTS, attempts + (in == null ? 0 : in.getDeliveryCount()))
                .put(FAILED_AT, OffsetDateTime.now(ZoneOffset.UTC).toString())
                .put(FAILED_BY, config.source());
        var metadata = OutgoingAmqpMetadata.builder()
                .withSubject(config.queue()) // shop.parking routes <queue> -> <queue-without-.events>.dlq
                .withDurable(true)
                .withContentType(in != null && in.getContentType() != null ? in.getContentType() : CloudEvent.CONTENT_TYPE)
                .withApplicationProperties(props);
        if (in != null && in.getId() != null) {
            metadata.withMessageId(in.getId());
        }
        return emitter.sendMessage(Message.of(body).addMetadata(metadata.build()));
    }
}
