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
