package dev.tollgate.logs.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.logs.config.LogHostConfig;
import dev.tollgate.logs.config.ScpLogsSettings;
import dev.tollgate.logs.jenkins.config.LogHostSpec;
import dev.tollgate.logs.jenkins.config.ScpLogsConfiguration;
import hudson.model.FreeStyleProject;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/** The registry and the publisher survive their web forms unchanged, and an invalid registry is refused. */
public class ScpLogsConfigurationTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    static LogHostSpec logServer() {
        LogHostSpec h = new LogHostSpec("log-server", "log-server", "/var/www/html/metaplugin-ci", "ciuser",
                "log-server-ssh", KEY, "http://log-server/metaplugin-ci");
        h.setPort(2222);
        return h;
    }

    @Test
    public void theGlobalFormKeepsEveryValue() throws Exception {
        ScpLogsConfiguration c = ScpLogsConfiguration.get();
        c.setHosts(List.of(logServer(), new LogHostSpec("archive", "archive.example.org", "/srv/logs", "logs",
                "archive-password", KEY, "https://archive.example.org/logs/")));
        ScpLogsSettings before = c.toSettings();
        r.configRoundtrip();
        ScpLogsSettings after = ScpLogsConfiguration.get().toSettings();
        assertEquals(before, after);
        assertEquals(new LogHostConfig("log-server", "log-server", 2222, "/var/www/html/metaplugin-ci", "ciuser",
                "log-server-ssh", KEY, "http://log-server/metaplugin-ci"), after.hosts().get(0));
        assertEquals(22, after.hosts().get(1).port());
    }

    @Test
    public void anInvalidRegistryIsRefusedWholeAndTheOldOneKept() {
        ScpLogsConfiguration c = ScpLogsConfiguration.get();
        c.setHosts(List.of(logServer()));
        try {
            c.setHosts(List.of(logServer(), new LogHostSpec("log-server", "h", "relative", "u", "c", "not a key",
                    "ftp://x/")));
            fail("an invalid registry was taken");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("rootPath: root path 'relative' must be an absolute"));
            assertTrue(e.getMessage(), e.getMessage().contains("name: duplicate log host `log-server`"));
        }
        assertEquals(List.of(logServer().toRecord()), c.toSettings().hosts());
        assertEquals("/var/www/html/metaplugin-ci", c.logHost("log-server").rootPath());
    }

    @Test
    public void thePublishersFormKeepsEveryOption() throws Exception {
        ScpLogsConfiguration.get().setHosts(List.of(logServer()));
        FreeStyleProject job = r.createFreeStyleProject();
        ScpLogsPublisher p = new ScpLogsPublisher("log-server");
        p.setIncludes("logs/**, *.html");
        p.setExcludes("**/*.pyc");
        p.setFlatten(true);
        p.setGzip(true);
        p.setConsoleLog(true);
        p.setDestination("periodic/${BUILD_NUMBER}");
        p.setCopyAfterFailure(false);
        p.setFailBuild(true);
        job.getPublishersList().add(p);
        r.configRoundtrip(job);
        ScpLogsPublisher after = job.getPublishersList().get(ScpLogsPublisher.class);
        assertEquals(p.toRecord(), after.toRecord());
        r.assertEqualDataBoundBeans(p, after);
    }
}
