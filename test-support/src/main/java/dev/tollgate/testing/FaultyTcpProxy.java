package dev.tollgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy for tests and benchmarks that breaks or slows things on demand.
 *
 * <ul>
 *   <li>{@link #refuse}: new connections are refused by the kernel (the client's {@code connect}
 *       fails with "connection refused"; nothing is accepted, so no byte of a request can have
 *       been sent). The port stays reserved while refusing, so no other process can take it.</li>
 *   <li>{@link #cutAll}: every open connection is closed, both sides.</li>
 *   <li>{@link #freeze}: bytes stop flowing both ways while connections stay open (a dead peer).</li>
 *   <li>{@link #delay}: a fixed one-way delay per direction, as a long link adds; throughput is
 *       kept (bytes in flight are queued, up to a bounded window per direction).</li>
 *   <li>HTTP/1.1 faults: lose or replace a response <em>after</em> its request reached the server,
 *       or answer a request from the proxy before it reaches the server.</li>
 * </ul>
 *
 * <p>Refusing works by closing the listening socket while a second, bound but not listening, socket
 * holds the port (both with {@code SO_REUSEPORT}); a SYN to a port with no listener is answered
 * with a reset, which is exactly what a refused connection is.
 */
public final class FaultyTcpProxy implements AutoCloseable {
    /** Bytes a direction may hold in flight before its reader stops reading (TCP pushes back). */
    private static final int WINDOW_BYTES = 8 << 20;

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Object listenerLock = new Object();
    private ServerSocketChannel listener; // guarded by listenerLock; null while refusing
    private SocketChannel placeholder; // guarded by listenerLock; holds the port while refusing
    private Thread acceptThread; // guarded by listenerLock; the loop accepting on listener
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile boolean frozen;
    private volatile boolean closed;
    private volatile long upDelayNanos;
    private volatile long downDelayNanos;
    private final AtomicInteger dropResponses = new AtomicInteger();
    private final AtomicInteger failResponses = new AtomicInteger();
    private volatile int failStatus = 502;
    private final AtomicInteger rejectRequests = new AtomicInteger();
    private volatile int rejectStatus = 503;
    /** Connections accepted (a refused connection is never accepted, so it is not counted). */
    public final AtomicInteger accepted = new AtomicInteger();
    /** HTTP requests that reached the server. */
    public final AtomicInteger forwardedRequests = new AtomicInteger();

    public FaultyTcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        ServerSocketChannel first = openListener(0);
        this.port = ((InetSocketAddress) first.getLocalAddress()).getPort();
        synchronized (listenerLock) {
            listener = first;
            acceptThread = startAcceptLoop(first);
        }
    }

    public int port() {
        return port;
    }

    private static ServerSocketChannel openListener(int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private Thread startAcceptLoop(ServerSocketChannel ch) {
        Thread t = new Thread(() -> acceptLoop(ch), "proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Closes the listening socket and waits for the accept loop to end. NIO defers the real close of
     * a channel another thread is blocked on until that thread returns from accept(): until then the
     * kernel still completes connections to the port (in a quick test, most connects right after
     * close() got through). Holding listenerLock.
     */
    private void stopListening() throws IOException {
        listener.close();
        listener = null;
        try {
            acceptThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while closing the listener on port " + port, e);
        }
    }

    /** Closes every open connection, both sides, at once. */
    public void cutAll() {
        for (Link l : links) {
            l.close();
        }
    }

    /**
     * While on, connecting to the proxy fails with "connection refused"; open connections are left
     * alone (use {@link #cutAll} as well to drop them). Returns when the change is in effect.
     */
    public void refuse(boolean on) {
        synchronized (listenerLock) {
            if (closed) {
                return;
            }
            try {
                if (on && listener != null) {
                    // reserve the port first, then stop listening on it
                    SocketChannel hold = SocketChannel.open();
                    hold.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    hold.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    hold.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    placeholder = hold;
                    stopListening();
                } else if (!on && listener == null) {
                    ServerSocketChannel ch = openListener(port);
                    listener = ch;
                    placeholder.close();
                    placeholder = null;
                    acceptThread = startAcceptLoop(ch);
                }
            } catch (IOException e) {
                throw new IllegalStateException("proxy on port " + port + " could not switch refusing to " + on, e);
            }
        }
    }

    /** Bytes stop flowing (both ways) but no connection is closed: what a dead peer looks like. */
    public void freeze(boolean on) {
        synchronized (this) {
            frozen = on;
            notifyAll();
        }
    }

    /**
     * A fixed one-way delay for each direction (client to server, server to client); zero for none.
     * A round trip through the proxy then takes at least their sum. Applies to bytes read from now on.
     */
    public void delay(Duration clientToServer, Duration serverToClient) {
        upDelayNanos = clientToServer.toNanos();
        downDelayNanos = serverToClient.toNanos();
    }

    /** HTTP: the next n responses are swallowed and the client's connection closed. */
    public void dropNextResponses(int n) {
        dropResponses.set(n);
    }

    /** HTTP: the next n responses are replaced by {@code status} (the request did reach the server). */
    public void failNextResponses(int n, int status) {
        failStatus = status;
        failResponses.set(n);
    }

    /** HTTP: the next n requests get {@code status} from the proxy without reaching the server. */
    public void rejectNextRequests(int n, int status) {
        rejectStatus = status;
        rejectRequests.set(n);
    }

    private void acceptLoop(ServerSocketChannel ch) {
        while (!closed && ch.isOpen()) {
            Socket client;
            try {
                client = ch.accept().socket();
            } catch (IOException e) {
                return; // closed: refusing or shut down
            }
            accepted.incrementAndGet();
            try {
                Socket upstream = new Socket();
                upstream.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                Link l = new Link(client, upstream);
                links.add(l);
                l.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private static byte[] faultResponse(int status) {
        String body = "proxy fault " + status;
        String r = "HTTP/1.1 " + status + " Fault\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        return r.getBytes(StandardCharsets.US_ASCII);
    }

    /** One accepted connection: two directions, each a reader and a writer with a queue between. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        final Direction up;
        final Direction down;
        volatile boolean awaitingResponse;
        volatile boolean requestStarted;
        final AtomicInteger halfClosedDirections = new AtomicInteger();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
            this.up = new Direction(this, true);
            this.down = new Direction(this, false);
        }

        void start() {
            up.start();
            down.start();
        }

        /**
         * Applies the HTTP faults to a chunk read in one direction. Returns false when the link is
         * to end after what was queued (the chunk is then not forwarded).
         */
        boolean inspect(boolean clientToServer) {
            if (clientToServer) {
                if (!awaitingResponse && !requestStarted) {
                    requestStarted = true;
                    if (take(rejectRequests)) {
                        down.enqueueFault(faultResponse(rejectStatus));
                        down.enqueueEnd();
                        return false;
                    }
                    forwardedRequests.incrementAndGet();
                }
                awaitingResponse = true;
            } else if (awaitingResponse) {
                awaitingResponse = false;
                requestStarted = false;
                if (take(dropResponses)) {
                    down.enqueueEnd();
                    return false;
                }
                if (take(failResponses)) {
                    down.enqueueFault(faultResponse(failStatus));
                    down.enqueueEnd();
                    return false;
                }
            }
            return true;
        }

        /** One direction ended cleanly; the link ends when both have. */
        void halfClosed() {
            if (halfClosedDirections.incrementAndGet() == 2) {
                close();
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
            up.wake();
            down.wake();
        }
    }

    /** One direction of a link: reads, stamps each chunk with when it may leave, writes it then. */
    private final class Direction {
        private final Link link;
        private final boolean clientToServer;
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>(); // guarded by this
        private int queuedBytes; // guarded by this

        Direction(Link link, boolean clientToServer) {
            this.link = link;
            this.clientToServer = clientToServer;
        }

        void start() {
            String name = clientToServer ? "proxy-up-" : "proxy-down-";
            Thread reader = new Thread(this::readLoop, name + "read");
            Thread writer = new Thread(this::writeLoop, name + "write");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void readLoop() {
            byte[] buf = new byte[64 << 10];
            try {
                InputStream in = (clientToServer ? link.client : link.upstream).getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!link.inspect(clientToServer)) {
                        return;
                    }
                    byte[] copy = new byte[n];
                    System.arraycopy(buf, 0, copy, 0, n);
                    enqueue(copy);
                }
                // end of stream from this side: pass the half-close on after the queued bytes
                enqueueHalfClose();
            } catch (IOException | InterruptedException e) {
                link.close();
            }
        }

        synchronized void enqueue(byte[] data) throws InterruptedException {
            while (queuedBytes > 0 && queuedBytes + data.length > WINDOW_BYTES && !closed) {
                if (link.client.isClosed()) {
                    return; // the link is gone: nothing will read this
                }
                wait(100);
            }
            long delay = clientToServer ? upDelayNanos : downDelayNanos;
            queue.add(new Chunk(data, System.nanoTime() + delay, false, false));
            queuedBytes += data.length;
            notifyAll();
        }

        /** A proxy-made answer: small, so it skips the window. */
        synchronized void enqueueFault(byte[] data) {
            long delay = clientToServer ? upDelayNanos : downDelayNanos;
            queue.add(new Chunk(data, System.nanoTime() + delay, false, false));
            queuedBytes += data.length;
            notifyAll();
        }

        synchronized void enqueueEnd() {
            long delay = clientToServer ? upDelayNanos : downDelayNanos;
            queue.add(new Chunk(null, System.nanoTime() + delay, true, false));
            notifyAll();
        }

        synchronized void enqueueHalfClose() {
            long delay = clientToServer ? upDelayNanos : downDelayNanos;
            queue.add(new Chunk(null, System.nanoTime() + delay, false, true));
            notifyAll();
        }

        synchronized void wake() {
            notifyAll();
        }

        private Chunk next() throws InterruptedException {
            synchronized (this) {
                while (queue.isEmpty()) {
                    if (link.client.isClosed() || closed) {
                        return null;
                    }
                    wait(100);
                }
            }
            Chunk c;
            synchronized (this) {
                c = queue.peek();
            }
            // hold the chunk until it is due (the delay being simulated), and while frozen
            long wait;
            while ((wait = c.due - System.nanoTime()) > 0) {
                synchronized (this) {
                    if (link.client.isClosed()) {
                        return null;
                    }
                    wait(Math.max(1, wait / 1_000_000), (int) (wait % 1_000_000));
                }
            }
            synchronized (FaultyTcpProxy.this) {
                while (frozen && !closed) {
                    FaultyTcpProxy.this.wait();
                }
            }
            synchronized (this) {
                queue.poll();
                if (c.data != null) {
                    queuedBytes -= c.data.length;
                }
                notifyAll();
            }
            return c;
        }

        private void writeLoop() {
            try {
                OutputStream out = (clientToServer ? link.upstream : link.client).getOutputStream();
                Chunk c;
                while ((c = next()) != null) {
                    if (c.end) {
                        break;
                    }
                    if (c.halfClose) {
                        (clientToServer ? link.upstream : link.client).shutdownOutput();
                        link.halfClosed();
                        return;
                    }
                    out.write(c.data);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a cut or a closed side: close the whole link
            }
            link.close();
        }
    }

    private record Chunk(byte[] data, long due, boolean end, boolean halfClose) {
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        synchronized (listenerLock) {
            closed = true;
            try {
                if (listener != null) {
                    stopListening();
                }
                if (placeholder != null) {
                    placeholder.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        freeze(false);
        cutAll();
    }
}
