package dev.tollgate.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** A read-only source channel over another, for tests that watch or change how a file is read. */
abstract class ReadOnlyChannel implements SeekableByteChannel {
    protected final SeekableByteChannel in;

    ReadOnlyChannel(SeekableByteChannel in) {
        this.in = in;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
        return in.position();
    }

    @Override
    public SeekableByteChannel position(long p) throws IOException {
        in.position(p);
        return this;
    }

    @Override
    public long size() throws IOException {
        return in.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
