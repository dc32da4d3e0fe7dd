package dev.tollgate.logs;

import dev.tollgate.common.Sleeper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Publishes a build's logs to a {@link LogHost}: plans locally (globs, safety checks, names), connects
 * over SSH with the host key checked against the pin, uploads over SFTP (several channels, pipelined
 * writes, temp name + rename) or SCP, and on a broken connection reconnects with backoff and sends only
 * what is not finished yet.
 */
public final class LogPublisher {
    private static final System.Logger LOG = System.getLogger(LogPublisher.class.getName());

    private final CredentialSource credentials;
    private final PublisherSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final LocalFiles localFiles;

    public LogPublisher(CredentialSource credentials, PublisherSettings settings, Clock clock, Sleeper sleeper) {
        this(credentials, settings, clock, sleeper, LocalFiles.forPlatform());
    }

    /** With a chosen way of opening local files (tests use the portable one on Linux too). */
    LogPublisher(CredentialSource credentials, PublisherSettings settings, Clock clock, Sleeper sleeper,
            LocalFiles localFiles) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.localFiles = Objects.requireNonNull(localFiles, "localFiles");
    }

    public PublishResult publish(LogHost host, PublishRequest request, TransferListener listener)
            throws LogPublishException {
        Instant start = clock.instant();
        UploadPlan plan;
        try {
            plan = UploadPlan.of(request, localFiles);
        } catch (IllegalArgumentException | IOException e) {
            throw new LogPublishException(LogPublishException.Reason.INVALID_REQUEST,
                    "cannot publish to log host '" + host.name() + "': " + e.getMessage(), e);
        }
        String url = host.urlOf(plan.destination());
        if (request.buildResult().isFailure() && !request.copyAfterFailure()) {
            PublishResult r = new PublishResult(PublishResult.Outcome.SKIPPED, url, plan.destination(), null, 0, 0, 0,
                    Duration.between(start, clock.instant()), 0, List.of(), plan.skipped(), List.of(),
                    "build result " + request.buildResult() + " and copy-after-failure is off");
            TransferState.tell(() -> listener.finished(r));
            return r;
        }
        for (FileProblem p : plan.skipped()) {
            TransferState.tell(() -> listener.fileFailed(p));
        }
        TransferState.tell(() -> listener.started(url, plan.items().size(), plan.totalBytes()));
        Credential credential = lookupCredential(host);
        TransferState state = new TransferState(plan, listener);
        Protocol protocol = switch (settings.protocol()) {
            case SCP -> Protocol.SCP;
            case SFTP -> Protocol.SFTP;
            case TAR -> Protocol.TAR;
            case AUTO -> tarRefused(host) ? Protocol.SFTP : Protocol.TAR;
        };
        int attempt = 0;
        AtomicReference<String> hostKeyProblem = new AtomicReference<>();
        SshClient client = newClient(host, hostKeyProblem, !(credential instanceof Credential.Password));
        try {
            while (true) {
                attempt++;
                // the tar path starts writing its archive now: connecting takes round trips, not CPU
                TarUploader tar = protocol == Protocol.TAR ? new TarUploader(settings, state) : null;
                try (tar; Connection connection = new Connection(connect(client, host, credential, hostKeyProblem))) {
                    ClientSession session = connection.session();
                    if (protocol == Protocol.TAR) {
                        try {
                            if (tar.upload(session, host) == TarUploader.Outcome.TAR_FAILED) {
                                protocol = Protocol.SFTP; // the server's tar failed: SFTP tells which file and why
                            }
                        } catch (TarUploader.Unavailable e) {
                            if (settings.protocol() == Protocol.TAR) {
                                throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED,
                                        "log host '" + host.name() + "' takes no tar stream and the protocol is TAR"
                                                + " only: " + e.getMessage(), e);
                            }
                            rememberTarRefused(host, e.getMessage());
                            protocol = Protocol.SFTP;
                        }
                    }
                    if (protocol == Protocol.SFTP) {
                        try {
                            new SftpUploader(settings).upload(session, host, state);
                        } catch (SftpUploader.SftpUnavailableException e) {
                            if (settings.protocol() == Protocol.SFTP) {
                                throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED,
                                        "log host '" + host.name() + "' offers no SFTP and the protocol is SFTP only: "
                                                + e.getMessage(), e);
                            }
                            LOG.log(Level.INFO, "log publish: {0} offers no SFTP, falling back to SCP", host.name());
                            protocol = Protocol.SCP;
                        }
                    }
                    if (protocol == Protocol.SCP) {
                        new ScpUploader(settings).upload(session, host, state);
                    }
                    if (state.pending.isEmpty()) {
                        break;
                    }
                    throw new IOException(state.pending.size() + " files left after the transfer");
                } catch (SftpUploader.FatalRemoteException e) {
                    throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED,
                            "log host '" + host.name() + "': " + e.getMessage(), e);
                } catch (IOException | RuntimeException | Error e) {
                    // RuntimeException and Error: a fault in the publisher (or no memory left); the files
                    // it held went back to the queue, so a fresh attempt may well get through
                    boolean internal = !(e instanceof IOException);
                    if (internal) {
                        LOG.log(Level.ERROR, "log publish to " + host.name() + ": attempt " + attempt + " failed", e);
                    }
                    if (attempt >= settings.maxAttempts()) {
                        throw new LogPublishException(internal ? LogPublishException.Reason.INTERNAL_ERROR
                                : LogPublishException.Reason.CONNECTION,
                                "gave up publishing to log host '" + host.name() + "' after " + attempt + " attempts ("
                                        + state.done() + " of " + plan.items().size() + " files done): " + describe(e), e);
                    }
                    Duration delay = settings.backoffBefore(attempt + 1);
                    LOG.log(Level.WARNING, "log publish to {0}: attempt {1} failed ({2}); {3} files left, retrying in {4}",
                            host.name(), attempt, describe(e), state.pending.size(), delay);
                    int next = attempt + 1;
                    TransferState.tell(() -> listener.retrying(next, delay, describe(e)));
                    try {
                        sleeper.sleep(delay);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new LogPublishException(LogPublishException.Reason.CONNECTION,
                                "interrupted while waiting to retry the publish to '" + host.name() + "'", ie);
                    }
                }
            }
        } finally {
            // graceful: stopping the client under a session that is still closing makes MINA's I/O
            // threads report "Executor has been shut down"
            try {
                client.close(false).await(Duration.ofSeconds(5));
            } catch (IOException e) {
                client.stop();
            }
        }
        for (UploadPlan.Item lost : state.unaccounted()) {
            // never claim COMPLETE for a file that an uploader dropped (a bug): say so instead
            LOG.log(Level.ERROR, "log publish to {0}: {1} was neither uploaded nor reported", host.name(),
                    RemoteNames.printable(lost.remotePath()));
            state.failed(lost, "not uploaded: lost by the publisher (internal error)");
        }
        List<FileProblem> failures = state.failures();
        PublishResult result = new PublishResult(
                failures.isEmpty() ? PublishResult.Outcome.COMPLETE : PublishResult.Outcome.PARTIAL, url,
                plan.destination(), protocol, state.done(), state.bytes(), state.sent(),
                Duration.between(start, clock.instant()), attempt, failures, plan.skipped(), state.changed(), null);
        LOG.log(Level.INFO, "log publish to {0}: {1}", host.name(), result);
        TransferState.tell(() -> listener.finished(result));
        return result;
    }

    /**
     * Connects to the host as a publish would, and checks what a publish needs before it sends
     * anything: the host key matches the pin, the login works, and the root path is a directory the
     * user can write to (a probe file {@code .tollgate-check-RANDOM} is created there and removed).
     * For "Test connection" in a configuration page. Not retried.
     *
     * @throws LogPublishException with the reason a publish would fail for (HOST_KEY_MISMATCH,
     *                             AUTHENTICATION, NO_CREDENTIAL, REMOTE_REFUSED for a missing or
     *                             read-only root, CONNECTION)
     */
    public ConnectionCheck checkConnection(LogHost host) throws LogPublishException {
        Credential credential = lookupCredential(host);
        AtomicReference<String> hostKeyProblem = new AtomicReference<>();
        SshClient client = newClient(host, hostKeyProblem, !(credential instanceof Credential.Password));
        try (Connection connection = new Connection(connect(client, host, credential, hostKeyProblem))) {
            ClientSession session = connection.session();
            String version = session.getServerVersion();
            String fingerprint = HostKeyPin.fingerprintOf(session.getServerKey());
            String who = "connected to log host '" + host.name() + "' (" + version + ", host key " + fingerprint
                    + ") as " + host.user();
            SftpClient sftp;
            try {
                sftp = SftpClientFactory.instance().createSftpClient(session,
                        SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3));
            } catch (IOException e) {
                if (!session.isOpen()) {
                    throw e;
                }
                return new ConnectionCheck(version, fingerprint, false, who + "; the server offers no SFTP, so root path "
                        + host.rootPath() + " was not checked (uploads would go over SCP)");
            }
            try (sftp) {
                checkRoot(sftp, host);
            }
            return new ConnectionCheck(version, fingerprint, true, who + "; root path " + host.rootPath()
                    + " is a directory it can write to");
        } catch (IOException | RuntimeException e) {
            throw new LogPublishException(LogPublishException.Reason.CONNECTION, "cannot check log host '" + host.name()
                    + "' (" + host.host() + ":" + host.port() + "): " + describe(e), e);
        } finally {
            try {
                client.close(false).await(Duration.ofSeconds(5));
            } catch (IOException e) {
                client.stop();
            }
        }
    }

    private static void checkRoot(SftpClient sftp, LogHost host) throws IOException, LogPublishException {
        String root = host.rootPath();
        SftpClient.Attributes a;
        try {
            a = sftp.stat(root);
        } catch (SftpException e) {
            throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED, "root path " + root
                    + " is not accessible on log host '" + host.name() + "': " + e.getMessage(), e);
        }
        if (!a.isDirectory()) {
            throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED, "root path " + root
                    + " on log host '" + host.name() + "' is not a directory", null);
        }
        String probe = host.remotePath(".tollgate-check-" + java.util.HexFormat.of().formatHex(randomBytes()));
        try {
            sftp.close(sftp.open(probe, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                    SftpClient.OpenMode.Exclusive));
        } catch (SftpException e) {
            throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED, "root path " + root
                    + " on log host '" + host.name() + "' is not writable for " + host.user() + ": " + e.getMessage(),
                    e);
        }
        try {
            sftp.remove(probe);
        } catch (SftpException e) {
            throw new LogPublishException(LogPublishException.Reason.REMOTE_REFUSED, "root path " + root
                    + " on log host '" + host.name() + "': " + host.user() + " created " + probe
                    + " but cannot remove it (" + e.getMessage() + "); a publish renames over and removes its"
                    + " temporary files there", e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * Hosts whose last tar probe failed, and until when not to ask again (the probe costs a round trip
     * or two, and up to {@link TarUploader#PROBE_TIMEOUT} against a server that never answers it).
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Instant> tarRefusedUntil =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final Duration TAR_PROBE_INTERVAL = Duration.ofHours(1);

    private static String tarKey(LogHost host) {
        return host.user() + "@" + host.host() + ":" + host.port() + host.rootPath();
    }

    private boolean tarRefused(LogHost host) {
        Instant until = tarRefusedUntil.get(tarKey(host));
        return until != null && clock.instant().isBefore(until);
    }

    private void rememberTarRefused(LogHost host, String why) {
        tarRefusedUntil.put(tarKey(host), clock.instant().plus(TAR_PROBE_INTERVAL));
        LOG.log(Level.INFO, "log publish: {0} takes no tar stream ({1}); using SFTP, and asking again in {2}",
                host.name(), why, TAR_PROBE_INTERVAL);
    }

    /** A session closed gracefully (and waited for) at the end of an attempt. */
    private record Connection(ClientSession session) implements AutoCloseable {
        @Override
        public void close() {
            try {
                session.close(false).await(Duration.ofSeconds(5));
            } catch (IOException e) {
                session.close(true);
            }
        }
    }

    private Credential lookupCredential(LogHost host) throws LogPublishException {
        Credential c;
        try {
            c = credentials.credential(host.credentialId());
        } catch (IOException | RuntimeException e) {
            throw new LogPublishException(LogPublishException.Reason.NO_CREDENTIAL, "cannot look up credential '"
                    + host.credentialId() + "' of log host '" + host.name() + "': " + e.getMessage(), e);
        }
        if (c == null) {
            throw new LogPublishException(LogPublishException.Reason.NO_CREDENTIAL, "no credential '"
                    + host.credentialId() + "' for log host '" + host.name() + "'", null);
        }
        return c;
    }

    private SshClient newClient(LogHost host, AtomicReference<String> hostKeyProblem, boolean classicalKexFirst) {
        SshClient client = SshClient.setUpDefaultClient();
        // Without TCP_NODELAY every small request waits out the peer's delayed ACK.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.IDLE_TIMEOUT.set(client, settings.idleTimeout());
        // a refused exec (e.g. a server without a shell) then closes the channel at once instead of
        // leaving it open and silent
        CoreModuleProperties.REQUEST_EXEC_REPLY.set(client, true);
        // Only what the log host's configuration says: no ~/.ssh/config, no keys from ~/.ssh.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        // AES-GCM first: the JDK runs it on AES-NI, while MINA's ChaCha20-Poly1305 (OpenSSH's first
        // choice) is plain Java and was most of the client's CPU time in the benchmark.
        List<NamedFactory<Cipher>> ciphers = new ArrayList<>(client.getCipherFactories());
        ciphers.sort(Comparator.comparingInt(c -> c.getName().contains("-gcm@") ? 0 : 1));
        client.setCipherFactories(ciphers);
        if (classicalKexFirst) {
            // With key authentication nothing secret crosses the session (the logs go to a public web
            // server; a signature cannot be replayed), so the post-quantum hybrid OpenSSH prefers
            // (sntrup761x25519, done by BouncyCastle in Java) buys nothing here, and it cost about four
            // times the CPU and 150 ms more per connection than curve25519 when measured. With a
            // password it stays first: a password is a long-lived secret worth protecting from
            // recorded sessions being decrypted later.
            List<KeyExchangeFactory> kex = new ArrayList<>(client.getKeyExchangeFactories());
            kex.sort(Comparator.comparingInt(k -> k.getName().equals("curve25519-sha256") ? 0 : 1));
            client.setKeyExchangeFactories(kex);
        }
        // Ask first for the host key type that is pinned: a server with several host keys would
        // otherwise present the one MINA prefers (ECDSA), and a correct Ed25519 or RSA pin would
        // never match. Nothing is removed: user authentication uses the same list.
        String pinned = host.hostKey().keyType();
        if (pinned != null) {
            java.util.Set<String> wanted = KeyPairProvider.SSH_RSA.equals(pinned)
                    ? java.util.Set.of("rsa-sha2-512", "rsa-sha2-256", KeyPairProvider.SSH_RSA) : java.util.Set.of(pinned);
            List<NamedFactory<Signature>> signatures = new ArrayList<>(client.getSignatureFactories());
            signatures.sort(Comparator.comparingInt(f -> wanted.contains(f.getName()) ? 0 : 1));
            client.setSignatureFactories(signatures);
        }
        client.setServerKeyVerifier((session, address, key) -> {
            if (host.hostKey().matches(key)) {
                return true;
            }
            String problem = "log host '" + host.name() + "' (" + host.host() + ":" + host.port()
                    + ") presented host key " + HostKeyPin.fingerprintOf(key) + " (" + KeyUtils.getKeyType(key)
                    + ") but " + host.hostKey().fingerprint() + " is expected; refusing to connect."
                    + " If the server's key really changed, update the log host's host key";
            hostKeyProblem.set(problem);
            LOG.log(Level.ERROR, problem);
            return false;
        });
        client.start();
        return client;
    }

    private ClientSession connect(SshClient client, LogHost host, Credential credential,
            AtomicReference<String> hostKeyProblem) throws IOException, LogPublishException {
        ClientSession session = null;
        try {
            session = client.connect(host.user(), host.host(), host.port())
                    .verify(settings.connectTimeout()).getSession();
            addIdentity(session, host, credential);
            session.auth().verify(settings.authTimeout());
            return session;
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            if (hostKeyProblem.get() != null) {
                throw new LogPublishException(LogPublishException.Reason.HOST_KEY_MISMATCH, hostKeyProblem.get(), e);
            }
            if (session != null && isAuthFailure(e)) {
                throw new LogPublishException(LogPublishException.Reason.AUTHENTICATION, "login to log host '"
                        + host.name() + "' as " + host.user() + " with credential '" + host.credentialId()
                        + "' failed: " + describe(e), e);
            }
            throw e instanceof IOException ? (IOException) e : new IOException(describe(e), e);
        }
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("authentication") || m.contains("no more authentication methods")) {
                return true;
            }
            if (t instanceof ConnectException) {
                return false;
            }
        }
        return false;
    }

    private static void addIdentity(ClientSession session, LogHost host, Credential credential)
            throws IOException, LogPublishException {
        if (credential instanceof Credential.Password p) {
            session.addPasswordIdentity(new String(p.password()));
        } else if (credential instanceof Credential.Keys k) {
            session.addPublicKeyIdentity(k.keyPair());
        } else if (credential instanceof Credential.PrivateKey k) {
            List<KeyPair> pairs = new ArrayList<>();
            try {
                FilePasswordProvider pw = k.passphrase() == null ? FilePasswordProvider.EMPTY
                        : FilePasswordProvider.of(new String(k.passphrase()));
                Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
                        NamedResource.ofName("credential " + host.credentialId()),
                        new ByteArrayInputStream(k.keyText().getBytes(StandardCharsets.UTF_8)), pw);
                if (loaded != null) {
                    loaded.forEach(pairs::add);
                }
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                // the message of a key parser never contains the key itself
                throw new LogPublishException(LogPublishException.Reason.NO_CREDENTIAL, "credential '"
                        + host.credentialId() + "' of log host '" + host.name() + "' is not a usable private key: "
                        + e.getClass().getSimpleName(), null);
            }
            if (pairs.isEmpty()) {
                throw new LogPublishException(LogPublishException.Reason.NO_CREDENTIAL, "credential '"
                        + host.credentialId() + "' of log host '" + host.name() + "' holds no private key", null);
            }
            pairs.forEach(session::addPublicKeyIdentity);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
