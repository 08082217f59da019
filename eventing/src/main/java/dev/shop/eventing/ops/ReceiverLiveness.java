package dev.shop.eventing.ops;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.health.HealthReporter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Liveness: the process fails it when one of its receivers stays detached while the broker is
 * plainly reachable, so the orchestrator restarts it.
 *
 * <p>Why: the AMQP connector re-attaches a receiver after every broker blip, but if the new
 * connection drops while the attach is in flight, the attach never completes and nothing retries it
 * (./shop chaos --seed 2, docs/reliability.md). The instance then stays up and never consumes
 * again. Restarting is the only way out, and a restart is harmless: unsettled messages go back to
 * the queue. A broker outage is not such a case: then every channel is down together, and
 * restarting would not help, so liveness stays up.
 */
@Liveness
@ApplicationScoped
public class ReceiverLiveness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ReceiverLiveness.class);

    @ConfigMapping(prefix = "shop.eventing.health.receivers")
    public interface Config {
        /** The incoming channels that must come back after a broker blip. */
        @WithDefault("shop-events-in,shop-dead-letters-in")
        List<String> channels();

        /** How long a receiver may stay detached while another channel is connected. */
        @WithDefault("60s")
        Duration grace();
    }

    private final HealthReporter connector;
    private final Watch watch;

    public ReceiverLiveness(@Connector("smallrye-amqp") HealthReporter connector, Config config) {
        this.connector = connector;
        this.watch = new Watch(config.channels(), config.grace());
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void sample() {
        observe();
    }

    private synchronized List<String> observe() {
        HealthReport report = connector.getReadiness();
        Map<String, Boolean> ok = report.getChannels().stream()
                .collect(Collectors.toMap(HealthReport.ChannelInfo::getChannel, HealthReport.ChannelInfo::isOk, (a, b) -> a && b));
        List<String> before = watch.stuck(Instant.now());
        watch.observe(ok, Instant.now());
        List<String> stuck = watch.stuck(Instant.now());
        if (!stuck.isEmpty() && !stuck.equals(before)) {
            LOG.errorf("receiver(s) %s detached for over %s while the broker is reachable; liveness is down so the process is restarted",
                    stuck, watch.grace);
        }
        return stuck;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> stuck = observe();
        return HealthCheckResponse.named("receivers").status(stuck.isEmpty())
                .withData("detached", String.join(",", stuck)).build();
    }

    /**
     * The decision, kept free of the connector so it can be tested alone: a watched channel is stuck
     * once it has been down for {@code grace} while some other channel has been up for half of that.
     */
    static final class Watch {
        private final List<String> watched;
        private final Duration grace;
        private final Map<String, Instant> downSince = new java.util.HashMap<>();
        private final Map<String, Instant> upSince = new java.util.HashMap<>();

        Watch(List<String> watched, Duration grace) {
            this.watched = List.copyOf(watched);
            this.grace = grace;
        }

        void observe(Map<String, Boolean> ok, Instant now) {
            ok.forEach((channel, up) -> {
                if (up) {
                    downSince.remove(channel);
                    upSince.putIfAbsent(channel, now);
                } else {
                    upSince.remove(channel);
                    downSince.putIfAbsent(channel, now);
                }
            });
        }

        List<String> stuck(Instant now) {
            return watched.stream().filter(channel -> {
                Instant down = downSince.get(channel);
                if (down == null || Duration.between(down, now).compareTo(grace) < 0) {
                    return false;
                }
                return upSince.entrySet().stream().anyMatch(e -> !e.getKey().equals(channel)
                        && Duration.between(e.getValue(), now).compareTo(grace.dividedBy(2)) >= 0);
            }).sorted().toList();
        }
    }
}
