package dev.tollgate.it;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;

import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javaposse.jobdsl.plugin.ExecuteDslScripts;
import hudson.model.FreeStyleProject;
import org.junit.Rule;
import org.junit.Test;

/** Every file in casc/ applies to a Jenkins with the suite's plugins, and every seed in job-dsl/ runs. */
public class SuiteConfigurationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static List<Path> files(String dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
    }

    @Test
    public void everyCascFileApplies() throws Exception {
        List<Path> files = files("casc", ".yaml");
        assertFalse(files.isEmpty());
        for (Path file : files) {
            // the files read secrets from ${VARIABLES}; JCasC leaves unset ones empty, which is enough here
            ConfigurationAsCode.get().configure(file.toString());
            assertNotNull(file + " configured the pipelines", GerritPipelineConfiguration.get().toSettings());
        }
    }

    @Test
    public void everySeedScriptRuns() throws Exception {
        for (Path script : files("job-dsl", ".groovy")) {
            FreeStyleProject seed = r.createFreeStyleProject();
            ExecuteDslScripts dsl = new ExecuteDslScripts();
            dsl.setScriptText(Files.readString(script));
            dsl.setSandbox(false);
            seed.getBuildersList().add(dsl);
            r.buildAndAssertSuccess(seed);
        }
        assertNotNull(r.jenkins.getItemByFullName("check-tempest-dsvm-metaplugin"));
    }
}
