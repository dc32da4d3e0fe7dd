package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.security.KeyPair;
import java.util.Map;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.Test;

/** Log host registry entries, host key pins, credentials that never print, destination rules. */
public class LogHostTest {
    private static final KeyPair KEY = MinaLogServer.ecKey();
    private static final String KEY_LINE = PublicKeyEntry.toString(KEY.getPublic()) + " root@logs";

    private static LogHost valid() {
        return LogHost.of("openstack-logs", "logs.example.org", 22, "/srv/static/logs/", "jenkins", "logs-key",
                KEY_LINE, "http://logs.example.org/metaplugin-ci");
    }

    @Test
    public void validHostIsNormalisedAndBuildsUrls() {
        LogHost h = valid();
        assertEquals("/srv/static/logs", h.rootPath());
        assertEquals("http://logs.example.org/metaplugin-ci/21/12321/3/check/job/abc1234/",
                h.urlOf("21/12321/3/check/job/abc1234"));
        assertEquals("/srv/static/logs/a/b", h.remotePath("a/b"));
        assertEquals(HostKeyPin.fingerprintOf(KEY.getPublic()), h.hostKey().fingerprint());
        assertTrue(h.hostKey().matches(KEY.getPublic()));
        assertFalse(h.hostKey().matches(MinaLogServer.ecKey().getPublic()));
    }

    @Test
    public void urlsEncodeEachPathSegment() {
        LogHost h = valid();
        // a folder literally named %2e%2e must not read as '..' to a browser
        assertEquals("http://logs.example.org/metaplugin-ci/%252e%252e/x/", h.urlOf("%2e%2e/x"));
        assertEquals("http://logs.example.org/metaplugin-ci/a%3Fb/c%23d/e%20f/", h.urlOf("a?b/c#d/e f"));
        assertEquals("http://logs.example.org/metaplugin-ci/caf%C3%A9/x%2By%3Bz/", h.urlOf("caf\u00e9/x+y;z"));
        assertEquals("http://logs.example.org/metaplugin-ci/periodic/job-1.2_3~4/", h.urlOf("periodic/job-1.2_3~4"));
        // whatever the segment, the URL stays under the base
        for (String dest : new String[] {"%2e%2e/%2e%2e/x", "a/%2F/b", "..%2f..%2fx", "a\\b", "?x", "#x", "@x", ":x"}) {
            URI u = URI.create(h.urlOf(dest));
            assertTrue(dest + " -> " + u, u.normalize().getPath().startsWith("/metaplugin-ci/"));
            assertEquals(dest + " -> " + u, null, u.getQuery());
            assertEquals(dest + " -> " + u, null, u.getFragment());
            assertEquals(dest + " -> " + u, dest, u.getPath().substring("/metaplugin-ci/".length(),
                    u.getPath().length() - 1));
        }
    }

