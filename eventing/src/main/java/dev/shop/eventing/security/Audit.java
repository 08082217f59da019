package dev.shop.eventing.security;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The audit trail of admin actions: one log line per action under the {@code shop.audit} category,
 * with the acting subject as a structured field (JSON logs carry the MDC), so a log pipeline can
 * route the category to an append-only store.
 */
public final class Audit {

    private static final Logger LOG = Logger.getLogger("shop.audit");

    private Audit() {
    }

    public static void record(String subject, String action, String target, String detail) {
        MDC.put("auditSubject", subject);
        MDC.put("auditAction", action);
        try {
            LOG.infof("AUDIT subject=%s action=%s target=%s%s", subject, action, target,
                    detail == null || detail.isBlank() ? "" : " detail=" + detail);
        } finally {
            MDC.remove("auditSubject");
            MDC.remove("auditAction");
        }
    }
}
