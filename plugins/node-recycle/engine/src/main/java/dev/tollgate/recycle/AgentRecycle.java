package dev.tollgate.recycle;

import dev.tollgate.recycle.RecycleEvent.Kind;
import dev.tollgate.recycle.port.AgentControl;
import dev.tollgate.recycle.port.CloudAgents;
import dev.tollgate.recycle.port.CommandResult;
import dev.tollgate.recycle.port.RecycleEvents;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The recycle of one agent after one build: a state machine moved only by events and clock ticks.
 * Not thread-safe on its own: every method runs under the {@link Recycler}'s lock, including the
 * completions of the command and replacement stages, which take that lock before touching state.
 */
final class AgentRecycle {
    private static final System.Logger LOG = System.getLogger(AgentRecycle.class.getName());

    /** Everything outside the machine, bundled so the machine is easy to construct. */
    record Ports(AgentControl agents, CloudAgents clouds, RecycleEvents events, Clock clock, Object lock) {
    }

    private final Ports ports;
    private final CompletedBuild build;
    private final RecyclePolicy policy;
    private final String agent;

    private RecycleState state = RecycleState.BUILD_FINISHING;
    private Instant since;
    private String cause;
    /** When the reboot command was started or the replacement was asked for: timeouts count from here. */
    private Instant actionAt;
    private boolean slowDisconnectReported;
    /** Bumped whenever a pending command/replacement result stops mattering, so late results are dropped. */
    private int generation;
    /** Set when the Recycler drops this machine; callbacks arriving later do nothing. */
    private boolean retired;

    AgentRecycle(Ports ports, CompletedBuild build, RecyclePolicy policy) {
        this.ports = ports;
        this.build = build;
        this.policy = policy;
        this.agent = build.agent();
        this.since = ports.clock().instant();
    }

    RecycleState state() {
        return state;
    }

    AgentStatus status() {
        return new AgentStatus(agent, state, since, cause, build.describe());
    }

    void retire() {
        retired = true;
    }

    /**
     * Called from the build-completion hook, before the executor is released: only marks the agent
     * offline (a local, quick operation), so nothing can start there; the slow work waits for tick().
     */
    void start() {
        String text = policy.mode() == RecycleMode.REPLACE
                ? Texts.PREFIX + "replacing this cloud agent after " + build.describe()
                : Texts.PREFIX + "rebooting after " + build.describe() + " — back in up to "
                        + Texts.human(policy.reconnectTimeout());
        try {
            ports.agents().takeOffline(agent, text);
        } catch (Exception | LinkageError e) {
            // Not offline, so a build may start there: do not reboot or replace it under that build.
            state = RecycleState.FAILED_STAYS_OFFLINE;
            since = now();
            cause = Texts.PREFIX + "could not take the agent offline after " + build.describe() + " ("
                    + describe(e) + "); it was not rebooted or replaced";
            report(Kind.OFFLINE_FAILED, cause);
            return;
        }
        cause = text;
        moveTo(RecycleState.OFFLINE_TAKEN);
        report(Kind.STARTED, text);
    }

