package dev.tollgate.lxd;

import org.junit.BeforeClass;

/**
 * cloud-core's driver contract, run by the LXD driver against a real Incus daemon over its unix socket
 * (one per class). Incus keeps LXD's REST API; only the daemon's names differ ({@link LxdPeer.Flavor}).
 */
public class IncusDriverContractTest extends LxdDriverContractTest {
    /** Shadows the LXD daemon's start (JUnit 4 runs only this one). */
    @BeforeClass
    public static void startPeer() throws Exception {
        peer = LxdPeer.start(LxdPeer.Flavor.INCUS);
    }
}
