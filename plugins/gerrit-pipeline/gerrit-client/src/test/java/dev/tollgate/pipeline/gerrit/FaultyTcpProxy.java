package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy for tests that breaks things on demand: cut every open connection, refuse
 * new ones, freeze traffic (a dead peer whose TCP connection stays open), and for HTTP/1.1 lose
 * or replace a response <em>after</em> its request reached the server, or reject a request
 * before it does.
 */
public final class FaultyTcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile boolean refusing;
    private volatile boolean frozen;
    private volatile boolean closed;
    private final AtomicInteger dropResponses = new AtomicInteger();
    private final AtomicInteger failResponses = new AtomicInteger();
    private volatile int failStatus = 502;
    private final AtomicInteger rejectRequests = new AtomicInteger();
    private volatile int rejectStatus = 503;
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger forwardedRequests = new AtomicInteger();

    public FaultyTcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "proxy-accept-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every open connection, both sides, at once. */
    public void cutAll() {
        for (Link l : links) {
            l.close();
        }
    }

    /** New connections are accepted and closed at once while refusing. */
    public void refuse(boolean on) {
        refusing = on;
    }

    /** Bytes stop flowing (both ways) but no connection is closed: what a dead peer looks like. */
    public void freeze(boolean on) {
        frozen = on;
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

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                if (refusing) {
                    client.setSoLinger(true, 0); // RST, like a refused connection
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                upstream.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                Link l = new Link(client, upstream);
                links.add(l);
                l.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void respond(Socket s, int status) throws IOException {
        String body = "proxy fault " + status;
        String r = "HTTP/1.1 " + status + " Fault\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        s.getOutputStream().write(r.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean awaitingResponse;
        volatile boolean requestStarted;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            Thread up = new Thread(() -> pump(true), "proxy-up");
            Thread down = new Thread(() -> pump(false), "proxy-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        void pump(boolean clientToServer) {
            byte[] buf = new byte[16384];
            try {
                InputStream in = (clientToServer ? client : upstream).getInputStream();
                OutputStream out = (clientToServer ? upstream : client).getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (frozen && !closed) {
                        Thread.sleep(10); // holding bytes back is the fault being simulated
                    }
                    if (clientToServer) {
                        if (!awaitingResponse && !requestStarted) {
                            requestStarted = true;
                            if (take(rejectRequests)) {
                                respond(client, rejectStatus);
                                close();
                                return;
                            }
                            forwardedRequests.incrementAndGet();
                        }
                        awaitingResponse = true;
                    } else if (awaitingResponse) {
                        awaitingResponse = false;
                        requestStarted = false;
                        if (take(dropResponses)) {
                            close();
                            return;
                        }
                        if (take(failResponses)) {
                            respond(client, failStatus);
                            close();
                            return;
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a cut or a closed side: close the whole link
            }
            close();
        }

        void close() {
            links.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0;
    }

    @Override
    public void close() {
        closed = true;
        frozen = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
    }
}
