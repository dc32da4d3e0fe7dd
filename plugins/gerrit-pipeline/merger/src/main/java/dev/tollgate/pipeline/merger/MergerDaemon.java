package dev.tollgate.pipeline.merger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.resolver.ServiceNotAuthorizedException;

/**
 * Serves the merger's repositories read-only over {@code git://} (JGit's git daemon), so agents can
 * {@code git fetch $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF}. The git protocol has no authentication, so
 * the daemon binds to the configured address only and answers only clients whose address is in one
 * of the allowed networks; any other client is refused before a repository is opened, with the
 * same answer as for a repository that does not exist. Pushing is off. Start and stop it with the
 * merger; {@link #port} tells the port when it was configured as 0.
 *
 * <p>Threading: JGit's daemon serves each client on a thread of its own; repositories are read
 * while the merger writes them (a fetch sees each ref either before or after its update).
 */
public final class MergerDaemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MergerDaemon.class.getName());

    private final Daemon daemon;
    private final List<Cidr> allowed;

    /**
     * @param bind    address and port to listen on (port 0: any free one)
     * @param allowed the networks that may fetch; empty refuses every client
     */
    public MergerDaemon(GitMerger merger, InetSocketAddress bind, List<Cidr> allowed) {
        this(RepositoryLookup.of(Objects.requireNonNull(merger, "merger")), bind, allowed);
    }

    /**
     * Serves what {@code repositories} finds (e.g. {@link ServedRepositories}: every server's merger
     * under its name).
     */
    public MergerDaemon(RepositoryLookup repositories, InetSocketAddress bind, List<Cidr> allowed) {
        Objects.requireNonNull(repositories, "repositories");
        this.allowed = List.copyOf(allowed);
        this.daemon = new Daemon(Objects.requireNonNull(bind, "bind"));
        daemon.getService("git-receive-pack").setEnabled(false);
        daemon.setTimeout(60);
        daemon.setRepositoryResolver((DaemonClient client, String name) -> {
            InetAddress from = client.getRemoteAddress();
            if (!allows(from)) {
                LOG.log(System.Logger.Level.WARNING, "git:// fetch of {0} from {1} refused: not an allowed network",
                        name, from);
                throw new ServiceNotAuthorizedException();
            }
            Repository r = repositories.find(name.replaceAll("/+$", "")).orElseThrow(() -> new RepositoryNotFoundException(name));
            r.incrementOpen(); // the daemon closes what it is given; the cache keeps it open
            return r;
        });
    }

    public boolean allows(InetAddress a) {
        for (Cidr c : allowed) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public MergerDaemon start() throws IOException {
        daemon.start();
        LOG.log(System.Logger.Level.INFO, "merger serving git:// on {0} to {1}", daemon.getAddress(), allowed);
        return this;
    }

    public int port() {
        return daemon.getAddress().getPort();
    }

    /** {@code git://HOST:PORT}, with the address it listens on: ZUUL_URL when agents reach it there. */
    public String url() {
        InetSocketAddress a = daemon.getAddress();
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return "git://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        try {
            daemon.stopAndWait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
