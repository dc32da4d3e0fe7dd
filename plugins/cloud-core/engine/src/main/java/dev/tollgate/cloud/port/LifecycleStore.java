package dev.tollgate.cloud.port;

import dev.tollgate.cloud.AgentRecord;
import java.util.Collection;

/**
 * Port: durable storage of lifecycle records, so that a controller restart leaks nothing. The engine
 * saves a record BEFORE it asks the cloud for the instance. {@link AgentRecord#toMap()} and
 * {@link AgentRecord#fromMap} give a flat string form for any storage. Failures are unchecked
 * exceptions; the engine then does not start the instance.
 *
 * <p>The store is the engine's own record, not the outside world: it is written under the engine's
 * lock, so saved records never run behind or out of order. An implementation writes and returns; it
 * must not call the engine or wait for a lock another engine caller may hold (a file write is right).
 */
public interface LifecycleStore {
    /** Inserts or replaces the record with this agent name. */
    void save(AgentRecord record);

    /** Forgets the record; unknown names are ignored. */
    void delete(String agentName);

    /** Every stored record (called once when the engine is built). */
    Collection<AgentRecord> loadAll();
}
