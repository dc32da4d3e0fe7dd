package dev.tollgate.logs;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** Copying a source into the remote stream, telling local read errors apart from remote ones. */
final class Streams {
    private Streams() {}

    /** A local file could not be read: that file fails, the connection is fine. */
    static final class SourceReadException extends IOException {
        SourceReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static InputStream open(UploadPlan.Item item) throws SourceReadException {
        try {
            return item.source().open();
        } catch (IOException | RuntimeException e) {
            throw new SourceReadException("cannot read " + item.sourceLabel() + ": " + e, e);
        }
    }

    /** Copies in to out (gzipping when asked); returns {source bytes, bytes written to remote}. */
    static long[] copy(UploadPlan.Item item, InputStream in, OutputStream remote, int gzipLevel, byte[] buf)
            throws IOException {
        Counting counting = new Counting(remote);
        OutputStream out = item.gzip() ? new LevelGzip(counting, gzipLevel, buf.length) : counting;
        long read = 0;
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                throw new SourceReadException("cannot read " + item.sourceLabel() + ": " + e, e);
            }
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            read += n;
        }
        if (out instanceof LevelGzip) {
            ((LevelGzip) out).finish();
        }
        out.flush();
        return new long[] {read, counting.count};
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
