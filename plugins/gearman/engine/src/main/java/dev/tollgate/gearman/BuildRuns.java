package dev.tollgate.gearman;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The builds this worker runs or ran, by (function, unique id): running ones, and finished ones
 * for the retention time, so that a job gearmand assigns here again is answered from its build
 * instead of being built twice. Jobs without a unique id are kept too, but can never be matched.
 *
 * <p>Threading: guarded by the worker's lock; every method is called with it held and only
 * changes memory.
 */
final class BuildRuns {
    private static final System.Logger LOG = System.getLogger(BuildRuns.class.getName());

    private final Map<String, BuildRun> byUnique = new HashMap<>();
    private final List<BuildRun> anonymous = new ArrayList<>();

    /** The build of this function and unique id, running or finished; null for an empty unique id. */
    BuildRun find(String function, String unique) {
        return unique.isEmpty() ? null : byUnique.get(key(function, unique));
    }

    /** A build not finished whose unique id is {@code unique}, whatever its function. */
    BuildRun running(String unique) {
        return all().stream().filter(r -> !r.finished && r.unique.equals(unique)).findFirst().orElse(null);
    }

    void add(BuildRun run) {
        if (run.unique.isEmpty()) {
            anonymous.add(run);
        } else {
            byUnique.put(key(run.function, run.unique), run);
        }
    }

    void forget(BuildRun run) {
        if (run.unique.isEmpty()) {
            anonymous.remove(run);
        } else {
            byUnique.remove(key(run.function, run.unique), run);
        }
    }

    List<BuildRun> all() {
        List<BuildRun> all = new ArrayList<>(byUnique.values());
        all.addAll(anonymous);
        return all;
    }

    /** Finished builds whose result no connection took. */
    int undelivered() {
        int n = 0;
        for (BuildRun r : all()) {
            if (r.finished && !r.delivered) {
                n++;
            }
        }
        return n;
    }

    /** Forgets finished builds older than the retention; an undelivered result is dropped loudly. */
    void purgeFinished(Instant now, Duration retention) {
        Instant cutoff = now.minus(retention);
        for (BuildRun r : all()) {
            if (r.finished && !r.finishedAt.isAfter(cutoff)) {
                if (!r.delivered) {
                    LOG.log(System.Logger.Level.WARNING, "dropping the undelivered result {0} of build {1} #{2}"
                            + " (unique {3}): the job was not assigned here again within {4}", r.result,
                            r.jobName, r.number, r.unique, retention);
                }
                forget(r);
            }
        }
    }

    /**
     * A session died: running builds stop sending to it (its handles may name other jobs after a
     * gearmand restart) and keep running; a later assignment of the same unique id reattaches them.
     */
    void sessionLost(Session s, GearmanServerAddress server) {
        for (BuildRun r : all()) {
            if (!r.finished && r.targets.stream().anyMatch(t -> t.session() == s)) {
                r.targets.removeIf(t -> t.session() == s);
                LOG.log(System.Logger.Level.WARNING, "build {0} keeps running after losing {1}; its"
                        + " result is delivered if gearmand assigns unique id {2} to this worker again",
                        r.jobName, server, r.unique);
            }
        }
    }

    private static String key(String function, String unique) {
        return function + "\0" + unique;
    }
}
