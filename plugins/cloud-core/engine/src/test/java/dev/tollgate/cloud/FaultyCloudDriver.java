package dev.tollgate.cloud;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cloud in memory that records every call and fails on purpose: scripted errors per operation,
 * throttling storms, creates that time out after they worked, duplicate creates (an SDK retry without
 * idempotency), eventual consistency (new instances invisible for a while, describe throwing NOT_FOUND
 * for them as EC2 does), spot requests fulfilled later, or even after they were cancelled.
 */
final class FaultyCloudDriver implements CloudDriver {
    enum Op { CREATE, DESCRIBE, LIST, TERMINATE }

    static final class Inst {
        final String id;
        CloudInstance.State state;
        final Fingerprint fp;
        final Instant visibleFrom;
        Instant bootedAt = Instant.MAX;
        boolean notice;
        String fulfilledAs; // for a spot request: the instance it became

        Inst(String id, CloudInstance.State state, Fingerprint fp, Instant visibleFrom) {
            this.id = id;
            this.state = state;
            this.fp = fp;
            this.visibleFrom = visibleFrom;
        }

        CloudInstance view(Instant now) {
            if (state == CloudInstance.State.PENDING && !now.isBefore(bootedAt)) {
                state = CloudInstance.State.RUNNING;
            }
            return new CloudInstance(id, state, fp, "10.0.0." + Math.abs(id.hashCode() % 250), notice, 0.05);
        }
    }

    private final Clock clock;
    private final Map<String, Inst> instances = new LinkedHashMap<>();
    private final Map<Op, Deque<CloudException>> scripted = new EnumMap<>(Op.class);
    private final Map<Op, AtomicInteger> counts = new EnumMap<>(Op.class);
    private final List<String> calls = new ArrayList<>();
    private int seq;
    private boolean spot;
    private Duration visibilityDelay = Duration.ZERO;
    private boolean describeThrowsNotFound;
    private Instant throttleUntil = Instant.MIN;
    private int createTimeouts, duplicateCreates;
    private Error createError;
    private Duration latency = Duration.ZERO;
    private Duration bootTime = Duration.ofSeconds(60);
    private volatile CountDownLatch createGate;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    FaultyCloudDriver(Clock clock) {
        this.clock = clock;
        for (Op op : Op.values()) {
            scripted.put(op, new ArrayDeque<>());
            counts.put(op, new AtomicInteger());
        }
    }

    // ---------------------------------------------------------------- fault knobs
    synchronized FaultyCloudDriver spot(boolean on) { spot = on; return this; }
    synchronized FaultyCloudDriver visibilityDelay(Duration d) { visibilityDelay = d; return this; }
    synchronized FaultyCloudDriver describeThrowsNotFound(boolean on) { describeThrowsNotFound = on; return this; }
    synchronized FaultyCloudDriver throttleUntil(Instant t) { throttleUntil = t; return this; }
    synchronized FaultyCloudDriver createTimeouts(int n) { createTimeouts = n; return this; }
    synchronized FaultyCloudDriver duplicateCreates(int n) { duplicateCreates = n; return this; }
    /** The next create throws this Error (a driver bug, a missing class), after the instance exists. */
    synchronized FaultyCloudDriver createError(Error e) { createError = e; return this; }
    FaultyCloudDriver latency(Duration d) { latency = d; return this; }
    FaultyCloudDriver createGate(CountDownLatch gate) { createGate = gate; return this; }

    synchronized FaultyCloudDriver failNext(Op op, int times, CloudException.Kind kind) {
        for (int i = 0; i < times; i++) {
            scripted.get(op).add(new CloudException(kind, kind == CloudException.Kind.THROTTLED ? "RequestLimitExceeded"
                    : kind == CloudException.Kind.CAPACITY ? "InsufficientInstanceCapacity" : "Injected", "injected " + kind));
        }
        return this;
    }

    /** Ends every fault: the cloud behaves from now on. */
    synchronized void clearFaults() {
        scripted.values().forEach(Deque::clear);
        throttleUntil = Instant.MIN;
        createTimeouts = 0;
        duplicateCreates = 0;
        describeThrowsNotFound = false;
        visibilityDelay = Duration.ZERO;
    }

    // ---------------------------------------------------------------- cloud-side events
    /** The spot request becomes an instance (whether or not it was cancelled: that is the fault). */
    synchronized String fulfil(String requestId) {
        Inst req = instances.get(requestId);
        String id = "i-" + (++seq);
        instances.put(id, new Inst(id, CloudInstance.State.RUNNING, req.fp, clock.instant()));
        req.fulfilledAs = id;
        if (req.state == CloudInstance.State.REQUESTED) {
            req.state = CloudInstance.State.TERMINATED; // the request is closed: fulfilled
        }
        return id;
    }

    synchronized void setState(String id, CloudInstance.State s) { instances.get(id).state = s; }
    synchronized void notice(String id) { instances.get(id).notice = true; }

