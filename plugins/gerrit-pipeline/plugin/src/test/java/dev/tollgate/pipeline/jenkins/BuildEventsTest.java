package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;

import hudson.EnvVars;
import hudson.Launcher;
import hudson.model.AbstractBuild;
import hudson.model.BuildListener;
import hudson.model.EnvironmentContributingAction;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Run;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestBuilder;

/**
 * The report links to the build's published logs, found by Jenkins' own interface and the LOG_URL
 * variable (what the scp-logs plugin's action contributes), without any class of that plugin.
 */
public class BuildEventsTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    /** What a log publisher leaves on a build, as far as this plugin can know it. */
    public static final class LogLink implements EnvironmentContributingAction {
        private final String url;

        public LogLink(String url) {
            this.url = url;
        }

        @Override
        public void buildEnvironment(Run<?, ?> run, EnvVars env) {
            env.put("LOG_URL", url);
        }

        @Override
        public String getIconFileName() {
            return null;
        }

        @Override
        public String getDisplayName() {
            return "Logs";
        }

        @Override
        public String getUrlName() {
            return url;
        }
    }

    /** Publishes "logs": adds the link to the build, as a publisher would. */
    static final class Publishes extends TestBuilder {
        private final String url;

        Publishes(String url) {
            this.url = url;
        }

        @Override
        public boolean perform(AbstractBuild<?, ?> build, Launcher launcher, BuildListener listener) {
            build.addAction(new LogLink(url));
            return true;
        }
    }

    @Test
    public void theReportLinksToTheLogsWhenTheBuildPublishedThem() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject();
        FreeStyleBuild plain = r.buildAndAssertSuccess(job);
        assertEquals(r.getURL() + plain.getUrl(), BuildEvents.reportUrl(plain));

        job.getBuildersList().add(new Publishes("http://logs.example.org/ci/42/4242/3/check/job/abc/"));
        job.getBuildersList().add(new Publishes("http://logs.example.org/ci/42/4242/3/check/job/def/"));
        FreeStyleBuild published = r.buildAndAssertSuccess(job);
        assertEquals("the later publish", "http://logs.example.org/ci/42/4242/3/check/job/def/",
                BuildEvents.reportUrl(published));
    }

    @Test
    public void aLogUrlThatIsNoWebAddressIsNotLinked() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject();
        job.getBuildersList().add(new Publishes("javascript:alert(1)"));
        FreeStyleBuild b = r.buildAndAssertSuccess(job);
        assertEquals(r.getURL() + b.getUrl(), BuildEvents.reportUrl(b));
    }
}
