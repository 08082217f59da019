package dev.shop.floor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuReportTest {

    private static CpuReport.Sample sample(int rate, long completed, Object... groupsAndMillis) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (int i = 0; i < groupsAndMillis.length; i += 2) {
            cpu.put((String) groupsAndMillis[i], ((Number) groupsAndMillis[i + 1]).doubleValue());
        }
        return new CpuReport.Sample(rate, completed, 60, cpu);
    }

    @Test
    void theLoadGeneratorIsShownButNotPartOfTheSystemTotal() {
        CpuReport.Sample s = sample(30, 100, "order-svc", 500, "broker (beam.smp)", 300, "load generator (this JVM)", 200);
        assertEquals(8.0, s.systemPerOrder(), 1e-9);
        assertEquals(10.0, s.allPerOrder(), 1e-9);
        String table = CpuReport.table(List.of(s));
        assertTrue(table.contains("| 30 | 100 | 60.0 | 5.00 | 3.00 | 2.00 | **8.00** | 10.00 |"), table);
    }

    @Test
    void ratioIsShopOverFloorPerRateWithBrokerAndDatabaseAlone() {
        var shop = List.of(sample(30, 100, "order-svc", 1200, "broker (beam.smp)", 400, "PostgreSQL (all processes)", 400));
        var floor = List.of(sample(30, 200, "floor JVM (4 roles + load)", 200, "broker (beam.smp)", 600, "PostgreSQL (all processes)", 200));
        String ratio = CpuReport.ratio(shop, floor);
        assertTrue(ratio.contains("| 30 | 20.00 | 5.00 | **4.00** | 1.33 (4.00 / 3.00) | 4.00 (4.00 / 1.00) |"), ratio);
    }

    @Test
    void aRateOnlyOneRunHasIsLeftOut() {
        String ratio = CpuReport.ratio(List.of(sample(45, 10, "x", 10)), List.of(sample(30, 10, "x", 10)));
        assertEquals(2, ratio.lines().count(), ratio);
    }

    @Test
    void samplesSurviveTheFileBetweenTwoRuns(@TempDir Path dir) throws Exception {
        var samples = List.of(sample(30, 1800, "order-svc", 5400.5, "PostgreSQL (all processes)", 9000), sample(60, 3600, "order-svc", 12000));
        Path file = dir.resolve("cpu.tsv");
        CpuReport.write(file, samples);
        List<CpuReport.Sample> back = CpuReport.read(file);
        assertEquals(2, back.size());
        assertEquals(1800, back.get(0).completed());
        assertEquals(3.0003, back.get(0).perOrder("order-svc"), 1e-3);
        assertEquals(5.0, back.get(0).perOrder("PostgreSQL (all processes)"), 1e-9);
        assertEquals(60, back.get(1).rate());
    }
}
