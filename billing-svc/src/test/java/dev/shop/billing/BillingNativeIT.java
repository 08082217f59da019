package dev.shop.billing;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link BillingTests} against the packaged service: the native executable in the native profile
 * (.github/workflows/native.yml), started with the test profile's configuration. The tests talk to
 * the service only over HTTP and the broker, so they run unchanged against a separate process.
 */
@QuarkusIntegrationTest
class BillingNativeIT extends BillingTests {
}
