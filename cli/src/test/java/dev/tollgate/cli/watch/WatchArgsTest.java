package dev.tollgate.cli.watch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.Main;
import dev.tollgate.testing.Peers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code tollgate watch}'s command line and files, before any connection: every mistake is one
 * clear message and exit 2 (usage) or 1 (a file), never a stack trace, and no secret is echoed.
 * No server is needed: the files are read before the connection is tried.
 */
public class WatchArgsTest {
    private static final String LAYOUT = "../examples/metaplugin-ci/layout.yaml";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path key;
    private Path knownHosts;
    private Path credentials;

    private record Result(int code, String out, String err) { }

    private static Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("watch"));
        all.addAll(args);
        int code = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(r.err, r.err.contains("\tat ") || r.err.contains("internal error"));
        return r;
    }

    private static String publicKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return PublicKeyEntry.toString(g.generateKeyPair().getPublic());
    }

    @Before
    public void files() throws Exception {
        key = tmp.getRoot().toPath().resolve("id_ed25519");
        Process p = new ProcessBuilder(Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen").toString(),
                "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        knownHosts = tmp.newFile("known_hosts").toPath();
        Files.writeString(knownHosts, "[127.0.0.1]:29418 " + publicKey() + "\n");
        credentials = tmp.newFile("http").toPath();
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(credentials, "ci-bot:s3cret:with:colons\n");
    }

    private List<String> args(String... replacements) {
        List<String> a = new ArrayList<>(List.of("--layout", LAYOUT, "--gerrit", "ssh://ci-bot@127.0.0.1:29418",
                "--key", key.toString(), "--known-hosts", knownHosts.toString()));
        for (int i = 0; i < replacements.length; i += 2) {
            int at = a.indexOf(replacements[i]);
            if (replacements[i + 1] == null) {
                a.remove(at + 1);
                a.remove(at);
            } else if (at < 0) {
                a.add(replacements[i]);
                a.add(replacements[i + 1]);
            } else {
                a.set(at + 1, replacements[i + 1]);
            }
        }
        return a;
    }

    @Test
    public void helpShowsWatchNextToSimulate() {
        Result r = run(List.of("--help"));
        assertEquals(0, r.code);
        assertTrue(r.out, r.out.startsWith("usage: tollgate watch --layout LAYOUT --gerrit ssh://USER@HOST[:PORT]"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help, help.indexOf("  simulate --layout") < help.indexOf("  watch --layout"));
    }

    @Test
    public void missingOptionsAreUsageErrors() {
        for (String option : List.of("--layout", "--gerrit", "--key", "--known-hosts")) {
            Result r = run(args(option, null));
            assertEquals(option, 2, r.code);
            assertTrue(r.err, r.err.startsWith("tollgate: watch needs " + option));
        }
        Result r = run(args("--rest-url", "http://127.0.0.1:8080/"));
        assertEquals(2, r.code);
        assertTrue(r.err, r.err.startsWith("tollgate: --rest-url and --http-credentials go together"));
        assertEquals(2, run(args("--assume", "MAYBE")).code);
        assertEquals(2, run(args("--bogus", "x")).code);
        List<String> valued = args();
        valued.add("--vote-dry-run=yes");
        assertTrue(run(valued).err.startsWith("tollgate: --vote-dry-run takes no value"));
        List<String> extra = args();
        extra.add("extra");
        assertEquals(2, run(extra).code);
    }

    @Test
    public void badGerritUrlsAreUsageErrorsThatNeverEchoAPassword() {
        for (String url : List.of("review.example.org", "http://ci@review.example.org", "ssh://review.example.org:29418",
                "ssh://ci@review.example.org:99999", "ssh://ci@review.example.org/path", "ssh://ci@:29418", "ssh://c i@x")) {
            Result r = run(args("--gerrit", url));
            assertEquals(url, 2, r.code);
            assertTrue(url + ": " + r.err, r.err.startsWith("tollgate: --gerrit must be ssh://USER@HOST[:PORT]"));
        }
        Result r = run(args("--gerrit", "ssh://ci:hunter2@review.example.org"));
        assertEquals(2, r.code);
        assertFalse(r.err, r.err.contains("hunter2"));
        r = run(args("--rest-url", "https://ci:hunter2@review.example.org/", "--http-credentials", credentials.toString()));
        assertEquals(2, r.code);
        assertFalse(r.err, r.err.contains("hunter2"));
        assertEquals(2, run(args("--rest-url", "ftp://review.example.org/", "--http-credentials", credentials.toString())).code);
    }

    @Test
    public void aBadKeyFileIsOneMessage() throws IOException {
        Result r = run(args("--key", tmp.getRoot() + "/nope"));
        assertEquals(1, r.code);
        assertEquals(tmp.getRoot() + "/nope: no such file (the SSH private key)\n", r.err);

        r = run(args("--key", key + ".pub"));
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.startsWith(key + ".pub: "));
        assertTrue(r.err, r.err.contains("SSH private key"));
        assertFalse(r.err, r.err.contains(Files.readString(Path.of(key + ".pub")).split(" ")[1]));

        Path garbage = tmp.newFile("garbage").toPath();
        Files.writeString(garbage, "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n");
        r = run(args("--key", garbage.toString()));
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.startsWith(garbage + ": cannot read the SSH private key: "));
        assertFalse(r.err, r.err.contains("bm90IGEga2V5"));

        r = run(args("--key", tmp.getRoot().toString()));
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.contains("a directory"));
    }

    @Test
    public void aKnownHostsFileWithoutTheHostIsRefusedAndNamesTheFix() throws Exception {
        Files.writeString(knownHosts, "[127.0.0.1]:2222 " + publicKey() + "\nother.example.org " + publicKey() + "\n");
        Result r = run(args());
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.startsWith(knownHosts + ": no usable host key for [127.0.0.1]:29418"));
        assertTrue(r.err, r.err.contains("ssh-keyscan -p 29418 127.0.0.1 >> " + knownHosts));

        Files.writeString(knownHosts, "@revoked [127.0.0.1]:29418 " + publicKey() + "\n");
        assertEquals(1, run(args()).code);

        r = run(args("--known-hosts", tmp.getRoot() + "/none"));
        assertEquals(1, r.code);
        assertEquals(tmp.getRoot() + "/none: no such file (the known hosts)\n", r.err);
    }

    @Test
    public void httpCredentialsOthersMayReadAreRefusedAndMalformedOnesNamed() throws Exception {
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
        Result r = run(args("--rest-url", "http://127.0.0.1:1/", "--http-credentials", credentials.toString()));
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.startsWith(credentials + ": the HTTP credentials file may be read or changed by any user: refused"));
        assertFalse(r.err, r.err.contains("s3cret"));

        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(credentials, "# the CI's account\njust-a-password\n");
        r = run(args("--rest-url", "http://127.0.0.1:1/", "--http-credentials", credentials.toString()));
        assertEquals(1, r.code);
        assertEquals(credentials + ":2: expected USER:PASSWORD (Gerrit's HTTP password, Settings → HTTP Credentials)\n", r.err);
        assertFalse(r.err, r.err.contains("just-a-password"));
    }

    @Test
    public void theCredentialsFileFormIsUserColonPassword() throws Exception {
        assertEquals("ci-bot", SecretFiles.httpCredentials(credentials, new StringBuilder()).username());
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r-----"));
        StringBuilder warnings = new StringBuilder();
        SecretFiles.httpCredentials(credentials, warnings);
        assertTrue(warnings.toString(), warnings.toString().contains("may be read by its group"));
    }

    @Test
    public void aLayoutWithErrorsStopsBeforeAnyConnection() throws Exception {
        Path bad = tmp.newFile("layout.yaml").toPath();
        Files.writeString(bad, "pipelines:\n  - name: check\n    manager: NoSuchManager\n");
        Result r = run(args("--layout", bad.toString()));
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.startsWith(bad + ":"));
    }

    @Test
    public void anUnreachableGerritIsOneMessage() throws Exception {
        // a port nothing listens on: the connection check's first step fails, nothing is started
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + publicKey() + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Result r = run(args("--gerrit", "ssh://ci-bot@127.0.0.1:" + port));
        assertEquals(1, r.code);
        assertTrue("a key others may read is warned about, and used: " + r.err, r.err.startsWith(
                "tollgate watch: warning: " + key + ": the SSH private key may be read by other users"));
        assertTrue(r.err, r.err.contains("\ntollgate watch: TCP connection: "));
        assertTrue(r.out, r.out.isEmpty());
    }
}
