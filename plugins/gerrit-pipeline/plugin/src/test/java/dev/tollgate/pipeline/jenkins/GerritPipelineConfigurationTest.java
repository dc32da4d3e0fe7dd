package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.jenkins.config.GerritServer;
import dev.tollgate.pipeline.jenkins.config.LabelVoteSpec;
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
}
