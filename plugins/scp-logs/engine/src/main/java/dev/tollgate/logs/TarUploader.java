package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.SftpResponse;
import org.apache.sshd.sftp.client.impl.SftpStatus;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * The fast path: the whole upload as one tar stream over one SSH exec channel, unpacked by GNU tar on
 * the server. A round trip is paid a handful of times per publish instead of per file or per
 * directory, which is what counts on a long link.
 *
 * <p>The exec command is a small POSIX sh script ({@link #command}). It enters the root and each
 * segment of the destination, creating missing ones one level at a time, and requires every level's
 * physical path to be the level above plus that segment, so a link on the server anywhere below the
 * root stops it before anything is created past the link. It checks that {@code tar} is GNU tar and
 * prints a ready line; only then is any data sent. Anything else (no exec, no shell, a forced command,
 * no GNU tar, a link in the destination) is {@link Unavailable} before a byte is sent, and the
 * publisher uses SFTP instead.
 *
 * <p>Two ways to put the files in place, so that no reader and no retry ever sees a partial file
 * under its final name:
 * <ul>
 *   <li><b>stage</b> (the destination folder does not exist yet, the usual case: each build has its
 *       own): tar unpacks the files under their final names into a new hidden folder beside it
 *       ({@code .NAME.tollgate-stage-ID}, a new ID for each attempt), and the script renames that
 *       folder to the destination once the archive arrived whole. The whole folder appears at once;
 *       no per-file round trip is left. Otherwise the script removes the stage and the files go over
 *       SFTP.</li>
 *   <li><b>parts</b> (the folder exists, e.g. a retry after it was published): tar unpacks each file
 *       as {@code .NAME.tollgate-part} in its directory, and once the archive arrived whole each is
 *       renamed over its final name on an SFTP channel (posix-rename, atomic; the channel is opened in
 *       this mode only, before any data), all renames in flight at once, each file reported by its
 *       own rename's reply as the SFTP path does.</li>
 * </ul>
 * "Arrived whole" is tar's exit status 0 and the archive's last entry ({@code .tollgate-complete-ID},
 * removed by the script) being there: GNU tar takes an archive that ends between two entries as
 * complete, so a stream cut by a broken connection, or given up by the {@link TarArchiver}, would
 * otherwise pass.
 *
 * <p>The archive ({@link TarArchiver}) is written on a thread of its own from before connecting, with
 * the stage's names, so the connection's round trips and the wait for the server's ready line are
 * spent reading and compressing; an existing folder gets an archive of its own with part names. It holds a directory entry for every directory
 * (parents first: GNU tar then replaces a link it finds at a directory's place instead of following
 * it) and each file at its planned length, read through {@link Streams} (no link followed, at most the
 * planned size). The stream is gzipped at level 1 ({@code tar -z} on the server) unless the files are
 * gzipped one by one already: text logs shrink to about a third, which is a third of the bytes to
 * encrypt and to carry (over a slow link the bytes bound the time). GNU tar refuses absolute names and {@code ..} by
 * itself too, and runs with {@code --no-same-owner --no-same-permissions --no-overwrite-dir -m}: files
 * belong to the login user, modes follow its umask, existing directories keep theirs, times are the
 * server's.
 *
 * <p>A broken connection leaves every unsettled file queued for the next attempt, and the server's
 * script throws that attempt's files away. One instance per attempt, made before connecting; it runs
 * on the publishing thread, which sends what the archiver writes.
 */
final class TarUploader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TarUploader.class.getName());
    /** What the script prints when ready: computed by the shell, so an echo of the command never matches. */
    static final String READY_MARKER = "tollgate-tar-ready-42";
    /** How long the server has to answer the probe. A forced command that reads stdin never answers. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    static final String STAGE_INFIX = ".tollgate-stage-";
    static final String COMPLETION_PREFIX = ".tollgate-complete-";
    /** Bytes of the server's stdout and stderr kept for messages; the rest is dropped. */
    private static final int KEEP_OUTPUT_BYTES = 8 * 1024;
    /** Renames in flight on the SFTP channel at once. */
    private static final int RENAME_WINDOW = 256;
    private static final String POSIX_RENAME = "posix-rename@openssh.com";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** The server does not take a tar stream; nothing was sent. */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How the tar stream went. */
    enum Outcome {
        /** Every file that was queued is settled: uploaded or failed for good. */
        DONE,
        /** The server's tar failed; the files it was sent are still queued, for SFTP. */
        TAR_FAILED
    }

    /** Where tar unpacks, as the script found the destination. */
    private enum Mode { STAGE, PARTS }

    private final PublisherSettings settings;
    private final TransferState state;
    /** The files of this attempt, by remote path: files of one directory together on the server's disk. */
    private final List<UploadPlan.Item> items;
    private final boolean compressed;
    /** Names this attempt's stage and completion entry. */
    private final String id;
    private TarArchiver archiver;

    /**
     * One attempt. The archive starts being written at once, for a new folder (the usual case) with
     * final names, so connecting and the wait for the server's answer are spent reading and
     * compressing; an existing folder needs part names and gets an archive of its own then.
     */
    TarUploader(PublisherSettings settings, TransferState state) {
        this.settings = settings;
        this.state = state;
        this.items = new ArrayList<>(state.pending);
        items.sort(Comparator.comparing(UploadPlan.Item::remotePath));
        // The stream is gzipped (level 1) unless the files are gzipped one by one already (the gzip
        // option): text logs shrink to about a third, a third of the bytes to encrypt and to carry.
        this.compressed = items.stream().noneMatch(UploadPlan.Item::gzip);
        // a stage of its own for each attempt: the script of a broken attempt may still be removing its
        // stage on the server while the next attempt runs
        this.id = attemptId(items);
        this.archiver = items.isEmpty() ? null : new TarArchiver(items, state, UploadPlan.Item::remotePath,
                COMPLETION_PREFIX + id, compressed, settings.gzipLevel());
    }

    /** Stops the archive if it is still being written (the attempt ended early). */
    @Override
    public void close() {
        if (archiver != null) {
            archiver.close();
        }
    }

    /**
     * The exec command (one line of POSIX sh). Only shell built-ins run, besides {@code mkdir} for new
     * levels, one {@code tar --version}, and in stage mode one {@code mv}: every process costs time.
     * After {@code cd -P}, {@code $PWD} is the physical path.
     */
    static String command(LogHost host, String destination, String stageId, boolean compressed) {
        int slash = destination.lastIndexOf('/');
        StringBuilder parents = new StringBuilder();
        if (slash > 0) {
            for (String seg : destination.substring(0, slash).split("/")) {
                parents.append(' ').append(ScpUploader.shellQuote(seg));
            }
        }
        String leaf = ScpUploader.shellQuote(destination.substring(slash + 1));
        String tar = "tar -x " + (compressed ? "-z " : "") + "-f - --no-same-owner --no-same-permissions"
                + " --no-overwrite-dir -m";
        // the archive's last entry: without it the stream was cut, whatever tar says
        String whole = "{ [ -f " + COMPLETION_PREFIX + stageId + " ] && rm -f -- " + COMPLETION_PREFIX + stageId
                + "; }";
        return "cd -P -- " + ScpUploader.shellQuote(host.rootPath()) + " && r=$PWD && for s in" + parents
                + "; do { [ -d \"$s\" ] || mkdir -- \"$s\"; } && cd -P -- \"$s\" && r=${r%/}/$s"
                + " && [ \"$PWD\" = \"$r\" ] || exit 3; done"
                + " && case $(tar --version 2>/dev/null) in 'tar (GNU tar) '*) ;; *) exit 4 ;; esac"
                + (compressed ? " && command -v gzip >/dev/null" : "")
                + " && l=" + leaf + " && t=.$l" + STAGE_INFIX + stageId
                + " && if [ -e \"$l\" ] || [ -L \"$l\" ]; then"
                + " cd -P -- \"$l\" && [ \"$PWD\" = \"${r%/}/$l\" ] || exit 3;"
                + " echo tollgate-tar-ready-$((40+2)) parts && " + tar + " && " + whole + " || exit 6;"
                + " else { [ -d \"$t\" ] || mkdir -- \"$t\"; } && cd -P -- \"$t\" && [ \"$PWD\" = \"${r%/}/$t\" ]"
                + " || exit 3;"
                + " echo tollgate-tar-ready-$((40+2)) stage && " + tar + " && " + whole
                + " || { cd .. && rm -rf -- \"$t\"; exit 6; };"
                + " cd .. && mv -T -- \"$t\" \"$l\" || { rm -rf -- \"$t\"; exit 5; }; fi";
    }

    Outcome upload(ClientSession session, LogHost host) throws IOException, Unavailable {
        if (archiver == null) {
            return Outcome.DONE;
        }
        String dest = state.plan.destination();
        String completion = COMPLETION_PREFIX + id;
        SftpClient sftp = null;
        ChannelExec exec = null;
        try {
            Output stdout = new Output(true);
            Output stderr = new Output(false);
            exec = session.createExecChannel(command(host, dest, id, compressed));
            exec.setOut(stdout);
            exec.setErr(stderr);
            exec.addChannelListener(new ChannelListener() {
                @Override
                public void channelClosed(Channel channel, Throwable reason) {
                    stdout.closed();
                }
            });
            try {
                exec.open().verify(settings.connectTimeout());
            } catch (IOException | RuntimeException e) {
                if (!session.isOpen()) {
                    throw SftpUploader.asIOException(e);
                }
                throw new Unavailable("the server refused the exec channel: " + e.getMessage(), e);
            }
            if (!stdout.awaitDecision(PROBE_TIMEOUT) || stdout.mode() == null) {
                if (!session.isOpen()) {
                    throw new IOException("the connection closed while probing for tar");
                }
                throw new Unavailable("no tar stream: the server " + (stdout.decided()
                        ? "did not confirm it (exit status " + exec.getExitStatus() + ")"
                        : "did not answer within " + PROBE_TIMEOUT.toSeconds() + " s")
                        + describeOutput(stdout, stderr), null);
            }
            Mode mode = stdout.mode();
            if (mode == Mode.PARTS) {
                // only here is SFTP needed (for the renames); opened before a byte is sent, so that a
                // server without it leaves no part files behind
                sftp = openSftp(session);
                archiver.close();
                archiver = new TarArchiver(items, state, i -> partName(i.remotePath()), completion, compressed,
                        settings.gzipLevel());
            }
            OutputStream channelIn = exec.getInvertedIn();
            try {
                for (byte[] chunk; (chunk = archiver.next()) != null; ) {
                    channelIn.write(chunk);
                }
            } catch (IOException e) {
                if (!session.isOpen() || exec.getExitStatus() == null && !exec.isClosing()) {
                    throw e; // the connection broke: everything unsettled stays queued for the next attempt
                }
                // the server's tar ended early (e.g. the disk is full): SFTP says which files fail
                exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), settings.connectTimeout());
                LOG.log(Level.WARNING, "log publish to {0}: the server''s tar stopped reading (exit status {1}){2};"
                        + " sending the files over SFTP instead", host.name(), exec.getExitStatus(),
                        describeOutput(stdout, stderr));
                return Outcome.TAR_FAILED;
            }
            channelIn.close(); // EOF: the server's tar finishes
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), settings.idleTimeout());
            Integer status = exec.getExitStatus();
            if (archiver.abandoned() != null) {
                // no completion entry went out: the script threw the attempt's files away
                LOG.log(Level.WARNING, "log publish to {0}: {1}; the tar stream was given up (exit status {2}) and"
                        + " the files go over SFTP instead", host.name(), archiver.abandoned(), status);
                return Outcome.TAR_FAILED;
            }
            if (status == null) {
                throw new IOException("the server's tar ended without an exit status" + describeOutput(stdout, stderr));
            }
            if (status != 0) {
                LOG.log(Level.WARNING, "log publish to {0}: the server''s tar exited with status {1}{2}; sending the"
                        + " files over SFTP instead", host.name(), status, describeOutput(stdout, stderr));
                return Outcome.TAR_FAILED;
            }
            List<TarArchiver.Entry> sent = archiver.entries();
            if (mode == Mode.STAGE) {
                // the stage folder is the destination now: every file in it is in place
                for (TarArchiver.Entry e : sent) {
                    state.pending.remove(e.item());
                    SftpUploader.uploaded(state, e.item(), e.copied());
                }
            } else {
                renameAll(sftp, host, dest, sent, state);
            }
            return Outcome.DONE;
        } finally {
            close();
            if (exec != null) {
                exec.close(true);
            }
            if (sftp != null) {
                try {
                    sftp.close();
                } catch (IOException e) {
                    // the session may be gone already
                }
            }
        }
    }

    /** A fresh random ID, chosen so that the completion entry's name is no planned file's name. */
    private static String attemptId(List<UploadPlan.Item> items) {
        while (true) {
            byte[] b = new byte[6];
            RANDOM.nextBytes(b);
            String id = java.util.HexFormat.of().formatHex(b);
            String completion = COMPLETION_PREFIX + id;
            if (items.stream().noneMatch(i -> i.remotePath().equals(completion))) {
                return id;
            }
        }
    }

    private static SftpClient openSftp(ClientSession session) throws IOException, Unavailable {
        try {
            return SftpClientFactory.instance().createSftpClient(session,
                    SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3));
        } catch (IOException | RuntimeException e) {
            if (!session.isOpen()) {
                throw SftpUploader.asIOException(e);
            }
            // nothing was sent yet: the exec channel closes and its tar reads an empty stream
            throw new Unavailable("no SFTP channel for the renames: " + e.getMessage(), e);
        }
    }

    /** {@code a/b/c.txt} becomes {@code a/b/.c.txt.tollgate-part}, as the SFTP path names it. */
    static String partName(String remotePath) {
        int slash = remotePath.lastIndexOf('/');
        return remotePath.substring(0, slash + 1) + "." + remotePath.substring(slash + 1) + SftpUploader.PART_SUFFIX;
    }

    /**
     * Renames every intact file over its final name, with up to {@link #RENAME_WINDOW} requests in
     * flight, and reports each by its own reply.
     */
    private void renameAll(SftpClient sftp, LogHost host, String dest, List<TarArchiver.Entry> sent,
            TransferState state)
            throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        boolean posixRename = posix != null && posix.isSupported();
        RawSftpClient raw = (RawSftpClient) sftp;
        record Request(int cmd, int id) {}
        record InFlight(TarArchiver.Entry sent, List<Request> requests) {}
        java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
        List<String> cleanup = new ArrayList<>();
        int next = 0;
        while (next < sent.size() || !inFlight.isEmpty()) {
            while (next < sent.size() && inFlight.size() < RENAME_WINDOW) {
                TarArchiver.Entry s = sent.get(next++);
                String target = host.remotePath(dest + "/" + s.item().remotePath());
                String part = host.remotePath(dest + "/" + partName(s.item().remotePath()));
                List<Request> requests = new ArrayList<>();
                if (posixRename) {
                    ByteArrayBuffer b = new ByteArrayBuffer(part.length() * 3 + target.length() * 3 + 64, false);
                    b.putString(POSIX_RENAME);
                    b.putString(part);
                    b.putString(target);
                    requests.add(new Request(SftpConstants.SSH_FXP_EXTENDED,
                            raw.send(SftpConstants.SSH_FXP_EXTENDED, b)));
                } else {
                    // SFTP v3 rename does not replace: remove first (a reader may briefly see no file)
                    requests.add(new Request(SftpConstants.SSH_FXP_REMOVE,
                            raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(target))));
                    ByteArrayBuffer b = new ByteArrayBuffer(part.length() * 3 + target.length() * 3 + 32, false);
                    b.putString(part);
                    b.putString(target);
                    requests.add(new Request(SftpConstants.SSH_FXP_RENAME, raw.send(SftpConstants.SSH_FXP_RENAME, b)));
                }
                inFlight.addLast(new InFlight(s, requests));
            }
            InFlight f = inFlight.pollFirst();
            String problem = null;
            for (Request r : f.requests()) {
                // the REMOVE before a plain rename may well find nothing: only the last reply counts
                problem = problemOf(SftpResponse.parse(r.cmd(), raw.receive(r.id())));
            }
            UploadPlan.Item item = f.sent().item();
            state.pending.remove(item);
            if (problem != null) {
                state.failed(item, "server refused the rename to its final name: " + problem);
                cleanup.add(host.remotePath(dest + "/" + partName(item.remotePath())));
            } else {
                SftpUploader.uploaded(state, item, f.sent().copied());
            }
        }
        List<Integer> ids = new ArrayList<>();
        for (String part : cleanup) {
            ids.add(raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(part)));
        }
        for (int id : ids) {
            raw.receive(id); // best effort: those files have failed already
        }
    }

    private static ByteArrayBuffer pathRequest(String path) {
        ByteArrayBuffer b = new ByteArrayBuffer(path.length() * 3 + 16, false);
        b.putString(path);
        return b;
    }

    private static String problemOf(SftpResponse r) {
        if (r.getType() != SftpConstants.SSH_FXP_STATUS) {
            return "unexpected reply type " + r.getType();
        }
        try {
            SftpStatus s = SftpStatus.parse(r);
            return s.isOk() ? null : SftpConstants.getStatusName(s.getStatusCode()) + " " + s.getMessage();
        } catch (IOException | RuntimeException e) {
            return "unreadable status reply: " + e.getMessage();
        }
    }

    private static String describeOutput(Output stdout, Output stderr) {
        String out = stdout.text().strip();
        String err = stderr.text().strip();
        return (out.isEmpty() ? "" : "; stdout: " + RemoteNames.printable(out))
                + (err.isEmpty() ? "" : "; stderr: " + RemoteNames.printable(err));
    }

    /**
     * Where the server's stdout or stderr goes: the first {@link #KEEP_OUTPUT_BYTES} are kept for
     * messages, the rest dropped (a chatty server must neither fill the heap nor stall the channel).
     * On stdout it also watches for the ready marker. Written by MINA's I/O threads.
     */
    private static final class Output extends OutputStream {
        private final boolean watchForMarker;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final CountDownLatch decision = new CountDownLatch(1);
        private volatile Mode mode;

        Output(boolean watchForMarker) {
            this.watchForMarker = watchForMarker;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int keep = Math.min(len, KEEP_OUTPUT_BYTES - kept.size());
            if (keep > 0) {
                kept.write(b, off, keep);
            }
            if (!watchForMarker || decision.getCount() == 0) {
                return;
            }
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    String l = line.toString(StandardCharsets.UTF_8).strip();
                    if (l.equals(READY_MARKER + " stage") || l.equals(READY_MARKER + " parts")) {
                        mode = l.endsWith("stage") ? Mode.STAGE : Mode.PARTS;
                        decision.countDown();
                        return;
                    }
                    line.reset();
                } else if (line.size() < 256) {
                    line.write(b[i]);
                }
            }
            if (kept.size() >= KEEP_OUTPUT_BYTES) {
                decision.countDown(); // a screenful of something else: not our script
            }
        }

        void closed() {
            decision.countDown();
        }

        boolean awaitDecision(Duration timeout) {
            try {
                return decision.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        boolean decided() {
            return decision.getCount() == 0;
        }

        /** How the script will unpack, once it said it is ready; null before (or never). */
        Mode mode() {
            return mode;
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
