package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A gzip stream compressed on other threads: the data is cut into blocks of {@link #BLOCK_BYTES},
 * each compressed on its own as one gzip member, and the members are written in order. Concatenated
 * members are one valid gzip stream (RFC 1952; {@code gzip -d}, which {@code tar -z} runs, reads them
 * all), and deflate keeps almost all of its ratio with blocks this large. The tar stream is compressed
 * this way so that compressing runs beside encrypting and sending instead of before them.
 *
 * <p>Memory is bounded: at most {@link #IN_FLIGHT} blocks are being compressed or waiting to be
 * written. Not thread-safe: one writer; the compressing threads are its own and end with {@link #close}
 * or {@link #abandon}.
 */
final class BlockGzipOutputStream extends BlockOutputStream {
    static final int BLOCK_BYTES = 1 << 20;
    private static final int IN_FLIGHT = 4;

    private final OutputStream out;
    private final int level;
    private final ExecutorService compressors;
    private final ArrayDeque<Future<byte[]>> members = new ArrayDeque<>();
    private long written;
    private boolean closed;

    BlockGzipOutputStream(OutputStream out, int level, int threads) {
        super(BLOCK_BYTES);
        this.out = out;
        this.level = level;
        this.compressors = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "log-publish-gzip");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends everything written so far, compressed, to the stream below, and flushes it. Ends the
     * current block early: call it only where the reader must see the data now.
     */
    @Override
    public void flush() throws IOException {
        handOnPartial();
        while (!members.isEmpty()) {
            writeOldest();
        }
        out.flush();
    }

    @Override
    protected void blockFull(byte[] data, int length) throws IOException {
        members.addLast(compressors.submit(() -> compress(data, length, level)));
        // members that are ready go out now, so the reader starts early; a full pipeline waits
        while (!members.isEmpty() && (members.size() >= IN_FLIGHT || members.peekFirst().isDone())) {
            writeOldest();
        }
    }

    private static byte[] compress(byte[] data, int length, int level) throws IOException {
        ByteArrayOutputStream member = new ByteArrayOutputStream(length / 3 + 64);
        try (Streams.LevelGzip gz = new Streams.LevelGzip(member, level, 64 * 1024)) {
            gz.write(data, 0, length);
        }
        return member.toByteArray();
    }

    private void writeOldest() throws IOException {
        Future<byte[]> f = members.pollFirst();
        try {
            byte[] member = f.get();
            out.write(member);
            written += member.length;
        } catch (ExecutionException e) {
            throw SftpUploader.asIOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compressing", e);
        }
    }

    /** Compressed bytes handed to the stream below so far. */
    long written() {
        return written;
    }

    /** Compresses what is left, writes every member in order, and closes the stream below. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            handOnPartial();
            while (!members.isEmpty()) {
                writeOldest();
            }
            out.close();
        } finally {
            compressors.shutdownNow();
        }
    }

    /** Stops the compressing threads without writing anything more (the upload failed). */
    void abandon() {
        closed = true;
        compressors.shutdownNow();
    }
}
