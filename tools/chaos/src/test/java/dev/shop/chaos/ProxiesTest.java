package dev.shop.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxies' faults over real loopback TCP: an echo server behind a NetCrusher link. */
class ProxiesTest {

    private ServerSocket echo;
    private Proxies proxies;
    private int port;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // client gone
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxies = new Proxies();
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        proxies.open("svc-0/amqp", port, "127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxies.close();
        echo.close();
    }

    private static long roundTripMs(Socket s) throws IOException {
        long t = System.nanoTime();
        s.getOutputStream().write('x');
        s.getOutputStream().flush();
        assertEquals('x', s.getInputStream().read());
        return (System.nanoTime() - t) / 1_000_000;
    }

    @Test
    void aCleanLinkPassesBytesAndLatencySlowsThem() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            assertTrue(roundTripMs(s) < 150);
            proxies.latency("svc-0/amqp", 200, 0);
            assertTrue(roundTripMs(s) >= 350, "both directions delayed 200 ms");
            proxies.heal("svc-0/amqp");
            roundTripMs(s);
            assertTrue(roundTripMs(s) < 150);
        }
    }

    @Test
    void aBlackHoleKeepsTheConnectionButMovesNothing() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            roundTripMs(s);
            proxies.blackhole("svc-0/amqp");
            s.getOutputStream().write('y');
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            proxies.heal("svc-0/amqp");
            s.setSoTimeout(5000);
            assertEquals('y', s.getInputStream().read());
        }
    }

    @Test
    void aResetClosesEveryConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            roundTripMs(s);
            proxies.reset("svc-0/amqp");
            int r;
            try {
                r = s.getInputStream().read();
            } catch (IOException e) {
                r = -1;
            }
            assertEquals(-1, r, "the connection is closed");
        }
        try (Socket again = new Socket("127.0.0.1", port)) {
            again.setSoTimeout(5000);
            roundTripMs(again);
        }
    }

    @Test
    void aBandwidthLimitSlowsABulkTransfer() throws IOException {
        proxies.bandwidth("svc-0/amqp", 20_000);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            long t = System.nanoTime();
            s.getOutputStream().write(new byte[20_000]);
            s.getInputStream().readNBytes(20_000);
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertTrue(ms >= 800, "20 kB at 20 kB/s took " + ms + " ms");
        }
    }
}
