package dev.tollgate.pipeline.merger.bench;

import dev.tollgate.pipeline.merger.GitMerger;
import dev.tollgate.pipeline.merger.MergerSettings;
import dev.tollgate.pipeline.port.Merger.Item;
import dev.tollgate.pipeline.port.Merger.MergeRequest;
import dev.tollgate.pipeline.port.Merger.MergeResult;
import dev.tollgate.pipeline.port.Merger.Mode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Time per merge on a cached repository of a big project, the merger against the {@code git}
 * command on the same repository in the same run. Not a test: it prints figures.
 *
 * <p>A project of COMMITS commits and FILES files is generated with {@code git fast-import}
 * (every commit changes one file, round robin), with CHANGES x ROUNDS patchsets at
 * {@code refs/changes/NN/N/1}, each based 10+ commits behind master and changing a file master did
 * not touch since, so every merge is a real three-way merge. The project is repacked with a bitmap
 * index (as a Gerrit server keeps it) and served by the C {@code git daemon} on 127.0.0.1, which
 * stands in for Gerrit for both sides. Every change is new to both sides when it is merged.
 * <ul>
 *   <li>the merger: incremental fetch from the daemon + in-memory merge-resolve + a merge commit
 *       + {@code refs/zuul/...}; its first fetch of the project (the only full one) is timed apart;</li>
 *   <li>{@code git merge}: in a clone with a work tree, {@code git merge --no-ff -s resolve} of the
 *       fetched patchset onto the checked-out tip (the command alone);</li>
 *   <li>Zuul v2's sequence with the git command: {@code git fetch} of the patchset, {@code git
 *       checkout -f} of the tip, {@code git merge --no-ff -s resolve}.</li>
 * </ul>
 *
 * <p>Usage: {@code MergerBenchmark [COMMITS [FILES [CHANGES [ROUNDS]]]]}, defaults 50000 20000 20 1.
 */
public final class MergerBenchmark {
    /** Changes merged first and not timed, on both sides: the merger runs for days in a warm JVM. */
    static final int WARMUP = 5;

