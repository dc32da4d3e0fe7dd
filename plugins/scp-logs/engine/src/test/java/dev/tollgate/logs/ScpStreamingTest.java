package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The SCP fallback streams each file instead of reading it whole first (a multi-gigabyte log used to
 * take the JVM down). SSH flow control makes this checkable without timing: the server grants the
 * client a window of at most {@link #SERVER_WINDOW} bytes beyond what its scp has consumed and
 * written, so a client that streams can never have read more than about that far ahead of the server's
 * copy. Every read of the source compares the two; a client that read the file into memory first
 * would be a whole file ahead before the server saw its first byte.
 */
public class ScpStreamingTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    /** The channel window the test server grants (MINA's default is 2 MiB; smaller keeps the test short). */
    private static final long SERVER_WINDOW = 256 << 10;
    /** How far ahead of the server's copy the source may be read: the window plus buffers. */
    private static final long CAP = 2 * SERVER_WINDOW;
    private static final long FILE_BYTES = 4 * CAP;

    @Test
    public void aFileSeveralTimesTheBufferCapIsStreamedOverScp() throws Exception {
        Path root = TMP.newFolder("server").toPath();
        Files.createDirectories(root.resolve("logs"));
        Path src = TMP.newFolder("workspace").toPath();
        TestTrees.writeBinary(src.resolve("big.log"), (int) FILE_BYTES, 11);
        Path copy = root.resolve("logs/big/1/big.log");
        AtomicLong maxAhead = new AtomicLong();
        LocalFiles watching = new LocalFiles() {
            @Override
            PlannedFileStream open(Planned p) throws Streams.SourceReadException {
                PlannedFileStream real = LocalFiles.secure().open(p);
                return new PlannedFileStream(new AheadWatch(real.channel(), copy, maxAhead));
            }
        };
        try (MinaLogServer server = new MinaLogServer(root, false, SERVER_WINDOW)) {
            CredentialSource creds = id -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
            LogPublisher publisher = new LogPublisher(creds, PublisherSettings.defaults().withProtocol(Protocol.SCP),
                    Clock.systemUTC(), d -> { }, watching);
            PublishResult r = publisher.publish(server.logHost("/logs", "pw"),
                    PublishRequest.builder().source(src).destination("big/1").build(), TransferListener.NONE);

            System.out.println(r);
            assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
            assertEquals(TestTrees.checksums(src), TestTrees.checksums(root.resolve("logs/big/1")));
        }
        assertTrue("the source was read " + maxAhead.get() + " bytes ahead of the server's copy, more than "
                + CAP + ": it is not streamed", maxAhead.get() <= CAP);
        assertTrue("the watch saw the reads", maxAhead.get() > 0);
        System.out.println("read at most " + maxAhead.get() + " bytes ahead of the server's copy");
    }

    /** A source channel that, at every read, notes how far the reads are ahead of the server's copy. */
    private static final class AheadWatch extends ReadOnlyChannel {
        private final Path copy;
        private final AtomicLong maxAhead;
        private long read;

        AheadWatch(SeekableByteChannel in, Path copy, AtomicLong maxAhead) {
            super(in);
            this.copy = copy;
            this.maxAhead = maxAhead;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = in.read(dst);
            if (n > 0) {
                read += n;
                long received = Files.exists(copy) ? Files.size(copy) : 0;
                maxAhead.accumulateAndGet(read - received, Math::max);
            }
            return n;
        }
    }
}
