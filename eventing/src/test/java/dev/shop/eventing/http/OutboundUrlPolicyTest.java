package dev.shop.eventing.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundUrlPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/cb", "http://localhost:8080/x", "http://10.1.2.3/", "http://192.168.0.10/",
            "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/",
            "http://100.64.0.1/", "http://[fd00::1]/"})
    void internalTargetsAreRefused(String url) {
        assertTrue(OutboundUrlPolicy.refusal(url, false).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "/relative/path", "http://user:pw@93.184.216.34/", "not a url", "http:///nohost"})
    void malformedOrUnsafeUrlsAreRefused(String url) {
        assertTrue(OutboundUrlPolicy.refusal(url, true).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://93.184.216.34/callback", "https://8.8.8.8:8443/hook?x=1"})
    void publicAddressesAreAllowed(String url) {
        assertFalse(OutboundUrlPolicy.refusal(url, false).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9999/cb", "http://10.0.0.1/"})
    void privateTargetsAreAllowedOnlyWhenConfigured(String url) {
        assertFalse(OutboundUrlPolicy.refusal(url, true).isPresent(), url);
    }
}
