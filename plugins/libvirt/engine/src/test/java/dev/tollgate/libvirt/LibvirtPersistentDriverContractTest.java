package dev.tollgate.libvirt;

/**
 * The driver contract with persistent domains: each agent's domain is defined, started, and undefined
 * at its end (its overlay deleted). Injected create errors hit the start, after the define.
 */
public class LibvirtPersistentDriverContractTest extends LibvirtDriverContractTest {
    @Override
    protected LibvirtOptions options(TestDriverPeer peer) {
        return TestDriverPeer.overlayOptions(peer.basePath()).persistent(true).build();
    }

    @Override
    protected String lastCreateCall() {
        return "start";
    }
}
