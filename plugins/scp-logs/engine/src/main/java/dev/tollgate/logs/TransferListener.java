package dev.tollgate.logs;

import java.time.Duration;

/**
 * Port: progress and totals of a publish. Calls come from the upload threads but never at the same
 * time (the publisher serialises them), so an implementation need not be thread-safe.
 */
public interface TransferListener {
    TransferListener NONE = new TransferListener() {};

    /** The plan is known: this many files and source bytes go to this URL. */
    default void started(String url, int files, long bytes) {}

    /** A file is complete under its final name. {@code sentBytes} differs from bytes when gzipped. */
    default void fileUploaded(String remotePath, long bytes, long sentBytes, int filesDone, int filesTotal) {}

    /** A file was skipped locally or refused by the server; the publish goes on. */
    default void fileFailed(FileProblem problem) {}

    /**
     * A file changed after planning but was published as planned: it grew, and its first planned
     * bytes (its size when the plan was made) were published. It also counts as uploaded.
     */
    default void fileChanged(FileProblem problem) {}

    /** The connection broke; the unfinished files are retried after the delay. */
    default void retrying(int nextAttempt, Duration delay, String cause) {}

    default void finished(PublishResult result) {}
}
