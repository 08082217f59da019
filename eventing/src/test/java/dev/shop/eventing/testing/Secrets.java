package dev.shop.eventing.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The credentials {@code ./shop} generates into {@code .secrets/} at the repository root (git-ignored,
 * one {@code KEY=value} file each): {@code <svc>-svc.env} with a service's broker user and database
 * role, {@code rabbitmq-test.env} with the tests' broker user. Tests read them like the scripts do.
 */
public final class Secrets {

    private Secrets() {
    }

    /** The KEY=value lines of {@code .secrets/<file>}. */
    public static Map<String, String> read(String file) {
        Path path = dir().resolve(file);
        if (!Files.isReadable(path)) {
            throw new IllegalStateException(path + " is missing: ./shop test creates it (or ENV=test ./shop infra for the"
                    + " @QuarkusTests, ENV=e2e ./shop infra for the end-to-end suite)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(path)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
        return values;
    }

    /** One value of {@code .secrets/<file>}. */
    public static String get(String file, String key) {
        String value = read(file).get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(".secrets/" + file + " has no " + key + ": delete the file and run ./shop infra again");
        }
        return value;
    }

    /** A service's environment for its broker user and database role (AMQP_*, QUARKUS_DATASOURCE_*). */
    public static Map<String, String> service(String svc) {
        return read(svc + "-svc.env");
    }

    /** {@code .secrets/} of the repository: system property {@code shop.root}, else the nearest folder up with scripts/lib.sh. */
    public static Path dir() {
        String root = System.getProperty("shop.root");
        if (root != null) {
            return Path.of(root).toAbsolutePath().normalize().resolve(".secrets");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib.sh"))) {
                return d.resolve(".secrets");
            }
        }
        throw new IllegalStateException("no repository root (a folder with scripts/lib.sh) above " + Path.of("").toAbsolutePath()
                + "; set -Dshop.root");
    }
}
