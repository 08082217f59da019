package dev.shop.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/backup.sh as a test drives it: a backup folder, replication slot and exporter port of the
 * test's own, never the dev ones.
 */
record BackupCli(Path dir, String slot, int exporterPort) {

    private static final Path ROOT = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();

    String run(String... args) {
        return run(Map.of(), args);
    }

    /** Runs scripts/backup.sh with these arguments; fails the test if it fails or takes over two minutes. */
    String run(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("scripts/backup.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SHOP_BACKUP_DIR", dir.toString());
        pb.environment().put("SHOP_BACKUP_SLOT", slot);
        pb.environment().put("SHOP_BACKUP_EXPORTER_PORT", String.valueOf(exporterPort));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "scripts/backup.sh " + String.join(" ", args) + " timed out");
            System.out.print(out);
            assertEquals(0, p.exitValue(), "scripts/backup.sh " + String.join(" ", args) + " failed:\n" + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The running pg_receivewal of this folder, as backup.sh recorded it. */
    long receiverPid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("state/receiver.pid")).trim());
    }

    /** Kills the WAL receiver the way a crash would, and waits until it is gone. */
    void killReceiver() throws IOException {
        long pid = receiverPid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        dev.shop.eventing.testing.Eventually.await(java.time.Duration.ofSeconds(5),
                () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive, "receiver killed");
    }

    /** An empty folder for a fresh start. */
    void clean() throws IOException {
        Scripts.deleteRecursively(dir);
    }
}
