package dev.tollgate.recycle.jenkins;

import dev.tollgate.recycle.RecycleEvent;
import hudson.ExtensionPoint;

/**
 * Hears what node recycling does: an agent taken offline, back online, replaced, or a recycle that
 * failed (each failure once). Implement it with {@code @Extension} to notify people; every event is
 * also logged. Called on the thread that made the step happen (an executor finishing, the ticker, a
 * connection event), outside the recycler's lock; must be quick and must not throw.
 */
public interface RecycleEventListener extends ExtensionPoint {
    void onEvent(RecycleEvent event);
}
