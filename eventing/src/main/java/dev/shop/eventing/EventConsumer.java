package dev.shop.eventing;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.amqp.IncomingAmqpMetadata;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The receive pipeline every service runs for its queue:
 * decode and validate, then in ONE local transaction record the event id in the inbox and apply
 * the saga step (which writes state and outbox rows through the same connection, see {@link SagaStep}),
 * then acknowledge. Nothing is acknowledged before its effect has committed.
 *
 * <p>Batching: messages that arrive while a transaction is running queue up (at most
 * {@code 2 x batch-size} per receiver, then the receiver waits) and the next transaction takes up
 * to {@code batch-size} of them, in arrival order. One commit then covers many messages, which is
 * what lets a service keep up under load; an idle service still handles each message on its own.
 * If anything in a batch fails, the batch rolls back and its messages are processed again one by
 * one, so a failing message never takes the others down with it.
 *
 * <p>Failures: a poison message (undecodable, schema-invalid, rejected by the handler as permanent)
 * is dead-lettered at once. Any other failure is retried in-process with exponential backoff and
 * jitter ({@link RetryPolicy}): an outage of the database or broker for up to {@code outage-budget},
 * anything else {@code max-attempts} times; then the message is dead-lettered with the last error.
 * Every wait is bounded: a transaction attempt by {@code transaction-timeout}, an ack, reject or
 * dead-letter publish by {@code settle-timeout} (a database or broker link that stops answering must
 * not hold the receiver). If even the dead-letter publish fails the message is rejected, and the quorum queue's DLX
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
    private final DistributionSummary batchSizes;
    private final Map<Context, Batcher> batchers = new ConcurrentHashMap<>();
    private final RetryPolicy retryPolicy;
    private final Pool pool;

    public EventConsumer(EventCodec codec, Inbox inbox, DeadLetters deadLetters, EventingConfig config, MeterRegistry registry,
                         Tracing tracing, Pool pool) {
        this.tracing = tracing;
        this.pool = pool;
        this.codec = codec;
        this.inbox = inbox;
        this.deadLetters = deadLetters;
        this.config = config;
        this.registry = registry;
        this.retryPolicy = RetryPolicy.of(config.consumer());
        this.batchSizes = DistributionSummary.builder("shop.consumer.batch.size")
                .description("Messages committed per consumer transaction").tag("queue", config.queue()).register(registry);
    }

    /**
     * @param handler the service's saga step for the event, run in one transaction with the inbox
     */
    public Uni<Void> consume(Message<?> message, SagaStep handler) {
        return consume(message, handler, type -> true);
    }

    /**
     * @param transactional which event types need the transactional path (inbox + handler in one
     *                      transaction); for the others the handler gets the pool and must be
     *                      idempotent by itself (e.g. an insert ... on conflict do nothing projection)
     * @return completes when the message has been taken in (not when it is processed): the message
     * is acknowledged, or dead-lettered, after its transaction
     */
    public Uni<Void> consume(Message<?> message, SagaStep handler, Predicate<String> transactional) {
        Context current = Vertx.currentContext();
        Pending pending = new Pending(message, handler, transactional);
        if (current == null) {
            return settleBatch(List.of(pending));
        }
        // One batcher per receiver (each receiver's messages arrive on its own event-loop context).
        return batchers.computeIfAbsent(VertxContext.getRootContext(current), Batcher::new).admit(pending);
    }

    /** A message taken in, with the saga step that handles it. */
    private record Pending(Message<?> message, SagaStep handler, Predicate<String> transactional,
                           AtomicBoolean settled) {
        Pending(Message<?> message, SagaStep handler, Predicate<String> transactional) {
            this(message, handler, transactional, new AtomicBoolean());
        }
    }

    /** A decoded message whose consumer span is open until it is settled. */
    private record Delivery(Pending pending, CloudEvent event, Span span) {
        Message<?> message() {
            return pending.message();
        }

        boolean transactional() {
            return pending.transactional().test(event.type());
        }
    }

    /**
     * Queues the messages of one receiver and runs them in batches, one batch at a time, each batch
     * on a fresh duplicated Vert.x context (its own span and MDC) and its own database connection.
     * All state is touched on the receiver's event-loop thread; the lock only guards against misuse.
     */
    private final class Batcher {
        private final Context root;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private final ArrayDeque<Runnable> held = new ArrayDeque<>();
        private int inFlight;
        private boolean running;

        Batcher(Context root) {
            this.root = root;
        }

        Uni<Void> admit(Pending pending) {
            return Uni.createFrom().emitter(emitter -> {
                boolean admitted;
                boolean start;
                synchronized (this) {
                    queue.add(pending);
                    inFlight++;
                    admitted = inFlight - held.size() <= window();
                    if (!admitted) {
                        held.add(() -> emitter.complete(null));
                    }
                    start = !running;
                    running = true;
                }
                if (start) {
                    root.runOnContext(ignored -> next());
                }
                if (admitted) {
                    emitter.complete(null);
                }
            });
        }

        private int window() {
            return 2 * Math.max(1, config.consumer().batchSize());
        }

        private void next() {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                while (batch.size() < Math.max(1, config.consumer().batchSize()) && !queue.isEmpty()) {
                    batch.add(queue.poll());
                }
                if (batch.isEmpty()) {
                    running = false;
                    return;
                }
            }
            Context own = VertxContext.createNewDuplicatedContext(root);
            VertxContextSafetyToggle.setContextSafe(own, true);
            // deferred: even an exception thrown while setting the batch up ends in the failure branch,
            // so the batcher always moves on.
            own.runOnContext(ignored -> Uni.createFrom().deferred(() -> settleBatch(batch)).subscribe().with(
                    done -> finished(batch.size()),
                    failure -> {
                        // Not expected (every path ends in ack, dead letter or nack); never leave a message unsettled.
                        LOG.errorf(failure, "consumer batch of %d ended abnormally; rejecting its unsettled messages to the queue's DLX", batch.size());
                        batch.stream().filter(p -> !p.settled().get()).forEach(p -> bounded(p.message().nack(failure), "reject")
                                .subscribe().with(rejected -> { }, f -> LOG.warnf("reject failed (%s); the broker redelivers the message", f.toString())));
                        finished(batch.size());
                    }));
        }

        private void finished(int settled) {
            List<Runnable> release = new ArrayList<>();
            synchronized (this) {
                inFlight -= settled;
                while (!held.isEmpty() && inFlight - held.size() < window()) {
                    release.add(held.poll());
                }
            }
            release.forEach(Runnable::run);
            next();
        }
    }

    /** Decodes every message (poison ones are dead-lettered here), then settles the rest together. */
    private Uni<Void> settleBatch(List<Pending> batch) {
        List<Delivery> deliveries = new ArrayList<>();
        Uni<Void> poison = Uni.createFrom().voidItem();
        for (Pending p : batch) {
            try {
                deliveries.add(open(p));
            } catch (PoisonEventException e) {
                poison = poison.flatMap(ignored -> deadLetter(p, "unknown", e, 1));
            }
        }
        return poison.flatMap(ignored -> switch (deliveries.size()) {
            case 0 -> Uni.createFrom().voidItem();
            case 1 -> settle(deliveries.get(0));
            default -> settleTogether(deliveries);
        });
    }

    private Delivery open(Pending pending) {
        pending.message().getMetadata(IncomingAmqpMetadata.class).filter(m -> m.getDeliveryCount() > 0).ifPresent(m ->
                registry.counter("shop.consumer.redeliveries", "queue", config.queue()).increment());
        CloudEvent event = codec.decode(pending.message().getPayload());
        checkPublisher(pending.message().getMetadata(IncomingAmqpMetadata.class).map(IncomingAmqpMetadata::getUserId).orElse(null), event);
        // Continue the order's trace: this span is current (and its ids are in the MDC of every log
        // line) while the event is handled; outbox rows written by the handler carry it onwards.
        Span span = tracing.start(event.type() + " process", SpanKind.CONSUMER, event.traceparent(), event.subject(), event.type(), event.id());
        return new Delivery(pending, event, span);
    }

    /**
     * The broker authorised the publisher for the routing key, not for the body, and RabbitMQ 3.x
     * delivers neither the exchange nor the key. It does verify the AMQP user-id against the
     * publisher's login, so the event's type must come from the user that produces it (or from this
     * service's own replays); anything else is dead-lettered as unauthorised, with the reason.
     */
    private void checkPublisher(String publisher, CloudEvent event) {
        String family = event.type().contains(".") ? event.type().substring(0, event.type().indexOf('.')) : event.type();
        String producer = config.producers().get(family);
        if (publisher == null ? config.acceptUnidentifiedPublishers()
                : publisher.equals(producer) || publisher.equals(config.publisher())) {
            return;
        }
        throw new PoisonEventException("unauthorised publisher: " + event.type() + " from "
                + (publisher == null ? "an unidentified publisher (no AMQP user-id)" : publisher)
                + (producer == null ? ", a type no service produces" : ", only " + producer + " publishes it"));
    }

    /** Runs {@code work} with the delivery's span current and its order in the MDC. */
    private <T> Uni<T> within(Delivery d, java.util.function.Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Scope scope = d.span().makeCurrent();
            MDC.put("orderId", d.event().subject());
            MDC.put("eventType", d.event().type());
            return work.get().onTermination().invoke(() -> {
                scope.close();
                MDC.remove("orderId");
                MDC.remove("eventType");
            });
        });
    }

    /** The effect of one delivery inside the transaction {@code tx} (or on the pool, for non-transactional types). */
    private Uni<Outcome> step(Delivery d, SqlClient tx) {
        CloudEvent event = d.event();
        if (!d.transactional()) {
            return d.pending().handler().apply(pool, event).replaceWith(Outcome.PROCESSED);
        }
        return inbox.firstDelivery(tx, event).flatMap(first -> first
                ? d.pending().handler().apply(tx, event).replaceWith(Outcome.PROCESSED)
                : Uni.createFrom().item(Outcome.DUPLICATE));
    }

    /**
     * Runs {@code work} in a transaction on a connection of its own, committed when {@code work}
     * succeeds. The connection goes back to the pool however the attempt ends: on a failure, and on
     * cancellation (an attempt abandoned at {@code transaction-timeout}), closing it rolls back an
     * open transaction.
     */
    private <T> Uni<T> inTransaction(java.util.function.Function<SqlConnection, Uni<T>> work) {
        return pool.getConnection().flatMap(connection -> connection.begin()
                .flatMap(tx -> work.apply(connection).call(tx::commit))
                .onTermination().call(connection::close));
    }

    /** Several deliveries, one transaction; on any failure, roll back and settle them one by one. */
    private Uni<Void> settleTogether(List<Delivery> deliveries) {
        return timed(() -> inTransaction(tx -> {
                    Uni<List<Outcome>> chain = Uni.createFrom().item(new ArrayList<>());
                    for (Delivery d : deliveries) {
                        chain = chain.flatMap(outcomes -> within(d, () -> step(d, tx)).map(o -> {
                            outcomes.add(o);
                            return outcomes;
                        }));
                    }
                    return chain;
                }), deliveries.size())
                .onItemOrFailure().transformToUni((outcomes, failure) -> {
                    if (failure != null) {
                        LOG.warnf("a batch of %d messages rolled back (%s); processing them one by one", deliveries.size(), failure.toString());
                        Uni<Void> oneByOne = Uni.createFrom().voidItem();
                        for (Delivery d : deliveries) {
                            oneByOne = oneByOne.flatMap(ignored -> settle(d));
                        }
                        return oneByOne;
                    }
                    batchSizes.record(deliveries.size());
                    // Acknowledge in order, one after the other (each with its own span current); a failed
                    // ack (connection lost) only means a redelivery, which the inbox turns into a no-op.
                    Uni<Void> acks = Uni.createFrom().voidItem();
                    for (int i = 0; i < deliveries.size(); i++) {
                        Delivery d = deliveries.get(i);
                        Outcome outcome = outcomes.get(i);
                        acks = acks.flatMap(ignored -> within(d, () -> settled(d, outcome))
                                .onTermination().invoke(d.span()::end));
                    }
                    return acks;
                });
    }

    /** One delivery in its own transaction, with retries and dead-lettering; ends its span. */
    private Uni<Void> settle(Delivery d) {
        return within(d, () -> process(d)).onTermination().invoke((ignored, failure, cancelled) -> {
            if (failure != null) {
                d.span().recordException(failure);
            }
            d.span().end();
        });
    }

    private Uni<Void> process(Delivery d) {
        return attempt(d, RetryPolicy.Attempts.none());
    }

    /**
     * One attempt; on failure {@link RetryPolicy} says whether to wait and try again (an outage of the
     * database or broker is waited out for up to {@code outage-budget}; any other failure gets
     * {@code max-attempts}) or to dead-letter the message with the error.
     */
    private Uni<Void> attempt(Delivery d, RetryPolicy.Attempts before) {
        CloudEvent event = d.event();
        return timed(() -> within(d, () -> d.transactional() ? inTransaction(tx -> step(d, tx)) : step(d, pool)), 1)
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (failure == null) {
                        batchSizes.record(1);
                        return settled(d, outcome);
                    }
                    long now = System.nanoTime();
                    boolean outage = RetryPolicy.isOutage(failure);
                    RetryPolicy.Attempts after = before.failed(outage, now);
                    var delay = retryPolicy.next(failure, after, now, java.util.concurrent.ThreadLocalRandom.current()::nextDouble);
                    if (delay.isEmpty()) {
                        return deadLetter(d.pending(), event.type(), failure, after.failures());
                    }
                    registry.counter("shop.consumer.retries", "queue", config.queue(), "cause", outage ? "outage" : "failure").increment();
                    LOG.warnf("handling %s %s failed (attempt %d%s), retrying in %d ms: %s", event.type(), event.id(), after.failures(),
                            outage ? ", database or broker unavailable" : "", delay.get().toMillis(), failure.toString());
                    return pause(delay.get()).flatMap(ignored -> attempt(d, after));
                });
    }

    /** Waits on a Vert.x timer, resuming on the caller's (duplicated) context: its session, span and MDC. */
    private static Uni<Void> pause(java.time.Duration delay) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(delay);
        }
        return Uni.createFrom().emitter(emitter -> context.owner().setTimer(Math.max(1, delay.toMillis()),
                id -> context.runOnContext(ignored -> emitter.complete(null))));
    }

    /** Counts, logs and acknowledges a delivery whose transaction has committed. */
    private Uni<Void> settled(Delivery d, Outcome outcome) {
        d.pending().settled().set(true);
        CloudEvent event = d.event();
        count(event.type(), outcome == Outcome.PROCESSED ? "processed" : "duplicate");
        if (outcome == Outcome.DUPLICATE) {
            LOG.infof("duplicate %s %s acknowledged without effect", event.type(), event.id());
        } else {
            LOG.debugf("processed %s %s", event.type(), event.id());
        }
        // A failed ack (connection lost, or no answer in time) only means a redelivery, which the inbox
        // turns into a no-op: the effect has committed, so the consumer moves on.
        return bounded(d.message().ack(), "ack").onFailure().recoverWithItem(f -> {
            LOG.warnf("ack of committed %s %s failed (%s); a redelivery will be a duplicate", event.type(), event.id(), f.toString());
            return null;
        });
    }

    private Uni<Void> deadLetter(Pending pending, String type, Throwable failure, int attempts) {
        Message<?> message = pending.message();
        pending.settled().set(true);
        if (failure instanceof PoisonEventException) {
            LOG.errorf("dead-lettering %s message after %d attempt(s): %s", type, attempts, failure.getMessage());
        } else {
            LOG.errorf(failure, "dead-lettering %s message after %d attempt(s)", type, attempts);
        }
        count(type, "dead_lettered");
        return deadLetters.publish(message, failure, attempts)
                .ifNoItem().after(config.consumer().settleTimeout()).failWith(() -> new TimeoutException(
                        "dead-letter publish not confirmed within " + config.consumer().settleTimeout()))
                .onItemOrFailure().transformToUni((published, publishFailure) -> {
                    if (publishFailure == null) {
                        return bounded(message.ack(), "ack").onFailure().recoverWithItem(f -> {
                            LOG.warnf("ack of a dead-lettered %s message failed (%s); a redelivery will be handled again", type, f.toString());
                            return null;
                        });
                    }
                    LOG.errorf("dead-letter publish failed (%s); rejecting so the queue's DLX takes the message", publishFailure.toString());
                    return bounded(message.nack(failure), "reject");
                });
    }

    /**
     * A transaction attempt that may not outlast {@code transaction-timeout}: a database that stops
     * answering fails the attempt (and with it the retry or dead-letter path) instead of holding the
     * receiver forever. Cancelling closes the attempt's connection, which rolls its transaction back;
     * had the commit already been sent, the next attempt finds the inbox row and is a duplicate.
     *
     * <p>Each attempt runs on a Vert.x context of its own: the statement a timed-out attempt was waiting
     * on may still complete later, and its chain then carries on with whatever it finds on its context
     * (span, MDC; with Hibernate Reactive, "the current session") — which must never be the next
     * attempt's (chaos seed 7: {@code possible non-threadsafe access to session}, then
     * {@code No current Mutiny.Session found} in the retry). Results come back on the caller's context.
     */
    private <T> Uni<T> timed(java.util.function.Supplier<Uni<? extends T>> attempt, int messages) {
        var limit = config.consumer().transactionTimeout();
        return isolated(attempt).ifNoItem().after(limit).failWith(() -> {
            registry.counter("shop.consumer.timeouts", "queue", config.queue(), "stage", "transaction").increment();
            return new TimeoutException("transaction of " + messages + " message(s) did not finish within " + limit);
        });
    }

    private static <T> Uni<T> isolated(java.util.function.Supplier<Uni<? extends T>> attempt) {
        Context caller = Vertx.currentContext();
        if (caller == null) {
            return Uni.createFrom().deferred(attempt);
        }
        Context own = VertxContext.createNewDuplicatedContext(VertxContext.getRootContext(caller));
        VertxContextSafetyToggle.setContextSafe(own, true);
        return Uni.createFrom().deferred(attempt)
                .runSubscriptionOn(task -> own.runOnContext(ignored -> task.run()))
                .emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    /**
     * A settlement (ack or reject) that may not outlast {@code settle-timeout}. The connector completes
     * it on the link's event loop; on a link that died under it, it may never complete. Giving up is
     * safe: an unsettled delivery is redelivered when the broker drops the link.
     */
    private Uni<Void> bounded(java.util.concurrent.CompletionStage<Void> settlement, String what) {
        var limit = config.consumer().settleTimeout();
        return Uni.createFrom().completionStage(settlement).ifNoItem().after(limit).failWith(() -> {
            registry.counter("shop.consumer.timeouts", "queue", config.queue(), "stage", what).increment();
            return new TimeoutException(what + " not completed within " + limit);
        });
    }

    private void count(String type, String outcome) {
        registry.counter("shop.events.consumed", "type", type, "outcome", outcome, "queue", config.queue()).increment();
    }
}
