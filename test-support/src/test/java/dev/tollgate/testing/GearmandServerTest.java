package dev.tollgate.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.Test;

/** gearmand is ready only when it is the process listening, on a port nobody could take first. */
public class GearmandServerTest {
    @Test
    public void startsOnAPortOfItsOwnAndAgainOnTheSamePort() {
        try (GearmandServer gearmand = GearmandServer.start()) {
            int port = gearmand.port();
            assertNotEquals(0, port);
            assertTrue(gearmand.status().isEmpty());
            gearmand.stop();
            assertFalse(gearmand.isRunning());
            gearmand.startAgain();
            assertEquals(port, gearmand.port());
            assertTrue(gearmand.status().isEmpty());
        }
    }

    @Test
    public void aListenerOfAnotherProcessIsNotTakenForGearmand() throws IOException {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(GearmandServer.listeningPorts(ProcessHandle.current().pid()).contains(squatter.getLocalPort()));
            try (GearmandServer gearmand = GearmandServer.start()) {
                assertFalse(GearmandServer.listeningPorts(gearmand.pidForTest()).contains(squatter.getLocalPort()));
                assertTrue(GearmandServer.listeningPorts(gearmand.pidForTest()).contains(gearmand.port()));
            }
        }
    }
}
