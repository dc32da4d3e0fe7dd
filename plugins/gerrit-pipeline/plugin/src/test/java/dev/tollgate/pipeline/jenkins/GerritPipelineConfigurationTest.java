package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.jenkins.config.GerritServer;
import dev.tollgate.pipeline.jenkins.config.LabelVoteSpec;
import dev.tollgate.pipeline.jenkins.config.MergerDaemonSpec;
import dev.tollgate.pipeline.jenkins.config.MergerSpec;
import dev.tollgate.pipeline.jenkins.config.PipelineSpec;
import dev.tollgate.pipeline.jenkins.config.ProjectPipelineSpec;
import dev.tollgate.pipeline.jenkins.config.ProjectSpec;
import dev.tollgate.pipeline.jenkins.config.ReporterSpec;
import dev.tollgate.pipeline.jenkins.config.TriggerSpec;
import dev.tollgate.pipeline.layout.PipelineSettings;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/** The global configuration survives the web form unchanged, and is what the engine reads. */
public class GerritPipelineConfigurationTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    static void metapluginCi(GerritPipelineConfiguration c) {
        GerritServer server = new GerritServer("review");
        server.setGerritTriggerServer("upstream");
        server.setRestUrl("http://127.0.0.1:1/");
        server.setRestCredentialsId("gerrit-http");
        TriggerSpec trigger = new TriggerSpec(List.of("patchset-created", "change-restored", "comment-added"));
        trigger.setComments(List.of("(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*metaplugin-recheck\\s*$"));
        PipelineSpec check = new PipelineSpec("check", "IndependentPipelineManager");
        check.setTriggers(List.of(trigger));
        ReporterSpec success = new ReporterSpec();
        success.setLabels(List.of(new LabelVoteSpec("Verified", 1)));
        check.setSuccess(success);
        check.setFailureMessage("Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check.");
        ProjectPipelineSpec jobs = new ProjectPipelineSpec("check");
        jobs.setJobs(List.of("check-tempest-dsvm-metaplugin"));
        ProjectSpec neutron = new ProjectSpec("openstack/neutron");
        neutron.setPipelines(List.of(jobs));
        c.setServers(List.of(server));
        c.setPipelines(List.of(check));
        c.setProjects(List.of(neutron));
    }

    @Test
    public void theFormKeepsEveryValue() throws Exception {
        GerritPipelineConfiguration c = GerritPipelineConfiguration.get();
        metapluginCi(c);
        c.setCommentOnly(true);
        PipelineSettings before = c.toSettings();
        r.configRoundtrip();
        PipelineSettings after = GerritPipelineConfiguration.get().toSettings();
        assertEquals(before, after);
        assertTrue(after.commentOnly());
    }

    @Test
    public void theMergerBlockKeepsEveryValueAndUntickedIsNoMerger() throws Exception {
        GerritPipelineConfiguration c = GerritPipelineConfiguration.get();
        metapluginCi(c);
        MergerSpec merger = new MergerSpec();
        merger.setFetch("http");
        merger.setCacheDir("/var/lib/tollgate-merger");
        merger.setZuulUrl("git://10.0.0.5:9418");
        merger.setCommitterName("CI Merger");
        merger.setCommitterEmail("ci@example.org");
        merger.setZuulRefMaxAgeHours(24);
        merger.setMaxCacheGigabytes(10);
        merger.setPruneMinutes(30);
        MergerDaemonSpec daemon = new MergerDaemonSpec("10.0.0.5", List.of("10.0.0.0/16", "fd00::/8"));
        daemon.setPort(9419);
        merger.setDaemon(daemon);
        c.setMerger(merger);
        PipelineSettings before = c.toSettings();
        r.configRoundtrip();
        PipelineSettings after = GerritPipelineConfiguration.get().toSettings();
        assertEquals(before, after);
        assertEquals(List.of("10.0.0.0/16", "fd00::/8"), after.merger().daemon().allowedNetworks());

        c.setMerger(null);
        r.configRoundtrip();
        assertNull(GerritPipelineConfiguration.get().toSettings().merger());
    }
}
