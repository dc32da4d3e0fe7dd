package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import dev.tollgate.gearman.protocol.PacketType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted Gearman job server for protocol tests: it records every packet a worker sends, per
 * connection, and sends whatever the test tells it to. Real behaviour is tested against gearmand;
 * this one exists to see the exact packets and to misbehave on purpose.
 */
final class FakeJobServer implements AutoCloseable {
    final class Conn {
        final Socket socket;
        final BlockingQueue<Packet> received = new LinkedBlockingQueue<>();
        volatile String clientId;

        Conn(Socket socket) {
            this.socket = socket;
        }

        Packet next() throws InterruptedException {
            Packet p = received.poll(10, TimeUnit.SECONDS);
            if (p == null) {
                throw new AssertionError("worker " + clientId + " sent nothing within 10 s");
            }
            return p;
        }

        /** Skips packets until one of this type arrives. */
        Packet nextOf(PacketType type) throws InterruptedException {
            while (true) {
                Packet p = next();
                if (p.type() == type) {
                    return p;
                }
            }
        }

        void send(Packet p) throws IOException {
            sendRaw(codec.encode(p));
        }

        synchronized void sendRaw(byte[] bytes) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        }

        void close() throws IOException {
            socket.close();
        }
    }

    private final PacketCodec codec = new PacketCodec(1 << 20);
    private final ServerSocket server;
    final BlockingQueue<Conn> accepted = new LinkedBlockingQueue<>();
    final Map<String, Conn> byClientId = new ConcurrentHashMap<>();

    FakeJobServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fake gearmand");
        t.setDaemon(true);
        t.start();
    }

    GearmanServerAddress address() {
        return new GearmanServerAddress("127.0.0.1", server.getLocalPort());
    }

    private void accept() {
        try {
            while (true) {
                Socket s = server.accept();
                Conn c = new Conn(s);
                Thread r = new Thread(() -> read(c), "fake gearmand conn");
                r.setDaemon(true);
                r.start();
            }
        } catch (IOException closed) {
            // server closed
        }
    }

    private void read(Conn c) {
        try {
            InputStream in = new BufferedInputStream(c.socket.getInputStream());
            for (Packet p = codec.read(in); p != null; p = codec.read(in)) {
                if (p.type() == PacketType.SET_CLIENT_ID) {
                    c.clientId = p.text(0);
                    byClientId.put(c.clientId, c);
                    accepted.add(c);
                } else {
                    c.received.add(p);
                }
            }
        } catch (IOException e) {
            // connection dropped
        }
    }

    /** The connection that identified itself with this client id (waits up to 10 s). */
    Conn conn(String clientId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Conn c = byClientId.get(clientId);
            if (c != null) {
                return c;
            }
            Conn any = accepted.poll(100, TimeUnit.MILLISECONDS);
            if (any != null && any.clientId.equals(clientId)) {
                return any;
            }
        }
        throw new AssertionError("no connection from " + clientId);
    }

    /** Waits for a fresh connection from this client id, other than {@code previous}. */
    Conn reconnected(String clientId, Conn previous) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Conn c = byClientId.get(clientId);
            if (c != null && c != previous) {
                return c;
            }
            Thread.sleep(5); // polling a map filled by the accept thread, bounded by the deadline
        }
        throw new AssertionError("no reconnect from " + clientId);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Conn c : byClientId.values()) {
            c.close();
        }
    }
}
