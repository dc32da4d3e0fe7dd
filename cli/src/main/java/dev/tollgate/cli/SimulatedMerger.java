package dev.tollgate.cli;

import dev.tollgate.pipeline.merger.GitMerger;
import dev.tollgate.pipeline.merger.MergerSettings;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.simulate.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Comparator;

/**
 * The merger of {@code tollgate simulate --git-root DIR [--merge-root WORK]}: the real
 * {@link GitMerger}, fetching from {@code DIR/<project>} (git repositories standing in for Gerrit:
 * branches and {@code refs/changes/NN/CHANGE/PS}) into {@code WORK}, on the simulation's fixed clock,
 * answering on the replay's thread. Without {@code --merge-root}, WORK is a temporary directory
 * removed at the end.
 */
final class SimulatedMerger implements AutoCloseable {
    private final GitMerger merger;
    private final Path temporary;

    /** The git root or the work directory is not usable: one line for the user. */
    static final class SetupException extends Exception {
        SetupException(String message) {
            super(message);
        }
    }

    private SimulatedMerger(GitMerger merger, Path temporary) {
        this.merger = merger;
        this.temporary = temporary;
    }

    static SimulatedMerger open(String gitRoot, String mergeRoot) throws SetupException {
        Path root = Path.of(gitRoot);
        if (!Files.isDirectory(root)) {
            throw new SetupException(gitRoot + ": not a directory (--git-root)");
        }
        Path temporary = null;
        Path work;
        try {
            if (mergeRoot == null) {
                temporary = Files.createTempDirectory("tollgate-merge");
                work = temporary;
            } else {
                work = Path.of(mergeRoot);
                Files.createDirectories(work);
            }
            GitMerger m = new GitMerger(MergerSettings.local(work, root), Clock.fixed(Simulation.NOW, ZoneOffset.UTC),
                    Runnable::run);
            return new SimulatedMerger(m, temporary);
        } catch (IOException | UncheckedIOException e) {
            throw new SetupException((mergeRoot == null ? "temporary directory" : mergeRoot)
                    + ": cannot use it for the merger (--merge-root): " + e.getMessage());
        }
    }

    Merger merger() {
        return merger;
    }

    @Override
    public void close() {
        merger.close();
        if (temporary != null) {
            try (var files = Files.walk(temporary)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
