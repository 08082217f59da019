package dev.shop.eventing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/**
 * A CloudEvents 1.0 event in structured JSON mode: the envelope and its data travel together in the
 * message body (content type {@code application/cloudevents+json}). {@code subject} is always the
 * order id, so every event of one saga can be correlated without reading its data.
 * {@code traceparent}/{@code tracestate} are the CloudEvents distributed-tracing extension.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        OffsetDateTime time,
        String datacontenttype,
        String dataschema,
        String traceparent,
        String tracestate,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    /** The RabbitMQ routing key of an event is its type (e.g. {@code order.placed}). */
    public String routingKey() {
        return type;
    }
}
