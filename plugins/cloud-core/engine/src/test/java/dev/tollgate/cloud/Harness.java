package dev.tollgate.cloud;

import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;

/** One engine over the fakes, with a manual clock and creates run on the calling thread. */
final class Harness {
    final ManualClock clock = new ManualClock();
    final FaultyCloudDriver driver = new FaultyCloudDriver(clock);
    final FakeRegistry registry = new FakeRegistry();
    InMemoryLifecycleStore store = new InMemoryLifecycleStore();
    InMemoryMetrics metrics = new InMemoryMetrics();
    final CloudSettings settings;
    Executor executor = Runnable::run;
    CloudEngine engine;

    Harness(CloudSettings settings) {
        this.settings = settings;
        this.engine = build();
    }

    static CloudSettings.Builder settings() {
        return CloudSettings.builder("test", "ctl-1").requestRate(1000, 1000);
    }

    static AgentTemplate.Builder small() {
        return AgentTemplate.builder("small").labels("linux");
    }

    /** The controller dies and comes back: a new engine from the same store (the cloud and agents stay). */
    CloudEngine restart() {
        metrics = new InMemoryMetrics();
        engine = build();
        return engine;
    }

    /** The controller comes back without its store: only fingerprints are left to go by. */
    CloudEngine restartWithEmptyStore() {
        store = new InMemoryLifecycleStore();
        return restart();
    }

    private CloudEngine build() {
        return CloudEngine.builder(settings).driver(driver).registry(registry).store(store).metrics(metrics)
                .clock(clock).executor(executor).random(new Random(42)).build();
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    /** Live instances in the cloud that no live record accounts for. */
    List<String> leaks() {
        Set<String> accounted = new HashSet<>();
        for (AgentRecord r : engine.records()) {
            if (r.state().isLive() && r.instanceId() != null) {
                accounted.add(r.instanceId());
            }
        }
        List<String> out = new ArrayList<>();
        for (String id : driver.alive()) {
            if (!accounted.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Agents in the registry with no live record, or whose record's instance is gone. */
    List<String> ghosts() {
        Set<String> alive = new HashSet<>(driver.alive());
        List<String> out = new ArrayList<>();
        for (String agent : registry.listOwned()) {
            AgentRecord r = engine.record(agent).orElse(null);
            if (r == null || !r.state().isLive() || (r.instanceId() != null && !alive.contains(r.instanceId()))) {
                out.add(agent);
            }
        }
        return out;
    }

    AgentRecord only() {
        List<AgentRecord> live = engine.records().stream().filter(r -> r.state().isLive()).toList();
        if (live.size() != 1) {
            throw new AssertionError("expected one live record, got " + engine.records());
        }
        return live.get(0);
    }

    AgentRecord rec(String agent) {
        return engine.record(agent).orElseThrow();
    }
}
