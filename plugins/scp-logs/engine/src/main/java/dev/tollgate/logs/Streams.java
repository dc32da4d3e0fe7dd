package dev.tollgate.logs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Reading planned sources and copying them into the remote stream. A source is read at most up to its
 * planned size (a file that grows after planning is published as planned, a file that shrinks fails),
 * and local read errors are told apart from remote ones.
 */
final class Streams {
    private Streams() {}

    /** A local file could not be read: that file fails, the connection is fine. */
    static class SourceReadException extends IOException {
        SourceReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens an item's source, capped at its planned size when it has one. */
    static SourceStream open(UploadPlan.Item item) throws SourceReadException {
        InputStream in;
        try {
            in = item.source().open();
        } catch (SourceReadException e) {
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            // whatever the source throws, a bug or no memory left included, fails this file alone
            throw new SourceReadException("cannot read " + item.sourceLabel() + ": " + e, e);
        }
        if (in == null) {
            throw new SourceReadException("cannot read " + item.sourceLabel() + ": its source gave no stream", null);
        }
        return new SourceStream(in, item.size(), item.sourceLabel());
    }

    /**
     * A source read no further than its planned size. Reaching the end early (the file shrank) is a
     * {@link SourceReadException}; {@link #grew()} says whether there is more than was planned.
     */
    static final class SourceStream extends InputStream {
        private final InputStream in;
        private final long limit;
        private final String label;
        private long read;

        SourceStream(InputStream in, long limit, String label) {
            this.in = in;
            this.limit = limit;
            this.label = label;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (limit >= 0) {
                if (read >= limit) {
                    return -1;
                }
                len = (int) Math.min(len, limit - read);
            }
            int n;
            try {
                n = in.read(b, off, len);
            } catch (SourceReadException e) {
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                throw new SourceReadException("cannot read " + label + ": " + e, e);
            }
            if (n < 0) {
                if (limit >= 0 && read < limit) {
                    throw new LocalFiles.ChangedException("shrank from the planned " + limit + " bytes to " + read
                            + "; not uploaded", null);
                }
                return -1;
            }
            read += n;
            return n;
        }

        /** Source bytes read so far. */
        long count() {
            return read;
        }

