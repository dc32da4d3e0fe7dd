package dev.tollgate.logs;

import java.time.Duration;
import java.util.List;

/**
 * What a publish did. {@link #url()} is the published folder (LOG_URL_BASE + destination + '/'), the
 * link the pipeline reporter puts into its Gerrit message.
 *
 * @param bytes     source bytes of the uploaded files
 * @param bytesSent bytes written to the server (smaller than bytes when gzipped)
 * @param failures  files not published: the server refused them, they could not be read, or they changed
 *                  after planning (replaced, swapped for a link, shrunk)
 * @param skipped   local files not uploaded on purpose (unsafe names, symlinks leaving the source, ...)
 * @param changed   files that grew after planning; published at their planned size (counted in files)
 */
public record PublishResult(Outcome outcome, String url, String destination, Protocol protocol, int files,
        long bytes, long bytesSent, Duration elapsed, int attempts, List<FileProblem> failures,
        List<FileProblem> skipped, List<FileProblem> changed, String message) {

    public enum Outcome {
        /** Every planned file is on the server, as planned (a file that grew since: its planned bytes). */
        COMPLETE,
        /** Some files failed (see failures); the rest is on the server. */
        PARTIAL,
        /** Nothing was published on purpose (the build failed and copy-after-failure is off). */
        SKIPPED
    }

    public PublishResult {
        failures = List.copyOf(failures);
        skipped = List.copyOf(skipped);
        changed = List.copyOf(changed);
    }

    public double megabytesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : bytesSent / 1e6 / s;
    }

    @Override
    public String toString() {
        return outcome + " " + url + " via " + protocol + ": " + files + " files, " + bytes + " bytes (" + bytesSent
                + " sent) in " + elapsed.toMillis() + " ms, " + attempts + " attempt(s), " + failures.size()
                + " failed, " + skipped.size() + " skipped" + (changed.isEmpty() ? "" : ", " + changed.size()
                + " grew after planning") + (message == null ? "" : " - " + message);
    }
}
