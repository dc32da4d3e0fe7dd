package dev.tollgate.pipeline.merger;

import java.util.Optional;
import org.eclipse.jgit.lib.Repository;

/**
 * Finds a served repository by the name a client asked for ({@code openstack/nova}, with or without
 * {@code .git}); the git daemon and the smart-HTTP endpoint serve what it finds. A name that would
 * leave the cache, or that names no repository, finds nothing. The repository returned stays open
 * (the cache owns it): callers never close it.
 */
@FunctionalInterface
public interface RepositoryLookup {
    Optional<Repository> find(String name);

    /** One merger's repositories, by project name. */
    static RepositoryLookup of(GitMerger merger) {
        RepositoryCache cache = merger.repositories();
        return name -> cache.existing(projectName(name));
    }

    /** The project a client's path names: no leading or trailing {@code /}, no {@code .git} suffix. */
    static String projectName(String path) {
        return path.replaceAll("^/+", "").replaceAll("/+$", "").replaceAll("\\.git$", "");
    }
}
