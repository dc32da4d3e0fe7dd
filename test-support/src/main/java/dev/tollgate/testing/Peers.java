package dev.tollgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finding local peers for tests. A peer that is missing makes the test fail with a message that
 * says what to install: peer tests never pass silently (CI's .ci/run installs every peer).
 */
public final class Peers {
    private Peers() {}

    /** The first executable among the candidates, or an AssertionError naming the package. */
    public static Path requireExecutable(String debianPackage, String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("test peer missing: none of " + String.join(", ", candidates)
                + " is installed; run `apt-get install -y " + debianPackage + "` (.ci/run does this)");
    }

    /** Ends a peer process: asks it to stop, then kills it if it is still there after 5 s (bounded). */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
