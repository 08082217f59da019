package dev.shop.eventing.security;

import dev.shop.eventing.http.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * Refusals as problem+json. 401 carries {@code WWW-Authenticate: Bearer} (RFC 6750) and says only
 * that a valid token is needed: why a token failed (expired, signature, issuer, audience) goes to
 * the log at DEBUG, never to the caller. Needs {@code quarkus.http.auth.proactive=false}, so that
 * authentication runs inside the REST layer where these mappers apply.
 */
public class SecurityProblems {

    static final String CHALLENGE = "Bearer realm=\"shop\"";

    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        org.jboss.logging.Logger.getLogger(SecurityProblems.class).debugf("401 for %s: %s", uri.getPath(), e.getMessage());
        boolean tokenGiven = e instanceof AuthenticationFailedException;
        return Response.status(401).type(Problem.MEDIA_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, tokenGiven ? CHALLENGE + ", error=\"invalid_token\"" : CHALLENGE)
                .entity(new Problem("urn:shop:problem:unauthenticated", "Unauthenticated", 401,
                        tokenGiven ? "the bearer token is not valid here (expired, wrongly signed, or for another issuer or audience)"
                                : "this operation needs an Authorization: Bearer <token> header",
                        uri.getPath(), List.of()))
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Response.status(403).type(Problem.MEDIA_TYPE)
                .entity(new Problem("urn:shop:problem:forbidden", "Forbidden", 403,
                        "your token does not grant this operation", uri.getPath(), List.of()))
                .build();
    }
}
