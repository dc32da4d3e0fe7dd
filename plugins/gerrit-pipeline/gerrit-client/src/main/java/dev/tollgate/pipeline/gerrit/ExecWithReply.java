package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.channel.ChannelExec;

/**
 * An exec channel whose exec request asks for the server's reply (the client sets
 * {@code REQUEST_EXEC_REPLY}, see {@link GerritSsh}): {@link #started} completes with true when the
 * server accepted the command, false when it refused it, so a refused command is told apart from a
 * quiet one. The reply is sent on MINA's I/O thread; {@code started} may be read from any thread.
 */
class ExecWithReply extends ChannelExec {
    final CompletableFuture<Boolean> started = new CompletableFuture<>();

    ExecWithReply(String command) {
        super(command, null, Collections.emptyMap());
    }

    @Override
    public void handleSuccess() throws IOException {
        super.handleSuccess();
        started.complete(Boolean.TRUE);
    }

    @Override
    public void handleFailure() throws IOException {
        started.complete(Boolean.FALSE);
        super.handleFailure();
    }
}
