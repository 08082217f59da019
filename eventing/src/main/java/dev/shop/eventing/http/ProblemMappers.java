package dev.shop.eventing.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Every error a client can cause is answered as RFC 9457 problem+json naming what was wrong. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(new Problem(e.type(), e.title(), e.status(), e.getMessage(), uri.getPath(), e.errors()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(err -> err.field() + ": " + err.message()).collect(Collectors.joining("; "));
        return respond(new Problem("urn:shop:problem:validation", "Invalid request", 400, detail, uri.getPath(), errors));
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? pathOf(m) : "body";
        String message = withoutInternals(e.getOriginalMessage());
        String detail = e instanceof JsonMappingException ? "invalid value for " + field : "malformed JSON: " + message;
        return respond(new Problem("urn:shop:problem:malformed-body", "Malformed request body", 400, detail, uri.getPath(),
                List.of(new Problem.FieldError(field, message))));
    }

    /** Quarkus ships its own (plain JSON) mapper for this subtype; this one keeps the problem format. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json, uri);
        }
        // The framework's own messages name annotations and internals ("@Consumes", resource classes):
        // the client gets a plain explanation instead.
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed on this resource";
            case 406 -> "the Accept header asks for a media type this operation cannot produce (use application/json)";
            case 415 -> "unsupported Content-Type (use application/json)";
            default -> status >= 500 ? "the request could not be processed" : "the request was not accepted";
        };
        return respond(new Problem("about:blank", Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase(), status, detail, uri.getPath(), List.of()));
    }

    private static final java.util.regex.Pattern QUALIFIED = java.util.regex.Pattern.compile("`?(?:[a-z_][a-z0-9_]*\\.)+([A-Z][\\w$]*)`?");

    /** Jackson quotes the cause's class, e.g. {@code (java.time.format.DateTimeParseException) Text 'x' could not be parsed}. */
    private static final java.util.regex.Pattern EXCEPTION_NAME = java.util.regex.Pattern.compile("\\(?\\b[A-Z]\\w*(?:Exception|Error)\\b\\)?:?\\s*");

    /** Jackson names Java types ({@code `java.lang.Integer`}, record classes): keep what the client can act on, the simple name. */
    static String withoutInternals(String message) {
        if (message == null) {
            return "unreadable";
        }
        String simple = QUALIFIED.matcher(message).replaceAll(m -> m.group(1).replace('$', '.'));
        simple = EXCEPTION_NAME.matcher(simple).replaceAll("");
        return simple.length() > 300 ? simple.substring(0, 300) + "..." : simple;
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    /** {@code place.request.items[0].quantity} -> {@code items[0].quantity}: drop method and parameter names. */
    static String fieldOf(ConstraintViolation<?> v) {
        String[] parts = v.getPropertyPath().toString().split("\\.");
        if (parts.length <= 2) {
            return "body";
        }
        return String.join(".", Arrays.copyOfRange(parts, 2, parts.length));
    }

    private static String pathOf(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "body" : sb.toString();
    }
}
