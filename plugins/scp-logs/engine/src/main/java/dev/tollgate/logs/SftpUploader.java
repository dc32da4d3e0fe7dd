package dev.tollgate.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.SftpResponse;
import org.apache.sshd.sftp.client.impl.SftpStatus;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Uploads over SFTP: several channels on one session share a queue of files; within a file, writes
 * are pipelined (MINA's {@code SftpOutputStreamAsync} sends the next write before the previous is
 * acknowledged). Each file goes to {@code .NAME.tollgate-part} and is renamed over NAME when complete,
 * so a reader or a retry never sees a half file under the final name.
 */
final class SftpUploader {
    private static final System.Logger LOG = System.getLogger(SftpUploader.class.getName());
    static final String PART_SUFFIX = ".tollgate-part";
    private static final String POSIX_RENAME = "posix-rename@openssh.com";
    /** Files in flight per channel. */
    private static final int WINDOW = 16;
    /** Files up to this size are read into memory and pipelined; larger ones are streamed. */
    private static final long PIPELINE_MAX_BYTES = 256 * 1024;

    /** The server has no SFTP subsystem (or refused it): the caller may fall back to SCP. */
    static final class SftpUnavailableException extends IOException {
        SftpUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A failure that retrying cannot fix (e.g. the root is missing or not writable). */
    static final class FatalRemoteException extends IOException {
        FatalRemoteException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final PublisherSettings settings;

    SftpUploader(PublisherSettings settings) {
        this.settings = settings;
    }

    void upload(ClientSession session, LogHost host, TransferState state) throws IOException {
        List<SftpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < settings.channels(); i++) {
                try {
                    // version 3: what OpenSSH speaks, and the request layout the pipeline writes
                    clients.add(SftpClientFactory.instance().createSftpClient(session,
                            SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3)));
                } catch (IOException e) {
                    if (!session.isOpen()) {
                        throw e;
                    }
                    if (i == 0) {
                        throw new SftpUnavailableException("the server offers no SFTP: " + e.getMessage(), e);
                    }
                    // e.g. OpenSSH MaxSessions: go on with the channels we have
                    LOG.log(Level.INFO, "log publish: opened {0} SFTP channels, not {1}: {2}", i, settings.channels(),
                            e.getMessage());
                    break;
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients.size(), r -> {
                Thread t = new Thread(r, "log-publish-sftp");
                t.setDaemon(true);
                return t;
            });
            try {
                createDirectories(clients, pool, host, state);
                AtomicBoolean broken = new AtomicBoolean();
                List<Future<?>> workers = new ArrayList<>();
                for (SftpClient c : clients) {
                    workers.add(pool.submit(() -> {
                        work(c, host, state, broken);
                        return null;
                    }));
                }
                awaitAll(workers);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            for (SftpClient c : clients) {
                try {
                    c.close();
                } catch (IOException e) {
                    // the session may be gone already
                }
            }
        }
    }

