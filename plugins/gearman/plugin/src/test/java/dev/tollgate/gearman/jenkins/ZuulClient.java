package dev.tollgate.gearman.jenkins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.testing.GearmandServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A Gearman client that submits one job as Zuul v2 does and reads what comes back for it, in order:
 * the start data, progress, the final data and WORK_COMPLETE (or WORK_FAIL / WORK_EXCEPTION). Reads
 * block, bounded by a socket timeout, on the test's thread. One job per client.
 */
final class ZuulClient implements AutoCloseable {
    static final int TIMEOUT_MS = 120_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PacketCodec codec = new PacketCodec(1 << 20);
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;
    private String handle;

    ZuulClient(GearmandServer gearmand) throws IOException {
        socket.connect(new InetSocketAddress(gearmand.host(), gearmand.port()), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Submits the job and waits until gearmand has queued it. */
    ZuulClient submit(String function, String unique, String json) throws IOException {
        out.write(codec.encode(Packet.request(PacketType.SUBMIT_JOB, function, unique,
                json.getBytes(StandardCharsets.UTF_8))));
        out.flush();
        Packet created = next();
        if (created.type() != PacketType.JOB_CREATED) {
            throw new AssertionError("expected JOB_CREATED, got " + created);
        }
        handle = created.text(0);
        return this;
    }

    /** The next WORK_DATA of the job, as JSON (WORK_STATUS packets are skipped). */
    JsonNode nextData() throws IOException {
        while (true) {
            Packet p = next();
            if (p.type() == PacketType.WORK_DATA) {
                return JSON.readTree(p.text(1));
            }
            if (p.type() != PacketType.WORK_STATUS) {
                throw new AssertionError("expected WORK_DATA, got " + p + " " + (p.argumentCount() > 1 ? p.text(1) : ""));
            }
        }
    }

    /** The job's final packet; WORK_COMPLETE's JSON, or an AssertionError naming what came instead. */
    JsonNode completed() throws IOException {
        while (true) {
            Packet p = next();
            switch (p.type()) {
                case WORK_DATA, WORK_STATUS -> { }
                case WORK_COMPLETE -> {
                    return JSON.readTree(p.text(1));
                }
                default -> throw new AssertionError("expected WORK_COMPLETE, got " + p
                        + (p.argumentCount() > 1 ? " " + p.text(1) : ""));
            }
        }
    }

    private Packet next() throws IOException {
        Packet p = codec.read(in);
        if (p == null) {
            throw new AssertionError("gearmand closed the connection");
        }
        if (handle != null && p.type() != PacketType.JOB_CREATED && !p.text(0).startsWith(handle)) {
            throw new AssertionError("a packet for another job: " + p);
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
