package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One TCP session of a {@link ServerConnection}: the socket and the writer thread that alone
 * writes to it, from an unbounded outbox.
 *
 * <p>Threading: {@link #send} is called with the worker's lock held and never blocks (it encodes
 * and queues); the writer thread blocks on the socket without any lock, so a server that stops
 * reading stalls this session only. Packets are encoded when queued: one that cannot be (above the
 * size limit) ends the session with that reason rather than killing the writer later. The writer
 * rides out every Throwable but the fatal ones of {@link Faults}; whatever ends it closes the
 * socket, which the reader notices, and leaves the reason in {@link #closeReason}.
 */
final class Session {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final byte[] POISON = new byte[0];

    private final Socket socket;
    private final PacketCodec codec;
    private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    private volatile boolean alive = true;
    /** Why the worker itself ended this session (keepalive, unsendable packet), shown instead of the socket error. */
    volatile String closeReason;

    Session(Socket socket, PacketCodec codec) {
        this.socket = socket;
        this.codec = codec;
        Thread writer = new Thread(this::write, "gearman writer " + socket.getLocalPort());
        writer.setDaemon(true);
        writer.start();
    }

    boolean alive() {
        return alive;
    }

    /** Queues a packet; false when the session is already dead (the caller keeps the work). */
    boolean send(Packet p) {
        if (!alive) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = codec.encode(p);
        } catch (IllegalArgumentException tooBig) {
            // the writer closes the socket after what is queued; the reader then reconnects
            closeReason = "cannot send " + p.type() + ": " + tooBig.getMessage();
            LOG.log(System.Logger.Level.WARNING, "gearman: {0}; dropping the connection", closeReason);
            alive = false;
            outbox.add(POISON);
            return false;
        }
        outbox.add(bytes);
        return true;
    }

    /** Ends the session now: the socket is closed, which also ends the reader's blocking read. */
    void close() {
        if (alive) {
            alive = false;
            outbox.add(POISON);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that is already broken
        }
    }

    private void write() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            while (true) {
                byte[] p = outbox.take();
                if (p == POISON) {
                    break;
                }
                out.write(p);
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            LOG.log(System.Logger.Level.DEBUG, "gearman writer ends: {0}", e.toString());
        } catch (RuntimeException | Error e) {
            // never a silent death: the reader sees the socket close and shows this reason
            if (closeReason == null) {
                closeReason = "writer failed: " + Faults.describe(e);
            }
            LOG.log(System.Logger.Level.ERROR, "gearman writer failed", e);
            if (Faults.fatal(e)) {
                throw e;
            }
        } finally {
            alive = false;
            try {
                socket.close();
            } catch (IOException ignored) {
                // the reader will notice
            }
        }
    }
}
