package dev.shop.chaos;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NemesisTest {

    private static final Set<FaultKind> ALL = EnumSet.allOf(FaultKind.class);

    @Test
    void sameSeedGivesTheSameSchedule() {
        assertEquals(Nemesis.schedule(42, 150_000, ALL, 4_000, 2), Nemesis.schedule(42, 150_000, ALL, 4_000, 2));
    }

    @Test
    void anotherSeedGivesAnotherSchedule() {
        assertNotEquals(Nemesis.schedule(42, 150_000, ALL, 4_000, 2), Nemesis.schedule(43, 150_000, ALL, 4_000, 2));
    }

    @Test
    void everyEnabledKindOccursAtLeastTwice() {
        for (long seed = 0; seed < 50; seed++) {
            Map<FaultKind, Integer> counts = new HashMap<>();
            Nemesis.schedule(seed, 125_000, ALL, 4_000, 2).forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
            for (FaultKind k : ALL) {
                assertTrue(counts.getOrDefault(k, 0) >= 2, "seed " + seed + ": " + k + " " + counts);
            }
        }
    }

    @Test
    void onlyTheChosenKindsAreScheduled() {
        List<Nemesis.Fault> s = Nemesis.schedule(7, 100_000, EnumSet.of(FaultKind.KILL9, FaultKind.RESET), 4_000, 2);
        assertTrue(s.stream().allMatch(f -> f.kind() == FaultKind.KILL9 || f.kind() == FaultKind.RESET), s.toString());
        assertTrue(Nemesis.schedule(7, 100_000, EnumSet.noneOf(FaultKind.class), 4_000, 2).isEmpty());
    }

    @Test
    void faultsOverlapButNeverOnTheSameResourceAtOnce() {
        boolean overlapped = false;
        for (long seed = 0; seed < 20; seed++) {
            List<Nemesis.Fault> s = Nemesis.schedule(seed, 150_000, ALL, 4_000, 2);
            for (int i = 0; i < s.size(); i++) {
                for (int j = i + 1; j < s.size(); j++) {
                    Nemesis.Fault a = s.get(i);
                    Nemesis.Fault b = s.get(j);
                    boolean timeOverlap = b.atMs() < a.atMs() + a.holdMs();
                    overlapped |= timeOverlap;
                    if (timeOverlap) {
                        for (String r : Nemesis.resources(a.kind(), a.target())) {
                            assertFalse(Nemesis.resources(b.kind(), b.target()).contains(r), "seed " + seed + ": " + a.describe() + " and " + b.describe());
                        }
                    }
                }
            }
        }
        assertTrue(overlapped, "some faults should overlap in time");
    }

    @Test
    void targetsNameRealInstancesAndLinks() {
        for (Nemesis.Fault f : Nemesis.schedule(3, 200_000, ALL, 2_000, 2)) {
            switch (f.kind().scope) {
                case INSTANCE -> assertTrue(Instances.all().contains(f.target()), f.describe());
                case LINK -> assertTrue(f.target().matches("(order|inventory|billing|notification)-[01]/(amqp|pg)"), f.describe());
                case SERVICE -> assertTrue(Nemesis.SERVICES.contains(f.target()), f.describe());
                default -> assertTrue(Set.of("broker", "postgresql").contains(f.target()), f.describe());
            }
            assertTrue(f.atMs() >= 0 && f.holdMs() >= 0, f.describe());
        }
    }
}
