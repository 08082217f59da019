package dev.shop.eventing.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds; the failure message shows the last value seen. */
public final class Eventually {

    private Eventually() {
    }

    public static <T> T await(Duration timeout, Supplier<T> probe, Predicate<T> done, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (System.nanoTime() < end) {
            try {
                last = probe.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        AssertionError error = new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
        if (lastError != null) {
            error.initCause(lastError);
        }
        throw error;
    }
}
