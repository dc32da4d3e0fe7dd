package dev.tollgate.libvirt;

import java.util.List;
import org.libvirt.DomainInfo.DomainState;

/**
 * The libvirt calls the driver makes, on one connection, by name. {@link JnaLibvirt} is the real one
 * (libvirt-java over JNA onto libvirt.so); tests wrap it to inject failures or count calls. Domains and
 * volumes are addressed by name so that no native handle outlives a call.
 *
 * <p>Not thread-safe: a libvirt connection is not safe for concurrent use in every hypervisor driver.
 * {@link LibvirtDriver} makes every call under its own lock.
 */
public interface Libvirt extends AutoCloseable {

    /** A domain as a listing saw it: its metadata element in the asked namespace, and its state if it has one. */
    record Listed(String name, String metadata, DomainState state) {
    }

    /**
     * Every domain with its metadata element in namespace {@code uri} (null when it has none) and, for
     * those that have one, its state: the reaper's listing in one {@code virConnectListAllDomains} plus a
     * call per domain and one more per domain that carries the element. Domains that vanish meanwhile
     * are left out.
     */
    List<Listed> domainsWithMetadata(String uri) throws LibvirtError;

    DomainState state(String domain) throws LibvirtError;

    boolean persistent(String domain) throws LibvirtError;

    /** The domain's metadata element in namespace {@code uri}, or null when it has none. */
    String metadata(String domain, String uri) throws LibvirtError;

    /** The domain's XML; {@code inactive} = the definition used at the next start. */
    String xml(String domain, boolean inactive) throws LibvirtError;

    /** Creates and starts a transient domain (gone from libvirt once it stops). */
    void createTransient(String xml) throws LibvirtError;

    /** Defines (or redefines) a persistent domain. */
    void define(String xml) throws LibvirtError;

    void start(String domain) throws LibvirtError;

    /** Asks the guest to shut down (ACPI); returns at once. */
    void shutdown(String domain) throws LibvirtError;

    /** Pulls the plug. */
    void destroy(String domain) throws LibvirtError;

    void undefine(String domain) throws LibvirtError;

    /** Creates a volume in the pool from volume XML; returns its path. */
    String createVolume(String pool, String xml) throws LibvirtError;

    void deleteVolume(String pool, String volume) throws LibvirtError;

    List<String> volumes(String pool) throws LibvirtError;

    String volumeXml(String pool, String volume) throws LibvirtError;

    /** Capacity in bytes of the volume at this path (the base image an overlay grows from). */
    long capacityOfPath(String path) throws LibvirtError;

    /** Calls made into libvirt so far (lookups included). */
    long calls();

    @Override
    void close();
}
