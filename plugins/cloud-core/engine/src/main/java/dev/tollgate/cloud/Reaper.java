package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Metrics;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Ends what no live agent accounts for, and removes agents whose instance is gone. One cycle makes one
 * batched {@code listOwned(controllerId)} call and at most one batched terminate call:
 * <ul>
 * <li>a listed instance whose fingerprint names a live record without (or with a spot-request) id is
 *     adopted (crash between create and registration; create that timed out but worked);</li>
 * <li>a listed instance no record accounts for is ended once its fingerprint's created-at is older than
 *     the grace (it may be mid-create); one whose record has ended, or a second instance for the same
 *     agent, is ended at once (a spot request fulfilled after it was cancelled; a duplicate create);</li>
 * <li>a live record whose instance the listing lacks, past the grace (eventual consistency), has lost it:
 *     its agent is removed and the id terminated anyway (idempotent, so a stale listing cannot leak);</li>
 * <li>an agent in the registry with no live record is a ghost and is removed.</li>
 * </ul>
 * Threading: it holds no lock; it calls the driver and the registry directly and hands what they said
 * to the lifecycle, which decides under its own lock. Two cycles at once are safe (the terminate call
 * for an instance is never sent twice); they only cost a second listing.
 */
public final class Reaper {
    private static final Logger LOG = System.getLogger(Reaper.class.getName());

    private final CloudSettings settings;
    private final InstanceLifecycle lifecycle;
    private final CloudDriver driver;
    private final AgentRegistry registry;
    private final Metrics metrics;
    private final Clock clock;
    private final Throttle throttle;

    Reaper(CloudSettings settings, InstanceLifecycle lifecycle, CloudDriver driver, AgentRegistry registry,
           Metrics metrics, Clock clock, Throttle throttle) {
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.driver = driver;
        this.registry = registry;
        this.metrics = metrics;
        this.clock = clock;
        this.throttle = throttle;
    }

    public ReaperReport runCycle() {
        int calls = 0;
        int listed = 0;
        boolean listingFailed = false;
        if (throttle.blocked(clock.instant())) {
            listingFailed = true;
        } else {
            try {
                calls++;
                List<CloudInstance> all = driver.listOwned(settings.controllerId());
                throttle.succeeded();
                List<CloudInstance> mine = all.stream().filter(ci -> ci.fingerprint() != null
                        && ci.fingerprint().controllerId().equals(settings.controllerId())
                        && ci.fingerprint().cloud().equals(settings.cloudName())).toList();
                listed = mine.size();
                lifecycle.observe(mine, true);
                Set<String> ids = new HashSet<>(), agents = new HashSet<>();
                for (CloudInstance ci : mine) {
                    if (!ci.isGone()) {
                        ids.add(ci.id());
                        agents.add(ci.fingerprint().agentName());
                    }
                }
                lifecycle.absentFromListing(ids, agents);
            } catch (CloudException e) {
                listingFailed = true;
                lifecycle.onCallFailed("listOwned", e);
            } catch (RuntimeException e) {
                listingFailed = true;
                LOG.log(Level.WARNING, "listOwned failed", e);
            }
        }
        if (lifecycle.terminateDue()) {
            calls++;
        }
        int ghosts = 0;
        Set<String> registered;
        try {
            registered = registry.listOwned();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot list agents; ghost check skipped", e);
            registered = Set.of();
        }
        for (String agent : registered) {
            AgentRecord r = lifecycle.record(agent).orElse(null);
            if (r == null || !r.state().isLive()) {
                LOG.log(Level.INFO, "cloud {0}: removing ghost agent {1} ({2})", settings.cloudName(), agent,
                        r == null ? "no record" : r.state());
                try {
                    registry.remove(agent);
                    ghosts++;
                    metrics.ghostAgentRemoved();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot remove ghost agent " + agent, e);
                }
            }
        }
        return new ReaperReport(listed, lifecycle.strayInstances().size(), ghosts, listingFailed, calls);
    }
}
