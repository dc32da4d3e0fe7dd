package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What is left to do in one publish, kept across reconnects. Invariant: every planned file is, at any
 * time, in {@link #pending}, held by exactly one uploader, or finished (uploaded or failed), and it is
 * finished at most once; so a retry sends exactly the rest, and {@link #unaccounted()} finds any file
 * that an uploader dropped. Thread-safe: the upload threads share it.
 */
final class TransferState {
    final UploadPlan plan;
    final ConcurrentLinkedDeque<UploadPlan.Item> pending;
    /** Absolute remote directories known to exist: each is created once per publish. */
    final Set<String> readyDirs = ConcurrentHashMap.newKeySet();
    private final Set<UploadPlan.Item> finished = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final List<FileProblem> failures = new ArrayList<>();
    private final List<FileProblem> changed = new ArrayList<>();
    private final TransferListener listener;
    private int done;

    TransferState(UploadPlan plan, TransferListener listener) {
        this.plan = plan;
        this.pending = new ConcurrentLinkedDeque<>(plan.items());
        this.listener = listener;
    }

    void uploaded(UploadPlan.Item item, long sourceBytes, long sentBytes) {
        if (!finished.add(item)) {
            log("file reported twice, kept the first report: " + RemoteNames.printable(item.remotePath()));
            return;
        }
        bytes.addAndGet(sourceBytes);
        sent.addAndGet(sentBytes);
        int n;
        synchronized (this) {
            n = ++done;
        }
        // outside the state's lock (the plugin's listener writes to a build log over remoting), and a
        // listener that throws must not look like a broken channel and send the file again
        tellSerially(() -> listener.fileUploaded(item.remotePath(), sourceBytes, sentBytes, n, plan.items().size()));
    }

    /** Uploaded, but not as the file is now (it grew after planning): reported besides. */
    void uploadedChanged(UploadPlan.Item item, long sourceBytes, long sentBytes, String reason) {
        if (finished.contains(item)) {
            return;
        }
        FileProblem p = new FileProblem(item.remotePath(), reason);
        synchronized (this) {
            changed.add(p);
        }
        log(p.toString());
        uploaded(item, sourceBytes, sentBytes);
        tellSerially(() -> listener.fileChanged(p));
    }

    void failed(UploadPlan.Item item, String reason) {
        if (!finished.add(item)) {
            log("file reported twice, kept the first report: " + RemoteNames.printable(item.remotePath()));
            return;
        }
        FileProblem p = new FileProblem(item.remotePath(), reason);
        synchronized (this) {
            failures.add(p);
        }
        tellSerially(() -> listener.fileFailed(p));
    }

    boolean isFinished(UploadPlan.Item item) {
        return finished.contains(item);
    }

    /** Planned files neither pending nor finished: dropped by an uploader. Call when no uploader runs. */
    List<UploadPlan.Item> unaccounted() {
        Set<UploadPlan.Item> queued = Set.copyOf(pending);
        List<UploadPlan.Item> lost = new ArrayList<>();
        for (UploadPlan.Item i : plan.items()) {
            if (!finished.contains(i) && !queued.contains(i)) {
                lost.add(i);
            }
        }
        return lost;
    }

    /**
     * The listener is promised calls one at a time (it need not be thread-safe), and several upload
     * threads report: they take turns on this lock, which is not the state's, so a slow listener holds
     * up reports but never the state.
     */
    private final Object listenerTurn = new Object();

    private void tellSerially(Runnable call) {
        synchronized (listenerTurn) {
            tell(call);
        }
    }

    /** Calls the listener; whatever it throws is logged and goes no further. */
    static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) { // an AssertionError from a test listener included
            System.getLogger(TransferState.class.getName()).log(System.Logger.Level.WARNING,
                    "transfer listener failed: " + e, e);
        }
    }

    private static void log(String message) {
        System.getLogger(TransferState.class.getName()).log(System.Logger.Level.WARNING, "log publish: " + message);
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

    synchronized List<FileProblem> changed() {
        return new ArrayList<>(changed);
    }
}
