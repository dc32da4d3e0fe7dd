package dev.tollgate.recycle.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import hudson.slaves.OfflineCause;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsSessionRule;

/** Jenkins keeps an agent's offline cause over a restart, but not the recycle behind it. */
public class RestartTest {
    @Rule
    public JenkinsSessionRule sessions = new JenkinsSessionRule();

    @Test
    public void anAgentARestartCaughtMidRecycleStaysOfflineAndSaysSo() throws Throwable {
        String rebooting = "Tollgate: rebooting after check-tempest #1 (SUCCESS) — back in up to 15 min";
        String failed = "Tollgate: did not come back 15 min after reboot; left offline — check the machine. Last build: "
                + "check-tempest #2 (FAILURE)";
        sessions.then(r -> {
            r.createSlave("mid-reboot", "recycle_me", null).toComputer()
                    .setTemporaryOfflineCause(new RecycleOfflineCause(rebooting, true));
            r.createSlave("failed", "recycle_me", null).toComputer()
                    .setTemporaryOfflineCause(new RecycleOfflineCause(failed, false));
        });
        sessions.then(r -> {
            OfflineCause mid = r.jenkins.getNode("mid-reboot").getTemporaryOfflineCause();
            assertEquals("Tollgate: Jenkins restarted while this agent was being recycled; left offline — check the "
                    + "machine, then bring it back online. Was: " + rebooting, mid.toString());
            assertFalse(((RecycleOfflineCause) mid).isInProgress());
            OfflineCause last = r.jenkins.getNode("failed").getTemporaryOfflineCause();
            assertTrue(last instanceof RecycleOfflineCause);
            assertEquals("a final cause is left as it was", failed, last.toString());
        });
    }
}
