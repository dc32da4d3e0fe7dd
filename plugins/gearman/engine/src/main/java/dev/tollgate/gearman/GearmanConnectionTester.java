package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import dev.tollgate.gearman.protocol.PacketType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

/** The "Test Connection" check: one ECHO_REQ/ECHO_RES round trip, bounded by a timeout. */
public final class GearmanConnectionTester {
    private GearmanConnectionTester() {}

    /** Returns the round-trip time, or throws an IOException saying what went wrong. */
    public static Duration echo(GearmanServerAddress server, Duration timeout) throws IOException {
        int ms = (int) Math.max(1, timeout.toMillis());
        PacketCodec codec = new PacketCodec(64 * 1024);
        byte[] payload = ("tollgate-echo-" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.host(), server.port()), ms);
            s.setSoTimeout(ms);
            s.getOutputStream().write(codec.encode(Packet.request(PacketType.ECHO_REQ, (Object) payload)));
            s.getOutputStream().flush();
            Packet answer = codec.read(new BufferedInputStream(s.getInputStream()));
            if (answer == null) {
                throw new IOException(server + " closed the connection without answering ECHO_REQ");
            }
            if (answer.type() == PacketType.ERROR) {
                throw new IOException(server + " answered ERROR " + answer.text(0) + ": " + answer.text(1));
            }
            if (answer.type() != PacketType.ECHO_RES || answer.isRequest()
                    || !Arrays.equals(answer.argument(0), payload)) {
                throw new IOException(server + " answered " + answer + " instead of the echo");
            }
            return Duration.ofNanos(System.nanoTime() - t0);
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException("no answer from Gearman server " + server + " within " + timeout, e);
        }
    }
}
