package dev.tollgate.cli.watch;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * While a watch runs, the engine's java.util.logging records become one-line messages on stderr,
 * without stack traces: the stream's own account of its work (recovered events, dropped output,
 * giving up on a gap) at INFO and above, every other warning and error. The stream's connect and
 * disconnect records are left out because the watch says those itself. {@link #close()} puts the
 * previous handlers back. Install and close on one thread.
 */
final class StderrLog implements AutoCloseable {
    private static final String STREAM_LOGGER = "dev.tollgate.pipeline.gerrit.GerritStream";
    /** The stream's records the watch reports in its own words (the event sink's connected and disconnected). */
    private static final List<String> SAID_BY_WATCH = List.of("Gerrit stream {0}:{1} connected",
            "Gerrit stream {0}:{1} down: {2}");

    private final Logger root = Logger.getLogger("");
    private final Logger ours = Logger.getLogger("dev.tollgate");
    private final List<Handler> previous = new ArrayList<>();
    private final Level previousRootLevel;
    private final Level previousOursLevel;
    private final Handler handler;

    StderrLog(PrintStream err) {
        Formatter text = new SimpleFormatter(); // only for formatMessage: the {0} parameters
        handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (!shown(r)) {
                    return;
                }
                String m = text.formatMessage(r);
                Throwable t = r.getThrown();
                err.println("tollgate watch: " + (r.getLevel().intValue() >= Level.WARNING.intValue()
                        ? r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": " : "")
                        + m + (t == null ? "" : " (" + t + ")"));
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        for (Handler h : root.getHandlers()) {
            previous.add(h);
            root.removeHandler(h);
        }
        previousRootLevel = root.getLevel();
        previousOursLevel = ours.getLevel();
        root.setLevel(Level.WARNING);
        ours.setLevel(Level.INFO);
        root.addHandler(handler);
    }

    private static boolean shown(LogRecord r) {
        if (STREAM_LOGGER.equals(r.getLoggerName())) {
            return !SAID_BY_WATCH.contains(r.getMessage());
        }
        return r.getLevel().intValue() >= Level.WARNING.intValue();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        for (Handler h : previous) {
            root.addHandler(h);
        }
        root.setLevel(previousRootLevel);
        ours.setLevel(previousOursLevel);
    }
}