        /** After the planned bytes were read: is the source longer now than planned? */
        boolean grew() throws IOException {
            if (limit < 0 || read < limit) {
                return false;
            }
            if (in instanceof LocalFiles.PlannedFileStream f) {
                return f.currentSize() > limit; // the open file's own size, no extra read
            }
            return in.read() >= 0;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** What a copy did: source bytes read, bytes written to the remote side, whether the source grew. */
    record Copied(long sourceBytes, long sentBytes, boolean grew) {}

    /** Copies the source to out (gzipping when asked), at most its planned size. */
    static Copied copy(UploadPlan.Item item, SourceStream in, OutputStream remote, int gzipLevel, byte[] buf)
            throws IOException {
        Counting counting = new Counting(remote);
        OutputStream out = item.gzip() ? new LevelGzip(counting, gzipLevel, buf.length) : counting;
        while (true) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        if (out instanceof LevelGzip) {
            ((LevelGzip) out).finish();
        }
        out.flush();
        boolean grew;
        try {
            grew = in.grew();
        } catch (IOException e) {
            grew = false; // what was planned has been read; the size check is only for the report
        }
        return new Copied(in.count(), counting.count, grew);
    }

    /** The report line for a source that grew after planning. */
    static String grewReason(UploadPlan.Item item) {
        return "grew after planning; its first " + item.size() + " bytes (the planned size) were published";
    }

    /**
     * One item's bytes for a protocol that announces the length before the content (SCP's C message, a
     * tar header). A plain file is streamed at its planned size; a gzipped one, or a source of unknown
     * size, is first written to a {@link Spool}, so memory stays bounded whatever the file's size.
     */
    static final class SizedPayload implements Closeable {
        final UploadPlan.Item item;
        final long length;
        private final SourceStream source; // plain: streamed at write time
        private final Spool spool;         // gzipped or unknown size: ready before the header goes out
        private long sourceBytes;
        private boolean grew;

        private SizedPayload(UploadPlan.Item item, long length, SourceStream source, Spool spool, long sourceBytes,
                boolean grew) {
            this.item = item;
            this.length = length;
            this.source = source;
            this.spool = spool;
            this.sourceBytes = sourceBytes;
            this.grew = grew;
        }

        static SizedPayload prepare(UploadPlan.Item item, int gzipLevel, byte[] buf) throws IOException {
            SourceStream in = open(item);
            if (!item.gzip() && item.size() >= 0) {
                return new SizedPayload(item, item.size(), in, null, 0, false);
            }
            Spool spool = new Spool();
            try (in) {
                Copied c = copy(item, in, spool, gzipLevel, buf);
                return new SizedPayload(item, spool.length(), null, spool, c.sourceBytes(), c.grew());
            } catch (IOException | RuntimeException | Error e) {
                spool.close();
                throw e;
            }
        }

        /**
         * Writes exactly {@link #length} bytes. When the source fails part way (it shrank, or a read
         * error), the rest is padded with zeros so the protocol stream stays in step, and the
         * {@link SourceReadException} is thrown afterwards: the receiver's copy is then garbage and must
         * not be kept under the final name.
         */
        void writeTo(OutputStream out, byte[] buf) throws IOException {
            writeTo(out, buf, true);
        }

        /** As {@link #writeTo(OutputStream, byte[])}; without padding, the output stops where the source failed. */
        void writeTo(OutputStream out, byte[] buf, boolean pad) throws IOException {
            InputStream in = spool != null ? spool.in() : source;
            long done = 0;
            SourceReadException failed = null;
            try (in) {
                while (done < length) {
                    int n;
                    try {
                        n = in.read(buf, 0, (int) Math.min(buf.length, length - done));
                    } catch (SourceReadException e) {
                        failed = e;
                        break;
                    }
                    if (n < 0) {
                        failed = new LocalFiles.ChangedException("shrank below the planned " + length
                                + " bytes; not uploaded", null);
                        break;
                    }
                    out.write(buf, 0, n);
                    done += n;
                }
                if (failed == null && source != null) {
                    sourceBytes = source.count();
                    try {
                        grew = source.grew();
                    } catch (IOException e) {
                        grew = false;
                    }
                }
            }
            if (failed != null) {
                if (pad) {
                    java.util.Arrays.fill(buf, (byte) 0);
                    while (done < length) {
                        int n = (int) Math.min(buf.length, length - done);
                        out.write(buf, 0, n);
                        done += n;
                    }
                }
                throw failed;
            }
        }

        long sourceBytes() {
            return sourceBytes;
        }

        boolean grew() {
            return grew;
        }

        @Override
        public void close() throws IOException {
            if (spool != null) {
                spool.close();
            }
            if (source != null) {
                source.close();
            }
        }
    }

    /**
     * Bytes of unknown length held until they are sent: in memory up to {@link #MEMORY_BYTES}, then in
     * a temporary file readable by the owner only, deleted on close. Not thread-safe.
     */
    static final class Spool extends OutputStream {
        static final int MEMORY_BYTES = 1 << 20;
        private ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private Path file;
        private OutputStream fileOut;
        private long length;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (fileOut == null && memory.size() + len > MEMORY_BYTES) {
                file = Files.createTempFile("tollgate-log-", ".spool"); // owner-only on POSIX
                fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
                memory.writeTo(fileOut);
                memory = null;
            }
            if (fileOut != null) {
                fileOut.write(b, off, len);
            } else {
                memory.write(b, off, len);
            }
            length += len;
        }

        long length() {
            return length;
        }

        InputStream in() throws IOException {
            if (fileOut != null) {
                fileOut.close();
                return Files.newInputStream(file);
            }
            return new ByteArrayInputStream(memory.toByteArray());
        }

        @Override
        public void close() throws IOException {
            if (fileOut != null) {
                fileOut.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the caller closes the remote stream itself
        }
    }

    static final class LevelGzip extends GZIPOutputStream {
        LevelGzip(OutputStream out, int level, int size) throws IOException {
            super(out, size);
            def.setLevel(level);
        }
    }
}
