package dev.tollgate.lxd;

import org.junit.BeforeClass;

/** The agent's settings reach its process only, against Incus (whose default environment is LXD's). */
public class IncusSecretsPeerTest extends SecretsPeerTest {
    /** Shadows the LXD daemon's start (JUnit 4 runs only this one). */
    @BeforeClass
    public static void startPeer() throws Exception {
        peer = LxdPeer.start(LxdPeer.Flavor.INCUS);
    }
}