    @Test
    public void bidiAndOtherInvisibleCharactersAreRefusedInNames() {
        String[] bad = {"evil\u202Etxt.exe", "a\u200Bb", "x\u2066y\u2069", "bom\uFEFF", "line\u2028sep",
            "para\u2029sep", "shy\u00ADhyphen", "arabic\u061Cmark", "lone\uD800surrogate", "tag\uDB40\uDC01"};
        for (String name : bad) {
            String problem = RemoteNames.problemWithSegment(name);
            assertTrue(RemoteNames.printable(name) + ": " + problem, problem != null
                    && problem.contains("invisible or control character"));
            try {
                DestinationPattern.resolve("ok/" + name, Map.of());
                fail(RemoteNames.printable(name));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("U+"));
                for (char c : e.getMessage().toCharArray()) {
                    assertFalse("message shows the character escaped: " + e.getMessage(),
                            Character.getType(c) == Character.FORMAT || Character.isSurrogate(c)
                                    || c == '\u2028' || c == '\u2029');
                }
            }
        }
        // ordinary non-ASCII names are fine
        assertEquals(null, RemoteNames.problemWithSegment("caf\u00e9-\u65e5\u672c-\uD83D\uDE00.txt"));
    }

    @Test
    public void everyBadFieldIsNamedInOneMessage() {
        try {
            new LogHost("bad name", "logs host", 0, "relative/root", "us er", " ", HostKeyPin.of(KEY.getPublic()),
                    URI.create("ftp://x/"));
            fail();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            for (String part : new String[] {"name 'bad name'", "host 'logs host'", "port 0", "root path 'relative/root'",
                "user 'us er'", "credential id", "URL base 'ftp://x/'"}) {
                assertTrue(m, m.contains(part));
            }
        }
        try {
            new LogHost("h", "h", 22, "/srv/../etc", "u", "c", HostKeyPin.of(KEY.getPublic()), URI.create("http://h/"));
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'..'"));
        }
        try {
            LogHost.of("h", "h", 22, "/srv", "u", "c", "", "http://h/");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("host key is missing"));
        }
    }

    @Test
    public void hostKeyPinAcceptsKeyLinesKnownHostsLinesAndFingerprints() {
        String fp = HostKeyPin.fingerprintOf(KEY.getPublic());
        assertEquals(fp, HostKeyPin.parse(KEY_LINE).fingerprint());
        assertEquals(fp, HostKeyPin.parse("[logs.example.org]:2222 " + KEY_LINE).fingerprint());
        assertEquals(fp, HostKeyPin.parse(fp).fingerprint());
        assertEquals(fp, HostKeyPin.parse(fp + "=").fingerprint());
        assertTrue(HostKeyPin.parse(fp).matches(KEY.getPublic()));
        for (String bad : new String[] {"SHA256:short", "ssh-rsa notbase64!!", "MD5:aa:bb"}) {
            try {
                HostKeyPin.parse(bad);
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("SHA256"));
            }
        }
    }

    @Test
    public void credentialsNeverPrintTheirSecrets() {
        String pw = Credential.password("hunter2".toCharArray()).toString();
        String key = Credential.privateKey("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAASECRET\n", "pass".toCharArray())
                .toString();
        String pair = Credential.keyPair(KEY).toString();
        assertFalse(pw, pw.contains("hunter2"));
        assertFalse(key, key.contains("SECRET") || key.contains("pass,") || key.contains("BEGIN"));
        assertFalse(pair, pair.contains(KEY.getPrivate().toString()));
        assertFalse(valid().toString().contains("SECRET"));
        String req = PublishRequest.builder().consoleLog(ConsoleLog.of("console.txt", new byte[0]))
                .parameters(Map.of("LOG_PATH", "a/b", "DB_PASSWORD", "hunter2")).build().toString();
        assertTrue(req, req.contains("DB_PASSWORD"));
        assertFalse(req, req.contains("hunter2"));
    }

    @Test
    public void registryRefusesDuplicatesAndNamesTheKnownHosts() {
        LogHostRegistry r = new LogHostRegistry();
        r.add(valid());
        try {
            r.add(valid());
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("already exists"));
        }
        try {
            r.require("other");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("known: openstack-logs"));
        }
        assertEquals(valid(), r.require("openstack-logs"));
        assertTrue(r.remove("openstack-logs"));
        assertTrue(r.all().isEmpty());
    }

    @Test
    public void destinationFromLogPathOrPattern() {
        assertEquals("21/12321/3/check/job/abc1234", DestinationPattern.resolve(null,
                Map.of("LOG_PATH", "21/12321/3/check/job/abc1234")));
        assertEquals("periodic/job/42", DestinationPattern.resolve("periodic/${JOB_NAME}//./${BUILD_NUMBER}/",
                Map.of("JOB_NAME", "job", "BUILD_NUMBER", "42")));
        String[][] bad = {
            {"../x", "'..'"}, {"a/../../x", "'..'"}, {"/etc", "absolute"}, {"a\\b", "backslash"},
            {"a/\u0001b", "control character"}, {"~root/x", "'~'"}, {"${MISSING}", "no such parameter"},
            {".", "root itself"}, {"C:/x", "drive"},
        };
        for (String[] b : bad) {
            try {
                DestinationPattern.resolve(b[0], Map.of());
                fail(b[0]);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(b[1]));
                assertFalse("message shows control characters escaped", e.getMessage().contains("\u0001"));
            }
        }
    }
}
