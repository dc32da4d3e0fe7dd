package dev.tollgate.libvirt;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import java.util.Collection;

/** libvirt's error numbers onto the engine's {@link Kind}s, and secrets kept out of error messages. */
final class LibvirtErrors {
    private LibvirtErrors() {
    }

    static Kind kind(LibvirtError e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Not enough free space") || m.contains("No space left on device")) {
            return Kind.CAPACITY; // the pool is full: another template (pool) may have room
        }
        return switch (e.code()) {
            case VIR_ERR_NO_DOMAIN, VIR_ERR_NO_STORAGE_VOL, VIR_ERR_NO_DOMAIN_METADATA -> Kind.NOT_FOUND;
            // the host is out of memory or the hypervisor refuses more guests: try another template
            case VIR_ERR_NO_MEMORY, VIR_ERR_DRIVER_FULL -> Kind.CAPACITY;
            // configuration: a broken template, a missing pool, network or base image, no permission
            case VIR_ERR_XML_ERROR, VIR_ERR_XML_DETAIL, VIR_ERR_XML_INVALID_SCHEMA, VIR_ERR_CONFIG_UNSUPPORTED,
                 VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_DENIED, VIR_ERR_ACCESS_DENIED,
                 VIR_ERR_AUTH_FAILED, VIR_ERR_AUTH_CANCELLED, VIR_ERR_AUTH_UNAVAILABLE, VIR_ERR_NO_STORAGE_POOL,
                 VIR_ERR_NO_NETWORK, VIR_ERR_OS_TYPE, VIR_ERR_NO_KERNEL, VIR_ERR_OPERATION_UNSUPPORTED,
                 VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_DOM_EXIST, VIR_ERR_STORAGE_VOL_EXIST,
                 VIR_ERR_CPU_INCOMPATIBLE, VIR_ERR_INVALID_MAC -> Kind.PERMANENT;
            // connection trouble, time-outs, busy resources, internal errors: the outcome is unknown
            default -> Kind.TRANSIENT;
        };
    }

    static CloudException toCloud(String what, LibvirtError e, Collection<String> secrets) {
        return new CloudException(kind(e), e.code().name(), scrub(what + ": " + e.getMessage(), secrets));
    }

    /** The message with every secret value masked: libvirt may quote the XML it refused. */
    static String scrub(String message, Collection<String> secrets) {
        String out = String.valueOf(message);
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                out = out.replace(s, "****").replace(DomainXml.escape(s), "****");
            }
        }
        return out;
    }
}
