package dev.tollgate.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The proxy's faults are the faults they claim to be, against a plain echo server. */
public class FaultyTcpProxyTest {
    private ServerSocket echo;
    private FaultyTcpProxy proxy;

    @Before
    public void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread h = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    }, "echo");
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-accept");
        t.setDaemon(true);
        t.start();
        proxy = new FaultyTcpProxy("127.0.0.1", echo.getLocalPort());
    }

    @After
    public void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        s.getOutputStream().write(data);
        s.getOutputStream().flush();
        s.shutdownOutput();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        s.getInputStream().transferTo(got);
        return got.toByteArray();
    }

    @Test
    public void bytesPassBothWaysIntactAndAHalfCloseIsPassedOn() throws IOException {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        try (Socket s = connect()) {
            assertArrayEquals(data, roundTrip(s, data));
        }
    }

    @Test
    public void aRefusedConnectionIsRefusedByTheKernelAndNeverAccepted() throws IOException {
        proxy.refuse(true);
        for (int i = 0; i < 3; i++) {
            try (Socket s = connect()) {
                fail("connected while refusing: " + s);
            } catch (ConnectException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("refused"));
            }
        }
        assertEquals(0, proxy.accepted.get());
        proxy.refuse(false);
        try (Socket s = connect()) {
            assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(s, new byte[] {1, 2, 3}));
        }
        assertEquals("the same port serves again", 1, proxy.accepted.get());
    }

    @Test
    public void refusingIsInEffectWhenRefuseReturns() throws IOException {
        for (int i = 0; i < 20; i++) {
            // a round trip first, so the accept loop is back in accept() when refusing starts: a close
            // that only takes effect once that call returns would let connects through
            try (Socket s = connect()) {
                assertArrayEquals(new byte[] {(byte) i}, roundTrip(s, new byte[] {(byte) i}));
            }
            proxy.refuse(true);
            try (Socket s = connect()) {
                fail("connected while refusing, round " + i + ": " + s);
            } catch (ConnectException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("refused"));
            }
            proxy.refuse(false);
        }
        assertEquals(20, proxy.accepted.get());
    }

    @Test
    public void theDelayIsAddedOnEveryRoundTrip() throws IOException {
        proxy.delay(Duration.ofMillis(30), Duration.ofMillis(20));
        try (Socket s = connect()) {
            long start = System.nanoTime();
            s.getOutputStream().write(42);
            assertEquals(42, s.getInputStream().read());
            long elapsed = System.nanoTime() - start;
            // a lower bound only: a delay can never make a round trip shorter than itself
            assertTrue("round trip took " + elapsed / 1_000_000 + " ms", elapsed >= Duration.ofMillis(50).toNanos());
        }
    }

    @Test
    public void cutAllClosesOpenConnections() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(1);
            assertEquals(1, s.getInputStream().read());
            proxy.cutAll();
            try {
                assertEquals("end of stream after the cut", -1, s.getInputStream().read());
            } catch (IOException reset) {
                // a reset is a cut too
            }
        }
    }
}
