package dev.tollgate.libvirt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;

/**
 * A real {@link Libvirt} connection with failures injected in front of it: the next calls of a method
 * fail with a chosen libvirt error, a guest can ignore the ACPI shutdown request, and every call is
 * recorded by method. The call itself, when not failed, goes to real libvirt.
 */
final class FaultyLibvirt implements Libvirt {
    private final Libvirt real;
    private final Map<String, Deque<ErrorNumber>> faults = new HashMap<>();
    /** Failures reported after the real call took effect: an outcome the caller cannot know. */
    private final Map<String, Deque<ErrorNumber>> faultsAfter = new HashMap<>();
    private String faultMessage = "";
    private final Map<String, Integer> counts = new HashMap<>();
    private final List<String> log = new ArrayList<>();
    /** Guests that do not answer the ACPI power button (shutdown is sent, nothing happens). */
    private boolean ignoreShutdown;

    FaultyLibvirt(Libvirt real) {
        this.real = real;
    }

    synchronized FaultyLibvirt failNext(String method, ErrorNumber code, int times) {
        Deque<ErrorNumber> q = faults.computeIfAbsent(method, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(code);
        }
        return this;
    }

    /** The next calls of the method take effect and then fail (a time-out on the way back). */
    synchronized FaultyLibvirt failAfterNext(String method, ErrorNumber code, int times) {
        Deque<ErrorNumber> q = faultsAfter.computeIfAbsent(method, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(code);
        }
        return this;
    }

    private void leave(String method) throws LibvirtError {
        ErrorNumber code;
        synchronized (this) {
            Deque<ErrorNumber> q = faultsAfter.get(method);
            code = q == null ? null : q.poll();
        }
        if (code != null) {
            throw new LibvirtError(code, "injected " + code + " after " + method + " took effect");
        }
    }

    /** Text the injected errors carry (libvirt may quote the XML it refuses). */
    synchronized FaultyLibvirt faultMessage(String v) {
        faultMessage = v;
        return this;
    }

    synchronized FaultyLibvirt ignoreShutdown(boolean v) {
        ignoreShutdown = v;
        return this;
    }

    synchronized void clearFaults() {
        faults.clear();
        faultsAfter.clear();
    }

    synchronized int count(String method) {
        return counts.getOrDefault(method, 0);
    }

    synchronized List<String> log() {
        return List.copyOf(log);
    }

    private synchronized void enter(String method, String arg) throws LibvirtError {
        counts.merge(method, 1, Integer::sum);
        log.add(method + "(" + arg + ")");
        Deque<ErrorNumber> q = faults.get(method);
        if (q != null && !q.isEmpty()) {
            ErrorNumber code = q.poll();
            throw new LibvirtError(code, "injected " + code + " in " + method + faultMessage);
        }
    }

    @Override
    public List<Listed> domainsWithMetadata(String uri) throws LibvirtError {
        enter("domainsWithMetadata", "");
        return real.domainsWithMetadata(uri);
    }

    @Override
    public DomainState state(String domain) throws LibvirtError {
        enter("state", domain);
        return real.state(domain);
    }

    @Override
    public boolean persistent(String domain) throws LibvirtError {
        enter("persistent", domain);
        return real.persistent(domain);
    }

    @Override
    public String metadata(String domain, String uri) throws LibvirtError {
        enter("metadata", domain);
        return real.metadata(domain, uri);
    }

    @Override
    public String xml(String domain, boolean inactive) throws LibvirtError {
        enter("xml", domain);
        return real.xml(domain, inactive);
    }

    @Override
    public void createTransient(String xml) throws LibvirtError {
        enter("createTransient", "");
        real.createTransient(xml);
        leave("createTransient");
    }

    @Override
    public void define(String xml) throws LibvirtError {
        enter("define", "");
        real.define(xml);
    }

    @Override
    public void start(String domain) throws LibvirtError {
        enter("start", domain);
        real.start(domain);
    }

    @Override
    public void shutdown(String domain) throws LibvirtError {
        enter("shutdown", domain);
        boolean ignore;
        synchronized (this) {
            ignore = ignoreShutdown;
        }
        if (!ignore) {
            real.shutdown(domain);
        }
    }

    @Override
    public void destroy(String domain) throws LibvirtError {
        enter("destroy", domain);
        real.destroy(domain);
        leave("destroy");
    }

    @Override
    public void undefine(String domain) throws LibvirtError {
        enter("undefine", domain);
        real.undefine(domain);
    }

    @Override
    public String createVolume(String pool, String xml) throws LibvirtError {
        enter("createVolume", pool);
        String path = real.createVolume(pool, xml);
        leave("createVolume");
        return path;
    }

    @Override
    public void deleteVolume(String pool, String volume) throws LibvirtError {
        enter("deleteVolume", pool + "/" + volume);
        real.deleteVolume(pool, volume);
    }

    @Override
    public List<String> volumes(String pool) throws LibvirtError {
        enter("volumes", pool);
        return real.volumes(pool);
    }

    @Override
    public String volumeXml(String pool, String volume) throws LibvirtError {
        enter("volumeXml", pool + "/" + volume);
        return real.volumeXml(pool, volume);
    }

    @Override
    public long capacityOfPath(String path) throws LibvirtError {
        enter("capacityOfPath", path);
        return real.capacityOfPath(path);
    }

    @Override
    public long calls() {
        return real.calls();
    }

    @Override
    public void close() {
        real.close();
    }
}
