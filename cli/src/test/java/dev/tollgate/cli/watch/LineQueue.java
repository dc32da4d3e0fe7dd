package dev.tollgate.cli.watch;

import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a watch prints, line by line, for a test to wait on: every complete line is kept in order,
 * and {@link #await} waits (bounded, on this object's monitor) until a line matches. Thread-safe.
 */
final class LineQueue extends OutputStream {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();
    private final String name;

    LineQueue(String name) {
        this.name = name;
    }

    PrintStream printStream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            lines.add(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
            notifyAll();
        } else {
            partial.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Waits until some line (read or not) matches; returns it. */
    synchronized String await(String what, int seconds, Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (String l : lines) {
                if (match.test(l)) {
                    return l;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out after " + seconds + " s waiting on " + name + " for " + what + "; it has:\n"
                        + String.join("\n", lines));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until at least {@code n} lines match; returns them all. */
    synchronized List<String> awaitCount(String what, int seconds, int n, Predicate<String> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<String> found = new ArrayList<>();
            for (String l : lines) {
                if (match.test(l)) {
                    found.add(l);
                }
            }
            if (found.size() >= n) {
                return found;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out after " + seconds + " s waiting on " + name + " for " + n + " x " + what
                        + " (have " + found.size() + "); it has:\n" + String.join("\n", lines));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
