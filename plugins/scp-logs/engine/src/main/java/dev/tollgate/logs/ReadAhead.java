package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Reads the files of one tar stream ahead of its writer, on a thread of its own: each file is opened
 * through {@link Streams} (no link followed, at most its planned size; gzipped ones compressed), and
 * small files are held in memory, so the writer only frames and sends. It starts before the server has
 * confirmed the tar stream, so that wait is not idle, and it overlaps reading and compressing with
 * encrypting and sending on a second core.
 *
 * <p>Bounded: at most {@link #BUDGET_BYTES} of held content (an opened large file counts as
 * {@link #HOLD_MAX}, so at most 32 are open ahead) and {@link #QUEUE} files ahead. A file that
 * is refused or falls short while read ahead fails then and there (any protocol would refuse it), so
 * it never reaches the archive. Thread-safe for one writer: {@link #next} and {@link #done} are called
 * by the writer thread only; {@link #close} stops the reader and releases what it holds.
 */
final class ReadAhead implements AutoCloseable {
    /** Content held ready, in bytes; a file larger than this is streamed by the writer instead. */
    static final int BUDGET_BYTES = 32 << 20;
    /** Files up to this size are read into memory ahead; larger ones are opened ahead and streamed. */
    static final int HOLD_MAX = 1 << 20;
    private static final int QUEUE = 256;

    /** One file ready for the archive: its bytes in memory, or an opened payload to stream. */
    static final class Ready implements Closeable {
        final UploadPlan.Item item;
        final long length;
        final byte[] content;
        final Streams.SizedPayload payload;
        final Streams.Copied copied; // for held content; a streamed payload knows once written
        final int cost;

        private Ready(UploadPlan.Item item, long length, byte[] content, Streams.SizedPayload payload,
                Streams.Copied copied, int cost) {
            this.item = item;
            this.length = length;
            this.content = content;
            this.payload = payload;
            this.copied = copied;
            this.cost = cost;
        }

        @Override
        public void close() throws IOException {
            if (payload != null) {
                payload.close();
            }
        }
    }

    private static final Ready END = new Ready(null, 0, null, null, null, 0);

    private final List<UploadPlan.Item> items;
    private final TransferState state;
    private final int gzipLevel;
    private final BlockingQueue<Ready> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Semaphore budget = new Semaphore(BUDGET_BYTES);
    private final Thread thread;
    private volatile boolean closed;
    private volatile Throwable failure;

    ReadAhead(List<UploadPlan.Item> items, TransferState state, int gzipLevel) {
        this.items = items;
        this.state = state;
        this.gzipLevel = gzipLevel;
        this.thread = new Thread(this::run, "log-publish-read-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        byte[] buf = new byte[64 * 1024];
        try {
            for (UploadPlan.Item item : items) {
                if (closed) {
                    return;
                }
                if (state.isFinished(item)) {
                    continue;
                }
                Ready r = prepare(item, buf);
                if (r == null) {
                    continue;
                }
                try {
                    budget.acquire(r.cost);
                    queue.put(r);
                } catch (InterruptedException e) {
                    r.close();
                    return;
                }
                if (closed) {
                    return; // close() drains what is queued
                }
            }
        } catch (Throwable e) {
            failure = e; // not a file's fault (e.g. no room for a spool): the writer fails the attempt
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                // closed: nobody waits for the end
            }
        }
    }

    /** Null when the file was refused (reported failed). */
    private Ready prepare(UploadPlan.Item item, byte[] buf) throws IOException {
        Streams.SizedPayload payload;
        try {
            payload = Streams.SizedPayload.prepare(item, gzipLevel, buf);
        } catch (Streams.SourceReadException e) {
            refuse(item, e);
            return null;
        }
        if (payload.length > HOLD_MAX) {
            // streamed by the writer; what it holds meanwhile is an open file (or a spool on disk).
            // Counted as HOLD_MAX so that few files are held open ahead
            return new Ready(item, payload.length, null, payload, null, HOLD_MAX);
        }
        try (payload) {
            ByteArrayOutputStream held = new ByteArrayOutputStream((int) payload.length);
            payload.writeTo(held, buf);
            return new Ready(item, payload.length, held.toByteArray(), null,
                    new Streams.Copied(payload.sourceBytes(), payload.length, payload.grew()), (int) payload.length);
        } catch (Streams.SourceReadException e) {
            refuse(item, e); // found before its header went out: it never reaches the archive
            return null;
        }
    }

    private void refuse(UploadPlan.Item item, Streams.SourceReadException e) {
        state.pending.remove(item);
        state.failed(item, e.getMessage());
    }

    /** The next file, or null when all are through. */
    Ready next() throws IOException {
        Ready r;
        try {
            r = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r == END) {
            queue.offer(END); // a later call says the same
            if (failure != null) {
                throw SftpUploader.asIOException(failure);
            }
            return null;
        }
        return r;
    }

    /** The writer is through with this file: its budget goes back to the reader. */
    void done(Ready r) throws IOException {
        budget.release(r.cost);
        r.close();
    }

    /**
     * Stops the reader and releases what it holds. The reader is never interrupted: an interrupt closes
     * a file channel under a read, and that file would look unreadable. Instead it is given room and
     * finds {@code closed} before its next file.
     */
    @Override
    public void close() {
        closed = true;
        budget.release(BUDGET_BYTES); // a reader waiting for room goes on, and stops
        while (thread.isAlive()) {
            drain();
            try {
                thread.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drain();
    }

    private void drain() {
        for (Ready r; (r = queue.poll()) != null; ) {
            try {
                r.close();
            } catch (IOException e) {
                // only releasing
            }
        }
    }
}
