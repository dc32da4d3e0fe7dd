package dev.tollgate.openstack;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import java.io.IOException;
import java.util.Locale;
import org.openstack4j.api.exceptions.ApiNotFoundException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.RegionEndpointNotFoundException;
import org.openstack4j.api.exceptions.ResponseException;

/**
 * OpenStack's answers as the engine's {@link Kind}s. The APIs say little in codes, so a few messages
 * are read too: Nova and Neutron report quota as 403 (or 413/409) "Quota exceeded", which is
 * CAPACITY, not a configuration error. 429 (and 413 without a quota message, the old rate limit) and
 * 503 are THROTTLED; other 5xx, connection failures and timeouts TRANSIENT (the call may have worked);
 * 404 NOT_FOUND; the remaining 4xx PERMANENT. Messages name the call and the status, never a secret.
 */
final class OpenStackErrors {
    private OpenStackErrors() {
    }

    static CloudException map(String call, RuntimeException e) {
        if (e instanceof ConnectionException || hasIoCause(e)) {
            return new CloudException(Kind.TRANSIENT, "Connection", call + ": " + e.getMessage(), e);
        }
        if (e instanceof RegionEndpointNotFoundException || e instanceof ApiNotFoundException) {
            return new CloudException(Kind.PERMANENT, "Catalog", call + ": no such endpoint in the catalog: " + e.getMessage(), e);
        }
        if (e instanceof ResponseException r) {
            return ofStatus(call, r.getStatus(), r.getMessage(), e);
        }
        return new CloudException(Kind.TRANSIENT, e.getClass().getSimpleName(), call + ": " + e.getMessage(), e);
    }

    static CloudException ofStatus(String call, int status, String message, Throwable cause) {
        String m = message == null ? "" : message;
        String low = m.toLowerCase(Locale.ROOT);
        boolean quota = low.contains("quota") || low.contains("no more ip addresses") || low.contains("no more ips");
        Kind kind;
        if (status == 0) {
            kind = Kind.TRANSIENT; // openstack4j's code for "no answer"
        } else if (quota && (status == 403 || status == 413 || status == 409 || status == 400)) {
            kind = Kind.CAPACITY;
        } else if (status == 429 || status == 413 || status == 503) {
            kind = Kind.THROTTLED;
        } else if (status >= 500) {
            kind = Kind.TRANSIENT;
        } else if (status == 404) {
            kind = Kind.NOT_FOUND;
        } else if (status == 409) {
            kind = Kind.TRANSIENT; // the resource is busy (a task in progress): worth another try
        } else {
            kind = Kind.PERMANENT;
        }
        return new CloudException(kind, "HTTP" + status, call + ": HTTP " + status + (m.isEmpty() ? "" : " " + m), cause);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