    private static void awaitAll(List<Future<?>> futures) throws IOException {
        IOException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                IOException io = c instanceof IOException ? (IOException) c : new IOException(c.toString(), c);
                // a fatal cause wins over a mere broken connection
                if (first == null || (io instanceof FatalRemoteException && !(first instanceof FatalRemoteException))) {
                    first = io;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The destination's ancestors one by one, then the plan's directories level by level in parallel. */
    private void createDirectories(List<SftpClient> clients, ExecutorService pool, LogHost host, TransferState state)
            throws IOException {
        SftpClient first = clients.get(0);
        String root = host.rootPath();
        if (!state.readyDirs.contains(root)) {
            SftpClient.Attributes a;
            try {
                a = first.stat(root);
            } catch (SftpException e) {
                throw new FatalRemoteException("root path " + root + " is not accessible on log host '" + host.name()
                        + "': " + e.getMessage(), e);
            }
            if (!a.isDirectory()) {
                throw new FatalRemoteException("root path " + root + " on log host '" + host.name()
                        + "' is not a directory", null);
            }
            state.readyDirs.add(root);
        }
        String dest = state.plan.destination();
        StringBuilder prefix = new StringBuilder();
        for (String seg : dest.split("/")) {
            prefix.append(prefix.length() == 0 ? "" : "/").append(seg);
            mkdir(first, host.remotePath(prefix.toString()), state);
        }
        Map<Integer, List<String>> levels = new TreeMap<>();
        for (String d : state.plan.directories()) {
            String abs = host.remotePath(dest + "/" + d);
            if (!state.readyDirs.contains(abs)) {
                levels.computeIfAbsent(d.split("/").length, k -> new ArrayList<>()).add(abs);
            }
        }
        for (List<String> level : levels.values()) {
            List<Future<?>> jobs = new ArrayList<>();
            int n = clients.size();
            for (int i = 0; i < n; i++) {
                SftpClient c = clients.get(i);
                int start = i;
                jobs.add(pool.submit(() -> {
                    for (int k = start; k < level.size(); k += n) {
                        mkdir(c, level.get(k), state);
                    }
                    return null;
                }));
            }
            awaitAll(jobs);
        }
    }

    private static void mkdir(SftpClient sftp, String path, TransferState state) throws IOException {
        if (state.readyDirs.contains(path)) {
            return;
        }
        try {
            sftp.mkdir(path);
        } catch (SftpException e) {
            // already there (another build, or an earlier attempt whose reply was lost) is fine
            SftpClient.Attributes a;
            try {
                a = sftp.stat(path);
            } catch (SftpException notThere) {
                throw new FatalRemoteException("cannot create directory " + path + ": " + e.getMessage(), e);
            }
            if (!a.isDirectory()) {
                throw new FatalRemoteException("cannot create directory " + path + ": a file of that name exists", e);
            }
        }
        state.readyDirs.add(path);
    }

    /** One small file on its way: OPEN sent, then WRITEs + CLOSE, then the rename. */
    private static final class Flight {
        final UploadPlan.Item item;
        final String part;
        final String target;
        final byte[] content;
        final Streams.Copied copied;
        final List<Integer> ids = new ArrayList<>();
        Stage stage = Stage.OPENING;

        Flight(UploadPlan.Item item, String part, String target, byte[] content, Streams.Copied copied) {
            this.item = item;
            this.part = part;
            this.target = target;
            this.content = content;
            this.copied = copied;
        }
    }

    private enum Stage { OPENING, WRITING, RENAMING, CLEANING }

    /**
     * One channel's loop. Small files are pipelined: up to {@link #WINDOW} files are in flight, each
     * moving OPEN -> WRITE+CLOSE -> RENAME as its replies arrive, so the channel never idles on a round
     * trip. Large files stream through MINA's async output stream (pipelined writes) one at a time.
     */
    private void work(SftpClient sftp, LogHost host, TransferState state, AtomicBoolean broken) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        boolean posixRename = posix != null && posix.isSupported();
        RawSftpClient raw = (RawSftpClient) sftp;
        byte[] buf = new byte[settings.writeBufferSize()];
        String dest = state.plan.destination();
        java.util.ArrayDeque<Flight> flights = new java.util.ArrayDeque<>();
        Flight current = null;
        UploadPlan.Item held = null; // taken from the queue and not yet in a flight
        try {
            while (true) {
                while (!broken.get() && flights.size() < WINDOW) {
                    held = state.pending.pollFirst();
                    if (held == null) {
                        break;
                    }
                    UploadPlan.Item item = held;
                    String target = host.remotePath(dest + "/" + item.remotePath());
                    int slash = target.lastIndexOf('/');
                    String part = target.substring(0, slash + 1) + "." + target.substring(slash + 1) + PART_SUFFIX;
                    if (item.size() < 0 || item.size() > PIPELINE_MAX_BYTES) {
                        streamOne(sftp, item, part, target, posixRename, state, buf); // settles the item itself
                        held = null;
                        continue;
                    }
                    byte[] content;
                    Streams.Copied copied;
                    // at most the planned size (<= PIPELINE_MAX_BYTES) is read, however much the file has now
                    try (Streams.SourceStream in = Streams.open(item)) {
                        java.io.ByteArrayOutputStream mem = new java.io.ByteArrayOutputStream((int) item.size());
                        copied = Streams.copy(item, in, mem, settings.gzipLevel(), buf);
                        content = mem.toByteArray();
                    } catch (Streams.SourceReadException e) {
                        held = null;
                        state.failed(item, e.getMessage());
                        continue;
                    }
                    Flight f = new Flight(item, part, target, content, copied);
                    flights.addLast(f);
                    held = null;
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_OPEN, openRequest(part)));
                }
                current = flights.pollFirst();
                if (current == null) {
                    return;
                }
                if (advance(raw, current, posixRename, state)) {
                    flights.addLast(current);
                }
                current = null;
            }
        } catch (Throwable e) {
            // The channel or session broke, or something failed that no file caused (a bug, no memory
            // left): every file this worker held goes back to the queue for the next attempt, so none is
            // lost. Files in CLEANING have failed for good already.
            broken.set(true);
            if (held != null) {
                requeue(state, held);
            }
            if (current != null && current.stage != Stage.CLEANING) {
                requeue(state, current.item);
            }
            for (Flight f : flights) {
                if (f.stage != Stage.CLEANING) {
                    requeue(state, f.item);
                }
            }
            throw asIOException(e);
        }
    }

