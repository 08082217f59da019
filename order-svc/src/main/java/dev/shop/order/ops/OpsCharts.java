package dev.shop.order.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ops page's charts: a fixed catalogue of named PromQL queries, run on the server. The browser
 * picks a chart by name and a time range, never a query, so the page gives no one arbitrary PromQL
 * access to the Prometheus behind it. The queries follow monitoring/grafana (same metrics, same
 * aggregations: gauges read from a database with {@code max}, counters with {@code sum} of rates).
 */
public final class OpsCharts {

    private OpsCharts() {
    }

    /** One query of a chart; {@code legend} names each resulting series, {@code {label}} taken from the series' labels. */
    @RegisterForReflection
    public record Query(String promql, String legend) {
    }

    @RegisterForReflection
    public record Chart(String name, String title, String unit, List<Query> queries) {
    }

    /** A chart's data, aligned on one time axis for the page: {@code values[i]} belongs to {@code timestamps[i]}; null = no sample. */
    @RegisterForReflection
    public record Series(String label, List<Double> values) {
    }

    @RegisterForReflection
    public record ChartData(String name, String title, String unit, long step, List<Long> timestamps, List<Series> series, int points) {
    }

    /** Rate window: four scrapes at the default 15s interval, so a rate exists after a minute of data. */
    private static final String W = "[1m]";
    /** Keeps a chart readable and its response small whatever the labels turn out to be. */
    static final int MAX_SERIES = 20;

    /** The catalogue, in page order. {@code $VHOST} is the broker virtual host order-svc itself uses. */
    public static final List<Chart> CHARTS = List.of(
            new Chart("orders-rate", "Orders per second by outcome", "orders/s", List.of(
                    new Query("sum(rate(shop_orders_placed_total" + W + "))", "placed"),
                    new Query("sum by (outcome) (rate(shop_orders_finished_total" + W + "))", "{outcome}"))),
            new Chart("saga-latency", "Placement → terminal (saga duration)", "s", List.of(
                    new Query("histogram_quantile(0.5, sum by (le) (rate(shop_saga_duration_seconds_bucket" + W + ")))", "p50"),
                    new Query("histogram_quantile(0.99, sum by (le) (rate(shop_saga_duration_seconds_bucket" + W + ")))", "p99"))),
            new Chart("saga-funnel", "Saga funnel: events per second by step", "events/s", List.of(
                    new Query("sum(rate(shop_events_published_total{type=\"order.placed\"}" + W + "))", "placed"),
                    new Query("sum(rate(shop_events_published_total{type=\"stock.reserved\"}" + W + "))", "reserved"),
                    new Query("sum(rate(shop_events_published_total{type=\"payment.authorized\"}" + W + "))", "authorized"),
                    new Query("sum(rate(shop_events_published_total{type=\"order.confirmed\"}" + W + "))", "confirmed"))),
            new Chart("cancellations", "Cancellations per second by reason", "orders/s", List.of(
                    new Query("sum by (reason) (rate(shop_orders_finished_total{outcome=\"cancelled\"}" + W + "))", "{reason}"))),
            new Chart("outbox-lag", "Oldest unpublished outbox row by service", "s", List.of(
                    new Query("max by (service) (shop_outbox_oldest_age_seconds)", "{service}"))),
            new Chart("queue-depth", "Queue depth (ready + unacked) per service queue", "messages", List.of(
                    new Query("sum by (queue) (rabbitmq_queue_messages{vhost=\"$VHOST\", queue=~\".+-svc\\\\.events\"})", "{queue}"))),
            new Chart("consumer-rate", "Events consumed per second by service", "events/s", List.of(
                    new Query("sum by (service) (rate(shop_events_consumed_total" + W + "))", "{service}"))),
            new Chart("dead-letters", "Dead letters pending by queue", "messages", List.of(
                    new Query("max by (service, queue) (shop_dead_letters_pending)", "{queue}"))),
            new Chart("alerts", "Alerts firing", "alerts", List.of(
                    new Query("count by (alertname) (ALERTS{alertstate=\"firing\"})", "{alertname}"))),
            new Chart("invariant-violations", "Invariant violations (correctness monitor)", "violations", List.of(
                    new Query("max by (invariant) (shop_invariant_violations)", "{invariant}"))));

    public static Optional<Chart> named(String name) {
        return CHARTS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The step for a range: about 300 points per chart, never finer than {@code minStep} seconds. */
    public static long step(long rangeSeconds, long minStep) {
        return Math.max(minStep, (rangeSeconds + 299) / 300);
    }

    /** Timestamps start..end (both multiples of step, so the page's refreshes line up). */
    public static List<Long> axis(long start, long end, long step) {
        List<Long> axis = new ArrayList<>();
        for (long t = start; t <= end; t += step) {
            axis.add(t);
        }
        return axis;
    }

    /**
     * Adds the series of one query_range answer ({@code data.result} of a matrix) to {@code into},
     * aligned on {@code axis}. NaN and infinities (a quantile without samples, a ratio of zeros) become
     * null, which the page draws as a gap: "no data" is not the same as zero.
     */
    public static void addSeries(Map<String, Double[]> into, JsonNode answer, String legend, List<Long> axis, long step) {
        long start = axis.get(0);
        for (JsonNode result : answer.path("data").path("result")) {
            String label = label(legend, result.path("metric"));
            if (!into.containsKey(label) && into.size() >= MAX_SERIES) {
                continue;
            }
            Double[] values = into.computeIfAbsent(label, l -> new Double[axis.size()]);
            for (JsonNode pair : result.path("values")) {
                long t = Math.round(pair.get(0).asDouble());
                long i = Math.round((double) (t - start) / step);
                double v = parse(pair.get(1).asText());
                if (i >= 0 && i < values.length && Double.isFinite(v)) {
                    values[(int) i] = v;
                }
            }
        }
    }

    public static ChartData data(Chart chart, List<Long> axis, long step, Map<String, Double[]> series) {
        List<Series> out = new ArrayList<>();
        int points = 0;
        for (Map.Entry<String, Double[]> e : series.entrySet()) {
            out.add(new Series(e.getKey(), Arrays.asList(e.getValue())));
            for (Double v : e.getValue()) {
                points += v == null ? 0 : 1;
            }
        }
        return new ChartData(chart.name(), chart.title(), chart.unit(), step, axis, out, points);
    }

    public static Map<String, Double[]> newSeries() {
        return new LinkedHashMap<>();
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    static String label(String legend, JsonNode metric) {
        Matcher m = PLACEHOLDER.matcher(legend);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = metric.path(m.group(1)).asText("");
            m.appendReplacement(sb, Matcher.quoteReplacement(value.isEmpty() ? "(none)" : value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static double parse(String value) {
        try {
            return Double.parseDouble(value); // Prometheus writes NaN, +Inf, -Inf as such
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The query with order-svc's virtual host in place of {@code $VHOST} (a label value, escaped for PromQL). */
    public static String bind(String promql, String vhost) {
        return promql.replace("$VHOST", vhost.replace("\\", "\\\\").replace("\"", "\\\""));
    }
}
