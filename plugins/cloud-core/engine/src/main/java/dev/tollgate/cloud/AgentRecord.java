package dev.tollgate.cloud;

import dev.tollgate.cloud.port.Fingerprint;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the engine knows about one agent and its instance. Immutable; the engine replaces it on every
 * change and saves it through the {@link dev.tollgate.cloud.port.LifecycleStore}.
 *
 * @param agentName         unique key; also in the fingerprint on the instance
 * @param templateName      template the instance was started from
 * @param fingerprint       applied to the instance at creation (holds created-at)
 * @param instanceId        cloud id (a spot request id until fulfilled); null while create is in flight or its outcome is unknown
 * @param state             lifecycle state
 * @param stateSince        when the state was entered
 * @param awaitingSince     start of the missing-timeout window (request time, or last disconnect)
 * @param connectedAt       first connection, or null
 * @param idleSince         start of the current idle period (for buildWaitTimeout), or null
 * @param busyBuilds        builds running now
 * @param uses              builds started on the agent so far
 * @param failed            for TERMINATING: whether the record ends as FAILED rather than TERMINATED
 * @param terminateAttempts failed terminate calls so far
 * @param nextAttemptAt     earliest next terminate call, or null
 * @param reason            last reason or error, for display; never holds secrets
 */
public record AgentRecord(String agentName, String templateName, Fingerprint fingerprint, String instanceId,
                          AgentState state, Instant stateSince, Instant awaitingSince, Instant connectedAt,
                          Instant idleSince, int busyBuilds, int uses, boolean failed, int terminateAttempts,
                          Instant nextAttemptAt, String reason) {

    public AgentRecord {
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(templateName, "templateName");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stateSince, "stateSince");
        Objects.requireNonNull(awaitingSince, "awaitingSince");
    }

    /** A fresh record for an instance about to be requested. */
    public static AgentRecord requested(String agentName, String templateName, Fingerprint fingerprint) {
        Instant at = fingerprint.createdAt();
        return new AgentRecord(agentName, templateName, fingerprint, null, AgentState.REQUESTED, at, at, null, null,
                0, 0, false, 0, null, null);
    }

    public Instant createdAt() {
        return fingerprint.createdAt();
    }

    public Editor edit() {
        return new Editor(this);
    }

    /** Flat string form for storage ({@link #fromMap} reads it back). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>(fingerprint.toTags());
        put(m, "agentName", agentName);
        put(m, "templateName", templateName);
        put(m, "instanceId", instanceId);
        put(m, "state", state.name());
        put(m, "stateSince", stateSince);
        put(m, "awaitingSince", awaitingSince);
        put(m, "connectedAt", connectedAt);
        put(m, "idleSince", idleSince);
        put(m, "busyBuilds", busyBuilds);
        put(m, "uses", uses);
        put(m, "failed", failed);
        put(m, "terminateAttempts", terminateAttempts);
        put(m, "nextAttemptAt", nextAttemptAt);
        put(m, "reason", reason);
        return m;
    }

    /** Reads {@link #toMap()} output; throws IllegalArgumentException naming what is missing or bad. */
    public static AgentRecord fromMap(Map<String, String> m) {
        Fingerprint fp = Fingerprint.fromTags(m);
        if (fp == null) {
            throw new IllegalArgumentException("stored agent record has no complete fingerprint: " + m.keySet());
        }
        try {
            return new AgentRecord(req(m, "agentName"), req(m, "templateName"), fp, m.get("instanceId"),
                    AgentState.valueOf(req(m, "state")), Instant.parse(req(m, "stateSince")),
                    Instant.parse(req(m, "awaitingSince")), instant(m.get("connectedAt")),
                    instant(m.get("idleSince")), Integer.parseInt(m.getOrDefault("busyBuilds", "0")),
                    Integer.parseInt(m.getOrDefault("uses", "0")), Boolean.parseBoolean(m.get("failed")),
                    Integer.parseInt(m.getOrDefault("terminateAttempts", "0")), instant(m.get("nextAttemptAt")),
                    m.get("reason"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad stored agent record " + m.get("agentName") + ": " + e.getMessage(), e);
        }
    }

    private static void put(Map<String, String> m, String k, Object v) {
        if (v != null) {
            m.put(k, v.toString());
        }
    }

    private static String req(Map<String, String> m, String k) {
        String v = m.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing " + k);
        }
        return v;
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    /** Copy-and-change helper, so state transitions read as one expression. */
    public static final class Editor {
        private String instanceId;
        private AgentState state;
        private Instant stateSince, awaitingSince, connectedAt, idleSince, nextAttemptAt;
        private int busyBuilds, uses, terminateAttempts;
        private boolean failed;
        private String reason;
        private final AgentRecord base;

        private Editor(AgentRecord r) {
            base = r;
            instanceId = r.instanceId;
            state = r.state;
            stateSince = r.stateSince;
            awaitingSince = r.awaitingSince;
            connectedAt = r.connectedAt;
            idleSince = r.idleSince;
            nextAttemptAt = r.nextAttemptAt;
            busyBuilds = r.busyBuilds;
            uses = r.uses;
            terminateAttempts = r.terminateAttempts;
            failed = r.failed;
            reason = r.reason;
        }

        /** Moves to the state; stateSince changes only when the state does. */
        public Editor state(AgentState s, Instant now) {
            if (s != state) {
                state = s;
                stateSince = now;
            }
            return this;
        }

        public Editor instanceId(String v) { instanceId = v; return this; }
        public Editor awaitingSince(Instant v) { awaitingSince = v; return this; }
        public Editor connectedAt(Instant v) { connectedAt = v; return this; }
        public Editor idleSince(Instant v) { idleSince = v; return this; }
        public Editor nextAttemptAt(Instant v) { nextAttemptAt = v; return this; }
        public Editor busyBuilds(int v) { busyBuilds = v; return this; }
        public Editor uses(int v) { uses = v; return this; }
        public Editor terminateAttempts(int v) { terminateAttempts = v; return this; }
        public Editor failed(boolean v) { failed = v; return this; }
        public Editor reason(String v) { reason = v; return this; }

        public AgentRecord done() {
            return new AgentRecord(base.agentName, base.templateName, base.fingerprint, instanceId, state, stateSince,
                    awaitingSince, connectedAt, idleSince, busyBuilds, uses, failed, terminateAttempts, nextAttemptAt,
                    reason);
        }
    }
}
