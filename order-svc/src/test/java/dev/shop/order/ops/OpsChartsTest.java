package dev.shop.order.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpsChartsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void seriesAreAlignedOnTheAxisWithGapsWhereNoSampleOrNaN() throws Exception {
        List<Long> axis = OpsCharts.axis(1000, 1020, 5); // 1000, 1005, ..., 1020
        var answer = json.readTree("""
                {"status":"success","data":{"resultType":"matrix","result":[
                  {"metric":{"outcome":"confirmed"},"values":[[1005,"1.5"],[1010,"NaN"],[1020,"2"]]},
                  {"metric":{"outcome":"cancelled"},"values":[[1000,"+Inf"],[1015.0,"0"]]}]}}""");
        Map<String, Double[]> series = OpsCharts.newSeries();
        OpsCharts.addSeries(series, answer, "{outcome}", axis, 5);
        OpsCharts.ChartData data = OpsCharts.data(OpsCharts.named("orders-rate").orElseThrow(), axis, 5, series);

        assertEquals(List.of(1000L, 1005L, 1010L, 1015L, 1020L), data.timestamps());
        assertEquals("confirmed", data.series().get(0).label());
        assertEquals(Arrays.asList(null, 1.5, null, null, 2.0), data.series().get(0).values());
        assertEquals(Arrays.asList(null, null, null, 0.0, null), data.series().get(1).values());
        assertEquals(3, data.points(), "finite samples only; a zero is a point, NaN and Inf are not");
    }

    @Test
    void fixedLegendsNameOneSeriesAndMissingLabelsAreShownAsNone() throws Exception {
        var answer = json.readTree("""
                {"data":{"result":[{"metric":{},"values":[[0,"3"]]}]}}""");
        Map<String, Double[]> series = OpsCharts.newSeries();
        OpsCharts.addSeries(series, answer, "placed", OpsCharts.axis(0, 0, 5), 5);
        OpsCharts.addSeries(series, answer, "{reason}", OpsCharts.axis(0, 0, 5), 5);
        assertEquals(List.of("placed", "(none)"), List.copyOf(series.keySet()));
    }

    @Test
    void aChartKeepsAtMostTwentySeries() throws Exception {
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            results.append(i == 0 ? "" : ",").append("{\"metric\":{\"queue\":\"q").append(i).append("\"},\"values\":[[0,\"1\"]]}");
        }
        Map<String, Double[]> series = OpsCharts.newSeries();
        OpsCharts.addSeries(series, json.readTree("{\"data\":{\"result\":[" + results + "]}}"), "{queue}", OpsCharts.axis(0, 0, 5), 5);
        assertEquals(OpsCharts.MAX_SERIES, series.size());
    }

    @Test
    void stepGivesAboutThreeHundredPointsButNeverFinerThanTheMinimum() {
        assertEquals(5, OpsCharts.step(15 * 60, 5));
        assertEquals(72, OpsCharts.step(6 * 3600, 5));
    }

    @Test
    void theVirtualHostIsBoundAsAnEscapedLabelValue() {
        String q = OpsCharts.named("queue-depth").orElseThrow().queries().get(0).promql();
        assertTrue(OpsCharts.bind(q, "shop-e2e").contains("vhost=\"shop-e2e\""), OpsCharts.bind(q, "shop-e2e"));
        assertTrue(OpsCharts.bind(q, "a\"b").contains("vhost=\"a\\\"b\""));
        assertNull(OpsCharts.named("up{job=\"shop\"}").orElse(null), "only catalogue names, never PromQL");
    }
}
