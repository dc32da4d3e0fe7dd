package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.layout.MergerConfig;
import dev.tollgate.pipeline.layout.MergerDaemonConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.merger.Cidr;
import dev.tollgate.pipeline.merger.GitMerger;
import dev.tollgate.pipeline.merger.GitSmartHttp;
import dev.tollgate.pipeline.merger.MergerDaemon;
import dev.tollgate.pipeline.merger.ServedRepositories;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * What the running mergers serve: every server's merger under its name, over Jenkins' own URL
 * ({@code /tollgate/git/<server>/<project>}, smart HTTP) and, when configured, over a git daemon.
 * The daemon is started, restarted on a change of its settings, and stopped with the runtime.
 * Threading: {@link #configure} and {@link #close} run on the runtime's configuration thread (under
 * its lock); the HTTP endpoint and the daemon read {@link #served} from any thread.
 */
final class MergerServing {
    private static final Logger LOG = Logger.getLogger(MergerServing.class.getName());
    /** Below the Jenkins URL: the status page's {@code git} child. */
    static final String HTTP_PATH = "tollgate/git";

    final ServedRepositories served = new ServedRepositories();
    final GitSmartHttp http = new GitSmartHttp(served);
    private MergerDaemon daemon;
    private MergerDaemonConfig daemonConfig;

    /**
     * Starts, restarts or stops the daemon for these settings, and says where servers' mergers live
     * and are reached (null: no merger wanted).
     */
    PipelineServer.MergerHome configure(PipelineSettings settings) {
        MergerConfig m = settings.mergerOn() ? settings.merger() : null;
        MergerDaemonConfig wanted = m == null ? null : m.daemon();
        if (wanted == null ? daemon != null : !wanted.equals(daemonConfig)) {
            stopDaemon();
            if (wanted != null) {
                try {
                    daemon = new MergerDaemon(served, new InetSocketAddress(InetAddress.getByName(wanted.address()),
                            wanted.port()), Cidr.parseList(String.join(",", wanted.allowedNetworks()))).start();
                    daemonConfig = wanted;
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "the merger's git daemon did not start on " + wanted.address() + ":"
                            + wanted.port() + ": " + e.getMessage() + "; agents fetch over Jenkins' URL", e);
                    daemon = null;
                    daemonConfig = null;
                }
            }
        }
        if (m == null) {
            return null;
        }
        return new PipelineServer.MergerHome(defaultCacheDir(), daemon != null ? daemon.url() : httpUrl(), null);
    }

    static Path defaultCacheDir() {
        return Jenkins.get().getRootDir().toPath().resolve(MergerConfig.DEFAULT_CACHE_DIR);
    }

    /** {@code <Jenkins URL>tollgate/git}, or null while Jenkins' URL is not configured. */
    static String httpUrl() {
        String root = Jenkins.get().getRootUrl();
        if (root == null) {
            LOG.warning("Jenkins' URL is not configured: jobs get no ZUUL_URL for the merges (set it, or the merger's zuulUrl)");
            return null;
        }
        return (root.endsWith("/") ? root : root + "/") + HTTP_PATH;
    }

    /** Serves the running servers' mergers, and no other. */
    void serve(List<PipelineServer> servers) {
        for (PipelineServer s : servers) {
            GitMerger m = s.merger();
            if (m != null) {
                served.put(s.name(), m);
            }
        }
    }

    /** A server stopped: its merger is no longer served. */
    void unserve(PipelineServer s) {
        if (s.merger() != null) {
            served.remove(s.name(), s.merger());
        }
    }

    private void stopDaemon() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
            daemonConfig = null;
        }
    }

    void close() {
        stopDaemon();
    }
}
