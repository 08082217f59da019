package dev.shop.eventing.ops;

import dev.shop.eventing.OutboxRelay;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reports degraded messaging in the readiness data without failing readiness: a backlog or a
 * dead letter is an operator's problem, not a reason to take the pod out of service (that would
 * only make the backlog grow). Database and broker connectivity are covered by Quarkus's own
 * datasource and messaging readiness checks.
 */
@Readiness
@ApplicationScoped
public class MessagingHealth implements HealthCheck {

    @ConfigMapping(prefix = "shop.eventing.health")
    public interface Thresholds {
        @WithDefault("1000")
        long outboxBacklog();

        @WithDefault("60s")
        Duration outboxAge();
    }

    private final OutboxRelay relay;
    private final DeadLetterStore deadLetters;
    private final Thresholds thresholds;

    public MessagingHealth(OutboxRelay relay, DeadLetterStore deadLetters, Thresholds thresholds) {
        this.relay = relay;
        this.deadLetters = deadLetters;
        this.thresholds = thresholds;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> degraded = new ArrayList<>();
        if (relay.backlog() > thresholds.outboxBacklog()) {
            degraded.add("outbox backlog " + relay.backlog() + " > " + thresholds.outboxBacklog());
        }
        if (relay.oldestAgeSeconds() > thresholds.outboxAge().toSeconds()) {
            degraded.add("oldest outbox row " + (long) relay.oldestAgeSeconds() + "s > " + thresholds.outboxAge().toSeconds() + "s");
        }
        if (deadLetters.pendingCount() > 0) {
            degraded.add(deadLetters.pendingCount() + " dead letter(s) pending");
        }
        return HealthCheckResponse.named("messaging").up()
                .withData("degraded", !degraded.isEmpty())
                .withData("reasons", String.join("; ", degraded))
                .withData("outboxBacklog", relay.backlog())
                .withData("outboxOldestAgeSeconds", (long) relay.oldestAgeSeconds())
                .withData("outboxRelayLeader", relay.isLeader())
                .withData("deadLettersPending", deadLetters.pendingCount())
                .build();
    }
}
