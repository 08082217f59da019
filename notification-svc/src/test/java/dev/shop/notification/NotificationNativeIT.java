package dev.shop.notification;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link NotificationTests} against the packaged service: the native executable in the native profile
 * (.github/workflows/native.yml), started with the test profile's configuration. The tests talk to
 * the service only over HTTP and the broker, so they run unchanged against a separate process.
 * CallbackTests stays JVM-only: its metrics check assumes the @QuarkusTest management port (9001).
 */
@QuarkusIntegrationTest
class NotificationNativeIT extends NotificationTests {
}