    /** When true, noticed instances are also reported by {@link #interruptedInstances()} (not counted in Op). */
    volatile boolean announcesInterruptions;
    final AtomicInteger interruptionChecks = new AtomicInteger();
    /** The ids each interruption check was asked about, in order. */
    final List<List<String>> interruptionCheckIds = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public synchronized List<String> interruptedInstances(java.util.Collection<String> live) {
        if (!announcesInterruptions) {
            return List.of();
        }
        interruptionChecks.incrementAndGet();
        interruptionCheckIds.add(List.copyOf(live));
        return instances.values().stream().filter(i -> i.notice && live.contains(i.id)
                && !i.view(clock.instant()).isGone()).map(i -> i.id).toList();
    }

    /** An instance started by someone (a previous controller life) with our fingerprint. */
    synchronized String plant(Fingerprint fp) {
        String id = "i-" + (++seq);
        instances.put(id, new Inst(id, CloudInstance.State.RUNNING, fp, Instant.MIN));
        return id;
    }

    // ---------------------------------------------------------------- inspection
    synchronized List<String> alive() {
        List<String> out = new ArrayList<>();
        instances.values().stream().filter(i -> !i.view(clock.instant()).isGone()).forEach(i -> out.add(i.id));
        return out;
    }

    synchronized Inst get(String id) { return instances.get(id); }
    synchronized List<Inst> all() { return List.copyOf(instances.values()); }
    int count(Op op) { return counts.get(op).get(); }
    int totalCalls() { return counts.values().stream().mapToInt(AtomicInteger::get).sum(); }
    synchronized List<String> calls() { return List.copyOf(calls); }
    int maxInFlight() { return maxInFlight.get(); }
    synchronized String aliveByAgent(String agent) {
        return instances.values().stream().filter(i -> !i.view(clock.instant()).isGone() && i.fp.agentName().equals(agent))
                .map(i -> i.id).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- the port
    @Override
    public CloudInstance create(LaunchSpec spec) throws CloudException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            CountDownLatch gate = createGate;
            if (gate != null) {
                try {
                    gate.await(60, TimeUnit.SECONDS); // a hang guard: the test opens the gate
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            pause();
            synchronized (this) {
                enter(Op.CREATE, spec.agentName());
                String id = spot ? "sir-" + (++seq) : "i-" + (++seq);
                CloudInstance.State st = spot ? CloudInstance.State.REQUESTED : CloudInstance.State.PENDING;
                Instant visible = clock.instant().plus(visibilityDelay);
                instances.put(id, new Inst(id, st, spec.fingerprint(), visible));
                instances.get(id).bootedAt = clock.instant().plus(bootTime);
                if (duplicateCreates > 0) {
                    duplicateCreates--;
                    String dup = "i-" + (++seq);
                    instances.put(dup, new Inst(dup, st, spec.fingerprint(), visible));
                }
                if (createError != null) {
                    Error e = createError;
                    createError = null;
                    throw e;
                }
                if (createTimeouts > 0) {
                    createTimeouts--;
                    throw new CloudException(CloudException.Kind.TRANSIENT, "RequestTimeout", "read timed out");
                }
                return instances.get(id).view(clock.instant());
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public List<CloudInstance> describe(Collection<String> ids) throws CloudException {
        pause();
        synchronized (this) {
            enter(Op.DESCRIBE, ids.size() + " ids");
            List<CloudInstance> out = new ArrayList<>();
            for (String id : ids) {
                Inst i = instances.get(id);
                if (i == null || clock.instant().isBefore(i.visibleFrom)) {
                    if (describeThrowsNotFound) {
                        throw new CloudException(CloudException.Kind.NOT_FOUND, "InvalidInstanceID.NotFound",
                                "The instance ID '" + id + "' does not exist");
                    }
                    continue;
                }
                if (i.fulfilledAs != null) {
                    out.add(instances.get(i.fulfilledAs).view(clock.instant()));
                } else {
                    out.add(i.view(clock.instant()));
                }
            }
            return out;
        }
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) throws CloudException {
        pause();
        synchronized (this) {
            enter(Op.LIST, controllerId);
            List<CloudInstance> out = new ArrayList<>();
            for (Inst i : instances.values()) {
                if (i.fp.controllerId().equals(controllerId) && !clock.instant().isBefore(i.visibleFrom)
                        && i.fulfilledAs == null) {
                    out.add(i.view(clock.instant()));
                }
            }
            return out;
        }
    }

    @Override
    public void terminate(Collection<String> ids) throws CloudException {
        pause();
        synchronized (this) {
            enter(Op.TERMINATE, String.join(",", ids));
            for (String id : ids) {
                Inst i = instances.get(id);
                if (i != null && i.fulfilledAs == null) {
                    i.state = i.state == CloudInstance.State.REQUESTED ? CloudInstance.State.FAILED
                            : CloudInstance.State.TERMINATED;
                }
            }
        }
    }

    private void pause() {
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts and records the call, then throws a scripted fault or the storm's throttling if due. */
    private void enter(Op op, String detail) throws CloudException {
        counts.get(op).incrementAndGet();
        calls.add(op + " " + detail);
        if (clock.instant().isBefore(throttleUntil)) {
            throw new CloudException(CloudException.Kind.THROTTLED, "RequestLimitExceeded", "Request limit exceeded.");
        }
        CloudException e = scripted.get(op).poll();
        if (e != null) {
            throw e;
        }
    }
}
