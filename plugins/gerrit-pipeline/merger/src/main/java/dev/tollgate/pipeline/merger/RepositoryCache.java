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
 * The merger's repositories, two bare repositories per project, opened once and kept open, found
 * again after a restart:
 * <ul>
 *   <li>the <em>mirror</em>, {@code root/.mirrors/<project>}: what is fetched from Gerrit (its
 *       branches and tags, and the last patchset fetched). It holds no other ref, so a fetch
 *       negotiates with Gerrit from a few tips, however many merges were made;</li>
 *   <li>the <em>served</em> repository, {@code root/<project>}: the merges ({@code refs/zuul/*}) and
 *       a copy of the branches and tags, reading the mirror's objects through
 *       {@code objects/info/alternates} and writing only its own (the merge commits and their new
 *       trees). This is what the git daemon serves.</li>
 * </ul>
 * The two are made, removed and re-created together. A pair that cannot be opened or read (a broken
 * config, HEAD, alternates or object store) is removed and created empty, so the next fetch fills
 * it again: a damaged cache costs one fetch, never a merger. The mirror's objects are never
 * pruned (the served merges point into them).
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
    static final String MIRRORS = ".mirrors";

    private final Map<String, Repository> open = new HashMap<>();
    private final Map<String, Repository> mirrors = new HashMap<>();
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

    private Path mirrorDir(String project) {
        return root.resolve(MIRRORS).resolve(project);
    }

    /**
     * The project's served repository, created empty when missing, re-created (with its mirror)
     * when damaged. The caller holds the project's lock.
     */
    synchronized Repository open(String project) throws IOException {
        Path dir = dirOf(project).orElseThrow(() -> new IOException("not a project name the merger accepts: `" + project + "`"));
        lastUsed.put(project, clock.instant());
        Repository r = open.get(project);
        if (r != null) {
            return r;
        }
        Path mirrorDir = mirrorDir(project);
        Repository m = null;
        if (Files.isDirectory(dir) || Files.isDirectory(mirrorDir)) {
            try {
                m = new FileRepositoryBuilder().setGitDir(mirrorDir.toFile()).setMustExist(true).setBare().build();
                check(m);
                if (!Files.readString(dir.resolve("objects/info/alternates")).strip().equals(alternate(dir, mirrorDir))) {
                    throw new IOException("the served repository does not read the mirror's objects");
                }
                r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).setBare().build();
                check(r);
            } catch (IOException | RuntimeException e) {
                if (r != null) {
                    r.close();
                }
                if (m != null) {
                    m.close();
                }
                LOG.log(System.Logger.Level.WARNING, "merger repository of {0} is damaged ({1}); removing it, "
                        + "it is fetched again", project, e.toString());
                deleteIfExists(dir);
                deleteIfExists(mirrorDir);
                recreated++;
                r = null;
                m = null;
            }
        }
        if (r == null) {
            m = create(mirrorDir);
            r = create(dir);
            Files.writeString(dir.resolve("objects/info/alternates"), alternate(dir, mirrorDir) + "\n");
            r.close(); // opened again below, so that it reads its alternates
            r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).setBare().build();
        }
        open.put(project, r);
        mirrors.put(project, m);
        return r;
    }

    /** The project's mirror; {@link #open} it first. The caller holds the project's lock. */
    synchronized Repository mirror(String project) throws IOException {
        open(project);
        return mirrors.get(project);
    }

    /** The mirror's object directory as the served repository's alternates file names it (relative). */
    private static String alternate(Path served, Path mirror) {
        return served.resolve("objects").relativize(mirror.resolve("objects")).toString().replace('\\', '/');
    }

    private static Repository create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Repository r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        r.create(true);
        r.getConfig().setBoolean("core", null, "logAllRefUpdates", false);
        r.getConfig().save();
        Files.createDirectories(dir.resolve("objects/info"));
        return r;
    }

    private static void deleteIfExists(Path dir) {
        if (Files.exists(dir)) {
            delete(dir);
        }
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
        close(project);
        LOG.log(System.Logger.Level.WARNING, "merger repository of {0} removed: {1}", project, why);
        dirOf(project).ifPresent(RepositoryCache::deleteIfExists);
        deleteIfExists(mirrorDir(project));
        recreated++;
    }

    private void close(String project) {
        Repository r = open.remove(project);
        if (r != null) {
            r.close();
        }
        Repository m = mirrors.remove(project);
        if (m != null) {
            m.close();
        }
    }

    /** Removes a repository to keep the cache within its bound; fetched again on its next use. Holds the project's lock. */
    synchronized void evict(String project) {
        close(project);
        lastUsed.remove(project);
        dirOf(project).ifPresent(RepositoryCache::deleteIfExists);
        deleteIfExists(mirrorDir(project));
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
                    if (dir.getFileName().toString().startsWith(".")) {
                        return FileVisitResult.SKIP_SUBTREE; // the mirrors, listed through their projects
                    }
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

    /** Bytes on disk of a project's repositories (served and mirror). */
    long size(String project) {
        Path dir = dirOf(project).orElse(null);
        return dir == null ? 0 : bytes(dir) + bytes(mirrorDir(project));
    }

    private static long bytes(Path dir) {
        if (!Files.isDirectory(dir)) {
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
        mirrors.values().forEach(Repository::close);
        mirrors.clear();
    }
}
