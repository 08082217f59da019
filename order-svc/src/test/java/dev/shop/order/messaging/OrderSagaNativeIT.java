package dev.shop.order.messaging;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link OrderSagaTests} against the packaged service: the native executable in the native profile
 * (.github/workflows/native.yml), started with the test profile's configuration. The saga tests talk
 * to the service only over HTTP and the broker, so they run unchanged against a separate process.
 */
@QuarkusIntegrationTest
class OrderSagaNativeIT extends OrderSagaTests {
}
