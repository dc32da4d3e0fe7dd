package dev.tollgate.pipeline.merger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The merger's repositories: one bare repository per project at {@code root/<project>}, opened once
 * and kept open, found again after a restart. A repository that cannot be opened or read (a broken
 * config, HEAD or object store) is removed and created empty, so the next fetch fills it again: a
 * damaged cache costs one fetch, never a merger.
 *
 * <p>Threading: each project has a lock ({@link #lock}); whoever changes a repository (fetch, merge,
 * prune, removal) holds it. {@link #open} and the bookkeeping are synchronized on this cache. Readers
 * such as the git daemon use the open repositories without the lock (JGit's repositories are safe
 * for concurrent readers of a consistent ref).
 */
final class RepositoryCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RepositoryCache.class.getName());

    private final Path root;
    private final Clock clock;
    private final Map<String, Repository> open = new HashMap<>();
    private final Map<String, ReentrantLock> locks = new HashMap<>();
    private final Map<String, Instant> lastUsed = new HashMap<>();
    private int recreated;

    RepositoryCache(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the merger's cache directory " + this.root, e);
        }
    }

    Path root() {
        return root;
    }

    /** The project's directory, or empty for a name that would leave the cache (.., absolute, odd characters). */
    Optional<Path> dirOf(String project) {
        if (project == null || project.isEmpty() || project.length() > 255 || project.startsWith("/")
                || project.endsWith("/") || project.contains("\\") || project.contains("//")) {
            return Optional.empty();
        }
        for (String part : project.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.startsWith(".")
                    || !part.matches("[A-Za-z0-9._+-]+")) {
                return Optional.empty();
            }
        }
        Path p = root.resolve(project).normalize();
        return p.startsWith(root) && !p.equals(root) ? Optional.of(p) : Optional.empty();
    }

    synchronized ReentrantLock lock(String project) {
        return locks.computeIfAbsent(project, k -> new ReentrantLock());
    }

    /**
     * The project's repository, created empty (bare) when missing, re-created when damaged. The
     * caller holds the project's lock.
     */
    synchronized Repository open(String project) throws IOException {
        Path dir = dirOf(project).orElseThrow(() -> new IOException("not a project name the merger accepts: `" + project + "`"));
        lastUsed.put(project, clock.instant());
        Repository r = open.get(project);
        if (r != null) {
            return r;
        }
        if (Files.isDirectory(dir)) {
            try {
                r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).setBare().build();
                check(r);
            } catch (IOException | RuntimeException e) {
                if (r != null) {
                    r.close();
                }
                LOG.log(System.Logger.Level.WARNING, "merger repository of {0} is damaged ({1}); removing it, "
                        + "it is fetched again", project, e.toString());
                delete(dir);
                recreated++;
                r = null;
            }
        }
        if (r == null) {
            Files.createDirectories(dir);
            r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
            r.create(true);
            // agents fetch over git:// from here; keep packs usable for them and for the merger
            r.getConfig().setBoolean("core", null, "logAllRefUpdates", false);
            r.getConfig().save();
        }
        open.put(project, r);
        return r;
    }

    /** Reads what every operation needs: the config, HEAD and the refs; a branch tip must be in the store. */
    private static void check(Repository r) throws IOException {
        if (!r.getObjectDatabase().exists()) {
            throw new IOException("no object store");
        }
        try {
            r.getConfig().load();
        } catch (org.eclipse.jgit.errors.ConfigInvalidException e) {
            throw new IOException("broken config: " + e.getMessage(), e);
        }
        r.exactRef(Constants.HEAD);
        try (var reader = r.newObjectReader()) {
            for (Ref ref : r.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                if (ref.getObjectId() != null && !reader.has(ref.getObjectId())) {
                    throw new IOException("branch " + ref.getName() + " points at a missing object");
                }
            }
        }
    }

    /**
     * Removes a damaged repository (found so while using it); the next {@link #open} creates it
     * empty. The caller holds the project's lock.
     */
    synchronized void discard(String project, String why) {
        Repository r = open.remove(project);
        if (r != null) {
            r.close();
        }
        LOG.log(System.Logger.Level.WARNING, "merger repository of {0} removed: {1}", project, why);
        dirOf(project).ifPresent(RepositoryCache::delete);
        recreated++;
    }

    /** Removes a repository to keep the cache within its bound; fetched again on its next use. Holds the project's lock. */
    synchronized void evict(String project) {
        Repository r = open.remove(project);
        if (r != null) {
            r.close();
        }
        lastUsed.remove(project);
        dirOf(project).ifPresent(RepositoryCache::delete);
    }

    /** How many repositories were found damaged and created anew. */
    synchronized int recreated() {
        return recreated;
    }

    /** The open repository of a project that has one on disk (opened now if need be), for the daemon. */
    synchronized Optional<Repository> existing(String project) {
        Optional<Path> dir = dirOf(project);
        if (dir.isEmpty() || !Files.isDirectory(dir.get().resolve("objects"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(open(project));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every project with a repository on disk, in name order (after a restart too). */
    List<String> projects() {
        List<String> out = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && Files.isRegularFile(dir.resolve("HEAD")) && Files.isDirectory(dir.resolve("objects"))) {
                        out.add(root.relativize(dir).toString().replace('\\', '/'));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the merger's repositories: {0}", e.toString());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Bytes on disk of a project's repository. */
    long size(String project) {
        Path dir = dirOf(project).orElse(null);
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }

    /** Projects from least to most recently used (a project not used since the start: its directory's time). */
    synchronized List<String> leastRecentlyUsed(List<String> projects) {
        TreeMap<String, Instant> when = new TreeMap<>();
        for (String p : projects) {
            Instant t = lastUsed.get(p);
            if (t == null) {
                try {
                    t = Files.getLastModifiedTime(dirOf(p).orElseThrow()).toInstant();
                } catch (IOException | RuntimeException e) {
                    t = Instant.EPOCH;
                }
            }
            when.put(p, t);
        }
        List<String> out = new ArrayList<>(when.keySet());
        out.sort(Comparator.comparing(when::get));
        return out;
    }

    static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(Repository::close);
        open.clear();
    }
}
