package dev.tollgate.gearman.protocol;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class PacketCodecTest {
    private final PacketCodec codec = new PacketCodec(4096);

    private static byte[] raw(String magic, int type, byte[] body) {
        return ByteBuffer.allocate(12 + body.length).put(magic.getBytes(StandardCharsets.ISO_8859_1))
                .putInt(type).putInt(body.length).put(body).array();
    }

    @Test
    public void everyPacketTypeRoundTrips() throws Exception {
        for (PacketType t : PacketType.values()) {
            List<byte[]> args = new ArrayList<>();
            for (int i = 0; i < t.argumentCount(); i++) {
                args.add(("arg" + i).getBytes(StandardCharsets.UTF_8));
            }
            if (!args.isEmpty()) {
                args.set(args.size() - 1, new byte[] {1, 0, 2, 0}); // opaque data may hold NULs
            }
            for (boolean req : new boolean[] {true, false}) {
                Packet p = new Packet(req, t, args);
                Packet back = codec.decode(codec.encode(p));
                assertEquals(p, back);
                assertEquals(t, back.type());
                assertEquals(req, back.isRequest());
            }
        }
    }

    @Test
    public void encodesTheWireFormatOfTheProtocolDocument() {
        byte[] b = codec.encode(Packet.request(PacketType.CAN_DO, "build:gate"));
        assertArrayEquals(raw("\0REQ", 1, "build:gate".getBytes(StandardCharsets.UTF_8)), b);
        byte[] assign = codec.encode(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "build:x", "u", "{}"));
        assertArrayEquals(raw("\0RES", 31, "H:1\0build:x\0u\0{}".getBytes(StandardCharsets.UTF_8)), assign);
        assertArrayEquals(raw("\0REQ", 30, new byte[0]), codec.encode(Packet.request(PacketType.GRAB_JOB_UNIQ)));
    }

    @Test
    public void readsBackToBackPacketsAndSeesACleanEnd() throws Exception {
        byte[] two = codec.encodeAll(Packet.response(PacketType.NOOP),
                Packet.response(PacketType.WORK_COMPLETE, "H:2", "done"));
        ByteArrayInputStream in = new ByteArrayInputStream(two);
        assertEquals(PacketType.NOOP, codec.read(in).type());
        Packet p = codec.read(in);
        assertEquals("H:2", p.text(0));
        assertEquals("done", p.text(1));
        assertNull(codec.read(in));
    }

    @Test
    public void rejectsMalformedPacketsWithAClearMessage() {
        assertRejected(raw("\0REX", 6, new byte[0]), "magic");
        assertRejected(raw("\0REQ", 99, new byte[0]), "unknown packet type 99");
        assertRejected(raw("\0RES", 5, new byte[0]), "unknown packet type 5");
        assertRejected(raw("\0RES", 6, new byte[] {1}), "takes no arguments");
        assertRejected(raw("\0RES", 31, "H:1\0fn".getBytes(StandardCharsets.UTF_8)), "needs 4 arguments");
        assertRejected("status\n".getBytes(StandardCharsets.US_ASCII), "not a binary Gearman packet");
        byte[] huge = ByteBuffer.allocate(12).put("\0RES".getBytes(StandardCharsets.ISO_8859_1)).putInt(13)
                .putInt(0xFFFFFFF0).array();
        assertRejected(huge, "exceeds the limit");
        byte[] truncated = raw("\0RES", 13, "H:1\0data".getBytes(StandardCharsets.UTF_8));
        assertRejected(java.util.Arrays.copyOf(truncated, truncated.length - 2), "stream ended inside");
        assertRejected(java.util.Arrays.copyOf(truncated, 7), "stream ended inside");
        assertRejected(codec.encodeAll(Packet.response(PacketType.NOOP), Packet.response(PacketType.NOOP)), "after the packet");
    }

    private void assertRejected(byte[] bytes, String why) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(bytes));
        assertTrue(e.getMessage() + " should mention " + why, e.getMessage().contains(why));
    }

    @Test
    public void refusesToBuildOrSendInvalidPackets() {
        assertThrows(IllegalArgumentException.class, () -> Packet.request(PacketType.CAN_DO));
        assertThrows(IllegalArgumentException.class, () -> Packet.request(PacketType.WORK_STATUS, "H:1", "1"));
        assertThrows(IllegalArgumentException.class,
                () -> Packet.request(PacketType.WORK_COMPLETE, "H\0:1", "data"));
        byte[] big = new byte[5000];
        assertThrows(IllegalArgumentException.class,
                () -> codec.encode(Packet.request(PacketType.WORK_DATA, "H:1", big)));
        assertThrows(IllegalArgumentException.class, () -> new PacketCodec(0));
    }

    @Test
    public void toStringShowsSizesNotContent() {
        String s = Packet.request(PacketType.WORK_DATA, "H:1", "{\"PASSWORD\":\"hunter2\"}").toString();
        assertTrue(s, s.contains("WORK_DATA") && !s.contains("hunter2"));
    }
    @Test
    public void aHeaderClaimingAHugeBodyCostsOnlyTheBytesThatArrive() {
        PacketCodec big = new PacketCodec(16 << 20);
        byte[] header = ByteBuffer.allocate(12 + 100).put("\0RES".getBytes(StandardCharsets.ISO_8859_1)).putInt(13)
                .putInt((16 << 20) - 1).put(new byte[100]).array();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ProtocolException e = assertThrows(ProtocolException.class, () -> big.read(new ByteArrayInputStream(header)));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage(), e.getMessage().contains("stream ended inside"));
        assertTrue("a 16 MiB claim with 100 bytes behind it cost " + allocated + " bytes", allocated < (1 << 20));
    }

    @Test
    public void aLargeBodyThatDoesArriveIsReadWhole() throws Exception {
        PacketCodec big = new PacketCodec(16 << 20);
        byte[] data = new byte[(16 << 20) - 10];
        java.util.Arrays.fill(data, (byte) 7);
        Packet p = big.decode(big.encode(Packet.response(PacketType.WORK_DATA, "H:1", data)));
        assertArrayEquals(data, p.argument(1));
    }
}
