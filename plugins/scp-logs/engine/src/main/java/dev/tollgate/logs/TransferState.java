package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What is left to do in one publish, kept across reconnects: a file leaves {@link #pending} only when
 * it is complete under its final name or has failed for good, so a retry sends exactly the rest.
 */
final class TransferState {
    final UploadPlan plan;
    final ConcurrentLinkedDeque<UploadPlan.Item> pending;
    /** Absolute remote directories known to exist: each is created once per publish. */
    final Set<String> readyDirs = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final List<FileProblem> failures = new ArrayList<>();
    private final TransferListener listener;
    private int done;

    TransferState(UploadPlan plan, TransferListener listener) {
        this.plan = plan;
        this.pending = new ConcurrentLinkedDeque<>(plan.items());
        this.listener = listener;
    }

    void uploaded(UploadPlan.Item item, long sourceBytes, long sentBytes) {
        bytes.addAndGet(sourceBytes);
        sent.addAndGet(sentBytes);
        int n;
        synchronized (this) {
            n = ++done;
        }
        // outside the lock (the plugin's listener writes to a build log over remoting), and a
        // listener that throws must not look like a broken channel and send the file again
        tell(() -> listener.fileUploaded(item.remotePath(), sourceBytes, sentBytes, n, plan.items().size()));
    }

    void failed(UploadPlan.Item item, String reason) {
        FileProblem p = new FileProblem(item.remotePath(), reason);
        synchronized (this) {
            failures.add(p);
        }
        tell(() -> listener.fileFailed(p));
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            System.getLogger(TransferState.class.getName()).log(System.Logger.Level.WARNING,
                    "transfer listener failed: " + e, e);
        }
    }

    synchronized int done() {
        return done;
    }

    long bytes() {
        return bytes.get();
    }

    long sent() {
        return sent.get();
    }

    synchronized List<FileProblem> failures() {
        return new ArrayList<>(failures);
    }
}
