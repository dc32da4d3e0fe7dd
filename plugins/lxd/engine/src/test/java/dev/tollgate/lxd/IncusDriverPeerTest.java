package dev.tollgate.lxd;

import org.junit.BeforeClass;

/** The LXD driver's template and lifecycle peer tests against a real Incus daemon (one per class). */
public class IncusDriverPeerTest extends LxdDriverPeerTest {
    /** Shadows the LXD daemon's start (JUnit 4 runs only this one). */
    @BeforeClass
    public static void startPeer() throws Exception {
        startPeer(LxdPeer.Flavor.INCUS);
    }
}
