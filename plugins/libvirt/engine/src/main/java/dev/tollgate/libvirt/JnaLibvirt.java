package dev.tollgate.libvirt;

import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * {@link Libvirt} over libvirt-java (JNA onto Debian's {@code libvirt0}). Each method looks its domain
 * or volume up by name, makes its call and frees the handle, so nothing native is kept between calls.
 *
 * <p>Not thread-safe (see {@link Libvirt}): one caller at a time, which {@link LibvirtDriver}'s lock
 * guarantees. {@link #calls()} counts the calls that reach the hypervisor driver, lookups included.
 */
public final class JnaLibvirt implements Libvirt {
    /** virDomainMetadataType VIR_DOMAIN_METADATA_ELEMENT. */
    private static final int METADATA_ELEMENT = 2;
    /** virDomainXMLFlags VIR_DOMAIN_XML_INACTIVE. */
    private static final int XML_INACTIVE = 2;

    /**
     * libvirt prints every error to stderr unless a handler is set; the driver reports errors itself
     * (most, like "domain not found" on a lookup, are answers, not trouble). Held here so that the
     * native side never calls a collected callback.
     */
    private static final org.libvirt.ErrorCallback QUIET = new org.libvirt.ErrorCallback();

    static {
        try {
            Connect.setErrorCallback(QUIET);
        } catch (LibvirtException | LinkageError e) {
            // no libvirt.so: open() says so
        }
    }

    private final Connect connect;
    private final boolean owned;
    private long calls;

    private JnaLibvirt(Connect connect, boolean owned) {
        this.connect = connect;
        this.owned = owned;
    }

    /** Opens a read-write connection to the URI, e.g. {@code qemu:///system} or {@code test:///default}. */
    public static JnaLibvirt open(String uri) throws LibvirtError {
        try {
            return new JnaLibvirt(new Connect(uri, false), true);
        } catch (LibvirtException e) {
            throw error(e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new LibvirtError(ErrorNumber.VIR_ERR_NO_SUPPORT,
                    "cannot load libvirt (libvirt.so.0, Debian package libvirt0): " + e.getMessage(), e);
        }
    }

    /**
     * Uses a connection someone else owns and closes ({@link #close()} leaves it open): for a caller that
     * must see the same connection, e.g. libvirt's test driver, whose state lives in the connection.
     */
    public static JnaLibvirt sharing(Connect connect) {
        return new JnaLibvirt(connect, false);
    }

    static LibvirtError error(LibvirtException e) {
        org.libvirt.Error err = e.getError();
        ErrorNumber code = err == null ? ErrorNumber.VIR_ERR_UNKNOWN : err.getCode();
        String msg = err == null || err.getMessage() == null ? String.valueOf(e.getMessage()) : err.getMessage();
        return new LibvirtError(code, msg, e);
    }

    private interface DomainCall<T> {
        T call(Domain d) throws LibvirtException;
    }

    private <T> T onDomain(String name, DomainCall<T> call) throws LibvirtError {
        Domain d = null;
        try {
            calls++;
            d = connect.domainLookupByName(name);
            calls++;
            return call.call(d);
        } catch (LibvirtException e) {
            throw error(e);
        } finally {
            free(d);
        }
    }

    private static void free(Domain d) {
        if (d != null) {
            try {
                d.free();
            } catch (LibvirtException | RuntimeException e) {
                // freeing a handle cannot fail in a way the caller could act on
            }
        }
    }

    @Override
    public List<Listed> domainsWithMetadata(String uri) throws LibvirtError {
        Domain[] all = null;
        try {
            calls++;
            all = connect.listAllDomains(0);
            List<Listed> out = new ArrayList<>(all.length);
            for (Domain d : all) {
                String md;
                DomainState state = null;
                try {
                    calls++;
                    md = d.getMetadata(METADATA_ELEMENT, uri, 0);
                    calls++;
                    state = d.getInfo().state;
                } catch (LibvirtException e) {
                    LibvirtError err = error(e);
                    if (err.code() == ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
                        md = null;
                    } else if (err.code() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                        continue; // gone since the list was made
                    } else {
                        throw err;
                    }
                }
                out.add(new Listed(d.getName(), md, state));
            }
            return out;
        } catch (LibvirtException e) {
            throw error(e);
        } finally {
            if (all != null) {
                for (Domain d : all) {
                    free(d);
                }
            }
        }
    }

    @Override
    public DomainState state(String domain) throws LibvirtError {
        return onDomain(domain, d -> d.getInfo().state);
    }

    @Override
    public boolean persistent(String domain) throws LibvirtError {
        return onDomain(domain, d -> d.isPersistent() == 1);
    }

    @Override
    public String metadata(String domain, String uri) throws LibvirtError {
        try {
            return onDomain(domain, d -> d.getMetadata(METADATA_ELEMENT, uri, 0));
        } catch (LibvirtError e) {
            if (e.code() == ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public String xml(String domain, boolean inactive) throws LibvirtError {
        return onDomain(domain, d -> d.getXMLDesc(inactive ? XML_INACTIVE : 0));
    }

    @Override
    public void createTransient(String xml) throws LibvirtError {
        try {
            calls++;
            free(connect.domainCreateXML(xml, 0));
        } catch (LibvirtException e) {
            throw error(e);
        }
    }

    @Override
    public void define(String xml) throws LibvirtError {
        try {
            calls++;
            free(connect.domainDefineXML(xml));
        } catch (LibvirtException e) {
            throw error(e);
        }
    }

    @Override
    public void start(String domain) throws LibvirtError {
        onDomain(domain, Domain::create);
    }

    @Override
    public void shutdown(String domain) throws LibvirtError {
        onDomain(domain, d -> {
            d.shutdown();
            return null;
        });
    }

    @Override
    public void destroy(String domain) throws LibvirtError {
        onDomain(domain, d -> {
            d.destroy();
            return null;
        });
    }

    @Override
    public void undefine(String domain) throws LibvirtError {
        onDomain(domain, d -> {
            d.undefine();
            return null;
        });
    }

    private interface PoolCall<T> {
        T call(StoragePool p) throws LibvirtException;
    }

    private <T> T onPool(String name, PoolCall<T> call) throws LibvirtError {
        StoragePool p = null;
        try {
            calls++;
            p = connect.storagePoolLookupByName(name);
            calls++;
            return call.call(p);
        } catch (LibvirtException e) {
            throw error(e);
        } finally {
            if (p != null) {
                try {
                    p.free();
                } catch (LibvirtException | RuntimeException e) {
                    // see free(Domain)
                }
            }
        }
    }

    private static void free(StorageVol v) {
        if (v != null) {
            try {
                v.free();
            } catch (LibvirtException | RuntimeException e) {
                // see free(Domain)
            }
        }
    }

    @Override
    public String createVolume(String pool, String xml) throws LibvirtError {
        return onPool(pool, p -> {
            StorageVol v = p.storageVolCreateXML(xml, 0);
            try {
                calls++;
                return v.getPath();
            } finally {
                free(v);
            }
        });
    }

    @Override
    public void deleteVolume(String pool, String volume) throws LibvirtError {
        onPool(pool, p -> {
            StorageVol v = p.storageVolLookupByName(volume);
            try {
                calls++;
                v.delete(0);
                return null;
            } finally {
                free(v);
            }
        });
    }

    @Override
    public List<String> volumes(String pool) throws LibvirtError {
        return onPool(pool, p -> {
            // a dir pool learns of files only on refresh; volumes we made are known without one
            return List.of(p.listVolumes());
        });
    }

    @Override
    public String volumeXml(String pool, String volume) throws LibvirtError {
        return onPool(pool, p -> {
            StorageVol v = p.storageVolLookupByName(volume);
            try {
                calls++;
                return v.getXMLDesc(0);
            } finally {
                free(v);
            }
        });
    }

    @Override
    public long capacityOfPath(String path) throws LibvirtError {
        StorageVol v = null;
        try {
            calls++;
            v = connect.storageVolLookupByPath(path);
            calls++;
            return v.getInfo().capacity;
        } catch (LibvirtException e) {
            throw error(e);
        } finally {
            free(v);
        }
    }

    @Override
    public long calls() {
        return calls;
    }

    @Override
    public void close() {
        if (owned) {
            try {
                connect.close();
            } catch (LibvirtException | RuntimeException e) {
                // closing a broken connection: nothing left to release on our side
            }
        }
    }
}
