package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * "Test connection" for a configured Gerrit server: runs, in order, what {@link GerritStream} (and
 * {@link RestReviewPoster}) will do, and says for each step whether it worked, in one line an
 * administrator can act on:
 * <ol>
 *   <li>{@link Step#TCP_CONNECT}: the name resolves and the SSH port accepts a connection
 *       (refused, unreachable, unknown host, time-out told apart);</li>
 *   <li>{@link Step#SSH_HOST_KEY}: the key the server presents is one of the pinned keys (a mismatch
 *       shows the presented key's and the pinned keys' SHA256 fingerprints, as {@code ssh-keygen -l}
 *       prints them); an unknown key is never accepted, and nothing is sent after a mismatch;</li>
 *   <li>{@link Step#SSH_AUTHENTICATION}: the user logs in with the configured key;</li>
 *   <li>{@link Step#GERRIT_VERSION}: {@code gerrit version} over an exec channel;</li>
 *   <li>{@link Step#STREAM_EVENTS}: {@code gerrit stream-events} is opened and watched for a short
 *       while: Gerrit answers a user without the "Stream Events" capability with an error line and
 *       closes the channel; an event line, or silence until the wait ends, counts as accepted;</li>
 *   <li>{@link Step#REST_ACCOUNT}, {@link Step#REST_VERSION} (only with a {@link GerritRest}):
 *       {@code GET /a/accounts/self} with the HTTP credentials, {@code GET /config/server/version}.</li>
 * </ol>
 * A failed SSH step marks the SSH steps after it {@link Outcome#SKIPPED}; the REST steps run anyway.
 * Each SSH step is bounded by {@link GerritSshConfig#connectTimeout()}, each REST request by
 * {@link GerritRest#requestTimeout()}; the stream-events watch by the shorter of its wait and the
 * connect time-out. Secrets never reach a message or the log: messages name users, hosts, URLs
 * (without any user info) and public-key fingerprints only, and text taken from a failed key load
 * is stripped of the key's lines and the passphrase.
 *
 * <p>Immutable; {@link #run()} may be called from several threads at once (each run has its own
 * SSH client, closed before it returns, and its own helper thread for name lookup and REST).
 */
public final class GerritConnectionCheck {
    private static final Logger LOG = Logger.getLogger(GerritConnectionCheck.class.getName());

    /** How long {@code gerrit stream-events} is watched for a refusal when nothing else is said. */
    public static final Duration DEFAULT_STREAM_EVENTS_WAIT = Duration.ofSeconds(2);

    static final String VERSION_COMMAND = "gerrit version";
    private static final int KEEP_BYTES = 4096; // of a command's stdout/stderr; the rest is discarded
    private static final int MAX_QUOTED_CHARS = 300; // of a server's text quoted in a message

    public enum Step {
        TCP_CONNECT("TCP connection"),
        SSH_HOST_KEY("SSH host key"),
        SSH_AUTHENTICATION("SSH authentication"),
        GERRIT_VERSION("gerrit version"),
        STREAM_EVENTS("gerrit stream-events"),
        REST_ACCOUNT("REST account"),
        REST_VERSION("REST server version");

        private final String title;

        Step(String title) {
            this.title = title;
        }

        /** A short name for a UI. */
        public String title() {
            return title;
        }
    }

    public enum Outcome { OK, FAILED, SKIPPED }

    /** One step: its outcome and a one-line message. */
    public record StepResult(Step step, Outcome outcome, String message) {
        public StepResult {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
        }

        public boolean ok() {
            return outcome == Outcome.OK;
        }

        @Override
        public String toString() {
            return outcome + " " + step.title() + ": " + message;
        }
    }

    /** The steps run, in order; the REST steps are absent when no {@link GerritRest} was given. */
    public record Result(List<StepResult> steps) {
        public Result {
            steps = List.copyOf(steps);
        }

        /** True when no step failed. */
        public boolean ok() {
            return steps.stream().noneMatch(s -> s.outcome() == Outcome.FAILED);
        }

        /** The result of that step, or null when it was not part of this check. */
        public StepResult step(Step step) {
            return steps.stream().filter(s -> s.step() == step).findFirst().orElse(null);
        }

        public List<StepResult> failures() {
            return steps.stream().filter(s -> s.outcome() == Outcome.FAILED).collect(Collectors.toList());
        }

        /** One line per step. */
        @Override
        public String toString() {
            return steps.stream().map(StepResult::toString).collect(Collectors.joining("\n"));
        }
    }

    private final GerritSshConfig config;
    private final Supplier<SshKeyCredentials> credentials;
    private final GerritRest rest;
    private final Duration streamEventsWait;

    /**
     * @param rest null to check SSH only
     */
    public GerritConnectionCheck(GerritSshConfig config, Supplier<SshKeyCredentials> credentials, GerritRest rest) {
        this(config, credentials, rest, DEFAULT_STREAM_EVENTS_WAIT);
    }

    private GerritConnectionCheck(GerritSshConfig config, Supplier<SshKeyCredentials> credentials, GerritRest rest,
                                  Duration streamEventsWait) {
        this.config = Objects.requireNonNull(config, "config");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.rest = rest;
        if (streamEventsWait.isNegative() || streamEventsWait.isZero()) {
            throw new IllegalArgumentException("the stream-events wait must be positive: " + streamEventsWait);
        }
        this.streamEventsWait = streamEventsWait;
    }

    /**
     * How long {@code gerrit stream-events} is watched for a refusal (default
     * {@link #DEFAULT_STREAM_EVENTS_WAIT}, at most the connect time-out). Gerrit refuses within
     * milliseconds; a refusal later than this is not seen here (the stream reports it when it connects).
     */
    public GerritConnectionCheck withStreamEventsWait(Duration wait) {
        return new GerritConnectionCheck(config, credentials, rest, wait);
    }

    /** Runs every step; returns when all have ended, each within its bound. */
    public Result run() throws InterruptedException {
        List<StepResult> steps = new ArrayList<>();
        ExecutorService helper = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gerrit-connection-check");
            t.setDaemon(true);
            return t;
        });
        try {
            SshRun ssh = new SshRun(steps, helper);
            ssh.run();
            if (rest != null) {
                restSteps(steps, helper, ssh.sshVersion);
            }
        } finally {
            helper.shutdownNow(); // interrupts a REST read still going after its time-out
        }
        Result result = new Result(steps);
        LOG.log(Level.INFO, "Gerrit connection check {0}:{1}: {2}\n{3}",
                new Object[] {config.host(), String.valueOf(config.port()), result.ok() ? "ok" : "failed", result});
        return result;
    }

    // ---- SSH ----

    /** One run of the SSH steps; not shared between threads (MINA's threads only touch the monitors). */
    private final class SshRun {
        private final List<StepResult> out;
        private final ExecutorService helper;
        private final String where = config.host() + ":" + config.port();
        private final Duration timeout = config.connectTimeout();
        private final HostKeyCheck pinned = HostKeyCheck.parse(config.hostKey());
        private volatile PublicKey presented;
        private volatile boolean keyAccepted;
        private volatile String sessionProblem; // the first reason MINA gave for a failing session
        private volatile String notSsh; // the first line the server sent that is not its SSH greeting
        private SshClient client;
        private SshKeyCredentials cred;
        private String credFailure;
        String sshVersion; // as `gerrit version` says it; null until known

        SshRun(List<StepResult> out, ExecutorService helper) {
            this.out = out;
            this.helper = helper;
        }

        void run() throws InterruptedException {
            try {
                cred = Objects.requireNonNull(credentials.get(), "no SSH credentials");
            } catch (RuntimeException e) {
                credFailure = "the SSH credentials could not be read: " + describe(e);
            }
            // the user name only travels in the authentication request; before it any name does
            String user = cred != null ? cred.username() : "tollgate";
            ServerKeyVerifier recorder = (ClientSession s, SocketAddress remote, PublicKey key) -> {
                presented = key;
                keyAccepted = pinned.verifyServerKey(s, remote, key);
                return keyAccepted;
            };
            client = GerritSsh.startClient(config, pinned, recorder);
            client.addSessionListener(new SessionListener() {
                @Override
                public void sessionPeerIdentificationLine(Session session, String line, List<String> extraLines) {
                    // what a server that is not SSH (HTTP, say) answers instead of "SSH-2.0-..."
                    if (notSsh == null && line != null && !line.isBlank() && !line.startsWith("SSH-")) {
                        notSsh = quote(line);
                    }
                }

                @Override
                public void sessionException(Session session, Throwable t) {
                    problem(describe(t));
                }

                @Override
                public void sessionDisconnect(Session session, int reason, String msg, String language,
                                              boolean initiator) {
                    problem((initiator ? "disconnected: " : "the server disconnected: ") + msg);
                }

                @Override
                public void sessionNegotiationEnd(Session session, Map<KexProposalOption, String> clientProposal,
                                                  Map<KexProposalOption, String> serverProposal,
                                                  Map<KexProposalOption, String> negotiated, Throwable reason) {
                    if (reason != null) {
                        problem("key exchange failed: " + describe(reason));
                    }
                }
            });
            ClientSession session = null;
            try {
                session = connect(user);
                if (session != null && hostKey(session) && authenticate(session)) {
                    version(session);
                    streamEvents(session);
                }
            } finally {
                if (session != null) {
                    session.close(true);
                }
                client.stop();
            }
        }

        private void problem(String why) {
            if (sessionProblem == null) {
                sessionProblem = why;
            }
        }

        private void ok(Step step, String message) {
            out.add(new StepResult(step, Outcome.OK, message));
        }

        /**
         * The step failed; the SSH steps after it are not run, but for stream-events after
         * {@code gerrit version}: the two commands are independent.
         */
        private void failed(Step step, String message) {
            out.add(new StepResult(step, Outcome.FAILED, message));
            if (step == Step.GERRIT_VERSION) {
                return;
            }
            boolean after = false;
            for (Step s : List.of(Step.TCP_CONNECT, Step.SSH_HOST_KEY, Step.SSH_AUTHENTICATION, Step.GERRIT_VERSION,
                    Step.STREAM_EVENTS)) {
                if (after) {
                    out.add(new StepResult(s, Outcome.SKIPPED, "not run: " + step.title() + " failed"));
                }
                after |= s == step;
            }
        }

        private String seconds() {
            return human(timeout);
        }

        private ClientSession connect(String user) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos(); // one bound for the lookup and the connect
            Future<InetAddress[]> lookup = helper.submit(() -> InetAddress.getAllByName(config.host()));
            try {
                lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                lookup.cancel(true);
                failed(Step.TCP_CONNECT, "the name " + config.host() + " did not resolve within " + seconds()
                        + " (DNS not answering?)");
                return null;
            } catch (ExecutionException e) {
                failed(Step.TCP_CONNECT, e.getCause() instanceof UnknownHostException
                        ? "unknown host " + config.host() + ": DNS has no address for it"
                        : "cannot resolve " + config.host() + ": " + describe(e.getCause()));
                return null;
            }
            ConnectFuture f;
            try {
                f = client.connect(user, config.host(), config.port());
                if (!f.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), CancelOption.CANCEL_ON_TIMEOUT)) {
                    failed(Step.TCP_CONNECT, "no TCP connection to " + where + " within " + seconds()
                            + ": the host is down or a firewall drops the packets");
                    return null;
                }
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            } catch (IOException | RuntimeException e) {
                failed(Step.TCP_CONNECT, connectFailure(e));
                return null;
            }
            if (!f.isConnected()) {
                failed(Step.TCP_CONNECT, connectFailure(f.getException()));
                return null;
            }
            ok(Step.TCP_CONNECT, "connected to " + where);
            return f.getSession();
        }

        /**
         * Text from a failed key load without the key's lines or the passphrase, should a parser
         * ever quote what it could not read.
         */
        private String redact(String text) {
            if (text == null || cred == null) {
                return text;
            }
            String r = text;
            for (String line : cred.privateKey().split("\\R")) {
                String l = line.strip();
                if (l.length() >= 8 && !l.startsWith("-----")) {
                    r = r.replace(l, "****");
                }
            }
            if (cred.passphrase() != null && !cred.passphrase().isEmpty()) {
                r = r.replace(cred.passphrase(), "****");
            }
            return r;
        }

        private String connectFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConnectException && String.valueOf(t.getMessage()).toLowerCase().contains("refused")) {
                    return "connection to " + where + " refused: nothing listens on that port (check the host and "
                            + "Gerrit's SSH port, sshd.listenAddress, usually 29418)";
                }
                if (t instanceof NoRouteToHostException
                        || String.valueOf(t.getMessage()).toLowerCase().contains("unreachable")) {
                    return where + " is unreachable: " + t.getMessage() + " (the network or a firewall between this "
                            + "machine and " + config.host() + ")";
                }
                if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                    return "unknown host " + config.host() + ": DNS has no address for it";
                }
            }
            return "cannot connect to " + where + ": " + describe(e);
        }

        /** Waits for the key exchange; true when the server's key is one of the pinned ones. */
        private boolean hostKey(ClientSession session) throws InterruptedException {
            Set<ClientSessionEvent> state = session.waitFor(
                    EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), timeout);
            if (Thread.interrupted()) {
                throw new InterruptedException("Gerrit connection check interrupted");
            }
            PublicKey key = presented;
            if (key != null && !keyAccepted) {
                failed(Step.SSH_HOST_KEY, "host key mismatch: " + where + " presented " + HostKeyCheck.describe(key)
                        + ", the pinned key" + (pinned.expectedKeys().size() == 1 ? " is " : "s are ")
                        + String.join(", ", pinned.expectedKeys())
                        + "; compare with `ssh-keyscan -p " + config.port() + " " + config.host()
                        + " | ssh-keygen -lf -` and change the pinned key only if the server's key really changed");
                return false;
            }
            if (key == null) {
                String why = notSsh != null ? "it answered \"" + notSsh + "\" instead of an SSH greeting"
                        : sessionProblem != null ? sessionProblem : "the server closed the connection";
                failed(Step.SSH_HOST_KEY, state.contains(ClientSessionEvent.CLOSED)
                        ? "the SSH handshake with " + where + " failed before the server showed its host key ("
                                + why + "): is this Gerrit's SSH port (usually 29418)?"
                        : "no SSH handshake from " + where + " within " + seconds()
                                + ": the port accepts connections but does not answer as an SSH server "
                                + "(is this Gerrit's SSH port, usually 29418?)");
                return false;
            }
            ok(Step.SSH_HOST_KEY, where + " presented " + HostKeyCheck.describe(key) + ", a pinned key");
            if (!state.contains(ClientSessionEvent.WAIT_AUTH)) {
                String why = sessionProblem;
                failed(Step.SSH_AUTHENTICATION, state.contains(ClientSessionEvent.CLOSED)
                        ? "the SSH session closed after the key exchange" + (why != null ? ": " + why : "")
                        : "the key exchange with " + where + " did not finish within " + seconds());
                return false;
            }
            return true;
        }

        private boolean authenticate(ClientSession session) throws InterruptedException {
            if (credFailure != null) {
                failed(Step.SSH_AUTHENTICATION, credFailure);
                return false;
            }
            List<String> keys = new ArrayList<>();
            try {
                for (KeyPair kp : GerritSsh.loadKeys(session, cred)) {
                    session.addPublicKeyIdentity(kp);
                    keys.add(HostKeyCheck.describe(kp.getPublic()));
                }
            } catch (Exception e) {
                failed(Step.SSH_AUTHENTICATION, "the SSH private key for user " + cred.username()
                        + " could not be used: " + redact(describe(e))
                        + (cred.passphrase() != null ? " (is the passphrase right?)"
                                : " (a private key in OpenSSH or PEM form expected; is it encrypted?)"));
                return false;
            }
            String keyText = String.join(", ", keys);
            AuthFuture auth;
            try {
                auth = session.auth();
                if (!auth.await(timeout, CancelOption.CANCEL_ON_TIMEOUT)) {
                    failed(Step.SSH_AUTHENTICATION, "no answer to the authentication of user " + cred.username()
                            + " within " + seconds());
                    return false;
                }
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            } catch (IOException e) {
                failed(Step.SSH_AUTHENTICATION, "authentication of user " + cred.username() + " failed: "
                        + redact(describe(e)));
                return false;
            }
            if (!auth.isSuccess()) {
                Throwable e = auth.getException();
                String msg = e == null ? "" : String.valueOf(e.getMessage());
                failed(Step.SSH_AUTHENTICATION, msg.contains("No more authentication methods")
                        ? where + " rejected user " + cred.username() + " with key " + keyText
                                + ": the key is not registered for that user (Gerrit: the account's Settings → SSH Keys),"
                                + " or the account does not exist or is inactive"
                        : "authentication of user " + cred.username() + " failed: "
                                + (e == null ? "session closed" : redact(describe(e))));
                return false;
            }
            ok(Step.SSH_AUTHENTICATION, "authenticated as " + cred.username() + " with key " + keyText);
            return true;
        }

        private void version(ClientSession session) throws InterruptedException {
            Exec exec = new Exec(session, VERSION_COMMAND);
            try {
                String problem = exec.start(timeout);
                if (problem != null) {
                    failed(Step.GERRIT_VERSION, problem);
                    return;
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                if (!exec.await(deadline, () -> exec.closed || exec.channel.getExitStatus() != null)) {
                    failed(Step.GERRIT_VERSION, "no answer to `" + VERSION_COMMAND + "` within " + seconds());
                    return;
                }
                Integer status = exec.channel.getExitStatus();
                String line = exec.out.firstLine();
                if (status != null && status == 0 && line.startsWith("gerrit version ")) {
                    sshVersion = line.substring("gerrit version ".length()).strip();
                    ok(Step.GERRIT_VERSION, "Gerrit " + sshVersion);
                } else {
                    String err = exec.err.firstLine();
                    failed(Step.GERRIT_VERSION, "`" + VERSION_COMMAND + "` failed for user " + cred.username()
                            + (status != null ? " (exit status " + status + ")" : "") + ": "
                            + (!err.isEmpty() ? quote(err) : !line.isEmpty() ? "unexpected answer " + quote(line)
                                    : "no output; is this Gerrit?"));
                }
            } finally {
                exec.close();
            }
        }

        private void streamEvents(ClientSession session) throws InterruptedException {
            Exec exec = new Exec(session, GerritStream.COMMAND);
            try {
                String problem = exec.start(timeout);
                if (problem != null) {
                    failed(Step.STREAM_EVENTS, problem);
                    return;
                }
                Duration wait = streamEventsWait.compareTo(timeout) < 0 ? streamEventsWait : timeout;
                long deadline = System.nanoTime() + wait.toNanos();
                boolean answered = exec.await(deadline, () -> exec.closed || exec.out.hasLine() || exec.err.hasLine());
                if (answered && exec.out.hasLine() && !exec.err.hasLine()) {
                    ok(Step.STREAM_EVENTS, "user " + cred.username() + " may stream events (the first event arrived)");
                } else if (answered) {
                    String err = exec.err.firstLine();
                    Integer status = exec.channel.getExitStatus();
                    failed(Step.STREAM_EVENTS, "Gerrit refused `" + GerritStream.COMMAND + "` for user "
                            + cred.username() + ": " + (!err.isEmpty() ? quote(err)
                                    : "the channel closed" + (status != null ? " with exit status " + status : ""))
                            + " (grant the user the \"Stream Events\" global capability, e.g. through the "
                            + "\"Service Users\" group, in All-Projects)");
                } else {
                    ok(Step.STREAM_EVENTS, "user " + cred.username() + " may stream events (no refusal within "
                            + human(wait) + ")");
                }
            } finally {
                exec.close();
            }
        }
    }

    private static InterruptedException interrupted(Exception e) {
        Thread.currentThread().interrupt();
        InterruptedException ie = new InterruptedException("Gerrit connection check interrupted");
        ie.initCause(e);
        return ie;
    }

    /** One exec channel whose output is kept (bounded) and watched. MINA's threads signal through {@code this}. */
    private static final class Exec {
        final ExecWithReply channel;
        final Capture out = new Capture(this);
        final Capture err = new Capture(this);
        volatile boolean closed;
        private final ClientSession session;
        private final String command;

        Exec(ClientSession session, String command) {
            this.session = session;
            this.command = command;
            this.channel = new ExecWithReply(command);
            channel.setOut(out);
            channel.setErr(err);
            channel.addChannelListener(new ChannelListener() {
                @Override
                public void channelStateChanged(Channel c, String hint) {
                    signal();
                }

                @Override
                public void channelClosed(Channel c, Throwable reason) {
                    closed = true;
                    signal();
                }
            });
        }

        private synchronized void signal() {
            notifyAll();
        }

        /** Opens the channel and waits for the exec reply; null when the server accepted the command. */
        String start(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                session.getService(ConnectionService.class).registerChannel(channel);
                if (!channel.open().await(timeout, CancelOption.CANCEL_ON_TIMEOUT)) {
                    return "no SSH channel for `" + command + "` within " + human(timeout);
                }
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            } catch (IOException e) {
                return "opening an SSH channel for `" + command + "` failed: " + describe(e);
            }
            Boolean accepted;
            try {
                accepted = channel.started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return "no answer to the exec request `" + command + "` within " + human(timeout);
            } catch (ExecutionException e) {
                return "the exec request `" + command + "` failed: " + describe(e.getCause());
            }
            return accepted ? null : "Gerrit refused the exec request `" + command + "`";
        }

        /** Waits until {@code done} or the deadline; true when done. */
        synchronized boolean await(long deadlineNanos, BooleanSupplier done) throws InterruptedException {
            while (!done.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        void close() {
            channel.close(true);
        }
    }

    /** The first {@link #KEEP_BYTES} of a channel's stream; the rest is read and dropped (no back-pressure). */
    private static final class Capture extends OutputStream {
        private final Exec owner;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean lineEnded;

        Capture(Exec owner) {
            this.owner = owner;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (owner) {
                int keep = Math.min(len, KEEP_BYTES - kept.size());
                if (keep > 0) {
                    kept.write(b, off, keep);
                }
                for (int i = off; i < off + len && !lineEnded; i++) {
                    lineEnded = b[i] == '\n';
                }
                owner.notifyAll();
            }
        }

        boolean hasLine() {
            synchronized (owner) {
                return lineEnded;
            }
        }

        /** The first non-blank line, stripped; "" when none. */
        String firstLine() {
            String all;
            synchronized (owner) {
                all = kept.toString(StandardCharsets.UTF_8);
            }
            for (String line : all.split("\\R")) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
            return "";
        }
    }

    // ---- REST ----

    private void restSteps(List<StepResult> out, ExecutorService helper, String sshVersion)
            throws InterruptedException {
        String user = null;
        try {
            user = rest.credentials().username();
        } catch (RuntimeException e) {
            out.add(new StepResult(Step.REST_ACCOUNT, Outcome.FAILED,
                    "the HTTP credentials could not be read: " + describe(e)));
        }
        boolean reachable = true;
        if (user != null) {
            String url = display(rest.base(), "a/accounts/self");
            Answer a = call(helper, "a/accounts/self");
            if (a.failure != null) {
                reachable = false;
                out.add(new StepResult(Step.REST_ACCOUNT, Outcome.FAILED, a.failure));
            } else if (a.response.status() == 401) {
                out.add(new StepResult(Step.REST_ACCOUNT, Outcome.FAILED, "HTTP password rejected for user " + user
                        + " (HTTP 401 from " + url + "): set the user's current HTTP password (Gerrit: Settings → "
                        + "HTTP Credentials) in the credentials"));
            } else if (!a.response.ok()) {
                out.add(new StepResult(Step.REST_ACCOUNT, Outcome.FAILED, httpFailure(a.response, url)));
            } else {
                out.add(account(a.response, url, user));
            }
        }
        String url = display(rest.base(), "config/server/version");
        if (!reachable) {
            out.add(new StepResult(Step.REST_VERSION, Outcome.SKIPPED, "not run: " + display(rest.base(), "")
                    + " could not be reached"));
            return;
        }
        Answer a = call(helper, "config/server/version");
        if (a.failure != null) {
            out.add(new StepResult(Step.REST_VERSION, Outcome.FAILED, a.failure));
        } else if (!a.response.ok()) {
            out.add(new StepResult(Step.REST_VERSION, Outcome.FAILED, httpFailure(a.response, url)));
        } else {
            JsonNode v = json(a.response);
            if (v == null || !v.isTextual()) {
                out.add(new StepResult(Step.REST_VERSION, Outcome.FAILED, "the answer of " + url
                        + " is not Gerrit's: is " + display(rest.base(), "") + " Gerrit's web URL?"));
            } else {
                String version = v.asText();
                out.add(new StepResult(Step.REST_VERSION, Outcome.OK, "Gerrit " + version
                        + (sshVersion != null && !sshVersion.equals(version) ? " (but SSH answered " + sshVersion
                                + ": do the SSH host and the REST URL name the same Gerrit?)" : "")));
            }
        }
    }

    private StepResult account(GerritRest.Response r, String url, String user) {
        JsonNode n = json(r);
        if (n == null || !n.isObject() || !n.has("_account_id")) {
            return new StepResult(Step.REST_ACCOUNT, Outcome.FAILED, "the answer of " + url
                    + " is not a Gerrit account: is " + display(rest.base(), "") + " Gerrit's web URL?");
        }
        String name = n.path("username").asText("");
        String full = n.path("name").asText("");
        return new StepResult(Step.REST_ACCOUNT, Outcome.OK, "authenticated as " + (name.isEmpty() ? user : name)
                + (full.isEmpty() ? "" : " (" + full + ")") + ", account " + n.path("_account_id").asText());
    }

    private static JsonNode json(GerritRest.Response r) {
        try {
            return r.json();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private String httpFailure(GerritRest.Response r, String url) {
        String body = firstLine(r.body());
        return "HTTP " + r.status() + " from " + url + (body.isEmpty() ? "" : ": " + quote(body))
                + (r.status() == 404 ? " (is " + display(rest.base(), "") + " Gerrit's web URL, with its path "
                        + "prefix if any?)" : "");
    }

    /** A REST answer or why there is none. */
    private record Answer(GerritRest.Response response, String failure) {}

    private Answer call(ExecutorService helper, String path) throws InterruptedException {
        Duration limit = rest.requestTimeout();
        String url = display(rest.base(), path);
        Callable<GerritRest.Response> request = () -> rest.get(path);
        Future<GerritRest.Response> f = helper.submit(request);
        try {
            return new Answer(f.get(limit.toMillis(), TimeUnit.MILLISECONDS), null);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Answer(null, "no answer from " + url + " within " + human(limit));
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return new Answer(null, restFailure(e.getCause(), url));
        }
    }

    private String restFailure(Throwable e, String url) {
        URI base = rest.base();
        String hostPort = base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort());
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection to " + hostPort + " within the connect time-out (" + url + ")";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + url + " within " + human(rest.requestTimeout());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host " + base.getHost() + " (" + url + ")";
            }
            if (t instanceof ConnectException) {
                return "cannot connect to " + hostPort + ": connection refused (" + url + ")";
            }
            if (t instanceof NoRouteToHostException) {
                return base.getHost() + " is unreachable (" + url + ")";
            }
            if (t instanceof SSLException) {
                return "TLS with " + hostPort + " failed: " + t.getMessage()
                        + " (is the server's certificate trusted by this JVM?)";
            }
        }
        return "GET " + url + " failed: " + describe(e);
    }

    /** The URL for a message: scheme, host, port, path; never user info, query or fragment. */
    static String display(URI base, String path) {
        URI u = base.resolve(path);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    // ---- messages ----

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        for (String line : s.split("\\R")) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return "";
    }

    /** A server's text, one line, bounded. */
    private static String quote(String s) {
        String line = firstLine(s);
        return line.length() <= MAX_QUOTED_CHARS ? line : line.substring(0, MAX_QUOTED_CHARS) + "…";
    }
}
