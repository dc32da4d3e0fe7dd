package dev.tollgate.pipeline.gerrit;

/**
 * The exec channel of {@code gerrit stream-events}, asking for a reply to the exec request, so
 * "connected" is announced only once the server has accepted the command (a refused or failing
 * command is told apart from a quiet stream). The reply does not prove the subscription: Gerrit
 * 3.10 answers when it has handed the command to its executor, and subscribes the stream a moment
 * later on that thread. An event fired in that moment is not streamed, and the recovery that runs
 * right after the reply may not see it yet; so {@link GerritStream} recovers once more when the
 * first live line proves the subscription.
 */
final class StreamEventsChannel extends ExecWithReply {
    StreamEventsChannel() {
        super(GerritStream.COMMAND);
    }
}
