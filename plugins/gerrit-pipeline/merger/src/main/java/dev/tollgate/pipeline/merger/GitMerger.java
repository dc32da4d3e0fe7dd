package dev.tollgate.pipeline.merger;

import dev.tollgate.pipeline.port.Merger;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.PackInvalidException;
import org.eclipse.jgit.errors.PackMismatchException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.merge.ThreeWayMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Zuul v2's merger on JGit. For each request: the project's repository in the cache is brought up
 * to date with Gerrit by an incremental fetch (its branches and tags, and the patchset's ref: the
 * first fetch of a project is its only full one); the patchset is merged onto the tip of its branch
 * (or onto the result of the items ahead of it, as Zuul's {@code mergeChanges}) by the project's
 * merge mode, in memory (no work tree); the result is published as the request's
 * {@code refs/zuul/<branch>/Z<uuid>}. A ref update is fetched only. A change that does not merge,
 * a missing branch or patchset, or an unreachable Gerrit is a {@link MergeResult.Failed}, never an
 * exception.
 *
 * <p>Merge commits: {@code merge} and {@code merge-resolve} always make a merge commit whose first
 * parent is the base (the branch tip) and whose second is the patchset, as {@code git merge --no-ff}
 * (so a build's {@code HEAD^1} is what it is merged onto), except that a patchset already in the
 * base gives the base itself; {@code cherry-pick} applies the patchset's own change onto the base
 * with its author and message, as {@code git cherry-pick}. Commits are made by the configured
 * committer at the injected clock's time, so the same inputs give the same commit.
 *
 * <p>Threading: {@link #merge} runs the work on the executor given (the scheduler never waits for
 * it) and answers through the callback. Work on one project is serialised by its lock in the
 * {@link RepositoryCache}; a request that spans projects takes their locks in name order. A request
 * whose {@code zuulRef} exists already is answered with it (a restarted scheduler asks again).
 * {@link #prune} may run concurrently with merges.
 */
public final class GitMerger implements Merger, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GitMerger.class.getName());
    private static final String ZUUL_REFS = "refs/zuul/";
    /** The mirror's one ref for the patchset (or other ref) fetched last. */
    private static final String FETCHED = "refs/tollgate/fetched";

    private final MergerSettings settings;
    private final Clock clock;
    private final Executor executor;
    private final RepositoryCache cache;
    private final SshdSessionFactory ssh;
    private final Path sshHome;
    private final AtomicLong fullFetches = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong fetchNanos = new AtomicLong();
    private final AtomicLong mergeNanos = new AtomicLong();

    /**
     * @param executor runs each request; {@code Runnable::run} answers inside {@link #merge} (for
     *                 {@code tollgate simulate} and benchmarks)
     */
    public GitMerger(MergerSettings settings, Clock clock, Executor executor) throws IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.cache = new RepositoryCache(settings.cacheDir(), clock);
        if (settings.gerritGitUrl().startsWith("ssh://")) {
            PinnedHostKeys hostKeys = PinnedHostKeys.parse(settings.sshHostKeys());
            List<KeyPair> keys = loadKeys(settings.sshPrivateKey());
            // an empty home of its own: no ~/.ssh/config, known_hosts or default identities are read
            sshHome = Files.createTempDirectory("tollgate-merger-ssh");
            File home = sshHome.toFile();
            this.ssh = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home)
                    .setSshDirectory(home)
                    .setConfigFile(f -> null)
                    .setDefaultKnownHostsFiles(f -> List.of())
                    .setDefaultIdentities(f -> List.of())
                    .setDefaultKeysProvider(f -> keys)
                    .setServerKeyDatabase((h, s) -> hostKeys)
                    .setPreferredAuthentications("publickey")
                    .build(null);
        } else {
            this.ssh = null;
            this.sshHome = null;
        }
    }

    private static List<KeyPair> loadKeys(String privateKey) throws IOException {
        if (privateKey == null || privateKey.isBlank()) {
            throw new IllegalArgumentException("an ssh:// Gerrit URL needs a private key (sshPrivateKey)");
        }
        List<KeyPair> out = new ArrayList<>();
        try {
            Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("merger-ssh-key"),
                    new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8)), FilePasswordProvider.EMPTY);
            if (keys != null) {
                keys.forEach(out::add);
            }
        } catch (Exception e) {
            // never the key text itself
            throw new IOException("the merger's SSH private key could not be read (OpenSSH or PEM form expected): "
                    + e.getClass().getSimpleName());
        }
        if (out.isEmpty()) {
            throw new IOException("the merger's SSH private key could not be read (OpenSSH or PEM form expected)");
        }
        return out;
    }

    /** The merger's repositories (for the git daemon). */
    public RepositoryCache repositories() {
        return cache;
    }

    @Override
    public void merge(MergeRequest request, Consumer<MergeResult> done) {
        executor.execute(() -> {
            MergeResult r;
            try {
                r = mergeNow(request);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "merger error for item " + request.itemUuid() + ": " + e, e);
                r = new MergeResult.Failed("merger error: " + e.getMessage());
            }
            done.accept(r);
        });
    }

    /** Does the work of {@link #merge} on the calling thread and returns the answer. */
    public MergeResult mergeNow(MergeRequest request) {
        TreeSet<String> projects = new TreeSet<>();
        for (Item it : request.items()) {
            if (cache.dirOf(it.project()).isEmpty()) {
                return new MergeResult.Failed("not a project name the merger accepts: `" + it.project() + "`");
            }
            projects.add(it.project());
        }
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (String p : projects) { // name order: two requests never wait for each other's locks
                ReentrantLock l = cache.lock(p);
                l.lock();
                held.add(l);
            }
            try {
                return attempt(request);
            } catch (DamagedRepository d) {
                cache.discard(d.project, d.getCause().toString());
                return attempt(request); // once more, fetched from scratch
            }
        } catch (DamagedRepository d) {
            cache.discard(d.project, d.getCause().toString());
            return new MergeResult.Failed("the merger's repository of " + d.project + " is damaged: "
                    + d.getCause().getMessage());
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /** A repository of the cache turned out damaged while in use. */
    private static final class DamagedRepository extends Exception {
        final String project;

        DamagedRepository(String project, Exception cause) {
            super(cause);
            this.project = project;
        }
    }

    private MergeResult attempt(MergeRequest request) throws DamagedRepository {
        Item last = request.item();
        String suffix = request.zuulRef().substring(request.zuulRef().lastIndexOf('/') + 1);
        Map<List<String>, RevCommit> recent = new LinkedHashMap<>(); // (project, branch) -> newest result
        ObjectId result = null;
        for (Item item : request.items()) {
            Repository repo;
            Repository mirror;
            try {
                repo = cache.open(item.project());
                mirror = cache.mirror(item.project());
            } catch (IOException e) {
                return new MergeResult.Failed("cannot open the merger's repository of " + item.project() + ": "
                        + e.getMessage());
            }
            try {
                if (item == last && !item.update()) {
                    Ref existing = repo.exactRef(request.zuulRef());
                    if (existing != null && recent.isEmpty()) {
                        return new MergeResult.Merged(request.zuulRef(), existing.getObjectId().name());
                    }
                }
                long t0 = System.nanoTime();
                String failed = fetch(mirror, item);
                if (failed == null) {
                    syncBranchesAndTags(mirror, repo);
                }
                fetchNanos.addAndGet(System.nanoTime() - t0);
                if (failed != null) {
                    return new MergeResult.Failed(failed);
                }
                Ref fetched = mirror.exactRef(ownRef(item.refspec()) ? item.refspec() : FETCHED);
                if (fetched == null) {
                    return new MergeResult.Failed("Gerrit has no " + item.refspec() + " in " + item.project());
                }
                if (item.update()) {
                    result = fetched.getObjectId();
                    if (!ownRef(item.refspec())) {
                        publish(repo, item.refspec(), result); // served as the ref the item names
                    }
                    continue;
                }
                List<String> key = List.of(item.project(), item.branch());
                long t1 = System.nanoTime();
                RevCommit merged = mergeOne(repo, mirror, item, fetched.getObjectId(), recent.get(key));
                mergeNanos.addAndGet(System.nanoTime() - t1);
                if (merged == null) {
                    return new MergeResult.Failed(lastFailure.get());
                }
                recent.put(key, merged);
                result = merged;
            } catch (MissingObjectException | CorruptObjectException | PackInvalidException | PackMismatchException e) {
                throw new DamagedRepository(item.project(), e);
            } catch (IOException e) {
                return new MergeResult.Failed("merging " + item.refspec() + " of " + item.project() + " failed: " + e);
            }
        }
        if (last.update()) {
            return new MergeResult.Merged(request.zuulRef(), result.name());
        }
        // as Zuul v2: the item's ref in every project-branch it touched points at that branch's newest result
        for (Map.Entry<List<String>, RevCommit> e : recent.entrySet()) {
            String ref = ZUUL_REFS + e.getKey().get(1) + "/" + suffix;
            try {
                publish(cache.open(e.getKey().get(0)), ref, e.getValue());
            } catch (IOException ex) {
                return new MergeResult.Failed("cannot publish " + ref + " in " + e.getKey().get(0) + ": " + ex.getMessage());
            }
        }
        return new MergeResult.Merged(request.zuulRef(), result.name());
    }

    /** Why the last merge on this thread failed (set where {@link #mergeOne} returns null). */
    private final ThreadLocal<String> lastFailure = new ThreadLocal<>();

    /**
     * Brings the project's branches and tags, and the item's ref, up to date. Branches deleted in
     * Gerrit are removed here too, force-pushed ones follow. Null when done, else why not.
     */
    private String fetch(Repository repo, Item item) throws IOException {
        boolean first = repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS).isEmpty();
        List<RefSpec> specs = new ArrayList<>();
        specs.add(new RefSpec("+refs/heads/*:refs/heads/*"));
        specs.add(new RefSpec("+refs/tags/*:refs/tags/*"));
        if (!ownRef(item.refspec())) {
            if (!Repository.isValidRefName(item.refspec())) {
                return "not a ref: `" + item.refspec() + "`";
            }
            // one ref, overwritten: the mirror keeps only branches, tags and this as tips to negotiate from
            specs.add(new RefSpec("+" + item.refspec() + ":" + FETCHED));
        }
        try (Git git = new Git(repo)) {
            git.fetch()
                    .setRemote(settings.projectUrl(item.project()))
                    .setRefSpecs(specs)
                    .setRemoveDeletedRefs(true)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setTransportConfigCallback(transport())
                    .setCredentialsProvider(settings.httpUser() == null ? null
                            : new UsernamePasswordCredentialsProvider(settings.httpUser(),
                                    settings.httpPassword() == null ? "" : settings.httpPassword()))
                    .call();
        } catch (TransportException e) {
            return "cannot fetch " + item.refspec() + " of " + item.project() + " from Gerrit: " + e.getMessage();
        } catch (GitAPIException | JGitInternalException e) {
            if (e.getCause() instanceof IOException io && !(e instanceof TransportException)) {
                if (io instanceof MissingObjectException || io instanceof CorruptObjectException
                        || io instanceof PackInvalidException) {
                    throw io;
                }
            }
            return "cannot fetch " + item.refspec() + " of " + item.project() + ": " + e.getMessage();
        }
        fetches.incrementAndGet();
        if (first) {
            fullFetches.incrementAndGet();
        }
        return null;
    }

    /** A branch or tag: fetched with all of them. */
    private static boolean ownRef(String ref) {
        return ref.startsWith(Constants.R_HEADS) || ref.startsWith(Constants.R_TAGS);
    }

    /** The served repository's branches and tags become the mirror's (new, moved, deleted). */
    private static void syncBranchesAndTags(Repository mirror, Repository served) throws IOException {
        Map<String, ObjectId> want = new java.util.HashMap<>();
        for (String prefix : List.of(Constants.R_HEADS, Constants.R_TAGS)) {
            for (Ref r : mirror.getRefDatabase().getRefsByPrefix(prefix)) {
                want.put(r.getName(), r.getObjectId());
            }
        }
        org.eclipse.jgit.lib.BatchRefUpdate batch = served.getRefDatabase().newBatchUpdate();
        for (String prefix : List.of(Constants.R_HEADS, Constants.R_TAGS)) {
            for (Ref r : served.getRefDatabase().getRefsByPrefix(prefix)) {
                ObjectId w = want.remove(r.getName());
                if (w == null) {
                    batch.addCommand(new org.eclipse.jgit.transport.ReceiveCommand(r.getObjectId(), ObjectId.zeroId(),
                            r.getName()));
                } else if (!w.equals(r.getObjectId())) {
                    batch.addCommand(new org.eclipse.jgit.transport.ReceiveCommand(r.getObjectId(), w, r.getName(),
                            org.eclipse.jgit.transport.ReceiveCommand.Type.UPDATE_NONFASTFORWARD));
                }
            }
        }
        want.forEach((name, id) -> batch.addCommand(new org.eclipse.jgit.transport.ReceiveCommand(ObjectId.zeroId(), id,
                name)));
        if (batch.getCommands().isEmpty()) {
            return;
        }
        batch.setAllowNonFastForwards(true);
        batch.setAtomic(false);
        try (RevWalk walk = new RevWalk(served)) {
            batch.execute(walk, org.eclipse.jgit.lib.NullProgressMonitor.INSTANCE);
        }
        for (org.eclipse.jgit.transport.ReceiveCommand c : batch.getCommands()) {
            if (c.getResult() != org.eclipse.jgit.transport.ReceiveCommand.Result.OK) {
                throw new IOException("cannot update " + c.getRefName() + " in the served repository: " + c.getResult()
                        + (c.getMessage() == null ? "" : " " + c.getMessage()));
            }
        }
    }

    private TransportConfigCallback transport() {
        return t -> {
            if (t instanceof SshTransport s) {
                if (ssh == null) {
                    throw new IllegalStateException("ssh transport without an ssh:// Gerrit URL");
                }
                s.setSshSessionFactory(ssh);
            }
        };
    }

    /** The item merged onto {@code base} (null: the branch tip); null when it does not merge ({@link #lastFailure}). */
    private RevCommit mergeOne(Repository repo, Repository mirror, Item item, ObjectId fetched, RevCommit base)
            throws IOException {
        try (RevWalk walk = new RevWalk(repo); ObjectInserter ins = repo.newObjectInserter()) {
            if (base == null) {
                Ref tip = mirror.exactRef(Constants.R_HEADS + item.branch());
                if (tip == null) {
                    return fail("branch " + item.branch() + " does not exist in " + item.project());
                }
                base = walk.parseCommit(tip.getObjectId());
            } else {
                base = walk.parseCommit(base);
            }
            RevCommit change = walk.parseCommit(fetched);
            PersonIdent committer = new PersonIdent(settings.committerName(), settings.committerEmail(),
                    clock.instant(), ZoneOffset.UTC);
            CommitBuilder c = new CommitBuilder();
            c.setCommitter(committer);
            if (item.mode() == Mode.CHERRY_PICK) {
                if (change.getParentCount() != 1) {
                    return fail(item.refspec() + " is a merge commit or has no parent: it cannot be cherry-picked");
                }
                ResolveMerger m = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
                m.setBase(walk.parseCommit(change.getParent(0)).getTree());
                if (!m.merge(base, change)) {
                    return fail(conflict(item, m));
                }
                if (m.getResultTreeId().equals(base.getTree())) {
                    return fail(item.refspec() + " changes nothing on " + item.branch() + " (cherry-pick is empty)");
                }
                c.setTreeId(m.getResultTreeId());
                c.setParentId(base);
                c.setAuthor(change.getAuthorIdent());
                c.setMessage(change.getFullMessage());
            } else {
                if (walk.isMergedInto(change, base)) {
                    return base; // already in the branch: git says "Already up to date"
                }
                ThreeWayMerger m = (item.mode() == Mode.MERGE ? MergeStrategy.RECURSIVE : MergeStrategy.RESOLVE)
                        .newMerger(repo, true);
                if (!m.merge(base, change)) {
                    return fail(conflict(item, m));
                }
                c.setTreeId(m.getResultTreeId());
                c.setParentIds(base, change);
                c.setAuthor(committer);
                c.setMessage("Merge \"" + change.getShortMessage() + "\" into " + item.branch() + "\n\n"
                        + "Merged " + item.refspec() + " (" + change.name() + ") of " + item.project()
                        + " for testing.\n");
            }
            ObjectId id = ins.insert(c);
            ins.flush();
            return walk.parseCommit(id);
        }
    }

    private RevCommit fail(String why) {
        lastFailure.set(why);
        return null;
    }

    private static String conflict(Item item, ThreeWayMerger m) {
        String files = "";
        if (m instanceof ResolveMerger r) {
            List<String> paths = new ArrayList<>(r.getUnmergedPaths());
            if (r.getFailingPaths() != null) {
                paths.addAll(r.getFailingPaths().keySet());
            }
            files = paths.isEmpty() ? "" : ": " + String.join(", ", paths.subList(0, Math.min(10, paths.size())))
                    + (paths.size() > 10 ? " and " + (paths.size() - 10) + " more" : "");
        }
        return item.refspec() + " of " + item.project() + " does not merge onto " + item.branch() + " ("
                + item.mode().word() + ")" + files;
    }

    private static void publish(Repository repo, String ref, ObjectId commit) throws IOException {
        if (!Repository.isValidRefName(ref)) {
            throw new IOException("not a valid ref name: " + ref);
        }
        RefUpdate u = repo.updateRef(ref);
        u.setNewObjectId(commit);
        u.setForceUpdate(true);
        RefUpdate.Result r = u.update();
        switch (r) {
            case NEW, FORCED, NO_CHANGE, FAST_FORWARD -> { }
            default -> throw new IOException("ref update " + r);
        }
    }

    /**
     * Removes {@code refs/zuul/*} whose commit is older than the configured age (Zuul v2 never did,
     * and its merger's disk filled up), packs what is left so their objects go, then, while the cache
     * is larger than its bound, removes the least recently used repositories. Call it periodically.
     *
     * @return how many refs and repositories were removed
     */
    public PruneResult prune() {
        Instant cutoff = clock.instant().minus(settings.zuulRefMaxAge());
        int refs = 0;
        List<String> projects = cache.projects();
        for (String project : projects) {
            ReentrantLock l = cache.lock(project);
            l.lock();
            try {
                Repository repo = cache.open(project);
                int removed = 0;
                try (RevWalk walk = new RevWalk(repo)) {
                    for (Ref r : repo.getRefDatabase().getRefsByPrefix(ZUUL_REFS)) {
                        Instant when;
                        try {
                            when = walk.parseCommit(r.getObjectId()).getCommitterIdent().getWhenAsInstant();
                        } catch (IOException e) {
                            when = Instant.EPOCH; // points at nothing usable: old enough
                        }
                        if (when.isBefore(cutoff)) {
                            RefUpdate u = repo.updateRef(r.getName());
                            u.setForceUpdate(true);
                            RefUpdate.Result res = u.delete();
                            if (res == RefUpdate.Result.FORCED || res == RefUpdate.Result.NO_CHANGE) {
                                removed++;
                            }
                        }
                    }
                }
                if (removed > 0) {
                    // The served repository's own objects are loose (merge commits, their new trees and
                    // blobs); those no ref reaches any more go. A repack would copy the mirror's objects.
                    org.eclipse.jgit.internal.storage.file.GC gc =
                            new org.eclipse.jgit.internal.storage.file.GC((org.eclipse.jgit.internal.storage.file.FileRepository) repo);
                    gc.setExpire(Instant.now()); // file times are wall-clock times
                    try {
                        gc.prune(java.util.Set.of());
                    } catch (java.text.ParseException | IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "pruning the objects of {0} failed: {1}", project,
                                e.toString());
                    }
                }
                refs += removed;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot prune the merger's repository of {0}: {1}", project,
                        e.toString());
            } finally {
                l.unlock();
            }
        }
        int evicted = 0;
        long total = 0;
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String p : projects) {
            long s = cache.size(p);
            sizes.put(p, s);
            total += s;
        }
        for (String p : cache.leastRecentlyUsed(projects)) {
            if (total <= settings.maxCacheBytes()) {
                break;
            }
            ReentrantLock l = cache.lock(p);
            if (!l.tryLock()) {
                continue; // in use: not the least recently used any more
            }
            try {
                cache.evict(p);
                total -= sizes.get(p);
                evicted++;
                LOG.log(System.Logger.Level.INFO, "merger cache over {0} bytes: removed the repository of {1}",
                        String.valueOf(settings.maxCacheBytes()), p);
            } finally {
                l.unlock();
            }
        }
        return new PruneResult(refs, evicted, total);
    }

    /** What {@link #prune} removed, and the cache's size after it. */
    public record PruneResult(int zuulRefs, int repositories, long cacheBytes) { }

    /** Fetches that found the project's repository empty (each project's first, or after a removal). */
    public long fullFetches() {
        return fullFetches.get();
    }

    public long fetches() {
        return fetches.get();
    }

    /** Time spent fetching and merging so far (for benchmarks and metrics), nanoseconds. */
    public long fetchNanos() {
        return fetchNanos.get();
    }

    public long mergeNanos() {
        return mergeNanos.get();
    }

    /** Damaged repositories found and created anew. */
    public int recreatedRepositories() {
        return cache.recreated();
    }

    @Override
    public void close() {
        cache.close();
        if (ssh != null) {
            ssh.close();
        }
        if (sshHome != null) {
            RepositoryCache.delete(sshHome);
        }
    }
}
