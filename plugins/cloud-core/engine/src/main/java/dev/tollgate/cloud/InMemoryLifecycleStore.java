package dev.tollgate.cloud;

import dev.tollgate.cloud.port.LifecycleStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link LifecycleStore} in memory: for tests and for callers that persist elsewhere. */
public final class InMemoryLifecycleStore implements LifecycleStore {
    private final Map<String, Map<String, String>> records = new ConcurrentHashMap<>();

    @Override
    public void save(AgentRecord record) {
        // stored in flat form, as a real store would, so that round trips are exercised
        records.put(record.agentName(), record.toMap());
    }

    @Override
    public void delete(String agentName) {
        records.remove(agentName);
    }

    @Override
    public Collection<AgentRecord> loadAll() {
        return records.values().stream().map(AgentRecord::fromMap).toList();
    }

    public int size() {
        return records.size();
    }

    public List<String> names() {
        return List.copyOf(records.keySet());
    }
}
