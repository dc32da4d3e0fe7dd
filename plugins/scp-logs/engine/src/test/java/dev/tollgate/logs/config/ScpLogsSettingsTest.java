package dev.tollgate.logs.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.BuildResult;
import dev.tollgate.logs.ConsoleLog;
import dev.tollgate.logs.LogHost;
import dev.tollgate.logs.LogHostRegistry;
import dev.tollgate.logs.LogSource;
import dev.tollgate.logs.PublishRequest;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The scp-logs section's records: host problems by key, the registry, and a job's options as a request. */
public class ScpLogsSettingsTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    static LogHostConfig logServer() {
        return new LogHostConfig("log-server", "log-server", 22, "/var/www/html/metaplugin-ci", "ciuser", "logs-ssh",
                KEY, "http://log-server/metaplugin-ci");
    }

    @Test
    public void aValidHostMakesTheRegistry() {
        LogHostRegistry r = new ScpLogsSettings(List.of(logServer())).registry();
        LogHost h = r.require("log-server");
        assertEquals("/var/www/html/metaplugin-ci", h.rootPath());
        assertEquals("logs-ssh", h.credentialId());
        assertEquals("http://log-server/metaplugin-ci/21/12321/3/", h.urlOf("21/12321/3"));
        assertEquals(Map.of(), logServer().problems());
        assertEquals(List.of(), new ScpLogsSettings(null).hosts());
    }

    @Test
    public void eachProblemIsReportedAtItsOwnKey() {
        LogHostConfig bad = new LogHostConfig("log server", "log_server!", 0, "var/www", "ci user", " ",
                "ssh-ed25519 not-base64!", "ftp://log-server/");
        Map<String, String> p = bad.problems();
        assertEquals(List.of("name", "host", "port", "rootPath", "user", "credentialsId", "hostKey", "urlBase"),
                List.copyOf(p.keySet()));
        assertEquals("port 0 is outside 1-65535", p.get("port"));
        assertEquals("root path 'var/www' must be an absolute path on the server", p.get("rootPath"));
        assertTrue(p.get("hostKey"), p.get("hostKey").startsWith("host key 'ssh-ed25519 not-base64!' is neither"));
        assertEquals("URL base 'ftp://log-server/' must be an absolute http(s) URL (LOG_URL_BASE)", p.get("urlBase"));
        assertEquals("root path 'srv/../etc' contains '..' (a parent-directory reference); it must stay inside the "
                + "log host's root", new LogHostConfig("x", "h", 22, "/srv/../etc", "u", "c", KEY, "http://h/")
                .problems().get("rootPath"));
        try {
            new ScpLogsSettings(List.of(bad)).registry();
            fail("a registry of a bad host");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("log host 'log server': name: name 'log server' must"));
            assertTrue(e.getMessage(), e.getMessage().contains("; log host 'log server': urlBase: "));
        }
    }

    @Test
    public void jcascVariablesStandForValuesThatAreGiven() {
        LogHostConfig vars = new LogHostConfig("log-server", "${LOG_SERVER:-log-server}", 22, "${LOG_ROOT}",
                "${LOG_SERVER_USER:-ciuser}", "logs-ssh", "${LOG_SERVER_HOST_KEY}", "${LOG_URL_BASE}");
        assertEquals(Map.of(), vars.problems());
        assertEquals(Map.of("hostKey", "host key is missing: give the server's public key line (ssh-keyscan) or its "
                + "SHA256 fingerprint (ssh-keygen -lf); unchecked host keys are not allowed"),
                new LogHostConfig("a", "h", 22, "/l", "u", "c", "", "http://h/").problems());
    }

    @Test
    public void aNameUsedTwiceIsReportedAtTheSecond() {
        LogHostConfig again = new LogHostConfig("log-server", "other", 22, "/logs", "u", "c", KEY, "http://other/");
        List<ScpLogsSettings.Problem> p = new ScpLogsSettings(List.of(logServer(), again)).problems();
        assertEquals(1, p.size());
        assertEquals(again, p.get(0).host());
        assertEquals("name", p.get(0).key());
        assertEquals("duplicate log host `log-server` (the 1st host has that name already)", p.get(0).message());
    }

    private static final LogSource WORKSPACE = new LogSource() {
        @Override
        public Listing list(String includes, String excludes) {
            return new Listing(List.of(), List.of());
        }

        @Override
        public InputStream open(Entry entry) {
            throw new AssertionError();
        }
    };

    @Test
    public void aJobsOptionsBecomeTheEnginesRequest() {
        PublishStepConfig step = new PublishStepConfig("log-server", "logs/**", "**/*.pyc", true, true, true,
                "${LOG_PATH}", false, true);
        ConsoleLog console = ConsoleLog.of(PublishStepConfig.CONSOLE_LOG_NAME, new byte[] {1});
        PublishRequest r = step.request(WORKSPACE, console, Map.of("LOG_PATH", "21/12321/3/check/job/abc"),
                BuildResult.FAILURE);
        assertEquals(WORKSPACE, r.files());
        assertNull(r.sourceDir());
        assertEquals("logs/**", r.includes());
        assertEquals("**/*.pyc", r.excludes());
        assertTrue(r.flatten());
        assertTrue(r.gzip());
        assertEquals(console, r.consoleLog());
        assertEquals("${LOG_PATH}", r.destination());
        assertFalse(r.copyAfterFailure());
        assertEquals(BuildResult.FAILURE, r.buildResult());
        assertEquals("21/12321/3/check/job/abc", r.parameters().get("LOG_PATH"));

        PublishRequest consoleOnly = new PublishStepConfig("log-server", "", null, false, false, true, null, true,
                false).request(WORKSPACE, console, Map.of(), null);
        assertNull("no patterns, no workspace files", consoleOnly.files());
        assertEquals("${LOG_PATH}", consoleOnly.destination());
        assertEquals(BuildResult.SUCCESS, consoleOnly.buildResult());

        PublishRequest filesOnly = new PublishStepConfig("log-server", "logs/**", "", false, false, false, "${LOG_PATH}",
                true, false).request(WORKSPACE, console, Map.of(), null);
        assertNull("no console log unless asked", filesOnly.consoleLog());
    }

    @Test
    public void optionsThatCannotPublishAreRefusedByKey() {
        assertEquals(Map.of("includes", "nothing to publish: give patterns of workspace files, or publish the console "
                + "log"), PublishStepConfig.defaults("log-server").problems());
        PublishStepConfig bad = new PublishStepConfig(" ", "../etc/**", "/x", false, false, true, "/srv", true, false);
        Map<String, String> p = bad.problems();
        assertEquals(List.of("logHost", "includes", "excludes", "destination"), List.copyOf(p.keySet()));
        assertTrue(p.get("includes"), p.get("includes").contains("patterns cannot leave the source directory"));
        try {
            bad.request(WORKSPACE, null, Map.of(), null);
            fail("a request from bad options");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("logHost: required: "));
        }
    }
}
