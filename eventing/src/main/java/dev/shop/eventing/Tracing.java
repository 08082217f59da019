package dev.shop.eventing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Carries one order's trace across services. The W3C {@code traceparent} of the span that wrote an
 * outbox row travels in the CloudEvent (distributed-tracing extension); the consumer continues it,
 * so the REST call and every service's handlers for that order form one trace, relay included.
 */
@ApplicationScoped
public class Tracing {

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;

    public Tracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The W3C traceparent of the current span, or null when there is none. */
    public static String currentTraceparent() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex() : null;
    }

    /** Starts a span of {@code kind} as a child of the event's trace context (a new trace if it has none). */
    public Span start(String name, SpanKind kind, String traceparent, String orderId, String eventType, String eventId) {
        Context parent = Context.root();
        if (traceparent != null) {
            parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", traceparent), GETTER);
        }
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(kind)
                .setAttribute("messaging.system", "rabbitmq")
                .setAttribute("messaging.destination.name", "shop.events")
                .setAttribute("messaging.rabbitmq.destination.routing_key", eventType)
                .setAttribute("messaging.message.id", eventId)
                .setAttribute("shop.order_id", orderId)
                .startSpan();
    }
}
