package dev.shop.chaos;

import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.core.throttle.Throttler;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One NetCrusher TCP proxy per service instance and link: {@code <instance>/amqp} in front of the
 * broker and {@code <instance>/pg} in front of PostgreSQL, all in this process on loopback. The
 * instance is configured to connect through its proxies only, so a network fault hits exactly it.
 */
public final class Proxies implements AutoCloseable {

    /** What a link does to the bytes it carries right now; read by every connection's throttler. */
    static final class Shaping {
        volatile long delayNs;
        volatile long jitterNs;
        volatile long bytesPerSecond; // 0: unlimited

        void clear() {
            delayNs = 0;
            jitterNs = 0;
            bytesPerSecond = 0;
        }
    }

    /** Per connection and direction: delay + jitter, and a byte-rate limit as "next free moment". */
    private static final class ShapingThrottler implements Throttler {
        private final Shaping shaping;
        private long nextFreeNs;

        ShapingThrottler(Shaping shaping) {
            this.shaping = shaping;
        }

        @Override
        public synchronized long calculateDelayNs(ByteBuffer bb) {
            long delay = shaping.delayNs;
            long jitter = shaping.jitterNs;
            long rate = shaping.bytesPerSecond;
            long now = System.nanoTime();
            long wait = 0;
            if (rate > 0) {
                // The buffer arrives once all of it has gone through the narrow pipe (after what queued before it).
                nextFreeNs = Math.max(now, nextFreeNs) + bb.remaining() * 1_000_000_000L / rate;
                wait = nextFreeNs - now;
            }
            if (delay > 0 || jitter > 0) {
                wait += delay + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
            }
            return wait <= 0 ? NO_DELAY_NS : wait;
        }
    }

    public record Link(String name, TcpCrusher crusher, Shaping shaping, int port) {
    }

    private final NioReactor reactor;
    private final Map<String, Link> links = new LinkedHashMap<>();

    public Proxies() throws IOException {
        this.reactor = new NioReactor(5);
    }

    /** Opens {@code 127.0.0.1:listenPort} forwarding to {@code host:port}, under the name {@code name}. */
    public synchronized int open(String name, int listenPort, String host, int port) {
        Shaping shaping = new Shaping();
        TcpCrusher crusher = TcpCrusherBuilder.builder()
                .withReactor(reactor)
                .withBindAddress("127.0.0.1", listenPort)
                .withConnectAddress(host, port)
                .withTcpNoDelay(true)
                .withKeepAlive(true)
                .withIncomingThrottlerFactory(addr -> new ShapingThrottler(shaping))
                .withOutgoingThrottlerFactory(addr -> new ShapingThrottler(shaping))
                .buildAndOpen();
        links.put(name, new Link(name, crusher, shaping, listenPort));
        return listenPort;
    }

    public synchronized Link link(String name) {
        Link l = links.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no proxy " + name);
        }
        return l;
    }

    public void latency(String name, long delayMs, long jitterMs) {
        Shaping s = link(name).shaping();
        s.jitterNs = TimeUnit.MILLISECONDS.toNanos(jitterMs);
        s.delayNs = TimeUnit.MILLISECONDS.toNanos(delayMs);
    }

    public void bandwidth(String name, long bytesPerSecond) {
        link(name).shaping().bytesPerSecond = bytesPerSecond;
    }

    /** Closes every connection through the link; new ones are accepted at once. */
    public void reset(String name) {
        link(name).crusher().closeAllPairs();
    }

    /** Nothing moves, nothing is closed: established connections hang and new ones are not accepted. */
    public void blackhole(String name) {
        link(name).crusher().freeze();
    }

    /** Back to a clean pipe (clears shaping and a black hole). */
    public void heal(String name) {
        Link l = link(name);
        l.shaping().clear();
        if (l.crusher().isFrozen()) {
            l.crusher().unfreeze();
        }
    }

    public synchronized void healAll() {
        for (String name : links.keySet()) {
            try {
                heal(name);
            } catch (RuntimeException e) {
                System.err.println("healing proxy " + name + " failed: " + e);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Link l : links.values()) {
            try {
                l.crusher().close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        links.clear();
        reactor.close();
    }
}
