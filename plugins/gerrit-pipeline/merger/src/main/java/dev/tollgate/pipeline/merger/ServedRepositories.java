package dev.tollgate.pipeline.merger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.Repository;

/**
 * The repositories of several mergers (one per Gerrit server) under one root:
 * {@code <server>/<project>}. The git daemon and the smart-HTTP endpoint serve this, so one port
 * (or one Jenkins URL) serves every server's merges; ZUUL_URL is the root with the server's name
 * appended. Thread-safe: mergers come and go while clients fetch (a fetch finds the merger that was
 * registered when it asked).
 */
public final class ServedRepositories implements RepositoryLookup {
    private final Map<String, GitMerger> mergers = new ConcurrentHashMap<>();

    /** Serves the merger's repositories under {@code name/} (replacing any merger of that name). */
    public void put(String name, GitMerger merger) {
        mergers.put(name, merger);
    }

    /** Stops serving {@code name/} if it is still this merger's (a newer one of the same name stays). */
    public void remove(String name, GitMerger merger) {
        mergers.remove(name, merger);
    }

    @Override
    public Optional<Repository> find(String path) {
        String p = RepositoryLookup.projectName(path);
        int slash = p.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        GitMerger m = mergers.get(p.substring(0, slash));
        return m == null ? Optional.empty() : RepositoryLookup.of(m).find(p.substring(slash + 1));
    }
}
