package dev.tollgate.logs;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that gathers bytes into blocks of a fixed size and hands each full block on, so
 * the stage after it (compressing, sending) works on large pieces. Not thread-safe: one writer.
 */
abstract class BlockOutputStream extends OutputStream {
    private final int blockBytes;
    private byte[] block;
    private int used;

    BlockOutputStream(int blockBytes) {
        this.blockBytes = blockBytes;
        this.block = new byte[blockBytes];
    }

    /** Takes a block, full or (from {@link #handOnPartial}) not: it belongs to the callee from now on. */
    protected abstract void blockFull(byte[] data, int length) throws IOException;

    @Override
    public final void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, blockBytes - used);
            System.arraycopy(b, off, block, used, n);
            used += n;
            off += n;
            len -= n;
            if (used == blockBytes) {
                handOnPartial();
            }
        }
    }

    /** Hands on what the current block holds, if anything (where the reader must see it now). */
    protected final void handOnPartial() throws IOException {
        if (used == 0) {
            return;
        }
        byte[] data = block;
        int length = used;
        block = new byte[blockBytes];
        used = 0;
        blockFull(data, length);
    }
}
