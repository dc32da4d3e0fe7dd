package dev.tollgate.recycle.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.tollgate.recycle.config.JobRecycleOption;
import dev.tollgate.recycle.config.RecycleSettings;
import dev.tollgate.recycle.jenkins.config.NodeRecycleConfiguration;
import dev.tollgate.recycle.jenkins.config.RecycleJobProperty;
import dev.tollgate.recycle.jenkins.config.RecycleRuleSpec;
import hudson.model.FreeStyleProject;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/** The global rules and the job option survive their web forms unchanged, and are what the engine reads. */
public class NodeRecycleConfigurationTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Test
    public void theFormKeepsEveryRule() throws Exception {
        RecycleRuleSpec reboot = new RecycleRuleSpec("devstack_slave && !gpu", "REBOOT");
        reboot.setRebootCommand("sudo shutdown -r +1");
        reboot.setReconnectTimeoutMinutes(20);
        reboot.setDisconnectTimeoutMinutes(5);
        reboot.setCommandTimeoutSeconds(60);
        reboot.setResults(List.of("FAILURE", "ABORTED"));
        RecycleRuleSpec offline = new RecycleRuleSpec("gpu", "OFFLINE");
        NodeRecycleConfiguration.get().setRules(List.of(reboot, offline));
        RecycleSettings before = NodeRecycleConfiguration.get().toSettings();
        assertEquals(2, before.rules().size());

        r.configRoundtrip();
        assertEquals(before, NodeRecycleConfiguration.get().toSettings());
    }

    @Test
    public void theJobOptionSurvivesTheJobsForm() throws Exception {
        FreeStyleProject p = r.createFreeStyleProject("cheap-lint");
        RecycleJobProperty option = new RecycleJobProperty("REBOOT");
        option.setRebootCommand("sudo systemctl reboot");
        option.setResults(List.of("FAILURE"));
        p.addProperty(option);
        JobRecycleOption before = option.toRecord();

        p = r.configRoundtrip(p);
        assertEquals(before, p.getProperty(RecycleJobProperty.class).toRecord());

        p.removeProperty(RecycleJobProperty.class);
        p = r.configRoundtrip(p);
        assertNull("an unticked option is no option", p.getProperty(RecycleJobProperty.class));
    }

    @Test
    public void defaultsAreStoredAsUnset() {
        RecycleRuleSpec rule = new RecycleRuleSpec(" devstack_slave ", "REBOOT");
        rule.setRebootCommand("sudo /sbin/shutdown -r +1");
        rule.setReconnectTimeoutMinutes(15);
        rule.setCommandTimeoutSeconds(120);
        assertEquals("devstack_slave", rule.getLabel());
        assertNull(rule.getRebootCommand());
        assertNull(rule.getReconnectTimeoutMinutes());
        assertNull(rule.getCommandTimeoutSeconds());
        assertEquals(new dev.tollgate.recycle.config.RecycleRule("devstack_slave", "REBOOT", "sudo /sbin/shutdown -r +1",
                15, null, 120, List.of()), rule.toRecord());
    }
}
