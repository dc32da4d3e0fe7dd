package dev.tollgate.pipeline.merger;

import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code git} command, for making the repositories the merger fetches from (a stand-in for
 * Gerrit: branches and {@code refs/changes/NN/CHANGE/PS}) and for checking what it made. Fixed
 * identities and dates, so every run makes the same commits.
 */
final class GitCommand {
    static final Path GIT = Peers.requireExecutable("git", "/usr/bin/git");

    private GitCommand() {}

    /** Runs git in {@code dir}; its stdout, trimmed. Fails the test when git fails. */
    static String git(Path dir, String... args) throws IOException, InterruptedException {
        Result r = run(dir, null, args);
        if (r.exit != 0) {
            throw new AssertionError("git " + String.join(" ", args) + " failed (" + r.exit + "): " + r.err + r.out);
        }
        return r.out.strip();
    }

    record Result(int exit, String out, String err) { }

    static Result run(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(GIT.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        e.put("GIT_AUTHOR_NAME", "Alice");
        e.put("GIT_AUTHOR_EMAIL", "alice@example.org");
        e.put("GIT_COMMITTER_NAME", "Alice");
        e.put("GIT_COMMITTER_EMAIL", "alice@example.org");
        e.put("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z");
        e.put("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z");
        e.put("GIT_CONFIG_NOSYSTEM", "1");
        e.put("HOME", dir.toString()); // no user config of the machine
        e.put("GIT_TERMINAL_PROMPT", "0");
        if (env != null) {
            e.putAll(env);
        }
        Path out = Files.createTempFile("git-out", ".txt");
        Path err = Files.createTempFile("git-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("git " + String.join(" ", args) + " did not end within 300 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A new repository at {@code root/project} with one commit on master holding {@code files}. */
    static Path newProject(Path root, String project, Map<String, String> files) throws Exception {
        Path dir = root.resolve(project);
        Files.createDirectories(dir);
        git(dir, "init", "-q", "-b", "master");
        write(dir, files);
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "Initial import");
        return dir;
    }

    static void write(Path dir, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
    }

    /** A commit on {@code branch} (moved): its sha. */
    static String commitOn(Path dir, String branch, String message, Map<String, String> files) throws Exception {
        git(dir, "checkout", "-q", branch);
        write(dir, files);
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", message);
        return git(dir, "rev-parse", "HEAD");
    }

    /**
     * A patchset as Gerrit keeps it: a commit on top of {@code parent} at {@code refs/changes/NN/C/PS},
     * no branch moved. Its sha.
     */
    static String patchset(Path dir, String parent, int change, int ps, String message, Map<String, String> files)
            throws Exception {
        git(dir, "checkout", "-q", "--detach", parent);
        write(dir, files);
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", message);
        String sha = git(dir, "rev-parse", "HEAD");
        git(dir, "update-ref", changeRef(change, ps), sha);
        git(dir, "checkout", "-q", "master");
        return sha;
    }

    static String changeRef(int change, int ps) {
        return String.format("refs/changes/%02d/%d/%d", change % 100, change, ps);
    }
}
