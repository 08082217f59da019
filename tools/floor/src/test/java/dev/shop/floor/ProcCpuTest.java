package dev.shop.floor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcCpuTest {

    @Test
    void ticksAreUserPlusSystemPlusReapedChildren() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        String stat = "4242 (postgres) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 7 3 20 0 1 0 123 456 789";
        assertEquals(250 + 40 + 7 + 3, ProcCpu.parseTicks(stat));
        assertEquals(1, ProcCpu.parentOf(stat));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "77 (Web (Content) x) R 12 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0";
        assertEquals(11, ProcCpu.parseTicks(stat));
        assertEquals(12, ProcCpu.parentOf(stat));
    }

    @Test
    void thisProcessBurnsMeasurableCpu() {
        ProcCpu cpu = new ProcCpu().group("self", ProcCpu.self());
        Map<String, Long> before = cpu.snapshot();
        long end = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        Map<String, Double> ms = ProcCpu.millisBetween(before, cpu.snapshot());
        assertTrue(ms.get("self") >= 100, "300 ms of spinning shows as at least 100 ms of CPU: " + ms + " " + x);
    }

    @Test
    void postgresProcessesAreCountedForOurDatabasesAndTheSharedBackgroundWork() {
        java.util.function.Predicate<String> ours = db -> db.equals("shop_floor");
        assertTrue(ProcCpu.isOurs("postgres: 15/main: postgres shop_floor 127.0.0.1(51234) idle", ours));
        assertTrue(ProcCpu.isOurs("postgres: 15/main: walwriter ", ours));
        assertTrue(ProcCpu.isOurs("postgres: 15/main: checkpointer ", ours));
        assertTrue(ProcCpu.isOurs("postgres: 15/main: autovacuum worker shop_floor", ours));
        assertTrue(!ProcCpu.isOurs("postgres: 15/main: order_svc shop_order_e2e 127.0.0.1(40000) idle in transaction", ours));
        assertTrue(!ProcCpu.isOurs("postgres: 15/main: autovacuum worker shop_order_e2e", ours));
        assertTrue(!ProcCpu.isOurs("postgres: 15/main: walsender postgres 127.0.0.1(40010) streaming 0/3000148", ours));
        assertTrue(!ProcCpu.isOurs("/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", ours));
    }

    @Test
    void aGoneProcessCountsZero() {
        assertEquals(0, ProcCpu.ticks(Long.MAX_VALUE));
    }

    @Test
    void childrenAreFoundThroughTheirParent() throws Exception {
        Process child = new ProcessBuilder("sleep", "5").start();
        try {
            List<Long> pids = ProcCpu.withChildren(ProcCpu.self());
            assertEquals(ProcCpu.self(), pids.get(0));
            assertTrue(pids.contains(child.pid()), pids + " holds " + child.pid());
        } finally {
            child.destroy();
        }
    }
}
