package dev.shop.eventing.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Server-side request forgery guard for URLs a client gives us to call (order callbacks): only
 * absolute http(s) URLs, and - unless private targets are explicitly allowed - no host that is or
 * resolves to a loopback, private, link-local (cloud metadata), multicast or unspecified address.
 * Check at acceptance (a clear 400) and again right before each call (DNS may have changed).
 */
public final class OutboundUrlPolicy {

    private OutboundUrlPolicy() {
    }

    /** @return why the URL is refused, or empty when it may be called. */
    public static Optional<String> refusal(String url, boolean allowPrivate) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("is not a valid URL");
        }
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            return Optional.of("must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return Optional.of("must name a host");
        }
        if (uri.getUserInfo() != null) {
            return Optional.of("must not carry credentials");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (isInternal(address)) {
                    return Optional.of("points at a loopback, private or link-local address (" + address.getHostAddress() + ")");
                }
            }
        } catch (UnknownHostException e) {
            return Optional.of("host " + uri.getHost() + " does not resolve");
        }
        return Optional.empty();
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
                    || (first == 198 && (second == 18 || second == 19));          // benchmarking nets
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return false;
    }
}
