package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.channel.ChannelExec;

/**
 * The exec channel of {@code gerrit stream-events}, asking for a reply to the exec request: the
 * server answers only once the command has started, i.e. once Gerrit has subscribed it to
 * events. Without that, "connected" would be announced before the subscription exists, and
 * events of that instant would be neither streamed nor recovered.
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
