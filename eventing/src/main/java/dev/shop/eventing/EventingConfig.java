package dev.shop.eventing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Tunables of the messaging infrastructure. Defaults live here; services override per property. */
@ConfigMapping(prefix = "shop.eventing")
public interface EventingConfig {

    /** CloudEvents {@code source} of events this service publishes, e.g. {@code /order-svc}. */
    String source();

    /** The service's own quorum queue (declared in topology/definitions.json), e.g. {@code order-svc.events}. */
    String queue();

    /** The service's dead-letter queue, parked into the dead_letter table, e.g. {@code order-svc.dlq}. */
    String deadLetterQueue();

    /**
     * This service's broker user, stamped as the AMQP {@code user-id} of every event and replay it
     * publishes. RabbitMQ refuses a message whose user-id is not the publisher's login, so consumers
     * can trust it (see {@link #producers()}).
     */
    String publisher();

    /**
     * Which broker user produces each event family ({@code stock -> inventory-svc}): an event is
     * accepted only from its producer (or from this service itself, for replays). Topic permissions
     * only check the routing key; this stops a service publishing another's event type in the body.
     */
    java.util.Map<String, String> producers();

    /**
     * Accept events that carry no user-id: test harnesses only (never in production). The tests'
     * broker client publishes through the management API (AMQP 0-9-1), whose user_id RabbitMQ 3.10
     * does not carry over to AMQP 1.0 deliveries.
     */
    @io.smallrye.config.WithDefault("false")
    boolean acceptUnidentifiedPublishers();

    Outbox outbox();

    Consumer consumer();

    Inbox inbox();

    interface Outbox {
        /** Fallback polling when a LISTEN/NOTIFY wake-up was missed (e.g. listener reconnecting). */
        @WithDefault("1s")
        Duration pollInterval();

        /** Rows published per round; all of them are in flight (unconfirmed) at once. */
        @WithDefault("256")
        int batchSize();

        /** A round whose confirms do not all arrive in time is abandoned and retried (duplicates are fine). */
        @WithDefault("30s")
        Duration publishTimeout();

        /**
         * Published rows are kept this long as the service's event log, for republishing to a consumer
         * restored from a backup (docs/operations.md). Keep it shorter than the consumers' inbox
         * retention: an event republished after its id left an inbox would be applied again.
         */
        @WithDefault("P3D")
        Duration retention();
    }

    interface Consumer {
        /**
         * Most messages committed in one transaction. Messages that queued up while the previous
         * transaction ran are taken together; 1 turns batching off (one transaction per message).
         */
        @WithDefault("32")
        int batchSize();

        /**
         * In-process attempts for a failure that is not an outage (a conflict, a bug) before the message is
         * dead-lettered. Outages of the database or broker have their own budget: {@link #outageBudget()}.
         */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("100ms")
        Duration initialBackoff();

        @WithDefault("2s")
        Duration maxBackoff();

        /**
         * How long a delivery keeps being tried while the database or broker is unreachable, restarting or
         * not answering (see {@link RetryPolicy#isOutage}), before it is dead-lettered. A database restart
         * is not the message's fault: dead-lettering it would stall its order until an operator replays it.
         */
        @WithDefault("5m")
        Duration outageBudget();

        /** Longest wait between two attempts during an outage. */
        @WithDefault("10s")
        Duration outageMaxBackoff();

        /** Jitter factor 0..1 applied to every backoff delay, so retries of many consumers spread out. */
        @WithDefault("0.5")
        double jitter();

        /**
         * Longest one transaction attempt (inbox + saga step + commit) may take. A database that stops
         * answering (a black-holed connection, a server that froze) would otherwise hold the receiver's
         * batch forever: the attempt fails instead and is retried, and a commit that lands late makes
         * the retry a duplicate, which the inbox turns into a no-op.
         */
        @WithDefault("15s")
        Duration transactionTimeout();

        /**
         * Longest an acknowledgement, a reject or a dead-letter publish may take. The broker link can
         * die under a settlement without failing it; the consumer then moves on and the broker
         * redelivers the message when it notices the link is gone (a duplicate, harmless).
         */
        @WithDefault("10s")
        Duration settleTimeout();
    }

    interface Inbox {
        /** Processed-event ids older than this are purged; redeliveries older than that are not expected. */
        @WithDefault("P7D")
        Duration retention();
    }
}