    private MergerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path dir = Files.createTempDirectory("merger-bench");
        try {
            run(dir, commits, files, changes, rounds);
        } finally {
            delete(dir);
        }
    }

    static void run(Path dir, int commits, int files, int changes, int rounds) throws Exception {
        String project = "openstack/big";
        Path gerrit = dir.resolve("gerrit");
        Path upstream = gerrit.resolve(project);
        Files.createDirectories(upstream);
        long t0 = System.nanoTime();
        git(upstream, "init", "-q", "--bare", "-b", "master");
        int patchsets = changes * rounds + WARMUP;
        generate(upstream, commits, files, patchsets);
        System.out.printf(Locale.ROOT, "generated %s: %d commits, %d files, %d changes, %.1f MB on disk in %.1f s%n",
                project, commits, files, patchsets, size(upstream) / 1e6, secs(System.nanoTime() - t0));
        // packed with a bitmap index, as a Gerrit server keeps its repositories (git gc)
        t0 = System.nanoTime();
        git(upstream, "repack", "-a", "-d", "-b", "-q");
        System.out.printf(Locale.ROOT, "repacked with a bitmap index: %.1f MB in %.1f s%n", size(upstream) / 1e6,
                secs(System.nanoTime() - t0));
        String tip = git(upstream, "rev-parse", "master");

        // Gerrit stand-in: the C git daemon serving the project over git://, for the merger and the git command alike
        int port = dev.tollgate.testing.Peers.freePort();
        Process daemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
                "--port=" + port, "--base-path=" + gerrit, gerrit.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            waitForPort(port, daemon);
            runAgainst("git://127.0.0.1:" + port, dir, project, tip, changes, rounds);
        } finally {
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void waitForPort(int port, Process daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!daemon.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("git daemon did not come up on " + port);
                }
                daemon.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
    }

    static void runAgainst(String gerritUrl, Path dir, String project, String tip, int changes, int rounds)
            throws Exception {
        String upstreamUrl = gerritUrl + "/" + project;

        // the merger, its cache filled by its first fetch
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        Path cache = dir.resolve("cache");
        long[] merger = new long[changes * rounds];
        long[] mergerFetch = new long[changes * rounds];
        long[] mergerMerge = new long[changes * rounds];
        long firstFetch;
        long fullFetchesAfterFirst;
        MergerSettings settings = new MergerSettings(cache, gerritUrl, null, null, null, null, null, null, null, 0);
        try (GitMerger m = new GitMerger(settings, clock, Runnable::run)) {
            long s = System.nanoTime();
            MergeResult first = m.mergeNow(new MergeRequest("f".repeat(32), "refs/zuul/master/Z" + "f".repeat(32),
                    List.of(new Item(project, "master", "refs/heads/master", null, Mode.MERGE_RESOLVE, false))));
            firstFetch = System.nanoTime() - s;
            check(first);
            for (int w = 0; w < WARMUP; w++) {
                check(m.mergeNow(request(project, changes * rounds + w, "w")));
            }
            long fullBefore = m.fullFetches();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < changes; i++) {
                    long f0 = m.fetchNanos();
                    long m0 = m.mergeNanos();
                    s = System.nanoTime();
                    MergeResult res = m.mergeNow(request(project, r * changes + i, "r" + r));
                    merger[r * changes + i] = System.nanoTime() - s;
                    mergerFetch[r * changes + i] = m.fetchNanos() - f0;
                    mergerMerge[r * changes + i] = m.mergeNanos() - m0;
                    check(res);
                }
            }
            fullFetchesAfterFirst = m.fullFetches() - fullBefore;
        }

        // the git command on a clone of the same repository, with a work tree
        Path clone = dir.resolve("clone");
        long s = System.nanoTime();
        git(dir, "clone", "-q", upstreamUrl, clone.toString());
        long cloneTime = System.nanoTime() - s;
        git(clone, "config", "user.name", "Bench");
        git(clone, "config", "user.email", "bench@example.org");
        long[] gitMerge = new long[changes * rounds];
        long[] zuulSequence = new long[changes * rounds];
        for (int w = 0; w < WARMUP; w++) {
            git(clone, "fetch", "-q", "origin", changeRef(changes * rounds + w));
            git(clone, "checkout", "-q", "-f", "--detach", tip);
            git(clone, "merge", "-q", "--no-ff", "--no-edit", "-s", "resolve", "FETCH_HEAD");
        }
        long[] gitFetch = new long[changes * rounds];
        for (int k = 0; k < changes * rounds; k++) {
            // each change is new to the clone, as each was new to the merger
            String ref = changeRef(k);
            s = System.nanoTime();
            git(clone, "fetch", "-q", "origin", ref);
            gitFetch[k] = System.nanoTime() - s;
            git(clone, "checkout", "-q", "-f", "--detach", tip);
            long checkout = System.nanoTime() - s - gitFetch[k];
            long m0 = System.nanoTime();
            git(clone, "merge", "-q", "--no-ff", "--no-edit", "-s", "resolve", "FETCH_HEAD");
            gitMerge[k] = System.nanoTime() - m0;
            zuulSequence[k] = gitFetch[k] + checkout + gitMerge[k];
        }

        System.out.printf(Locale.ROOT, "merger first fetch (the only full one): %.2f s; git clone of the same: %.2f s%n",
                secs(firstFetch), secs(cloneTime));
        System.out.printf(Locale.ROOT, "full fetches after the first: %d%n", fullFetchesAfterFirst);
        report("merger: incremental fetch + merge-resolve + ref", merger);
        report("  of which the fetch", mergerFetch);
        report("  of which the merge (in memory, with its commit)", mergerMerge);
        long[] rest = new long[merger.length];
        for (int k = 0; k < rest.length; k++) {
            rest[k] = merger[k] - mergerFetch[k] - mergerMerge[k];
        }
        report("  the rest (cache, locks, publishing the ref)", rest);
        report("git merge --no-ff -s resolve (command alone)", gitMerge);
        report("git fetch of the change", gitFetch);
        report("git fetch + checkout -f + merge (Zuul v2's sequence)", zuulSequence);
        System.out.printf(Locale.ROOT, "merger / git merge (medians): %.2f; merger / Zuul v2's sequence: %.2f%n",
                median(merger) / median(gitMerge), median(merger) / median(zuulSequence));
    }

    static MergeRequest request(String project, int change, String tag) {
        String uuid = String.format(Locale.ROOT, "%-27s%05d", tag, change).replace(' ', '0');
        return new MergeRequest(uuid, "refs/zuul/master/Z" + uuid,
                List.of(new Item(project, "master", changeRef(change), null, Mode.MERGE_RESOLVE, false)));
    }

    static String changeRef(int i) {
        int n = 10000 + i;
        return String.format(Locale.ROOT, "refs/changes/%02d/%d/1", n % 100, n);
    }

    static void check(MergeResult r) {
        if (!(r instanceof MergeResult.Merged)) {
            throw new IllegalStateException("benchmark merge failed: " + r);
        }
    }

    /** The project's history through git fast-import: marks 1..COMMITS on master, then the changes. */
    static void generate(Path repo, int commits, int files, int changes) throws Exception {
        Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long when = 1_700_000_000L;
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
            for (int c = 1; c <= commits; c++) {
                w(out, "commit refs/heads/master\nmark :" + c + "\n");
                w(out, "committer Dev <dev@example.org> " + (when + c) + " +0000\n");
                data(out, "Commit " + c + "\n");
                if (c > 1) {
                    w(out, "from :" + (c - 1) + "\n");
                }
                if (c == 1) {
                    for (int f = 0; f < files; f++) {
                        file(out, path(f), "file " + f + "\n" + "line\n".repeat(20));
                    }
                } else {
                    int f = c % files;
                    file(out, path(f), "file " + f + " changed by commit " + c + "\n" + "line\n".repeat(20));
                }
            }
            for (int i = 0; i < changes; i++) {
                int base = commits - 10 - i;
                // a file no recent master commit touched, edited at its last line: a clean three-way merge
                int f = Math.floorMod(base - 1, files); // last changed by the commit before the base
                w(out, "commit " + changeRef(i) + "\n");
                w(out, "committer Dev <dev@example.org> " + (when + commits + i + 1) + " +0000\n");
                data(out, "Change " + i + "\n\nChange-Id: I" + String.format(Locale.ROOT, "%040d", i) + "\n");
                w(out, "from :" + base + "\n");
                file(out, "changes/new-" + i + ".txt", "new file of change " + i + "\n");
                file(out, path(f), "file " + f + "\n" + "line\n".repeat(19) + "edited by change " + i + "\n");
            }
            w(out, "done\n");
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("git fast-import failed");
        }
    }

    static String path(int f) {
        // 1,000 directories of 20 files, two levels deep, as a large source tree
        return String.format(Locale.ROOT, "dir%02d/sub%02d/file%05d.txt", f % 50, (f / 50) % 20, f);
    }

    static void w(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    static void data(OutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        w(out, "data " + b.length + "\n");
        out.write(b);
        w(out, "\n");
    }

    static void file(OutputStream out, String path, String content) throws IOException {
        w(out, "M 100644 inline " + path + "\n");
        data(out, content);
    }

    static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-55s median %7.1f ms, p90 %7.1f ms, min %7.1f ms, max %7.1f ms (%d merges)%n",
                what, s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[0] / 1e6, s[s.length - 1] / 1e6,
                s.length);
    }

    static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double secs(long nanos) {
        return nanos / 1e9;
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out.strip();
    }

    static long size(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static void delete(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
