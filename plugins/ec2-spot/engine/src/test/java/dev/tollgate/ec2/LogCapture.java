package dev.tollgate.ec2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects every formatted log line (any logger) while open. */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Logger root = Logger.getLogger("");
    private final SimpleFormatter fmt = new SimpleFormatter();
    private final Level before;

    LogCapture() {
        setLevel(Level.ALL);
        before = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getLoggerName() + " " + fmt.formatMessage(r)
                + (r.getThrown() != null ? " " + r.getThrown() : ""));
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String all() {
        return String.join("\n", lines());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(before);
    }
}