    void tick() {
        Instant now = now();
        switch (state) {
            case OFFLINE_TAKEN -> act();
            case REBOOT_SENT -> {
                if (Boolean.FALSE.equals(connectedNow())) {
                    disconnected(); // the command took the connection down with it: it was sent
                } else if (elapsed(now).compareTo(policy.commandTimeout()) >= 0) {
                    fail(Kind.REBOOT_COMMAND_FAILED, "reboot command `" + policy.rebootCommand()
                            + "` did not finish within " + Texts.human(policy.commandTimeout())
                            + " and the agent is still connected; left offline — check the command (sudo rights?)");
                }
            }
            case WAITING_DISCONNECT -> {
                if (Boolean.FALSE.equals(connectedNow())) {
                    disconnected();
                } else if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.DID_NOT_COME_BACK, "the agent never went down: still connected "
                            + Texts.human(policy.reconnectTimeout()) + " after the reboot command `"
                            + policy.rebootCommand() + "`; left offline — check the machine");
                } else if (!slowDisconnectReported && policy.disconnectTimeout().isPresent()
                        && elapsed(now).compareTo(policy.disconnectTimeout().get()) >= 0) {
                    // Decision: not a failure yet. The machine may still reboot (delayed shutdown,
                    // slow service stop); only the reconnect timeout ends the wait.
                    slowDisconnectReported = true;
                    String text = Texts.PREFIX + "rebooting after " + build.describe()
                            + " — reboot command accepted but the agent is still connected after "
                            + Texts.human(policy.disconnectTimeout().get()) + "; waiting up to "
                            + Texts.human(policy.reconnectTimeout());
                    setCause(text);
                    report(Kind.SLOW_TO_DISCONNECT, text);
                }
            }
            case WAITING_RECONNECT -> {
                if (Boolean.TRUE.equals(connectedNow())) {
                    connected();
                } else if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.DID_NOT_COME_BACK, "did not come back " + Texts.human(policy.reconnectTimeout())
                            + " after reboot; left offline — check the machine");
                }
            }
            case REPLACING -> {
                if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.REPLACEMENT_FAILED, "the cloud did not end the instance within "
                            + Texts.human(policy.reconnectTimeout()) + "; left offline — check the cloud");
                }
            }
            default -> {
                // BUILD_FINISHING never outlives start(); terminal states do nothing
            }
        }
    }

    void connected() {
        switch (state) {
            case WAITING_RECONNECT -> {
                try {
                    ports.agents().bringOnline(agent);
                } catch (Exception | LinkageError e) {
                    fail(Kind.ONLINE_FAILED, "came back after reboot but could not be brought online (" + describe(e)
                            + "); left offline");
                    return;
                }
                moveTo(RecycleState.ONLINE);
                report(Kind.BACK_ONLINE, "back online after reboot following " + build.describe());
            }
            case REBOOT_SENT, WAITING_DISCONNECT ->
                    // Decision: a connection seen before any disconnect is the old one (the machine
                    // has not rebooted yet, e.g. shutdown -r +1); only connect-after-disconnect counts.
                    LOG.log(Level.DEBUG, "{0}: connected before it was seen disconnected; still waiting for the reboot", agent);
            default -> {
            }
        }
    }

    void disconnected() {
        if (state == RecycleState.REBOOT_SENT || state == RecycleState.WAITING_DISCONNECT) {
            generation++; // a late "connection lost" from the command changes nothing now
            moveTo(RecycleState.WAITING_RECONNECT);
        }
        // OFFLINE_TAKEN: the command has not run yet; the next tick tries and fails clearly if the
        // agent is still gone. Other states: nothing to do.
    }

    /**
     * The port's answer, or null when it cannot answer (the node is gone, say). Unknown never moves
     * the recycle on (an agent is never brought online on a guess), but the timeouts still run out
     * and report, instead of a recycle that waits forever.
     */
    private Boolean connectedNow() {
        try {
            return ports.agents().isConnected(agent);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: cannot tell whether it is connected ({1})", agent, e);
            return null;
        }
    }

    private void act() {
        if (ports.agents().isBusy(agent)) {
            return; // another executor (or the finishing one) still runs something: wait, offline
        }
        if (policy.mode() == RecycleMode.REPLACE) {
            replace();
        } else {
            reboot();
        }
    }

    private void reboot() {
        String command = policy.rebootCommand();
        actionAt = now();
        int gen = ++generation;
        moveTo(RecycleState.REBOOT_SENT);
        CompletionStage<CommandResult> stage;
        try {
            stage = ports.agents().runCommand(agent, command);
        } catch (RuntimeException | LinkageError e) {
            commandFinished(gen, CommandResult.couldNotRun(describe(e)));
            return;
        }
        if (stage == null) {
            commandFinished(gen, CommandResult.couldNotRun("the agent control returned no result"));
            return;
        }
        stage.whenComplete((result, error) -> {
            synchronized (ports.lock()) {
                if (retired) {
                    return;
                }
                commandFinished(gen, error != null ? CommandResult.couldNotRun(describe(unwrap(error)))
                        : result != null ? result : CommandResult.couldNotRun("no result"));
            }
        });
    }

    private void commandFinished(int gen, CommandResult result) {
        if (gen != generation || state != RecycleState.REBOOT_SENT) {
            LOG.log(Level.DEBUG, "{0}: ignoring late reboot command result {1}", agent, result.outcome());
            return;
        }
        String command = policy.rebootCommand();
        switch (result.outcome()) {
            case EXITED -> {
                if (result.exitCode() == 0) {
                    moveTo(RecycleState.WAITING_DISCONNECT);
                } else {
                    fail(Kind.REBOOT_COMMAND_FAILED, "reboot command `" + command + "` failed with exit code "
                            + result.exitCode() + ": " + Texts.oneLine(result.output()) + "; left offline");
                }
            }
            case CONNECTION_LOST -> disconnected(); // normal for an immediate reboot: counts as sent
            case COULD_NOT_RUN -> fail(Kind.REBOOT_COMMAND_FAILED, "could not run reboot command `" + command + "`: "
                    + Texts.oneLine(result.output()) + "; left offline");
        }
    }

    private void replace() {
        if (!ports.clouds().isCloudAgent(agent)) {
            fail(Kind.REPLACEMENT_FAILED, "policy says REPLACE but this agent does not come from one of Tollgate's clouds;"
                    + " left offline — use REBOOT for static agents");
            return;
        }
        actionAt = now();
        int gen = ++generation;
        moveTo(RecycleState.REPLACING);
        CompletionStage<Void> stage;
        try {
            stage = ports.clouds().replace(agent);
        } catch (RuntimeException | LinkageError e) {
            replaceFinished(gen, e);
            return;
        }
        if (stage == null) {
            replaceFinished(gen, new IllegalStateException("the cloud returned no result"));
            return;
        }
        stage.whenComplete((ignored, error) -> {
            synchronized (ports.lock()) {
                if (!retired) {
                    replaceFinished(gen, error == null ? null : unwrap(error));
                }
            }
        });
    }

    private void replaceFinished(int gen, Throwable error) {
        if (gen != generation || state != RecycleState.REPLACING) {
            return;
        }
        if (error == null) {
            moveTo(RecycleState.REPLACED);
            report(Kind.REPLACED, "cloud instance ended after " + build.describe() + "; the cloud starts a fresh one on demand");
        } else {
            fail(Kind.REPLACEMENT_FAILED, "replacement failed: " + describe(error) + "; left offline");
        }
    }

    /** Terminal failure: the agent stays offline and its cause says why; reported exactly once. */
    private void fail(Kind kind, String why) {
        if (state.isTerminal()) {
            return;
        }
        generation++;
        moveTo(RecycleState.FAILED_STAYS_OFFLINE);
        String text = Texts.PREFIX + why + ". Last build: " + build.describe();
        setCause(text);
        report(kind, text);
    }

    private void setCause(String text) {
        cause = text;
        try {
            ports.agents().takeOffline(agent, text);
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "{0}: could not update the offline cause to \"{1}\": {2}", agent, text, describe(e));
        }
    }

    private void moveTo(RecycleState next) {
        LOG.log(Level.DEBUG, "{0}: {1} -> {2}", agent, state, next);
        state = next;
        since = now();
    }

    private void report(Kind kind, String message) {
        if (kind.isFailure()) {
            LOG.log(Level.WARNING, "{0}: {1}", agent, message);
        } else {
            LOG.log(Level.INFO, "{0}: {1}", agent, message);
        }
        try {
            ports.events().report(new RecycleEvent(agent, kind, message, now()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event reporter failed for " + agent, e);
        }
    }

    private Duration elapsed(Instant now) {
        return actionAt == null ? Duration.ZERO : Duration.between(actionAt, now);
    }

    private Instant now() {
        return ports.clock().instant();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : Texts.oneLine(message);
    }
}
