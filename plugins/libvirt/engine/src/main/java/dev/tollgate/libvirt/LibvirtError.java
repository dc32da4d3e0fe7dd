package dev.tollgate.libvirt;

import org.libvirt.Error.ErrorNumber;

/**
 * A failed libvirt call, as the driver sees it: libvirt's error number and message. libvirt-java's own
 * {@code LibvirtException} cannot be made outside its package, so the {@link Libvirt} seam speaks this
 * instead, and tests can inject any libvirt error in front of a real connection.
 */
public final class LibvirtError extends Exception {
    private final ErrorNumber code;

    public LibvirtError(ErrorNumber code, String message) {
        super(message);
        this.code = code == null ? ErrorNumber.VIR_ERR_UNKNOWN : code;
    }

    public LibvirtError(ErrorNumber code, String message, Throwable cause) {
        super(message, cause);
        this.code = code == null ? ErrorNumber.VIR_ERR_UNKNOWN : code;
    }

    public ErrorNumber code() {
        return code;
    }

    /** True for errors that say the connection itself is broken, so it must be opened again. */
    public boolean connectionLost() {
        return switch (code) {
            case VIR_ERR_SYSTEM_ERROR, VIR_ERR_RPC, VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_SSH,
                 VIR_ERR_LIBSSH, VIR_ERR_NO_SERVER -> true;
            default -> false;
        };
    }
}
