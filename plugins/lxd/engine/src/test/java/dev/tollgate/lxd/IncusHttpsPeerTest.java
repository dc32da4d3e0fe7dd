package dev.tollgate.lxd;

import org.junit.BeforeClass;

/** HTTPS with a pinned server and a trusted client certificate, and the connection report, against Incus. */
public class IncusHttpsPeerTest extends HttpsPeerTest {
    /** Shadows the LXD daemon's start (JUnit 4 runs only this one). */
    @BeforeClass
    public static void startPeer() throws Exception {
        startPeer(LxdPeer.Flavor.INCUS);
    }
}
