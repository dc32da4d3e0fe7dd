package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.channel.ChannelExec;

/**
 * The exec channel of {@code gerrit stream-events}, asking for a reply to the exec request, so
 * "connected" is announced only once the server has accepted the command (a refused or failing
 * command is told apart from a quiet stream). The reply does not prove the subscription: Gerrit
 * 3.10 answers when it has handed the command to its executor, and subscribes the stream a moment
 * later on that thread. An event fired in that moment is not streamed, and the recovery that runs
 * right after the reply may not see it yet; so {@link GerritStream} recovers once more when the
 * first live line proves the subscription.
 */
final class StreamEventsChannel extends ChannelExec {
    final CompletableFuture<Boolean> started = new CompletableFuture<>();

    StreamEventsChannel() {
        super(GerritStream.COMMAND, null, Collections.emptyMap());
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
