package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * The fallback for servers without SFTP: one {@code scp -r -t ROOT} channel receives the whole tree as
 * a stream of D/C/E messages (the classic rcp protocol), so there is no round trip per directory.
 * SCP cannot rename, so files are written under their final names; a retry rewrites a file whole.
 * A C message announces the exact length: a plain file is streamed at its planned size, a gzipped one
 * (or one of unknown size) is spooled first ({@link Streams.SizedPayload}). Runs on the publishing
 * thread; one instance per attempt.
 */
final class ScpUploader {
    private static final System.Logger LOG = System.getLogger(ScpUploader.class.getName());
    /** An SCP error reply is one line; more than this is not an error message. */
    private static final int MAX_REPLY_BYTES = 8 * 1024;
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9/._+-]+");

    private final PublisherSettings settings;

    ScpUploader(PublisherSettings settings) {
        this.settings = settings;
    }

    void upload(ClientSession session, LogHost host, TransferState state) throws IOException {
        String command = "scp -r -t " + shellQuote(host.rootPath());
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.open().verify(settings.connectTimeout());
            OutputStream out = channel.getInvertedIn();
            InputStream in = channel.getInvertedOut();
            Deque<String> open = new ArrayDeque<>();
            List<String> dest = List.of(state.plan.destination().split("/"));
            List<UploadPlan.Item> items = new ArrayList<>(state.pending);
            // group files by directory so each directory is entered once
            items.sort(Comparator.comparing((UploadPlan.Item i) -> parent(i.remotePath())).thenComparing(
                    UploadPlan.Item::remotePath));
            byte[] buf = new byte[settings.writeBufferSize()];
            for (UploadPlan.Item item : items) {
                List<String> dirs = new ArrayList<>(dest);
                String parent = parent(item.remotePath());
                if (!parent.isEmpty()) {
                    dirs.addAll(List.of(parent.split("/")));
                }
                enter(out, in, open, dirs);
                sendOne(out, in, item, state, buf);
            }
            while (!open.isEmpty()) {
                expectOk(send(out, in, "E"), "leaving " + open.pop());
            }
            out.close(); // EOF ends the remote scp
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), settings.idleTimeout());
            Integer status = channel.getExitStatus();
            if (status != null && status != 0) {
                LOG.log(Level.WARNING, "log publish: remote scp exited with status {0}", status);
            }
        }
    }

    /**
     * One C message and the file's bytes, streamed: the length announced is the planned size (or, for a
     * gzipped file or one of unknown size, the length of its spooled copy), so memory stays bounded
     * whatever the file's size. The file leaves the queue only once the server's answer is in, so a
     * broken connection (or any other failure) leaves it queued for the next attempt.
     */
    private void sendOne(OutputStream out, InputStream in, UploadPlan.Item item, TransferState state, byte[] buf)
            throws IOException {
        Streams.SizedPayload payload;
        try {
            payload = Streams.SizedPayload.prepare(item, settings.gzipLevel(), buf);
        } catch (Streams.SourceReadException e) {
            state.pending.remove(item);
            state.failed(item, e.getMessage());
            return;
        }
        try (payload) {
            String name = item.remotePath().substring(item.remotePath().lastIndexOf('/') + 1);
            String refused = send(out, in, "C0644 " + payload.length + " " + name);
            if (refused != null) {
                state.pending.remove(item);
                state.failed(item, "server refused it: " + refused);
                return;
            }
            Streams.SourceReadException spoiled = null;
            try {
                payload.writeTo(out, buf); // exactly payload.length bytes, zero-padded if the source fell short
            } catch (Streams.SourceReadException e) {
                spoiled = e;
            }
            out.write(0);
            out.flush();
            refused = readAck(in);
            if (spoiled != null) {
                // the copy holds zeros where the source fell short, and SCP cannot remove a file: empty it
                String emptied = send(out, in, "C0644 0 " + name);
                if (emptied == null) {
                    out.write(0);
                    out.flush();
                    readAck(in);
                }
                state.pending.remove(item);
                state.failed(item, spoiled.getMessage() + " (over SCP it is left empty on the server)");
            } else if (refused != null) {
                state.pending.remove(item);
                state.failed(item, "server refused it: " + refused);
            } else {
                state.pending.remove(item);
                Streams.Copied copied = new Streams.Copied(payload.sourceBytes(), payload.length, payload.grew());
                SftpUploader.uploaded(state, item, copied);
            }
        }
    }

    /** Leaves and enters directories (E and D messages) so that the open ones are exactly {@code dirs}. */
    private static void enter(OutputStream out, InputStream in, Deque<String> open, List<String> dirs)
            throws IOException {
        List<String> current = new ArrayList<>(open);
        java.util.Collections.reverse(current); // deque head is the innermost directory
        int common = 0;
        while (common < current.size() && common < dirs.size() && current.get(common).equals(dirs.get(common))) {
            common++;
        }
        for (int i = current.size(); i > common; i--) {
            expectOk(send(out, in, "E"), "leaving " + open.pop());
        }
        for (int i = common; i < dirs.size(); i++) {
            expectOk(send(out, in, "D0755 0 " + dirs.get(i)), "entering directory " + dirs.get(i));
            open.push(dirs.get(i));
        }
    }

    private static void expectOk(String refused, String what) throws IOException {
        if (refused != null) {
            throw new SftpUploader.FatalRemoteException("scp refused " + what + ": " + refused, null);
        }
    }

    /** Sends one protocol line; returns null when acknowledged, else the server's message. */
    private static String send(OutputStream out, InputStream in, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readAck(in);
    }

    private static String readAck(InputStream in) throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new EOFException("scp channel closed");
        }
        if (c == 0) {
            return null;
        }
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (msg.size() >= MAX_REPLY_BYTES) {
                // a server that never ends its message must not fill the heap
                throw new IOException("scp reply longer than " + MAX_REPLY_BYTES + " bytes without a line end");
            }
            msg.write(b);
        }
        if (b < 0) {
            throw new EOFException("scp channel closed");
        }
        return msg.toString(StandardCharsets.UTF_8).trim();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String shellQuote(String s) {
        return SHELL_SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
