package dev.tollgate.logs.jenkins;

import dev.tollgate.logs.FileProblem;
import dev.tollgate.logs.PublishResult;
import dev.tollgate.logs.TransferListener;
import hudson.model.TaskListener;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The engine's progress in the build's log: where the logs go, each file not published and why (the
 * first {@link #MAX_FILE_LINES}; the summary counts them all), retries, and the summary. Text from
 * the workspace or the server is printed with control characters escaped, so a file name cannot
 * forge log lines or console annotations. The engine calls it one call at a time.
 */
final class BuildLogListener implements TransferListener {
    static final int MAX_FILE_LINES = 50;
    private final PrintStream log;
    private int fileLines;

    BuildLogListener(TaskListener listener) {
        this.log = listener.getLogger();
    }

    private void line(String text) {
        log.println("[scp-logs] " + printable(text));
    }

    @Override
    public void started(String url, int files, long bytes) {
        line("publishing " + files + " file(s), " + bytes + " bytes, to " + url);
    }

    @Override
    public void fileFailed(FileProblem problem) {
        fileLine("not published: " + problem);
    }

    @Override
    public void fileChanged(FileProblem problem) {
        fileLine("changed while published: " + problem);
    }

    private void fileLine(String text) {
        fileLines++;
        if (fileLines <= MAX_FILE_LINES) {
            line(text);
        } else if (fileLines == MAX_FILE_LINES + 1) {
            line("... more files not published or changed; the summary below counts them all");
        }
    }

    @Override
    public void retrying(int nextAttempt, Duration delay, String cause) {
        line("the connection failed (" + cause + "); attempt " + nextAttempt + " in " + delay.toMillis() + " ms");
    }

    @Override
    public void finished(PublishResult result) {
        line(result.toString());
    }

    /** Control characters (ESC of a console annotation, line breaks) shown as escapes. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
