package dev.tollgate.logs;

import java.io.BufferedOutputStream;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
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
 *       ({@code .NAME.tollgate-stage-ID}), and the script renames that folder to the destination once
 *       tar exited 0. The whole folder appears at once; no per-file round trip is left. If tar fails,
 *       the script removes the stage folder and the files go over SFTP instead.</li>
 *   <li><b>parts</b> (the folder exists, e.g. a retry after it was published): tar unpacks each file
 *       as {@code .NAME.tollgate-part} in its directory, and once tar exited 0 each is renamed over its
 *       final name on an SFTP channel (posix-rename, atomic; the channel is opened in this mode only,
 *       before any data), all renames in flight at once, each file reported by its own rename's reply
 *       as the SFTP path does.</li>
 * </ul>
 *
 * <p>The stream is gzipped at level 1 ({@code tar -z} on the server) unless the files are gzipped one
 * by one already: text logs shrink to about a third, and on a long link the SSH channel window, not
 * the CPU, bounds how fast bytes go. Compression runs on its own thread ({@link BlockGzipOutputStream}).
 *
 * <p>What goes into the archive: a directory entry for every directory (parents first: GNU tar then
 * replaces a link it finds at a directory's place instead of following it) and each file at its
 * planned length, read through {@link Streams} by a {@link ReadAhead} (no link followed, at most the
 * planned size). A file refused locally is reported and not sent. A large file that falls short while
 * being sent is zero-padded to keep the archive in step; in parts mode its copy is removed, in stage
 * mode the archive is abandoned unfinished (tar fails, the stage is removed, SFTP takes over), as a
 * padded file must never reach a final name. GNU tar refuses absolute names and {@code ..} by itself
 * too, and runs with {@code --no-same-owner --no-same-permissions --no-overwrite-dir -m}: files belong
 * to the login user, modes follow its umask, existing directories keep theirs, times are the server's.
 *
 * <p>A broken connection leaves every unsettled file queued for the next attempt; the server's tar
 * then reads an end of stream inside the archive and the script removes that attempt's stage. Runs
 * on the publishing thread; the read-ahead and the compression have threads of their own.
 */
final class TarUploader {
    private static final System.Logger LOG = System.getLogger(TarUploader.class.getName());
    /** What the script prints when ready: computed by the shell, so an echo of the command never matches. */
    static final String READY_MARKER = "tollgate-tar-ready-42";
    /** How long the server has to answer the probe. A forced command that reads stdin never answers. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    static final String STAGE_INFIX = ".tollgate-stage-";
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

    TarUploader(PublisherSettings settings) {
        this.settings = settings;
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
        return "cd -P -- " + ScpUploader.shellQuote(host.rootPath()) + " && r=$PWD && for s in" + parents
                + "; do { [ -d \"$s\" ] || mkdir -- \"$s\"; } && cd -P -- \"$s\" && r=${r%/}/$s"
                + " && [ \"$PWD\" = \"$r\" ] || exit 3; done"
                + " && case $(tar --version 2>/dev/null) in 'tar (GNU tar) '*) ;; *) exit 4 ;; esac"
                + (compressed ? " && command -v gzip >/dev/null" : "")
                + " && l=" + leaf + " && t=.$l" + STAGE_INFIX + stageId
                + " && if [ -e \"$l\" ] || [ -L \"$l\" ]; then"
                + " cd -P -- \"$l\" && [ \"$PWD\" = \"${r%/}/$l\" ] || exit 3;"
                + " echo tollgate-tar-ready-$((40+2)) parts && exec " + tar + ";"
                + " else { [ -d \"$t\" ] || mkdir -- \"$t\"; } && cd -P -- \"$t\" && [ \"$PWD\" = \"${r%/}/$t\" ]"
                + " || exit 3;"
                + " echo tollgate-tar-ready-$((40+2)) stage && " + tar + " || { e=$?; cd .. && rm -rf -- \"$t\"; exit $e; };"
                + " cd .. && mv -T -- \"$t\" \"$l\" || { rm -rf -- \"$t\"; exit 5; }; fi";
    }

    Outcome upload(ClientSession session, LogHost host, TransferState state) throws IOException, Unavailable {
        List<UploadPlan.Item> items = new ArrayList<>(state.pending);
        if (items.isEmpty()) {
            return Outcome.DONE;
        }
        // files of one directory together: the server's tar and disk see them in order
        items.sort(Comparator.comparing(UploadPlan.Item::remotePath));
        String dest = state.plan.destination();
        // The stream is gzipped (level 1) unless the files are gzipped one by one already (the gzip
        // option): text logs shrink to about a third, and on a long link the SSH channel window (2 MiB
        // in flight per round trip with OpenSSH) limits how fast bytes go, not the CPU.
        boolean compressed = items.stream().noneMatch(UploadPlan.Item::gzip);
        SftpClient sftp = null;
        ChannelExec exec = null;
        // reading starts now: the wait for the server's answer is then not idle
        ReadAhead ahead = new ReadAhead(items, state, settings.gzipLevel());
        try {
            Output stdout = new Output(true);
            Output stderr = new Output(false);
            // a stage of its own for each attempt: the script of a broken attempt may still be removing its
            // stage on the server while the next attempt runs
            byte[] id = new byte[6];
            RANDOM.nextBytes(id);
            exec = session.createExecChannel(command(host, dest, java.util.HexFormat.of().formatHex(id), compressed));
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
            }
            List<Sent> sent;
            try {
                sent = stream(exec, items, ahead, mode, compressed);
            } catch (Abandoned e) {
                exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), settings.connectTimeout());
                LOG.log(Level.WARNING, "log publish to {0}: {1}; the server''s tar was stopped (exit status {2}) and"
                        + " the files go over SFTP instead", host.name(), e.getMessage(), exec.getExitStatus());
                return Outcome.TAR_FAILED;
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
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), settings.idleTimeout());
            Integer status = exec.getExitStatus();
            if (status == null) {
                throw new IOException("the server's tar ended without an exit status" + describeOutput(stdout, stderr));
            }
            if (status != 0) {
                LOG.log(Level.WARNING, "log publish to {0}: the server''s tar exited with status {1}{2}; sending the"
                        + " files over SFTP instead", host.name(), status, describeOutput(stdout, stderr));
                return Outcome.TAR_FAILED;
            }
            if (mode == Mode.STAGE) {
                // the stage folder is the destination now: every file in it is in place
                for (Sent s : sent) {
                    state.pending.remove(s.item());
                    SftpUploader.uploaded(state, s.item(), s.copied());
                }
            } else {
                renameAll(sftp, host, dest, sent, state);
            }
            return Outcome.DONE;
        } finally {
            ahead.close();
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

    /** A file that went into the archive, and whether its bytes there are the planned ones. */
    private record Sent(UploadPlan.Item item, Streams.Copied copied, String spoiled) {}

    /** The archive was left unfinished on purpose (a padded file must not reach a final name). */
    private static final class Abandoned extends IOException {
        Abandoned(String message) {
            super(message);
        }
    }

    /** Writes the archive: directories first, then each file (under its final or its part name). */
    private List<Sent> stream(ChannelExec exec, List<UploadPlan.Item> items, ReadAhead ahead, Mode mode,
            boolean compressed) throws IOException {
        List<Sent> sent = new ArrayList<>();
        byte[] buf = new byte[64 * 1024];
        OutputStream channelIn = exec.getInvertedIn();
        OutputStream buffered = new BufferedOutputStream(channelIn, 64 * 1024);
        BlockGzipOutputStream gzip = null;
        if (compressed) {
            // level 1: most of the saving for the least CPU. Half the cores: the rest read the files
            // and encrypt (on two cores one thread compressing measured faster than two)
            gzip = new BlockGzipOutputStream(buffered, 1, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
            buffered = gzip;
        }
        try {
            return writeArchive(channelIn, buffered, items, ahead, mode, sent, buf);
        } finally {
            if (gzip != null) {
                gzip.abandon(); // after a close there is nothing left to stop
            }
        }
    }

    private List<Sent> writeArchive(OutputStream channelIn, OutputStream buffered, List<UploadPlan.Item> items,
            ReadAhead ahead, Mode mode, List<Sent> sent, byte[] buf) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(buffered, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        long now = System.currentTimeMillis();
        for (String dir : directoriesOf(items)) {
            TarArchiveEntry e = new TarArchiveEntry(dir + "/");
            e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
            anonymous(e, now);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        }
        for (ReadAhead.Ready r; (r = ahead.next()) != null; ) {
            String name = mode == Mode.STAGE ? r.item.remotePath() : partName(r.item.remotePath());
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
            e.setSize(r.length);
            anonymous(e, now);
            tar.putArchiveEntry(e);
            String spoiled = null;
            Streams.Copied copied = r.copied;
            if (r.content != null) {
                tar.write(r.content);
            } else {
                try {
                    // parts mode: zero-padded to its length, the archive stays in step, the copy is removed
                    r.payload.writeTo(tar, buf, mode == Mode.PARTS);
                } catch (Streams.SourceReadException ex) {
                    spoiled = ex.getMessage();
                }
                copied = new Streams.Copied(r.payload.sourceBytes(), r.length, r.payload.grew());
            }
            ahead.done(r);
            if (spoiled != null && mode == Mode.STAGE) {
                // Stage mode must not finish: the entry's header and part of its data go out, then EOF.
                // Ending inside an entry is an error for tar (ending between entries is not), so its
                // script removes the stage. tar holds back less than one 512-byte record.
                buffered.flush();
                channelIn.close();
                throw new Abandoned(RemoteNames.printable(r.item.remotePath()) + ": " + spoiled);
            }
            tar.closeArchiveEntry();
            sent.add(new Sent(r.item, copied, spoiled));
        }
        // close, not finish + flush: commons-compress does not pass a flush on to the channel, and the
        // close sends the last blocks and then EOF, on which the server's tar finishes
        tar.close();
        return sent;
    }

    private static void anonymous(TarArchiveEntry e, long now) {
        // owner names are not the server's business (and it takes none: --no-same-owner)
        e.setUserName("");
        e.setGroupName("");
        e.setUserId(0);
        e.setGroupId(0);
        e.setModTime(now);
    }

    /** Every directory the files need, parents first. */
    static List<String> directoriesOf(List<UploadPlan.Item> items) {
        Set<String> dirs = new TreeSet<>(Comparator.comparingInt((String d) -> d.split("/").length)
                .thenComparing(d -> d));
        for (UploadPlan.Item i : items) {
            String p = i.remotePath();
            int slash;
            while ((slash = p.lastIndexOf('/')) > 0) {
                p = p.substring(0, slash);
                dirs.add(p);
            }
        }
        return new ArrayList<>(dirs);
    }

    /** {@code a/b/c.txt} becomes {@code a/b/.c.txt.tollgate-part}, as the SFTP path names it. */
    static String partName(String remotePath) {
        int slash = remotePath.lastIndexOf('/');
        return remotePath.substring(0, slash + 1) + "." + remotePath.substring(slash + 1) + SftpUploader.PART_SUFFIX;
    }

    /**
     * Renames every intact file over its final name, with up to {@link #RENAME_WINDOW} requests in
     * flight, and reports each by its own reply; removes the copies of files that fell short.
     */
    private void renameAll(SftpClient sftp, LogHost host, String dest, List<Sent> sent, TransferState state)
            throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        boolean posixRename = posix != null && posix.isSupported();
        RawSftpClient raw = (RawSftpClient) sftp;
        record Request(int cmd, int id) {}
        record InFlight(Sent sent, List<Request> requests) {}
        java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
        List<String> cleanup = new ArrayList<>();
        int next = 0;
        while (next < sent.size() || !inFlight.isEmpty()) {
            while (next < sent.size() && inFlight.size() < RENAME_WINDOW) {
                Sent s = sent.get(next++);
                String target = host.remotePath(dest + "/" + s.item().remotePath());
                String part = host.remotePath(dest + "/" + partName(s.item().remotePath()));
                List<Request> requests = new ArrayList<>();
                if (s.spoiled() != null) {
                    requests.add(new Request(SftpConstants.SSH_FXP_REMOVE,
                            raw.send(SftpConstants.SSH_FXP_REMOVE, pathRequest(part))));
                } else if (posixRename) {
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
            if (f.sent().spoiled() != null) {
                state.failed(item, f.sent().spoiled());
            } else if (problem != null) {
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
