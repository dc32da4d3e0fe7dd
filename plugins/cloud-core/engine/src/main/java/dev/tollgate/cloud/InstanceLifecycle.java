package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LifecycleStore;
import dev.tollgate.cloud.port.Metrics;
import dev.tollgate.common.Backoff;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The instance lifecycle state machine: one {@link AgentRecord} per agent, moved by events (created,
 * described, agent connected, build started/finished, interruption notice, terminate failed...) and by
 * the clock through {@link CloudEngine#tick()}.
 *
 * <p>Concurrency rule: decide under the lock, call ports outside it. State lives under one private
 * lock; the registry and the driver are called only after it is released, so a port may take the
 * controller's locks and any thread may call the engine meanwhile. A call that must not be made twice
 * is marked in flight under the lock first (a terminate for an instance id), so a second caller leaves
 * it alone instead of waiting. The {@link LifecycleStore} and {@link Metrics} are the engine's own
 * records, not the outside world: every change is saved, and counted, under the lock, so the store
 * never runs behind or out of order; their implementations must return without calling the engine.
 */
public final class InstanceLifecycle {
    private static final Logger LOG = System.getLogger(InstanceLifecycle.class.getName());

    private final CloudSettings settings;
    private final CloudDriver driver;
    private final AgentRegistry registry;
    private final LifecycleStore store;
    private final Metrics metrics;
    private final Clock clock;
    private final RandomGenerator random;
    private final Throttle throttle;

    private final Object lock = new Object();
    private final Map<String, AgentRecord> records = new LinkedHashMap<>();
    /** Instances no live record accounts for (orphans, duplicates, late spot fulfilments): ended, never adopted. */
    private final Map<String, Stray> strays = new LinkedHashMap<>();
    private Instant lastDescribe = Instant.MIN;
    /** Instance ids a terminate call is on its way for: another caller leaves them to it. */
    private final Set<String> terminating = new HashSet<>();

    private record Stray(String instanceId, String template, String why, int attempts, Instant nextAttemptAt) {
    }

    /** An agent to end once the lock is released: why, and whether it counts as a failure. */
    private record Ending(String agent, String reason, boolean failed) {
    }

    InstanceLifecycle(CloudSettings settings, CloudDriver driver, AgentRegistry registry, LifecycleStore store,
                      Metrics metrics, Clock clock, RandomGenerator random, Throttle throttle) {
        this.settings = settings;
        this.driver = driver;
        this.registry = registry;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.random = random;
        this.throttle = throttle;
    }

    // ------------------------------------------------------------------ queries

    public List<AgentRecord> records() {
        synchronized (lock) {
            return List.copyOf(records.values());
        }
    }

    public Optional<AgentRecord> record(String agentName) {
        synchronized (lock) {
            return Optional.ofNullable(records.get(agentName));
        }
    }

    /** Instance ids the engine is ending although no record wants them (orphans, duplicates). */
    public Set<String> strayInstances() {
        synchronized (lock) {
            return Set.copyOf(strays.keySet());
        }
    }

    /** Records that count against the template's cap (null: the cloud's). Under the lock. */
    private int countAgainstCapLocked(String template) {
        int n = 0;
        for (AgentRecord r : records.values()) {
            if (r.state().countsAgainstCap() && (template == null || r.templateName().equals(template))) {
                n++;
            }
        }
        return n;
    }

    /** Whether Jenkins may give the agent another build (retention strategy's isAcceptingTasks). */
    public boolean acceptsBuilds(String agentName) {
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r == null || !r.state().isLive()) {
                return false;
            }
            AgentTemplate<?> t = template(r).orElse(null);
            if (t == null) {
                return false; // its template was removed: the next tick ends it
            }
            if (t.maxUses() > 0 && r.uses() >= t.maxUses()) {
                return false;
            }
            return !(t.buildWaitTimeout().isZero() && r.uses() >= 1);
        }
    }

    private Optional<AgentTemplate<?>> template(AgentRecord r) {
        return settings.template(r.templateName());
    }

    // ------------------------------------------------------------------ recovery

    /** Takes over records loaded from the store after a restart. */
    void recover(Collection<AgentRecord> loaded) {
        Instant now = clock.instant();
        List<AgentSpec> toRegister = new ArrayList<>();
        Set<String> registered;
        try {
            registered = registry.listOwned();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot list agents while recovering; the reaper will re-check", e);
            registered = Set.of();
        }
        synchronized (lock) {
            for (AgentRecord r : loaded) {
                AgentRecord rec = r;
                if (rec.state().isConnected()) {
                    // the controller restarted: connections are gone; the agent reconnects or the missing timeout ends it
                    rec = rec.edit().state(AgentState.RUNNING, now).awaitingSince(now).busyBuilds(0).idleSince(null)
                            .reason("controller restarted").done();
                    persist(rec);
                }
                records.put(rec.agentName(), rec);
                if (rec.state().isLive() && rec.instanceId() != null && !registered.contains(rec.agentName())) {
                    // crashed between create and registration: register now
                    spec(rec).ifPresent(toRegister::add);
                }
            }
        }
        for (AgentSpec s : toRegister) {
            safely(() -> registry.add(s), "register recovered agent " + s.agentName());
        }
        LOG.log(Level.INFO, "cloud {0}: recovered {1} records, re-registered {2} agents", settings.cloudName(),
                loaded.size(), toRegister.size());
    }

    // ------------------------------------------------------------------ creation (called by the planner)

    /**
     * What {@link #reserve} wrote.
     *
     * @param records new REQUESTED records, saved, in the order written
     * @param stopped true when it stopped before the caps did (no start token, or a record could not be
     *                saved): the rest of the demand waits for a later round
     */
    record Reservation(List<AgentRecord> records, boolean stopped) {
    }

    /**
     * Writes the records for up to {@code wanted} new agents of the template, as many as its own cap and
     * the cloud's ({@code cloudCap}) leave room for now and the cloud's {@code maxStarting} lets start,
     * each after taking a start token. Counting and
     * writing happen under one lock, so plans made at once on several threads never overfill a cap.
     * Each record is saved BEFORE anything is asked of the cloud, so a crash between create and
     * registration leaves a record (and the instance a fingerprint) to find; a record that cannot be
     * saved stops the reservation and nothing is created for it.
     */
    Reservation reserve(AgentTemplate<?> t, int wanted, int cloudCap, java.util.function.BooleanSupplier startToken) {
        synchronized (lock) {
            int room = Math.max(0, Math.min(headroom(t.instanceCap(), countAgainstCapLocked(t.name())),
                    headroom(cloudCap, countAgainstCapLocked(null))));
            int n = Math.min(wanted, room);
            // a boot-storm bound, not a cap: what it holds back waits for a starting agent to connect or fail
            int starting = Math.max(0, headroom(settings.maxStarting(), countStartingLocked()));
            boolean startingFull = starting < n;
            n = Math.min(n, starting);
            List<AgentRecord> written = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!startToken.getAsBoolean()) {
                    return new Reservation(written, true);
                }
                try {
                    written.add(newRequestLocked(t));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot save a new record; starting nothing", e);
                    return new Reservation(written, true);
                }
            }
            return new Reservation(written, startingFull);
        }
    }

    /** Records asked for whose agent has not connected yet: creates in flight, booting, connecting. */
    private int countStartingLocked() {
        int n = 0;
        for (AgentRecord r : records.values()) {
            if (r.state().isAwaitingConnection()) {
                n++;
            }
        }
        return n;
    }

    private static int headroom(int cap, int count) {
        return cap == AgentTemplate.UNLIMITED ? Integer.MAX_VALUE : cap - count;
    }

    private AgentRecord newRequestLocked(AgentTemplate<?> t) {
        Instant now = clock.instant();
        // the lowest free {n}, or a fresh {id}: a name no record of this cloud holds
        String name = AgentNamePattern.name(t.namePattern(), settings.cloudName(), t.name(), records.keySet(),
                () -> AgentNamePattern.randomId(random::nextInt));
        Fingerprint fp = new Fingerprint(settings.controllerId(), settings.cloudName(), t.name(), name, now);
        AgentRecord rec = AgentRecord.requested(name, t.name(), fp);
        store.save(rec); // may throw: then nothing is created
        records.put(name, rec);
        return rec;
    }

    /** The cloud accepted the create. Returns the record if the agent was registered, else empty. */
    Optional<AgentRecord> created(String agentName, CloudInstance ci) {
        Instant now = clock.instant();
        AgentRecord rec;
        synchronized (lock) {
            AgentRecord cur = records.get(agentName);
            if (cur == null || !cur.state().isLive()) {
                // ended while the create was in flight (missing timeout, restart...): end what was made
                strayLocked(ci.id(), cur == null ? "?" : cur.templateName(), "created after its record ended", now);
                return Optional.empty();
            }
            if (cur.instanceId() != null && !cur.instanceId().equals(ci.id()) && cur.state() != AgentState.REQUESTED) {
                // the reaper adopted another instance with this fingerprint while the create was in flight
                // (a create retried under the hood): keep the adopted one, end this one
                strayLocked(ci.id(), cur.templateName(), "second instance for " + agentName, now);
                return Optional.of(cur);
            }
            if (ci.isGone()) {
                rec = cur.edit().instanceId(ci.id()).state(AgentState.FAILED, now).reason("cloud reported " + ci.state())
                        .done();
                persist(rec);
                metrics.failed(rec.templateName(), "create ended at once: " + ci.state());
                return Optional.empty();
            }
            rec = cur.edit().instanceId(ci.id()).state(fromCloud(ci.state(), cur.state()), now).done();
            persist(rec);
        }
        spec(rec).ifPresent(spec -> safely(() -> registry.add(spec), "register agent " + agentName));
        AgentRecord after;
        synchronized (lock) {
            after = records.get(agentName);
        }
        if (after == null || !after.state().isLive()) {
            // ended while we registered it: do not leave a ghost agent behind (outside the lock: in
            // Jenkins this takes the queue lock, and the queue asks acceptsBuilds under it)
            safely(() -> registry.remove(agentName), "remove agent " + agentName);
            return Optional.empty();
        }
        return Optional.of(after);
    }

    /** The cloud refused the create for sure (throttled, capacity, permanent): nothing exists. */
    void createRefused(String agentName, String reason) {
        Instant now = clock.instant();
        synchronized (lock) {
            AgentRecord cur = records.get(agentName);
            if (cur == null || cur.state().isEnded()) {
                return;
            }
            persist(cur.edit().state(AgentState.FAILED, now).reason(reason).done());
        }
    }

    /**
     * The create's outcome is unknown (timeout, 5xx): the instance may exist. The record stays REQUESTED
     * without an id; the reaper adopts an instance carrying its fingerprint, or the missing timeout ends it.
     */
    void createUncertain(String agentName, String reason) {
        synchronized (lock) {
            AgentRecord cur = records.get(agentName);
            if (cur != null && cur.state() == AgentState.REQUESTED) {
                persist(cur.edit().reason("create outcome unknown: " + reason).done());
            }
        }
    }

    // ------------------------------------------------------------------ agent and build events

    public ConnectDecision agentConnected(String agentName, String instanceId) {
        Instant now = clock.instant();
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r == null) {
                LOG.log(Level.WARNING, "agent {0} connected but no record asked for it: refused", agentName);
                return ConnectDecision.UNKNOWN_AGENT;
            }
            if (!r.state().isLive()) {
                return ConnectDecision.NOT_LIVE;
            }
            boolean requestId = r.state() == AgentState.REQUESTED; // a spot request id legitimately differs from the instance id
            if (instanceId != null && r.instanceId() != null && !instanceId.equals(r.instanceId()) && !requestId) {
                LOG.log(Level.WARNING, "agent {0} connected from {1} but its instance is {2}: refused", agentName,
                        instanceId, r.instanceId());
                return ConnectDecision.WRONG_INSTANCE;
            }
            if (r.state().isConnected()) {
                LOG.log(Level.WARNING, "agent {0} is already connected; a second connection is refused", agentName);
                return ConnectDecision.ALREADY_CONNECTED;
            }
            AgentRecord.Editor e = r.edit().state(r.uses() == 0 ? AgentState.CONNECTED : AgentState.IDLE, now)
                    .idleSince(now).busyBuilds(0).reason(null);
            if (instanceId != null) {
                e.instanceId(instanceId);
            }
            if (r.connectedAt() == null) {
                e.connectedAt(now);
                metrics.connected(r.templateName(), Duration.between(r.createdAt(), now));
            }
            persist(e.done());
            return ConnectDecision.ACCEPTED;
        }
    }

    /** The agent lost its connection: it has missingTimeout to come back. */
    public void agentDisconnected(String agentName) {
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r != null && r.state().isConnected()) {
                Instant now = clock.instant();
                persist(r.edit().state(AgentState.RUNNING, now).awaitingSince(now).busyBuilds(0).idleSince(null)
                        .reason("agent disconnected").done());
            }
        }
    }

    public void buildStarted(String agentName) {
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r == null || !r.state().isLive()) {
                LOG.log(Level.WARNING, "build started on {0}, which the engine does not consider live", agentName);
                return;
            }
            Instant now = clock.instant();
            AgentRecord.Editor e = r.edit().state(AgentState.BUSY, now).busyBuilds(r.busyBuilds() + 1).uses(r.uses() + 1)
                    .idleSince(null);
            if (r.connectedAt() == null) {
                e.connectedAt(now);
                metrics.connected(r.templateName(), Duration.between(r.createdAt(), now));
            }
            persist(e.done());
        }
    }

    public void buildFinished(String agentName) {
        Instant now = clock.instant();
        String endReason = null;
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r == null || !r.state().isConnected()) {
                return;
            }
            int busy = Math.max(0, r.busyBuilds() - 1);
            AgentRecord.Editor e = r.edit().busyBuilds(busy);
            if (busy == 0) {
                e.state(AgentState.IDLE, now).idleSince(now);
            }
            r = e.done();
            persist(r);
            AgentTemplate<?> t = template(r).orElse(null);
            if (busy == 0 && t != null) {
                if (t.maxUses() > 0 && r.uses() >= t.maxUses()) {
                    endReason = "used " + r.uses() + " times (maxUses " + t.maxUses() + ")";
                } else if (t.buildWaitTimeout().isZero()) {
                    endReason = "buildWaitTimeout 0: one build per instance";
                }
            }
        }
        if (endReason != null) {
            release(agentName, endReason, false);
        }
    }

    /**
     * The cloud will take the instance away (spot interruption): the agent goes offline at once (reported
     * to the registry, so the build can be rescheduled) and the instance is ended.
     */
    public void interruptionNotice(String agentOrInstance, String reason) {
        AgentRecord r;
        synchronized (lock) {
            r = records.get(agentOrInstance);
            if (r == null) {
                r = byInstanceLocked(agentOrInstance);
            }
            if (r == null || !r.state().isLive()) {
                return;
            }
        }
        String name = r.agentName();
        String why = "interruption notice: " + reason;
        boolean building = r.busyBuilds() > 0;
        safely(() -> registry.takeOffline(name, why), "take agent offline " + name);
        if (building) {
            safely(() -> registry.rescheduleBuilds(name, why), "reschedule builds of " + name);
        }
        release(name, why, true);
    }

    /** The live record's agent name for an agent name or instance id. */
    Optional<String> liveAgentName(String agentOrInstance) {
        synchronized (lock) {
            AgentRecord r = records.get(agentOrInstance);
            if (r == null) {
                r = byInstanceLocked(agentOrInstance);
            }
            return r == null || !r.state().isLive() ? Optional.empty() : Optional.of(r.agentName());
        }
    }

    /**
     * Ends the agent: removes it from the registry and moves the record to TERMINATING (the terminate call
     * is made, and retried with backoff, by {@link #terminateDue()}). Safe to call twice.
     */
    public void release(String agentName, String reason, boolean failed) {
        Instant now = clock.instant();
        boolean removeAgent = false;
        synchronized (lock) {
            AgentRecord r = records.get(agentName);
            if (r == null || !r.state().isLive()) {
                return;
            }
            if (failed) {
                metrics.failed(r.templateName(), reason);
            }
            if (r.instanceId() == null) {
                // nothing known to end; should an instance turn up, the reaper ends it (the record is ended)
                persist(r.edit().state(AgentState.FAILED, now).failed(true).busyBuilds(0).reason(reason).done());
            } else {
                persist(r.edit().state(AgentState.TERMINATING, now).failed(failed).busyBuilds(0).nextAttemptAt(null)
                        .reason(reason).done());
            }
            removeAgent = true;
            LOG.log(Level.INFO, "cloud {0}: ending {1} ({2})", settings.cloudName(), agentName, reason);
        }
        if (removeAgent) {
            safely(() -> registry.remove(agentName), "remove agent " + agentName);
        }
    }

    // ------------------------------------------------------------------ what the cloud reports

    /**
     * Applies what describe or the reaper's listing says about instances. Matches by instance id, then by
     * the fingerprint's agent name (a spot request fulfilled as an instance with a new id). Instances no
     * live record wants become strays to end; unknown ones only from a full listing ({@code fromListing})
     * and only once older than the reaper grace (they may be mid-create).
     */
    void observe(List<CloudInstance> seen, boolean fromListing) {
        Instant now = clock.instant();
        List<AgentSpec> toRegister = new ArrayList<>();
        List<Ending> interrupted = new ArrayList<>();
        List<String> goneAgents = new ArrayList<>();
        synchronized (lock) {
            // index once: a listing of thousands must not scan every record per entry
            Map<String, String> agentByInstance = new java.util.HashMap<>();
            records.values().forEach(x -> {
                if (x.instanceId() != null) {
                    agentByInstance.put(x.instanceId(), x.agentName());
                }
            });
            for (CloudInstance ci : seen) {
                String known = agentByInstance.get(ci.id());
                AgentRecord r = known == null ? null : records.get(known);
                Fingerprint fp = ci.fingerprint();
                if (r == null && fp != null && isOurs(fp)) {
                    r = records.get(fp.agentName());
                }
                if (r == null) {
                    if (fromListing && !ci.isGone() && fp != null && isOurs(fp)
                            && !now.isBefore(fp.createdAt().plus(settings.reaperGrace()))) {
                        strayLocked(ci.id(), fp.template(), "no record accounts for it", now);
                    }
                    continue;
                }
                if (!ci.id().equals(r.instanceId())) {
                    if (ci.isGone()) {
                        continue; // a dead twin or a closed request tells nothing about the record's own instance
                    }
                    boolean live = r.state().isLive();
                    boolean adopt = live && (r.instanceId() == null
                            || (r.state() == AgentState.REQUESTED && ci.state() != CloudInstance.State.REQUESTED));
                    if (!adopt) {
                        if (live && ci.state() == CloudInstance.State.REQUESTED && r.state() != AgentState.REQUESTED) {
                            continue; // the request behind the instance we already know: history, not a second instance
                        }
                        strayLocked(ci.id(), r.templateName(), live ? "duplicate instance for " + r.agentName()
                                : "record " + r.agentName() + " already " + r.state(), now);
                        continue;
                    }
                    LOG.log(Level.INFO, "cloud {0}: {1} is instance {2} (was {3})", settings.cloudName(), r.agentName(),
                            ci.id(), r.instanceId());
                    r = r.edit().instanceId(ci.id()).done();
                    persist(r);
                    agentByInstance.put(ci.id(), r.agentName());
                    spec(r).ifPresent(toRegister::add);
                }
                if (r.state() == AgentState.TERMINATING) {
                    if (ci.isGone()) {
                        endLocked(r, now);
                    }
                    continue;
                }
                if (r.state().isEnded()) {
                    if (fromListing && !ci.isGone() && !now.isBefore(r.stateSince().plus(settings.reaperGrace()))) {
                        // ended long ago yet still alive: the terminate did not take; end it again
                        strayLocked(ci.id(), r.templateName(), "still alive after its record ended", now);
                    }
                    continue;
                }
                if (ci.isGone()) {
                    boolean failed = !r.state().isConnected() || ci.state() == CloudInstance.State.FAILED;
                    persist(r.edit().state(failed ? AgentState.FAILED : AgentState.TERMINATED, now).failed(failed)
                            .busyBuilds(0).reason("cloud reports " + ci.state()).done());
                    if (failed) {
                        metrics.failed(r.templateName(), "instance " + ci.state());
                    } else {
                        metrics.terminated(r.templateName());
                    }
                    goneAgents.add(r.agentName());
                    continue;
                }
                if (ci.interruptionNotice() || ci.state() == CloudInstance.State.STOPPING) {
                    interrupted.add(new Ending(r.agentName(), ci.interruptionNotice() ? "cloud notice" : "stopping", true));
                    continue;
                }
                if (r.state().isAwaitingConnection()) {
                    AgentState next = fromCloud(ci.state(), r.state());
                    if (next != r.state()) {
                        persist(r.edit().state(next, now).done());
                    }
                }
            }
        }
        for (AgentSpec s : toRegister) {
            safely(() -> registry.add(s), "register adopted agent " + s.agentName());
        }
        for (String a : goneAgents) {
            safely(() -> registry.remove(a), "remove agent " + a);
        }
        for (Ending i : interrupted) {
            interruptionNotice(i.agent(), i.reason());
        }
    }

    /**
     * After a full listing: live records whose instance the listing lacks, and that are older than the
     * grace, have lost their instance (ended outside the engine). They are ended too (terminate is
     * idempotent, so an instance that was merely missing from a stale listing cannot leak).
     */
    void absentFromListing(Set<String> listedIds, Set<String> listedAgents) {
        Instant now = clock.instant();
        List<String> release = new ArrayList<>();
        synchronized (lock) {
            for (AgentRecord r : List.copyOf(records.values())) {
                if (r.instanceId() == null || listedIds.contains(r.instanceId()) || listedAgents.contains(r.agentName())
                        || now.isBefore(r.createdAt().plus(settings.reaperGrace()))) {
                    continue;
                }
                if (r.state() == AgentState.TERMINATING) {
                    endLocked(r, now); // already gone
                } else if (r.state().isLive()) {
                    release.add(r.agentName());
                }
            }
        }
        for (String a : release) {
            AgentRecord r = record(a).orElse(null);
            release(a, "instance missing from the cloud listing", r != null && r.connectedAt() == null);
        }
    }

    private AgentRecord byInstanceLocked(String id) {
        for (AgentRecord r : records.values()) {
            if (id.equals(r.instanceId())) {
                return r;
            }
        }
        return null;
    }

    private boolean isOurs(Fingerprint fp) {
        return fp.controllerId().equals(settings.controllerId()) && fp.cloud().equals(settings.cloudName());
    }

    private void strayLocked(String instanceId, String template, String why, Instant now) {
        if (!strays.containsKey(instanceId)) {
            LOG.log(Level.INFO, "cloud {0}: ending stray instance {1}: {2}", settings.cloudName(), instanceId, why);
            strays.put(instanceId, new Stray(instanceId, template, why, 0, null));
        }
    }

    private static AgentState fromCloud(CloudInstance.State s, AgentState current) {
        AgentState next = switch (s) {
            case REQUESTED -> AgentState.REQUESTED;
            case PENDING -> AgentState.PENDING;
            default -> AgentState.RUNNING;
        };
        // never move backwards (a stale describe after a newer one)
        return next.ordinal() > current.ordinal() ? next : current;
    }

    // ------------------------------------------------------------------ time

    /**
     * Applies the clock: missing timeout, idle time (buildWaitTimeout), max uses; notices agents that
     * connected without an event; describes instances not yet connected (one batched call, at most every
     * describeInterval); makes due terminate calls (one batched call); forgets old ended records.
     */
    void tickTimeouts() {
        Instant now = clock.instant();
        List<String> awaiting = new ArrayList<>();
        synchronized (lock) {
            for (AgentRecord r : records.values()) {
                if (r.state().isAwaitingConnection() && r.instanceId() != null) {
                    awaiting.add(r.agentName());
                }
            }
        }
        for (String a : awaiting) {
            boolean connected;
            try {
                connected = registry.isConnected(a);
            } catch (RuntimeException e) {
                connected = false;
            }
            if (connected) {
                agentConnected(a, null);
            }
        }
        List<Ending> toRelease = new ArrayList<>();
        synchronized (lock) {
            for (AgentRecord r : records.values()) {
                AgentTemplate<?> t = template(r).orElse(null);
                if (t == null) {
                    if (r.state().isLive()) {
                        toRelease.add(new Ending(r.agentName(), "template " + r.templateName() + " no longer exists", false));
                    }
                    continue;
                }
                if (r.state().isAwaitingConnection()) {
                    if (!now.isBefore(r.awaitingSince().plus(t.missingTimeout()))) {
                        toRelease.add(new Ending(r.agentName(),
                                "missing timeout: not connected within " + t.missingTimeout(), true));
                    }
                } else if ((r.state() == AgentState.CONNECTED || r.state() == AgentState.IDLE) && r.idleSince() != null) {
                    Optional<Duration> limit = idleLimit(t, r);
                    if (t.maxUses() > 0 && r.uses() >= t.maxUses()) {
                        toRelease.add(new Ending(r.agentName(), "used " + r.uses() + " times (maxUses)", false));
                    } else if (limit.isPresent() && !now.isBefore(r.idleSince().plus(limit.get()))) {
                        toRelease.add(new Ending(r.agentName(), "idle for " + limit.get() + " (buildWaitTimeout)", false));
                    }
                }
            }
        }
        for (Ending x : toRelease) {
            release(x.agent(), x.reason(), x.failed());
        }
    }

    /** Idle limit for a connected agent; empty = never ended for idleness. */
    private static Optional<Duration> idleLimit(AgentTemplate<?> t, AgentRecord r) {
        Duration bwt = t.buildWaitTimeout();
        if (bwt.isNegative()) {
            return Optional.empty();
        }
        if (bwt.isZero() && r.uses() == 0) {
            // one build per instance, build not yet started: give the build that asked for it time to arrive
            return Optional.of(t.missingTimeout());
        }
        return Optional.of(bwt);
    }

    /**
     * Describes not-yet-connected instances at least describeInterval old, in one batched call, at most
     * every describeInterval.
     */
    void describeAwaiting() {
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        synchronized (lock) {
            if (now.isBefore(lastDescribe.plus(settings.describeInterval())) || throttle.blocked(now)) {
                return;
            }
            for (AgentRecord r : records.values()) {
                // an instance younger than the interval is left alone: most agents connect before it is due,
                // and the connection says more than any describe
                if (r.state().isAwaitingConnection() && r.instanceId() != null
                        && !now.isBefore(r.awaitingSince().plus(settings.describeInterval()))) {
                    ids.add(r.instanceId());
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            lastDescribe = now;
        }
        try {
            List<CloudInstance> seen = driver.describe(ids);
            throttle.succeeded();
            observe(seen, false);
        } catch (CloudException e) {
            onCallFailed("describe", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "describe failed", e);
        }
    }

    /** One batched terminate call for every due TERMINATING record and stray instance; true if a call was made. */
    public boolean terminateDue() {
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        synchronized (lock) {
            for (AgentRecord r : List.copyOf(records.values())) {
                if (r.state() == AgentState.TERMINATING) {
                    if (r.instanceId() == null) {
                        endLocked(r, now);
                    } else if ((r.nextAttemptAt() == null || !now.isBefore(r.nextAttemptAt()))
                            && !terminating.contains(r.instanceId())) {
                        ids.add(r.instanceId());
                    }
                }
            }
            for (Stray s : strays.values()) {
                if ((s.nextAttemptAt() == null || !now.isBefore(s.nextAttemptAt())) && !terminating.contains(s.instanceId())) {
                    ids.add(s.instanceId());
                }
            }
            if (ids.isEmpty() || throttle.blocked(now)) {
                return false;
            }
            terminating.addAll(ids); // another tick or reaper cycle meanwhile leaves these to this call
        }
        CloudException failure = null;
        try {
            driver.terminate(ids);
            throttle.succeeded();
        } catch (CloudException e) {
            // NOT_FOUND: gone already, which is what we want
            if (e.kind() != CloudException.Kind.NOT_FOUND) {
                failure = e;
                onCallFailed("terminate", e);
            }
        } catch (RuntimeException e) {
            failure = new CloudException(CloudException.Kind.TRANSIENT, null, String.valueOf(e.getMessage()), e);
            LOG.log(Level.WARNING, "terminate failed", e);
        } finally {
            synchronized (lock) {
                terminating.removeAll(ids);
            }
        }
        Instant after = clock.instant();
        synchronized (lock) {
            Set<String> batch = new HashSet<>(ids);
            for (AgentRecord r : List.copyOf(records.values())) {
                if (r.state() != AgentState.TERMINATING || !batch.contains(r.instanceId())) {
                    continue;
                }
                if (failure == null) {
                    endLocked(r, after);
                } else {
                    int n = r.terminateAttempts() + 1;
                    persist(r.edit().terminateAttempts(n)
                            .nextAttemptAt(after.plus(retryTerminateAfter(n)))
                            .reason("terminate failed (" + n + "): " + failure.getMessage()).done());
                }
            }
            for (String id : ids) {
                Stray s = strays.get(id);
                if (s == null) {
                    continue;
                }
                if (failure == null) {
                    strays.remove(id);
                    metrics.orphanTerminated();
                } else {
                    int n = s.attempts() + 1;
                    strays.put(id, new Stray(id, s.template(), s.why(), n,
                            after.plus(retryTerminateAfter(n))));
                }
            }
        }
        return true;
    }

    private void endLocked(AgentRecord r, Instant now) {
        AgentState end = r.failed() ? AgentState.FAILED : AgentState.TERMINATED;
        persist(r.edit().state(end, now).nextAttemptAt(null).done());
        metrics.terminated(r.templateName());
    }

    /** Forgets ended records older than recordRetention; reports the live-instance gauge. */
    void prune() {
        Instant now = clock.instant();
        int live = 0;
        synchronized (lock) {
            for (AgentRecord r : List.copyOf(records.values())) {
                if (r.state().isEnded() && !now.isBefore(r.stateSince().plus(settings.recordRetention()))) {
                    records.remove(r.agentName());
                    try {
                        store.delete(r.agentName());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "cannot delete record " + r.agentName(), e);
                    }
                } else if (!r.state().isEnded()) {
                    live++;
                }
            }
        }
        metrics.liveInstances(live);
    }

    void onCallFailed(String call, CloudException e) {
        if (e.kind() == CloudException.Kind.THROTTLED) {
            metrics.throttled();
            Duration d = throttle.throttled(clock.instant());
            LOG.log(Level.INFO, "{0} throttled ({1}); pausing cloud calls for {2} ms", call, e.code(), d.toMillis());
        } else {
            LOG.log(Level.WARNING, "{0} failed ({1}, {2}): {3}", call, e.kind(), e.code(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** What the registry needs to add the agent; empty when its template no longer exists. */
    private Optional<AgentSpec> spec(AgentRecord r) {
        return template(r).map(t -> new AgentSpec(r.agentName(), t.name(), t.labels(), t.executors(), r.instanceId()));
    }

    private void persist(AgentRecord r) {
        records.put(r.agentName(), r);
        try {
            store.save(r);
        } catch (RuntimeException e) {
            // memory stays right; the fingerprint on the instance still lets the reaper recover after a restart
            LOG.log(Level.WARNING, "cannot save record " + r.agentName(), e);
        }
    }

    private static void safely(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "failed to " + what, e);
        }
    }

    Map<String, String> strayReasons() {
        synchronized (lock) {
            Map<String, String> m = new LinkedHashMap<>();
            strays.values().forEach(s -> m.put(s.instanceId(), s.why()));
            return m;
        }
    }

    /** Wait before terminate attempt n+1: doubling from terminateBackoff up to maxBackoff, half of it jittered. */
    private Duration retryTerminateAfter(int failedAttempts) {
        return new Backoff(settings.terminateBackoff(), settings.maxBackoff(), 2.0, 0.5)
                .delay(failedAttempts - 1, random.nextDouble());
    }
}
