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
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The recycle of one agent after one build: a state machine moved only by events, clock ticks and
 * the outcomes of its own port calls.
 *
 * <p>Threading: it decides, it does not act. Every method that changes state runs under the
 * {@link Recycler}'s lock and adds the port calls it decided to a list, which the recycler makes
 * after releasing the lock (in that order, one agent's calls one at a time). A port call whose
 * outcome matters hands the outcome back through {@link Inbox}, which takes the lock again. While
 * such a call is on its way the machine says so ({@link #handingOver}, {@link #bringingOnline}), so a
 * decision taken meanwhile on another thread cannot contradict it. Only {@link #ask} runs outside the
 * lock, and it reads final fields only.
 */
final class AgentRecycle {
    private static final System.Logger LOG = System.getLogger(AgentRecycle.class.getName());

    /** Everything outside the machine, bundled so the machine is easy to construct. */
    record Ports(AgentControl agents, CloudAgents clouds, RecycleEvents events, Clock clock) {
    }

    /** Where a port call's outcome goes: applied to the machine under the recycler's lock, unless it was retired. */
    interface Inbox {
        void deliver(AgentRecycle machine, Consumer<List<Runnable>> step);
    }

    /** A port's answer to a question. UNKNOWN: not asked, or the port could not say. */
    enum Answer {
        YES, NO, UNKNOWN;

        static Answer of(boolean b) {
            return b ? YES : NO;
        }
    }

    /** What a tick needs from the ports, decided under the lock; asked outside it. */
    record Questions(int version, boolean busy, boolean cloudAgent, boolean connected) {
    }

    /** The ports' answers, valid only while the machine is still at {@code version}. */
    record Answers(int version, Answer busy, Answer cloudAgent, Answer connected) {
        static final Answers NONE = new Answers(-1, Answer.UNKNOWN, Answer.UNKNOWN, Answer.UNKNOWN);
    }

    private final Ports ports;
    private final Inbox inbox;
    private final CompletedBuild build;
    private final RecyclePolicy policy;
    private final String agent;
    private final String startCause;

    private RecycleState state = RecycleState.BUILD_FINISHING;
    private Instant since;
    private String cause;
    /** When the reboot command was started or the replacement was asked for: timeouts count from here. */
    private Instant actionAt;
    private boolean slowDisconnectReported;
    /** Bumped whenever a pending command/replacement result stops mattering, so late results are dropped. */
    private int generation;
    /** Bumped on every state change, so answers asked for in an older state are not applied to a newer one. */
    private int version;
    /**
     * The reboot command is decided but {@code runCommand} has not returned yet. A disconnect seen
     * meanwhile waits for it: the reboot counts as sent only once the command was handed over.
     */
    private boolean handingOver;
    private boolean disconnectedWhileHandingOver;
    /** {@code bringOnline} is on its way: its outcome ends the recycle, nothing else may. */
    private boolean bringingOnline;
    /** Set when the Recycler drops this machine; outcomes arriving later do nothing (read by port calls too). */
    private volatile boolean retired;

    AgentRecycle(Ports ports, Inbox inbox, CompletedBuild build, RecyclePolicy policy) {
        this.ports = ports;
        this.inbox = inbox;
        this.build = build;
        this.policy = policy;
        this.agent = build.agent();
        this.since = ports.clock().instant();
        this.startCause = switch (policy.mode()) {
            case REPLACE -> Texts.PREFIX + "replacing this cloud agent after " + build.describe();
            case OFFLINE -> Texts.PREFIX + "taken offline after " + build.describe()
                    + " by the recycling rule; check the machine, then bring it back online";
            default -> Texts.PREFIX + "rebooting after " + build.describe() + " — back in up to "
                    + Texts.human(policy.reconnectTimeout());
        };
    }

    String agent() {
        return agent;
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

    boolean isRetired() {
        return retired;
    }

    /** The offline cause the completion hook sets, before anything else happens. */
    String startCause() {
        return startCause;
    }

    /** The hook took the agent offline: no build can start there now; the slow work waits for tick(). */
    void offlineTaken(List<Runnable> out) {
        cause = startCause;
        if (policy.mode() == RecycleMode.OFFLINE) {
            moveTo(RecycleState.LEFT_OFFLINE); // nothing more to do: a person takes it from here
            report(Kind.LEFT_OFFLINE, startCause, out);
            return;
        }
        moveTo(RecycleState.OFFLINE_TAKEN);
        report(Kind.STARTED, startCause, out);
    }

    /** The hook could not take the agent offline, so a build may start there: do not reboot or replace it. */
    void offlineFailed(Throwable e, List<Runnable> out) {
        state = RecycleState.FAILED_STAYS_OFFLINE;
        since = now();
        version++;
        cause = Texts.PREFIX + "could not take the agent offline after " + build.describe() + " ("
                + describe(e) + "); it was not rebooted or replaced";
        report(Kind.OFFLINE_FAILED, cause, out);
    }

    // ------------------------------------------------------------------ tick

    /** What the next tick must ask the ports, in the current state. */
    Questions questions() {
        return switch (state) {
            case OFFLINE_TAKEN -> new Questions(version, true, policy.mode() == RecycleMode.REPLACE, false);
            case REBOOT_SENT, WAITING_DISCONNECT -> new Questions(version, false, false, true);
            case WAITING_RECONNECT -> new Questions(version, false, false, !bringingOnline);
            default -> new Questions(version, false, false, false);
        };
    }

    /**
     * Asks the ports, outside the lock. Returns null when a port failed in a way that means "try the
     * whole step again on the next tick" (as a busy or cloud check that throws).
     */
    Answers ask(Questions q) {
        Answer busy = Answer.UNKNOWN;
        Answer cloud = Answer.UNKNOWN;
        Answer connected = Answer.UNKNOWN;
        if (q.busy()) {
            busy = Answer.of(ports.agents().isBusy(agent));
            if (busy == Answer.NO && q.cloudAgent()) {
                cloud = Answer.of(ports.clouds().isCloudAgent(agent));
            }
        }
        if (q.connected()) {
            try {
                connected = Answer.of(ports.agents().isConnected(agent));
            } catch (RuntimeException e) {
                // unknown never moves the recycle on (an agent is never brought online on a guess), but
                // the timeouts still run out and report, instead of a recycle that waits forever
                LOG.log(Level.WARNING, "{0}: cannot tell whether it is connected ({1})", agent, e);
            }
        }
        return new Answers(q.version(), busy, cloud, connected);
    }

    void tick(Answers answers, List<Runnable> out) {
        Answers a = answers.version() == version ? answers : Answers.NONE; // asked in an older state: stale
        Instant now = now();
        switch (state) {
            case OFFLINE_TAKEN -> {
                if (a.busy() == Answer.NO) {
                    act(a.cloudAgent(), out);
                } // busy: another executor (or the finishing one) still runs something: wait, offline
            }
            case REBOOT_SENT -> {
                if (a.connected() == Answer.NO) {
                    disconnectSeen(out); // the command took the connection down with it: it was sent
                } else if (elapsed(now).compareTo(policy.commandTimeout()) >= 0) {
                    fail(Kind.REBOOT_COMMAND_FAILED, "reboot command `" + policy.rebootCommand()
                            + "` did not finish within " + Texts.human(policy.commandTimeout())
                            + " and the agent is still connected; left offline — check the command (sudo rights?)", out);
                }
            }
            case WAITING_DISCONNECT -> {
                if (a.connected() == Answer.NO) {
                    disconnectSeen(out);
                } else if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.DID_NOT_COME_BACK, "the agent never went down: still connected "
                            + Texts.human(policy.reconnectTimeout()) + " after the reboot command `"
                            + policy.rebootCommand() + "`; left offline — check the machine", out);
                } else if (!slowDisconnectReported && policy.disconnectTimeout().isPresent()
                        && elapsed(now).compareTo(policy.disconnectTimeout().get()) >= 0) {
                    // Decision: not a failure yet. The machine may still reboot (delayed shutdown,
                    // slow service stop); only the reconnect timeout ends the wait.
                    slowDisconnectReported = true;
                    String text = Texts.PREFIX + "rebooting after " + build.describe()
                            + " — reboot command accepted but the agent is still connected after "
                            + Texts.human(policy.disconnectTimeout().get()) + "; waiting up to "
                            + Texts.human(policy.reconnectTimeout());
                    setCause(text, out);
                    report(Kind.SLOW_TO_DISCONNECT, text, out);
                }
            }
            case WAITING_RECONNECT -> {
                if (bringingOnline) {
                    return; // its outcome decides
                }
                if (a.connected() == Answer.YES) {
                    connected(out);
                } else if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.DID_NOT_COME_BACK, "did not come back " + Texts.human(policy.reconnectTimeout())
                            + " after reboot; left offline — check the machine", out);
                }
            }
            case REPLACING -> {
                if (elapsed(now).compareTo(policy.reconnectTimeout()) >= 0) {
                    fail(Kind.REPLACEMENT_FAILED, "the cloud did not end the instance within "
                            + Texts.human(policy.reconnectTimeout()) + "; left offline — check the cloud", out);
                }
            }
            default -> {
                // BUILD_FINISHING: the hook is still taking the agent offline; terminal states do nothing
            }
        }
    }

    // ------------------------------------------------------------------ connection events

    void connected(List<Runnable> out) {
        switch (state) {
            case WAITING_RECONNECT -> {
                if (bringingOnline) {
                    return; // the event and the tick's poll both saw it: bring it online once
                }
                bringingOnline = true;
                out.add(() -> {
                    Throwable failure = null;
                    try {
                        ports.agents().bringOnline(agent);
                    } catch (Exception | LinkageError e) {
                        failure = e;
                    }
                    Throwable f = failure;
                    inbox.deliver(this, o -> broughtOnline(f, o));
                });
            }
            case REBOOT_SENT, WAITING_DISCONNECT ->
                    // Decision: a connection seen before any disconnect is the old one (the machine
                    // has not rebooted yet, e.g. shutdown -r +1); only connect-after-disconnect counts.
                    LOG.log(Level.DEBUG, "{0}: connected before it was seen disconnected; still waiting for the reboot", agent);
            default -> {
            }
        }
    }

    /** The connection went down (an event, or the tick's poll). */
    void disconnectSeen(List<Runnable> out) {
        if (handingOver && state == RecycleState.REBOOT_SENT) {
            disconnectedWhileHandingOver = true; // applied once the command was handed over
            return;
        }
        disconnected();
    }

    private void disconnected() {
        if (state == RecycleState.REBOOT_SENT || state == RecycleState.WAITING_DISCONNECT) {
            generation++; // a late "connection lost" from the command changes nothing now
            moveTo(RecycleState.WAITING_RECONNECT);
        }
        // OFFLINE_TAKEN: the command has not run yet; the next tick tries and fails clearly if the
        // agent is still gone. Other states: nothing to do.
    }

    private void broughtOnline(Throwable failure, List<Runnable> out) {
        bringingOnline = false;
        if (state != RecycleState.WAITING_RECONNECT) {
            return;
        }
        if (failure != null) {
            fail(Kind.ONLINE_FAILED, "came back after reboot but could not be brought online (" + describe(failure)
                    + "); left offline", out);
            return;
        }
        moveTo(RecycleState.ONLINE);
        report(Kind.BACK_ONLINE, "back online after reboot following " + build.describe(), out);
    }

    // ------------------------------------------------------------------ reboot and replace

    private void act(Answer cloudAgent, List<Runnable> out) {
        if (policy.mode() != RecycleMode.REPLACE) {
            reboot(out);
        } else if (cloudAgent == Answer.NO) {
            // Decision: never fall back to a reboot. An agent of another plugin's cloud, or a static
            // one, is left offline with a cause that says so; rebooting it could surprise its owner.
            fail(Kind.REPLACEMENT_FAILED, "policy says REPLACE but this agent does not come from one of Tollgate's clouds"
                    + " (only those can be replaced); left offline — use REBOOT or OFFLINE for its label", out);
        } else if (cloudAgent == Answer.YES) {
            replace(out);
        }
    }

    private void reboot(List<Runnable> out) {
        String command = policy.rebootCommand();
        actionAt = now();
        int gen = ++generation;
        moveTo(RecycleState.REBOOT_SENT);
        handingOver = true;
        disconnectedWhileHandingOver = false;
        out.add(() -> {
            CompletionStage<CommandResult> stage = null;
            CommandResult refused = null;
            try {
                stage = ports.agents().runCommand(agent, command, policy.commandTimeout());
                if (stage == null) {
                    refused = CommandResult.couldNotRun("the agent control returned no result");
                }
            } catch (RuntimeException | LinkageError e) {
                refused = CommandResult.couldNotRun(describe(e));
            }
            if (refused != null) {
                CommandResult result = refused;
                inbox.deliver(this, o -> {
                    commandFinished(gen, result, o);
                    handedOver(o);
                });
                return;
            }
            // a stage that is already complete reports here and now, before the hand-over
            stage.whenComplete((result, error) -> inbox.deliver(this, o -> commandFinished(gen,
                    error != null ? CommandResult.couldNotRun(describe(unwrap(error)))
                            : result != null ? result : CommandResult.couldNotRun("no result"), o)));
            inbox.deliver(this, this::handedOver);
        });
    }

    private void handedOver(List<Runnable> out) {
        handingOver = false;
        if (disconnectedWhileHandingOver) {
            disconnectedWhileHandingOver = false;
            disconnected();
        }
    }

    private void commandFinished(int gen, CommandResult result, List<Runnable> out) {
        if (gen != generation || state != RecycleState.REBOOT_SENT) {
            LOG.log(Level.DEBUG, "{0}: ignoring late reboot command result {1}", agent, result.outcome());
            return;
        }
        String command = policy.rebootCommand();
        switch (result.outcome()) {
            case EXITED -> {
                if (result.exitCode() == 0) {
                    moveTo(RecycleState.WAITING_DISCONNECT);
                    report(Kind.REBOOT_ACCEPTED, "reboot command `" + command + "` accepted (exit 0); waiting for the"
                            + " agent to go down and come back", out);
                } else {
                    fail(Kind.REBOOT_COMMAND_FAILED, "reboot command `" + command + "` failed with exit code "
                            + result.exitCode() + ": " + Texts.oneLine(result.output()) + "; left offline", out);
                }
            }
            case CONNECTION_LOST -> disconnected(); // normal for an immediate reboot: counts as sent
            case COULD_NOT_RUN -> fail(Kind.REBOOT_COMMAND_FAILED, "could not run reboot command `" + command + "`: "
                    + Texts.oneLine(result.output()) + "; left offline", out);
        }
    }

    private void replace(List<Runnable> out) {
        actionAt = now();
        int gen = ++generation;
        moveTo(RecycleState.REPLACING);
        out.add(() -> {
            CompletionStage<Void> stage;
            try {
                stage = ports.clouds().replace(agent);
            } catch (RuntimeException | LinkageError e) {
                inbox.deliver(this, o -> replaceFinished(gen, e, o));
                return;
            }
            if (stage == null) {
                inbox.deliver(this, o -> replaceFinished(gen, new IllegalStateException("the cloud returned no result"), o));
                return;
            }
            stage.whenComplete((ignored, error) ->
                    inbox.deliver(this, o -> replaceFinished(gen, error == null ? null : unwrap(error), o)));
        });
    }

    private void replaceFinished(int gen, Throwable error, List<Runnable> out) {
        if (gen != generation || state != RecycleState.REPLACING) {
            return;
        }
        if (error == null) {
            moveTo(RecycleState.REPLACED);
            report(Kind.REPLACED, "cloud instance ended after " + build.describe()
                    + "; the cloud starts a fresh one on demand", out);
        } else {
            fail(Kind.REPLACEMENT_FAILED, "replacement failed: " + describe(error) + "; left offline", out);
        }
    }

    // ------------------------------------------------------------------ outcomes

    /** Terminal failure: the agent stays offline and its cause says why; reported exactly once. */
    private void fail(Kind kind, String why, List<Runnable> out) {
        if (state.isTerminal()) {
            return;
        }
        generation++;
        moveTo(RecycleState.FAILED_STAYS_OFFLINE);
        String text = Texts.PREFIX + why + ". Last build: " + build.describe();
        setCause(text, out);
        report(kind, text, out);
    }

    private void setCause(String text, List<Runnable> out) {
        cause = text;
        out.add(() -> {
            if (retired) {
                return; // a newer recycle (or the agent's removal) owns the cause now
            }
            try {
                ports.agents().takeOffline(agent, text);
            } catch (Exception | LinkageError e) {
                LOG.log(Level.WARNING, "{0}: could not update the offline cause to \"{1}\": {2}", agent, text, describe(e));
            }
        });
    }

    private void moveTo(RecycleState next) {
        LOG.log(Level.DEBUG, "{0}: {1} -> {2}", agent, state, next);
        state = next;
        since = now();
        version++;
    }

    private void report(Kind kind, String message, List<Runnable> out) {
        if (kind.isFailure()) {
            LOG.log(Level.WARNING, "{0}: {1}", agent, message);
        } else {
            LOG.log(Level.INFO, "{0}: {1}", agent, message);
        }
        RecycleEvent event = new RecycleEvent(agent, kind, message, now());
        out.add(() -> {
            try {
                ports.events().report(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event reporter failed for " + agent, e);
            }
        });
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
