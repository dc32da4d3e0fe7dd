package dev.tollgate.recycle.jenkins;

import hudson.slaves.OfflineCause;
import org.kohsuke.stapler.export.Exported;

/**
 * Why node recycling took an agent offline, as the node page, the nodes list and the API show it:
 * the engine's text, e.g. {@code Tollgate: rebooting after check-tempest #42 (FAILURE) — back in up
 * to 15 min}. Jenkins keeps the temporary offline cause with the node and saves it in the node's
 * configuration, so this is saved too (plain fields only). Immutable.
 *
 * <p>Its own {@code cause.jelly} shows the text escaped: it can hold the output of the reboot
 * command, which comes from the agent and is not trusted (core's view for causes writes the text
 * unescaped).
 */
public final class RecycleOfflineCause extends OfflineCause {
    private final String text;
    /** Taken while a recycle was running (not its final word): a restart of Jenkins leaves it unfinished. */
    private final boolean inProgress;

    public RecycleOfflineCause(String text, boolean inProgress) {
        this.text = text;
        this.inProgress = inProgress;
    }

    /** The text shown on the node page. */
    @Exported(name = "description")
    public String getText() {
        return text;
    }

    public boolean isInProgress() {
        return inProgress;
    }

    @Override
    public String toString() {
        return text;
    }
}
