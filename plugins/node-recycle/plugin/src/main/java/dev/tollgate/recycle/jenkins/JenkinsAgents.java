package dev.tollgate.recycle.jenkins;

import dev.tollgate.recycle.AgentStatus;
import dev.tollgate.recycle.port.AgentControl;
import dev.tollgate.recycle.port.CommandResult;
import hudson.Launcher;
import hudson.Proc;
import hudson.model.Computer;
import hudson.model.Node;
import hudson.model.TaskListener;
import hudson.remoting.Channel;
import hudson.remoting.ChannelClosedException;
import hudson.remoting.RequestAbortedException;
import hudson.remoting.VirtualChannel;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.slaves.OfflineCause;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.util.Timer;

/**
 * The engine's {@link AgentControl} on Jenkins' agents ({@link Computer}s), by node name.
 *
 * <p>Threading: the recycler calls these outside its lock, one agent's calls one at a time, from
 * the completion hook, the ticker or a listener. Offline and online are local flags of the node
 * (quick; Jenkins saves the node and takes the queue lock to do it). The reboot command talks to
 * the agent over remoting, so it runs on {@link Computer#threadPoolForRemoting} and never on the
 * caller's thread; a command still running a little after the recycler stopped waiting for it is
 * killed, so that it never holds a thread of that pool for good.
 */
final class JenkinsAgents implements AgentControl {
    private static final Logger LOG = Logger.getLogger(JenkinsAgents.class.getName());
    /** Output kept from the command: the engine shows 400 characters of it. */
    private static final int MAX_OUTPUT = 4096;
    /** How long after the recycler's own timeout a command that is still running is killed. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(30);

    /** The recycle's state, to mark a cause as taken mid-recycle or as its final word. */
    private final Function<String, Optional<AgentStatus>> status;

    JenkinsAgents(Function<String, Optional<AgentStatus>> status) {
        this.status = status;
    }

    @Override
    public void takeOffline(String agent, String cause) {
        Computer c = computer(agent);
        if (c == null) {
            throw new IllegalStateException("no agent " + agent);
        }
        boolean inProgress = status.apply(agent).map(s -> !s.state().isTerminal()).orElse(true);
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            // replaces any earlier cause; effective before this returns (Node.setTemporaryOfflineCause)
            c.setTemporaryOfflineCause(new RecycleOfflineCause(cause, inProgress));
        }
    }

    @Override
    public void bringOnline(String agent) {
        Computer c = computer(agent);
        Node node = c == null ? null : c.getNode();
        if (node == null) {
            throw new IllegalStateException("the agent no longer exists");
        }
        OfflineCause current = node.getTemporaryOfflineCause();
        if (current != null && !(current instanceof RecycleOfflineCause)) {
            // someone took it offline by hand meanwhile: that decision stands
            throw new IllegalStateException("it was taken offline by someone else meanwhile (" + current + ")");
        }
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            c.setTemporaryOfflineCause(null);
        }
    }

    /** A live channel; not {@link Computer#isOnline()}, which is false for every agent taken offline. */
    @Override
    public boolean isConnected(String agent) {
        Computer c = computer(agent);
        return c != null && c.getChannel() != null;
    }

    /** Executors that are not idle (regular ones; one-off executors of flyweight tasks do not count). */
    @Override
    public boolean isBusy(String agent) {
        Computer c = computer(agent);
        return c != null && c.countBusy() > 0;
    }

    @Override
    public CompletionStage<CommandResult> runCommand(String agent, String commandLine) {
        return runCommand(agent, commandLine, Duration.ofMinutes(10));
    }

    @Override
    public CompletionStage<CommandResult> runCommand(String agent, String commandLine, Duration timeout) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        Computer.threadPoolForRemoting.submit(() -> {
            try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
                result.complete(run(agent, commandLine, timeout));
            } catch (RuntimeException | Error e) {
                result.complete(CommandResult.couldNotRun(describe(e)));
            }
        });
        return result;
    }

    private CommandResult run(String agent, String commandLine, Duration timeout) {
        Computer c = computer(agent);
        Node node = c == null ? null : c.getNode();
        if (node == null) {
            return CommandResult.couldNotRun("the agent no longer exists");
        }
        VirtualChannel channel = c.getChannel();
        if (channel == null) {
            return CommandResult.couldNotRun("the agent is not connected");
        }
        Output out = new Output();
        Proc proc;
        try {
            // sh -c: the command is a shell command line, as the jobs' post-build task ran it
            Launcher launcher = node.createLauncher(TaskListener.NULL);
            proc = launcher.launch().cmds("sh", "-c", commandLine).stdout(out).quiet(true).start();
        } catch (IOException | RuntimeException e) {
            return lost(channel, e) ? CommandResult.connectionLost(describe(e)) : CommandResult.couldNotRun(describe(e));
        }
        AtomicBoolean killed = new AtomicBoolean();
        ScheduledFuture<?> killer = Timer.get().schedule(() -> {
            killed.set(true);
            try {
                proc.kill();
            } catch (IOException | InterruptedException | RuntimeException e) {
                LOG.log(Level.FINE, "could not stop the reboot command on " + agent, e);
            }
        }, timeout.plus(KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        try {
            int code = proc.join();
            if (killed.get()) {
                return CommandResult.couldNotRun("did not finish within " + timeout.plus(KILL_GRACE).toSeconds()
                        + " s and was stopped");
            }
            return CommandResult.exited(code, out.text());
        } catch (IOException | RuntimeException e) {
            return lost(channel, e) ? CommandResult.connectionLost(describe(e)) : CommandResult.couldNotRun(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandResult.couldNotRun("interrupted while waiting for the command");
        } finally {
            killer.cancel(false);
        }
    }

    /**
     * Whether a failure means the connection went away (normal for an immediate reboot): the
     * channel is closing, or the failure is remoting's for a closed channel.
     */
    private static boolean lost(VirtualChannel channel, Throwable e) {
        if (channel instanceof Channel ch && ch.isClosingOrClosed()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ChannelClosedException || t instanceof RequestAbortedException || t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }

    private static Computer computer(String agent) {
        Jenkins j = Jenkins.getInstanceOrNull();
        return j == null || agent.isEmpty() ? null : j.getComputer(agent);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The command's output, kept up to {@link #MAX_OUTPUT} bytes. Written by remoting's thread, read after join. */
    private static final class Output extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (kept.size() < MAX_OUTPUT) {
                kept.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = MAX_OUTPUT - kept.size();
            if (room > 0) {
                kept.write(b, off, Math.min(room, len));
            }
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
