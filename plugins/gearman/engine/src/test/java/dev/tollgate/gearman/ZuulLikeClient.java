package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import dev.tollgate.gearman.protocol.PacketType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Gearman client that behaves like Zuul v2's launcher for tests: it submits {@code build:<job>}
 * with JSON arguments and a unique id, and collects WORK_DATA, WORK_STATUS and the final packet of
 * every job. A lost connection ends every pending job with {@link Kind#DISCONNECTED} (Zuul: LOST).
 */
final class ZuulLikeClient implements AutoCloseable {
    static final long TIMEOUT_S = 10;

    enum Kind { COMPLETE, FAIL, EXCEPTION, DISCONNECTED }

    record Outcome(Kind kind, String data) { }

    static final class Job {
        final String function;
        final String unique;
        volatile String handle;
        final List<String> data = new CopyOnWriteArrayList<>();
        final List<long[]> statuses = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> dataQueue = new LinkedBlockingQueue<>();
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        final long submittedNanos = System.nanoTime();
        volatile long firstDataNanos;

        Job(String function, String unique) {
            this.function = function;
            this.unique = unique;
        }

        /** The next WORK_DATA payload, waiting at most the test timeout. */
        String nextData() throws InterruptedException {
            String d = dataQueue.poll(TIMEOUT_S, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no WORK_DATA for " + function + " within " + TIMEOUT_S + " s");
            }
            return d;
        }

        Outcome await() throws Exception {
            return outcome.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    private final PacketCodec codec = new PacketCodec(1 << 20);
    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<Job> awaitingHandle = new LinkedBlockingQueue<>();
    private final BlockingQueue<Packet> other = new LinkedBlockingQueue<>();
    private final Map<String, Job> byHandle = new ConcurrentHashMap<>();
    private final Thread reader;

    ZuulLikeClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        reader = new Thread(() -> read(in), "zuul-like client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Asks gearmand to forward WORK_EXCEPTION packets (Gearman's "exceptions" option). */
    void enableExceptions() throws Exception {
        send(Packet.request(PacketType.OPTION_REQ, "exceptions"));
        Packet p = other.poll(TIMEOUT_S, TimeUnit.SECONDS);
        if (p == null || p.type() != PacketType.OPTION_RES) {
            throw new AssertionError("no OPTION_RES: " + p);
        }
    }

    Job submit(String function, String unique, String json) throws Exception {
        return submit(PacketType.SUBMIT_JOB, function, unique, json);
    }

    Job submit(PacketType type, String function, String unique, String json) throws Exception {
        Job job = new Job(function, unique);
        synchronized (this) {
            awaitingHandle.add(job);
            send(Packet.request(type, function, unique, json.getBytes(StandardCharsets.UTF_8)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (job.handle == null && !job.outcome.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no JOB_CREATED for " + function);
            }
            synchronized (job) {
                job.wait(50);
            }
        }
        return job;
    }

    private synchronized void send(Packet p) throws IOException {
        out.write(codec.encode(p));
        out.flush();
    }

    private void read(InputStream in) {
        try {
            while (true) {
                final Packet p = codec.read(in);
                if (p == null) {
                    break;
                }
                switch (p.type()) {
                    case JOB_CREATED -> {
                        Job j = awaitingHandle.poll();
                        if (j != null) {
                            byHandle.put(p.text(0), j);
                            j.handle = p.text(0);
                            synchronized (j) {
                                j.notifyAll();
                            }
                        }
                    }
                    case WORK_DATA -> job(p).ifPresent(j -> {
                        if (j.firstDataNanos == 0) {
                            j.firstDataNanos = System.nanoTime();
                        }
                        j.data.add(p.text(1));
                        j.dataQueue.add(p.text(1));
                    });
                    case WORK_STATUS -> job(p).ifPresent(j -> j.statuses.add(
                            new long[] {Long.parseLong(p.text(1)), Long.parseLong(p.text(2))}));
                    case WORK_COMPLETE -> job(p).ifPresent(j -> j.outcome.complete(new Outcome(Kind.COMPLETE, p.text(1))));
                    case WORK_FAIL -> job(p).ifPresent(j -> j.outcome.complete(new Outcome(Kind.FAIL, null)));
                    case WORK_EXCEPTION -> job(p).ifPresent(j -> j.outcome.complete(new Outcome(Kind.EXCEPTION, p.text(1))));
                    default -> other.add(p);
                }
            }
        } catch (IOException e) {
            // gearmand went away: every job we wait for is lost, as Zuul would see it
        } finally {
            for (Job j : byHandle.values()) {
                j.outcome.complete(new Outcome(Kind.DISCONNECTED, null));
            }
            for (Job j : awaitingHandle) {
                j.outcome.complete(new Outcome(Kind.DISCONNECTED, null));
            }
        }
    }

    private java.util.Optional<Job> job(Packet p) {
        // gearmand 1.1 ends the handle of a WORK_FAIL it makes from a WORK_EXCEPTION with a NUL
        String handle = p.text(0);
        int nul = handle.indexOf('\0');
        return java.util.Optional.ofNullable(byHandle.get(nul < 0 ? handle : handle.substring(0, nul)));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