    private static void requeue(TransferState state, UploadPlan.Item item) {
        if (!state.isFinished(item)) {
            state.pending.addFirst(item);
        }
    }

    static IOException asIOException(Throwable e) {
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    /** Consumes the replies of the flight's current stage and sends the next; false when it is finished. */
    private boolean advance(RawSftpClient raw, Flight f, boolean posixRename, TransferState state) throws IOException {
        switch (f.stage) {
            case OPENING -> {
                SftpResponse r = SftpResponse.parse(SftpConstants.SSH_FXP_OPEN, raw.receive(f.ids.get(0)));
                f.ids.clear();
                if (r.getType() != SftpConstants.SSH_FXP_HANDLE) {
                    state.failed(f.item, "server refused it: " + problemOf(r));
                    return false;
                }
                byte[] handle = r.getBuffer().getBytes();
                int chunk = settings.writeBufferSize() - 64;
                for (int off = 0; off < f.content.length; off += chunk) {
                    int len = Math.min(chunk, f.content.length - off);
                    ByteArrayBuffer b = new ByteArrayBuffer(handle.length + len + 32, false);
                    b.putBytes(handle);
                    b.putLong(off);
                    b.putBytes(f.content, off, len);
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_WRITE, b));
                }
                ByteArrayBuffer close = new ByteArrayBuffer(handle.length + 16, false);
                close.putBytes(handle);
                f.ids.add(raw.send(SftpConstants.SSH_FXP_CLOSE, close));
                f.stage = Stage.WRITING;
                return true;
            }
            case WRITING -> {
                String problem = null;
                for (int i = 0; i < f.ids.size(); i++) {
                    int cmd = i == f.ids.size() - 1 ? SftpConstants.SSH_FXP_CLOSE : SftpConstants.SSH_FXP_WRITE;
                    SftpResponse r = SftpResponse.parse(cmd, raw.receive(f.ids.get(i)));
                    String p = problemOf(r);
                    if (problem == null) {
                        problem = p;
                    }
                }
                f.ids.clear();
                if (problem != null) {
                    // CLEANING before the send: if the channel breaks on it, the file is failed and
                    // reported, never queued again behind our back
                    f.stage = Stage.CLEANING;
                    state.failed(f.item, "server refused it: " + problem);
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(f.part)));
                    return true;
                }
                // only now: a rename must never put a file whose writes failed under the final name
                if (posixRename) {
                    ByteArrayBuffer b = new ByteArrayBuffer(f.part.length() + f.target.length() + 64, false);
                    b.putString(POSIX_RENAME);
                    b.putString(f.part);
                    b.putString(f.target);
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_EXTENDED, b));
                } else {
                    // SFTP v3 rename does not replace: remove first (a reader may briefly see no file, never a half one)
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(f.target)));
                    ByteArrayBuffer b = new ByteArrayBuffer(f.part.length() + f.target.length() + 32, false);
                    b.putString(f.part);
                    b.putString(f.target);
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_RENAME, b));
                }
                f.stage = Stage.RENAMING;
                return true;
            }
            case RENAMING -> {
                String problem = null;
                for (int i = 0; i < f.ids.size(); i++) {
                    int cmd = f.ids.size() == 1 ? SftpConstants.SSH_FXP_EXTENDED
                            : i == 0 ? SftpConstants.SSH_FXP_REMOVE : SftpConstants.SSH_FXP_RENAME;
                    // the REMOVE before a plain rename may well find nothing: only the rename counts
                    problem = problemOf(SftpResponse.parse(cmd, raw.receive(f.ids.get(i))));
                }
                f.ids.clear();
                if (problem != null) {
                    f.stage = Stage.CLEANING;
                    state.failed(f.item, "server refused the rename to its final name: " + problem);
                    f.ids.add(raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(f.part)));
                    return true;
                }
                uploaded(state, f.item, f.copied);
                return false;
            }
            case CLEANING -> {
                raw.receive(f.ids.get(0)); // best effort: whatever the outcome, the file already failed
                return false;
            }
            default -> throw new IllegalStateException(f.stage.toString());
        }
    }

    private static ByteArrayBuffer openRequest(String path) {
        ByteArrayBuffer b = new ByteArrayBuffer(path.length() * 3 + 32, false);
        b.putString(path);
        b.putInt(SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_TRUNC);
        b.putInt(0); // no attributes: the server's umask decides the mode
        return b;
    }

    private static ByteArrayBuffer pathRequest(String path) {
        ByteArrayBuffer b = new ByteArrayBuffer(path.length() * 3 + 16, false);
        b.putString(path);
        return b;
    }

    /** Null for an OK status, else what the server said. Reads the reply's body, so call it once. */
    private static String problemOf(SftpResponse r) {
        if (r.getType() != SftpConstants.SSH_FXP_STATUS) {
            return r.getType() == SftpConstants.SSH_FXP_HANDLE ? null : "unexpected reply type " + r.getType();
        }
        try {
            SftpStatus s = SftpStatus.parse(r);
            return s.isOk() ? null : SftpConstants.getStatusName(s.getStatusCode()) + " " + s.getMessage();
        } catch (IOException | RuntimeException e) {
            return "unreadable status reply: " + e.getMessage();
        }
    }

    /** A large file (or one of unknown size): MINA's async stream keeps several writes in flight. */
    private void streamOne(SftpClient sftp, UploadPlan.Item item, String part, String target, boolean posixRename,
            TransferState state, byte[] buf) throws IOException {
        boolean settled = false; // uploaded or failed for good; otherwise it goes back to the queue
        try {
            Streams.Copied copied;
            try (Streams.SourceStream in = Streams.open(item);
                    OutputStream out = sftp.write(part, settings.writeBufferSize(),
                            EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                                    SftpClient.OpenMode.Truncate))) {
                copied = Streams.copy(item, in, out, settings.gzipLevel(), buf);
            }
            rename(sftp, part, target, posixRename);
            settled = true;
            uploaded(state, item, copied);
        } catch (Streams.SourceReadException e) {
            settled = true;
            removeQuietly(sftp, part);
            state.failed(item, e.getMessage());
        } catch (SftpException e) {
            if (!sftp.isOpen() || e.getStatus() == SftpConstants.SSH_FX_NO_CONNECTION
                    || e.getStatus() == SftpConstants.SSH_FX_CONNECTION_LOST) {
                throw e;
            }
            settled = true;
            removeQuietly(sftp, part);
            state.failed(item, "server refused it: " + e.getMessage());
        } finally {
            if (!settled) {
                requeue(state, item);
            }
        }
    }

    static void uploaded(TransferState state, UploadPlan.Item item, Streams.Copied copied) {
        if (copied.grew()) {
            state.uploadedChanged(item, copied.sourceBytes(), copied.sentBytes(), Streams.grewReason(item));
        } else {
            state.uploaded(item, copied.sourceBytes(), copied.sentBytes());
        }
    }

    private static void rename(SftpClient sftp, String from, String to, boolean posixRename) throws IOException {
        if (posixRename) {
            sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename(from, to);
        } else if (sftp.getVersion() >= SftpConstants.SFTP_V5) {
            sftp.rename(from, to, SftpClient.CopyMode.Overwrite, SftpClient.CopyMode.Atomic);
        } else {
            // SFTP v3 rename does not replace: remove first (a reader may briefly see no file, never a half one)
            try {
                sftp.remove(to);
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
            sftp.rename(from, to);
        }
    }

    private static void removeQuietly(SftpClient sftp, String path) {
        try {
            sftp.remove(path);
        } catch (IOException e) {
            // nothing there, or gone with the connection
        }
    }
}
