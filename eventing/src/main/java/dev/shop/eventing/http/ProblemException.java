package dev.shop.eventing.http;

/** Thrown by resources to answer with a problem document; mapped by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final java.util.List<Problem.FieldError> errors;
    private Integer retryAfterSeconds;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, java.util.List.of());
    }

    private ProblemException(int status, String type, String title, String detail, java.util.List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = errors;
    }

    /** 400 naming one invalid field of the request body. */
    public static ProblemException invalidField(String field, String message) {
        return new ProblemException(400, "urn:shop:problem:validation", "Invalid request", field + ": " + message,
                java.util.List.of(new Problem.FieldError(field, message)));
    }

    /** 503: the service sheds load; the client should retry after the given delay. */
    public static ProblemException unavailable(String type, String title, String detail, int retryAfterSeconds) {
        ProblemException e = new ProblemException(503, type, title, detail);
        e.retryAfterSeconds = retryAfterSeconds;
        return e;
    }

    /** 429: this caller is over its rate limit; nothing was done. */
    public static ProblemException tooManyRequests(String detail, int retryAfterSeconds) {
        ProblemException e = new ProblemException(429, "urn:shop:problem:rate-limited", "Too many requests", detail);
        e.retryAfterSeconds = retryAfterSeconds;
        return e;
    }

    /** An extra response header (e.g. RateLimit-Remaining). */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public java.util.List<Problem.FieldError> errors() {
        return errors;
    }

    /** 403: authenticated, but this caller may not do this (only where existence is not secret). */
    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "urn:shop:problem:forbidden", "Forbidden", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "urn:shop:problem:not-found", "Not found", detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
