package dev.shop.eventing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.smallrye.reactive.messaging.amqp.IncomingAmqpMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The receive pipeline every service runs for its queue:
 * decode and validate, then in ONE local transaction record the event id in the inbox and apply
 * the handler (which writes state and outbox rows), then acknowledge. Nothing is acknowledged
 * before its effect has committed.
 *
 * <p>Failures: a poison message (undecodable, schema-invalid, rejected by the handler as permanent)
 * is dead-lettered at once. Any other failure is retried in-process with exponential backoff and
 * jitter; when the attempts are exhausted the message is dead-lettered with the last error.
 * If even the dead-letter publish fails the message is rejected, and the quorum queue's DLX
 * (at-least-once dead lettering) takes it; if the process dies, the broker redelivers it and the
 * queue's {@code x-delivery-limit} bounds how often.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    public enum Outcome { PROCESSED, DUPLICATE }

    private final EventCodec codec;
    private final Inbox inbox;
    private final DeadLetters deadLetters;
    private final EventingConfig config;
    private final MeterRegistry registry;
    private final Tracing tracing;

    public EventConsumer(EventCodec codec, Inbox inbox, DeadLetters deadLetters, EventingConfig config, MeterRegistry registry,
                         Tracing tracing) {
        this.tracing = tracing;
        this.codec = codec;
        this.inbox = inbox;
        this.deadLetters = deadLetters;
        this.config = config;
        this.registry = registry;
    }

    /**
     * @param handler the service's saga step for the event, run in one transaction with the inbox
     */
    public Uni<Void> consume(Message<?> message, Function<CloudEvent, Uni<Void>> handler) {
        return consume(message, handler, type -> true);
    }

    /**
     * @param transactional which event types need the transactional path (inbox + handler in one
     *                      transaction); for the others the handler runs on its own and must be
     *                      idempotent by itself (e.g. an insert ... on conflict do nothing projection)
     */
    public Uni<Void> consume(Message<?> message, Function<CloudEvent, Uni<Void>> handler, Predicate<String> transactional) {
        // Each message gets its own duplicated Vert.x context: the Hibernate Reactive session, the
        // current span and the MDC live there, so concurrently processed messages never share them.
        Context current = Vertx.currentContext();
        if (current == null) {
            return consumeOnContext(message, handler, transactional);
        }
        Context own = VertxContext.createNewDuplicatedContext(current);
        return Uni.createFrom().emitter(emitter -> own.runOnContext(ignored ->
                consumeOnContext(message, handler, transactional).subscribe().with(emitter::complete, emitter::fail)));
    }

    private Uni<Void> consumeOnContext(Message<?> message, Function<CloudEvent, Uni<Void>> handler, Predicate<String> transactional) {
        message.getMetadata(IncomingAmqpMetadata.class).filter(m -> m.getDeliveryCount() > 0).ifPresent(m ->
                registry.counter("shop.consumer.redeliveries", "queue", config.queue()).increment());
        CloudEvent event;
        try {
            event = codec.decode(message.getPayload());
        } catch (PoisonEventException e) {
            return deadLetter(message, "unknown", e, 1);
        }
        // Continue the order's trace: this span is current (and its ids are in the MDC of every log
        // line) until the message is settled; outbox rows written by the handler carry it onwards.
        Span span = tracing.start(event.type() + " process", SpanKind.CONSUMER, event.traceparent(), event.subject(), event.type(), event.id());
        Scope scope = span.makeCurrent();
        MDC.put("orderId", event.subject());
        MDC.put("eventType", event.type());
        return process(message, event, handler, transactional.test(event.type()))
                .onTermination().invoke((ignored, failure, cancelled) -> {
                    if (failure != null) {
                        span.recordException(failure);
                    }
                    span.end();
                    scope.close();
                    MDC.remove("orderId");
                    MDC.remove("eventType");
                });
    }

    private Uni<Void> process(Message<?> message, CloudEvent event, Function<CloudEvent, Uni<Void>> handler, boolean transactional) {
        AtomicInteger attempts = new AtomicInteger();
        var cfg = config.consumer();
        return Uni.createFrom().deferred(() -> {
                    attempts.incrementAndGet();
                    if (!transactional) {
                        return handler.apply(event).replaceWith(Outcome.PROCESSED);
                    }
                    return Panache.withTransaction(() -> inbox.firstDelivery(event).flatMap(first -> first
                            ? handler.apply(event).replaceWith(Outcome.PROCESSED)
                            : Uni.createFrom().item(Outcome.DUPLICATE)));
                })
                .onFailure(f -> !(f instanceof PoisonEventException)).invoke(f ->
                        LOG.warnf("handling %s %s failed (attempt %d): %s", event.type(), event.id(), attempts.get(), f.toString()))
                .onFailure(f -> !(f instanceof PoisonEventException)).retry()
                .withBackOff(cfg.initialBackoff(), cfg.maxBackoff()).withJitter(cfg.jitter())
                .atMost(Math.max(0, cfg.maxAttempts() - 1))
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (failure != null) {
                        return deadLetter(message, event.type(), failure, attempts.get());
                    }
                    count(event.type(), outcome == Outcome.PROCESSED ? "processed" : "duplicate");
                    if (outcome == Outcome.DUPLICATE) {
                        LOG.infof("duplicate %s %s acknowledged without effect", event.type(), event.id());
                    } else {
                        LOG.debugf("processed %s %s", event.type(), event.id());
                    }
                    return Uni.createFrom().completionStage(message.ack());
                });
    }

    private Uni<Void> deadLetter(Message<?> message, String type, Throwable failure, int attempts) {
        if (failure instanceof PoisonEventException) {
            LOG.errorf("dead-lettering %s message after %d attempt(s): %s", type, attempts, failure.getMessage());
        } else {
            LOG.errorf(failure, "dead-lettering %s message after %d attempt(s)", type, attempts);
        }
        count(type, "dead_lettered");
        return deadLetters.publish(message, failure, attempts)
                .flatMap(ignored -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(publishFailure -> {
                    LOG.errorf("dead-letter publish failed (%s); rejecting so the queue's DLX takes the message", publishFailure.toString());
                    return Uni.createFrom().completionStage(message.nack(failure));
                });
    }

    private void count(String type, String outcome) {
        registry.counter("shop.events.consumed", "type", type, "outcome", outcome, "queue", config.queue()).increment();
    }
}
