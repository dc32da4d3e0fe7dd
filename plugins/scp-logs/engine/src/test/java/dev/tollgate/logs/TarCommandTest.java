package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The tar path's server-side script, run here by {@code sh} (dash on Debian) and {@code bash}, the
 * shells a log server account has, with this machine's GNU tar: what it does with a whole archive, a
 * cut one, an existing destination, a link on the way, and a tar that is not GNU tar.
 */
public class TarCommandTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final String ID = "0123456789ab";
    private Path root;
    private LogHost host;

    @Before
    public void setUp() throws IOException {
        root = tmp.newFolder("root").toPath();
        host = LogHost.of("local", "127.0.0.1", 22, root.toString(), "logs", "key",
                "SHA256:" + "A".repeat(43), "http://logs.example.org/");
    }

    /** Exit status and standard output of the script, fed {@code archive}. */
    private record Run(int status, String out) {}

    private Run run(String shell, String dest, byte[] archive, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(shell, "-c", TarUploader.command(host, dest, ID, false));
        pb.environment().putAll(env);
        Process p = pb.redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(archive);
        } catch (IOException e) {
            // the script may end without reading its input (a refused destination)
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private Run run(String shell, String dest, byte[] archive) throws Exception {
        return run(shell, dest, archive, Map.of());
    }

    /** How an archive of {@code logs/a.txt} and {@code b.txt} reaches the script. */
    private enum Ending { WHOLE, CUT_BETWEEN_ENTRIES, CUT_INSIDE_AN_ENTRY }

    private static byte[] archive(boolean partNames, Ending ending) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");
        tar.putArchiveEntry(new TarArchiveEntry("logs/"));
        tar.closeArchiveEntry();
        long insideB = 0;
        for (String name : List.of("logs/a.txt", "b.txt")) {
            byte[] content = ("content of " + name).repeat(100).getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(partNames ? TarUploader.partName(name) : name, true);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            insideB = tar.getBytesWritten() + 700;
            tar.write(content);
            tar.closeArchiveEntry();
        }
        long afterB = tar.getBytesWritten();
        TarArchiveEntry done = new TarArchiveEntry(TarUploader.COMPLETION_PREFIX + ID, true);
        done.setSize(0);
        tar.putArchiveEntry(done);
        tar.closeArchiveEntry();
        tar.close();
        byte[] whole = bytes.toByteArray();
        return switch (ending) {
            case WHOLE -> whole;
            // no completion entry and no end-of-archive blocks: GNU tar takes this as complete
            case CUT_BETWEEN_ENTRIES -> java.util.Arrays.copyOf(whole, (int) afterB);
            case CUT_INSIDE_AN_ENTRY -> java.util.Arrays.copyOf(whole, (int) insideB);
        };
    }

    private List<String> everything() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).filter(p -> !p.isEmpty()).sorted().toList();
        }
    }

    @Test
    public void aWholeArchiveBecomesTheNewFolderInOneStep() throws Exception {
        for (String shell : List.of("sh", "bash")) {
            String dest = shell + "/run 1/it's $x";
            Run r = run(shell, dest, archive(false, Ending.WHOLE));
            assertEquals(r.out, 0, r.status);
            assertEquals(TarUploader.READY_MARKER + " stage", r.out.strip());
            Path folder = root.resolve(dest);
            assertTrue(Files.readString(folder.resolve("logs/a.txt")).startsWith("content of logs/a.txt"));
            assertTrue(Files.readString(folder.resolve("b.txt")).startsWith("content of b.txt"));
            assertEquals("the completion entry is removed, no stage is left", List.of(shell, shell + "/run 1",
                    dest, dest + "/b.txt", dest + "/logs", dest + "/logs/a.txt"), everything().stream()
                    .filter(p -> p.startsWith(shell)).toList());
        }
    }

    @Test
    public void anArchiveCutBetweenTwoEntriesLeavesNothing() throws Exception {
        // GNU tar itself takes such an archive as complete: only the missing completion entry tells
        Run r = run("sh", "a/b", archive(false, Ending.CUT_BETWEEN_ENTRIES));
        assertEquals(r.out, 6, r.status);
        assertEquals(List.of("a"), everything());
    }

    @Test
    public void anArchiveCutInsideAnEntryLeavesNothing() throws Exception {
        Run r = run("sh", "a/b", archive(false, Ending.CUT_INSIDE_AN_ENTRY));
        assertEquals(r.out, 6, r.status);
        assertEquals(List.of("a"), everything());
    }

    @Test
    public void anExistingFolderGetsPartNamesAndTheCompletionEntryIsChecked() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Run whole = run("sh", "a/b", archive(true, Ending.WHOLE));
        assertEquals(whole.out, 0, whole.status);
        assertEquals(TarUploader.READY_MARKER + " parts", whole.out.strip());
        assertEquals(List.of("a", "a/b", "a/b/.b.txt.tollgate-part", "a/b/logs", "a/b/logs/.a.txt.tollgate-part"),
                everything());

        Run cut = run("sh", "a/b", archive(true, Ending.CUT_BETWEEN_ENTRIES));
        assertEquals(cut.out, 6, cut.status);
    }

    @Test
    public void aLinkOnTheWayStopsItBeforeAnythingIsCreatedPastIt() throws Exception {
        Path elsewhere = tmp.newFolder("elsewhere").toPath();
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/linked"), elsewhere);
        for (String dest : List.of("a/linked/x/y", "a/linked")) {
            Run r = run("sh", dest, archive(false, Ending.WHOLE));
            assertEquals(dest + ": " + r.out, 3, r.status);
            assertFalse(r.out, r.out.contains(TarUploader.READY_MARKER));
        }
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    public void aTarThatIsNotGnuTarIsNotUsed() throws Exception {
        Path bin = tmp.newFolder("bin").toPath();
        Path fake = bin.resolve("tar");
        Files.writeString(fake, "#!/bin/sh\necho 'bsdtar 3.6.2 - libarchive 3.6.2'\n");
        assertTrue(fake.toFile().setExecutable(true));
        Run r = run("sh", "a", archive(false, Ending.WHOLE), Map.of("PATH", bin + ":/usr/bin:/bin"));
        assertEquals(r.out, 4, r.status);
        assertFalse(r.out.contains(TarUploader.READY_MARKER));
    }
}
