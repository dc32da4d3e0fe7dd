package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the tar stream of one upload attempt on a thread of its own, ahead of the thread that sends
 * it: directory entries (parents first), then each file, then an empty completion entry whose presence
 * tells the server's script that the archive arrived whole (GNU tar takes an archive that ends between
 * two entries as complete, so a cut stream could otherwise pass). Gzipped on the way when asked
 * ({@link BlockGzipOutputStream}). It starts before the server has confirmed the tar stream, so the
 * wait for that is spent reading and compressing, and the archive is often ready when sending starts.
 *
 * <p>Files are read through {@link Streams} (no link followed, at most the planned size). A file of up
 * to {@link #HOLD_MAX} is read whole before its header goes out, so if it is refused or falls short it
 * is reported failed and left out. A larger file is streamed; if it falls short on the way the archive
 * is abandoned there: no completion entry, so the server's script throws the attempt's files away, and
 * the sender falls back to SFTP ({@link #abandoned}).
 *
 * <p>Bounded: at most {@link #QUEUE_CHUNKS} chunks of {@link #CHUNK_BYTES} of archive wait to be
 * sent. One sender thread calls {@link #next}; {@link #close} stops the writer (it is never
 * interrupted: an interrupt closes a file channel under a read, and the file would look unreadable).
 */
final class TarArchiver implements AutoCloseable {
    /** Files up to this size are read whole before their header is written. */
    static final int HOLD_MAX = 1 << 20;
    static final int CHUNK_BYTES = 64 * 1024;
    /** 16 MiB of archive ahead of the sender. */
    static final int QUEUE_CHUNKS = 256;
    private static final byte[] END = new byte[0];

    /** A file that went into the archive whole, with its counts. */
    record Entry(UploadPlan.Item item, Streams.Copied copied) {}

    /** How each file is named in the archive. */
    interface Naming {
        String nameOf(UploadPlan.Item item);
    }

    private final List<UploadPlan.Item> items;
    private final TransferState state;
    private final Naming naming;
    private final String completionName;
    private final boolean compressed;
    private final int gzipLevel;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final List<Entry> entries = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean closed;
    private volatile String abandoned;
    private volatile Throwable failure;

    TarArchiver(List<UploadPlan.Item> items, TransferState state, Naming naming, String completionName,
            boolean compressed, int gzipLevel) {
        this.items = items;
        this.state = state;
        this.naming = naming;
        this.completionName = completionName;
        this.compressed = compressed;
        this.gzipLevel = gzipLevel;
        this.thread = new Thread(this::run, "log-publish-tar");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next chunk of the archive, or null at its end (whole, or abandoned: see {@link #abandoned}). */
    byte[] next() throws IOException {
        byte[] c;
        try {
            c = chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (c == END) {
            chunks.offer(END); // a later call says the same
            if (failure != null) {
                throw SftpUploader.asIOException(failure);
            }
            return null;
        }
        return c;
    }

    /** Why the archive was given up before its completion entry, or null. Valid after {@link #next} returned null. */
    String abandoned() {
        return abandoned;
    }

    /** The files in the archive. Complete after {@link #next} returned null. */
    List<Entry> entries() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    private void run() {
        byte[] buf = new byte[64 * 1024];
        ChunkStream sink = new ChunkStream();
        BlockGzipOutputStream gzip = null;
        try {
            OutputStream wire = sink;
            if (compressed) {
                // half the cores: the other half read and encrypt (on two cores, one thread compressing
                // measured faster than two)
                gzip = new BlockGzipOutputStream(sink, 1, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
                wire = gzip;
            }
            TarArchiveOutputStream tar = new TarArchiveOutputStream(wire, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            long now = System.currentTimeMillis();
            for (String dir : directoriesOf(items)) {
                TarArchiveEntry e = new TarArchiveEntry(dir + "/");
                e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
                anonymous(e, now);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            for (UploadPlan.Item item : items) {
                if (closed) {
                    return;
                }
                if (!state.isFinished(item) && !add(tar, item, buf, now)) {
                    return; // abandoned
                }
            }
            TarArchiveEntry done = new TarArchiveEntry(completionName, true);
            done.setSize(0);
            anonymous(done, now);
            tar.putArchiveEntry(done);
            tar.closeArchiveEntry();
            // close, not finish + flush: commons-compress passes no flush on, the close writes it all
            tar.close();
        } catch (Throwable e) {
            if (!closed) {
                failure = e; // not a file's fault (e.g. no room to spool): the attempt fails
            }
        } finally {
            if (gzip != null) {
                gzip.abandon(); // after a close nothing is left to stop
            }
            sink.end();
        }
    }

    /** One file into the archive; false when the archive was abandoned on it. */
    private boolean add(TarArchiveOutputStream tar, UploadPlan.Item item, byte[] buf, long now) throws IOException {
        Streams.SizedPayload payload;
        try {
            payload = Streams.SizedPayload.prepare(item, gzipLevel, buf);
        } catch (Streams.SourceReadException e) {
            refuse(item, e);
            return true;
        }
        try (payload) {
            byte[] held = null;
            Streams.Copied copied = null;
            if (payload.length <= HOLD_MAX) {
                ByteArrayOutputStream whole = new ByteArrayOutputStream((int) payload.length);
                try {
                    payload.writeTo(whole, buf);
                } catch (Streams.SourceReadException e) {
                    refuse(item, e); // found before its header went out: it never reaches the archive
                    return true;
                }
                held = whole.toByteArray();
                copied = new Streams.Copied(payload.sourceBytes(), payload.length, payload.grew());
            }
            TarArchiveEntry e = new TarArchiveEntry(naming.nameOf(item), true);
            e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
            e.setSize(payload.length);
            anonymous(e, now);
            tar.putArchiveEntry(e);
            if (held != null) {
                tar.write(held);
            } else {
                try {
                    payload.writeTo(tar, buf, false);
                } catch (Streams.SourceReadException ex) {
                    abandoned = RemoteNames.printable(item.remotePath()) + ": " + ex.getMessage();
                    return false;
                }
                copied = new Streams.Copied(payload.sourceBytes(), payload.length, payload.grew());
            }
            tar.closeArchiveEntry();
            entries.add(new Entry(item, copied));
            return true;
        }
    }

    private void refuse(UploadPlan.Item item, Streams.SourceReadException e) {
        state.pending.remove(item);
        state.failed(item, e.getMessage());
    }

    private static void anonymous(TarArchiveEntry e, long now) {
        // owner names are not the server's business (and it takes none: --no-same-owner)
        e.setUserName("");
        e.setGroupName("");
        e.setUserId(0);
        e.setGroupId(0);
        e.setModTime(now);
    }

    /** Every directory the files need, parents first. */
    static List<String> directoriesOf(List<UploadPlan.Item> items) {
        Set<String> dirs = new TreeSet<>(Comparator.comparingInt((String d) -> d.split("/").length)
                .thenComparing(d -> d));
        for (UploadPlan.Item i : items) {
            String p = i.remotePath();
            int slash;
            while ((slash = p.lastIndexOf('/')) > 0) {
                p = p.substring(0, slash);
                dirs.add(p);
            }
        }
        return new ArrayList<>(dirs);
    }

    /**
     * Stops the writer and drops what it queued. The writer is never interrupted; it finds
     * {@code closed} at its next file or chunk.
     */
    @Override
    public void close() {
        closed = true;
        while (thread.isAlive()) {
            chunks.clear();
            try {
                thread.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        chunks.clear();
    }

    /** The archive in chunks of {@link #CHUNK_BYTES}, queued for the sender; waits while the queue is full. */
    private final class ChunkStream extends BlockOutputStream {
        private boolean ended;

        ChunkStream() {
            super(CHUNK_BYTES);
        }

        @Override
        protected void blockFull(byte[] data, int length) throws IOException {
            put(length == data.length ? data : java.util.Arrays.copyOf(data, length));
        }

        @Override
        public void close() throws IOException {
            handOnPartial();
        }

        private void put(byte[] c) throws IOException {
            try {
                while (!chunks.offer(c, 50, TimeUnit.MILLISECONDS)) {
                    if (closed) {
                        throw new IOException("archive closed");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        /** The end of the archive, whole or not. */
        void end() {
            if (!ended) {
                ended = true;
                try {
                    put(END);
                } catch (IOException e) {
                    // closed: nobody waits for the end
                }
            }
        }
    }
}
