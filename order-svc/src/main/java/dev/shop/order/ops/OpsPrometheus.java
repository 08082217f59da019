package dev.shop.order.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.eventing.http.ProblemException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The ops page's window on Prometheus ({@code shop.ops.prometheus-url}): named charts and the alerts
 * firing or pending. Like {@link PeerDeadLetters}, never on the saga path and guarded (timeout, retry
 * with exponential backoff and jitter, circuit breaker, bulkhead), so a slow or absent Prometheus makes
 * the page say so quickly instead of piling up requests. Without a configured URL every call answers
 * 503 "Prometheus not configured".
 */
@ApplicationScoped
public class OpsPrometheus {

    /** One alert as Prometheus's /api/v1/alerts reports it. */
    @RegisterForReflection
    public record Alert(String name, String state, String severity, Map<String, String> labels, String summary,
                        String description, String activeAt, String value) {
    }

    private final Optional<PrometheusApi> client;
    private final String url;
    private final String vhost;
    private final long minStepSeconds;
    private final TypedGuard<Uni<JsonNode>> guard;

    public OpsPrometheus(OpsConfig config, @ConfigProperty(name = "shop.amqp.virtual-host") String vhost) {
        this.url = config.prometheusUrl().map(String::trim).filter(u -> !u.isEmpty()).orElse(null);
        this.vhost = vhost;
        this.minStepSeconds = Math.max(1, config.prometheusMinStep().toSeconds());
        long timeoutMs = config.prometheusTimeout().toMillis();
        this.client = Optional.ofNullable(this.url).map(u -> QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(u))
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS).readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .build(PrometheusApi.class));
        // A page open in a few tabs asks for ten charts every few seconds: the bulkhead bounds what reaches
        // Prometheus; beyond it a chart fails fast and the page shows the error on that chart only.
        this.guard = TypedGuard.create(new TypeLiteral<Uni<JsonNode>>() { })
                .withDescription("ops page: Prometheus")
                .withTimeout().duration(timeoutMs, ChronoUnit.MILLIS).done()
                .withRetry().maxRetries(2).delay(100, ChronoUnit.MILLIS).jitter(50, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(1, ChronoUnit.SECONDS).done().done()
                .withCircuitBreaker().name("ops-prometheus").requestVolumeThreshold(10).failureRatio(0.5).delay(10, ChronoUnit.SECONDS).done()
                .withBulkhead().limit(10).queueSize(40).done()
                .build();
    }

    public boolean configured() {
        return client.isPresent();
    }

    public Uni<OpsCharts.ChartData> chart(OpsCharts.Chart chart, int minutes) {
        PrometheusApi api = api();
        long range = minutes * 60L;
        long step = OpsCharts.step(range, minStepSeconds);
        long end = (System.currentTimeMillis() / 1000) / step * step;
        long start = end - range / step * step;
        List<Long> axis = OpsCharts.axis(start, end, step);
        List<Uni<JsonNode>> calls = new ArrayList<>();
        for (OpsCharts.Query q : chart.queries()) {
            String promql = OpsCharts.bind(q.promql(), vhost);
            calls.add(guarded(() -> api.queryRange(promql, start, end, step)));
        }
        return Uni.join().all(calls).andFailFast().map(answers -> {
            Map<String, Double[]> series = new LinkedHashMap<>();
            for (int i = 0; i < answers.size(); i++) {
                OpsCharts.addSeries(series, answers.get(i), chart.queries().get(i).legend(), axis, step);
            }
            return OpsCharts.data(chart, axis, step, series);
        });
    }

    public Uni<List<Alert>> alerts() {
        PrometheusApi api = api();
        return guarded(api::alerts).map(OpsPrometheus::alerts);
    }

    static List<Alert> alerts(JsonNode answer) {
        List<Alert> alerts = new ArrayList<>();
        for (JsonNode a : answer.path("data").path("alerts")) {
            Map<String, String> labels = new LinkedHashMap<>();
            a.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            alerts.add(new Alert(labels.getOrDefault("alertname", "?"), a.path("state").asText(), labels.get("severity"), labels,
                    a.path("annotations").path("summary").asText(null), a.path("annotations").path("description").asText(null),
                    a.path("activeAt").asText(null), a.path("value").asText(null)));
        }
        // Firing first, then pending; oldest first within each.
        alerts.sort(java.util.Comparator.comparing((Alert x) -> !"firing".equals(x.state()))
                .thenComparing(x -> x.activeAt() == null ? "" : x.activeAt()));
        return alerts;
    }

    private PrometheusApi api() {
        return client.orElseThrow(() -> ProblemException.unavailable("urn:shop:problem:prometheus-not-configured",
                "Prometheus not configured", "order-svc has no shop.ops.prometheus-url (SHOP_OPS_PROMETHEUS_URL): "
                        + "set it to the Prometheus that scrapes the services to see the charts and alerts", 60));
    }

    private Uni<JsonNode> guarded(Supplier<Uni<JsonNode>> call) {
        return guard.get(call).onFailure().transform(f -> f instanceof ProblemException ? f
                : ProblemException.unavailable("urn:shop:problem:prometheus-unavailable", "Prometheus unavailable",
                        "Prometheus at " + url + " did not answer: " + f.getClass().getSimpleName()
                                + (f.getMessage() == null ? "" : ": " + f.getMessage()), 5));
    }
}
