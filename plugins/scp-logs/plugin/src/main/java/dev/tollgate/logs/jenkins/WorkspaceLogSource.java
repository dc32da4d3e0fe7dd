package dev.tollgate.logs.jenkins;

import dev.tollgate.logs.LocalLogSource;
import dev.tollgate.logs.LogSource;
import hudson.FilePath;
import hudson.remoting.RemoteInputStream;
import hudson.remoting.VirtualChannel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import jenkins.MasterToSlaveFileCallable;

/**
 * A build's workspace as the engine's {@link LogSource}, wherever it is. The files are judged where
 * they are: {@link ListLogFiles} runs the engine's {@link LocalLogSource} walk on the agent (patterns,
 * links, special files, hard links) and sends back the listing; {@link OpenLogFile} opens one listed
 * file there, refused if it is no longer the file listed, and sends its bytes to the controller as a
 * stream the agent pushes (remoting's greedy {@link RemoteInputStream}, flow-controlled by the
 * channel's pipe window), ending one byte past the listed size. The upload itself, and the log host's
 * credentials, stay on the controller: the callables carry patterns and listing entries, nothing else.
 * When the workspace is on the controller, the same calls run in place. Thread-safe: the upload
 * channels open files concurrently, each through its own call.
 */
public final class WorkspaceLogSource implements LogSource {
    private final FilePath workspace;

    public WorkspaceLogSource(FilePath workspace) {
        this.workspace = Objects.requireNonNull(workspace, "workspace");
    }

    @Override
    public Listing list(String includes, String excludes) throws IOException {
        try {
            return workspace.act(new ListLogFiles(includes, excludes));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
    }

    @Override
    public InputStream open(Entry entry) throws IOException {
        try {
            return workspace.act(new OpenLogFile(entry));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
    }

    private static InterruptedIOException interrupted(InterruptedException e) {
        InterruptedIOException io = new InterruptedIOException("interrupted while asking the workspace's node");
        io.initCause(e);
        return io;
    }

    /** Lists the log files on the node that holds the workspace. */
    static final class ListLogFiles extends MasterToSlaveFileCallable<Listing> {
        private static final long serialVersionUID = 1L;
        private final String includes;
        private final String excludes;

        ListLogFiles(String includes, String excludes) {
            this.includes = includes;
            this.excludes = excludes;
        }

        @Override
        public Listing invoke(File workspace, VirtualChannel channel) throws IOException {
            return new LocalLogSource(workspace.toPath()).list(includes, excludes);
        }
    }

    /** Opens one listed file on the node that holds the workspace and streams it to the controller. */
    static final class OpenLogFile extends MasterToSlaveFileCallable<InputStream> {
        private static final long serialVersionUID = 1L;
        private final Entry entry;

        OpenLogFile(Entry entry) {
            this.entry = entry;
        }

        @Override
        public InputStream invoke(File workspace, VirtualChannel channel) throws IOException {
            return new RemoteInputStream(new LocalLogSource(workspace.toPath()).openBounded(entry),
                    RemoteInputStream.Flag.GREEDY);
        }
    }

    @Override
    public String toString() {
        return "workspace " + workspace.getRemote();
    }
}
