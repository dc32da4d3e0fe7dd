package dev.tollgate.recycle.port;

import dev.tollgate.recycle.RecycleEvent;

/**
 * Port: where the recycler reports what happened (the plugin logs it and may notify admins). Called
 * outside the recycler's lock, one agent's events in the order they happened.
 */
public interface RecycleEvents {

    /** Must not throw; if it does, the recycler logs the exception and carries on. */
    void report(RecycleEvent event);
}
