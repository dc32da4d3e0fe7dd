package dev.tollgate.checks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The Job DSL scripts under job-dsl/ compile, run against the recording stand-in of the Job DSL API,
 * and generate the jobs metaplugin-ci needs: the check job as its Jenkins Job Builder definition had
 * it (agent label, 60-minute timeout that fails the build, timestamps, the two shell steps in order),
 * its Pipeline variant doing the same, and the parameters Tollgate passes.
 */
public class JobDslScriptsTest {
    static final String CHECK_JOB = "check-tempest-dsvm-metaplugin";
    static final String PIPELINE_JOB = "check-tempest-dsvm-metaplugin-pipeline";

    /** The commands of the JJB job's first shell step, in order (comments and blank lines aside). */
    static final List<String> CLEANUP = List.of(
            "#!/bin/bash -x",
            "sudo rm -rf /opt/stack/logs",
            "sudo rm -rf /opt/stack/new",
            "sudo ovs-vsctl --if-exists del-br br-int",
            "sudo ovs-vsctl --if-exists del-br br-ex",
            "sudo ovs-vsctl --if-exists del-br br-tun",
            "rm -rf devstack-gate",
            "ln -s /opt/devstack-gate");

    /** ... and of its second, the devstack-gate run. */
    static final List<String> DEVSTACK_GATE = List.of(
            "#!/bin/bash -xe",
            "export LANG=C",
            "export PYTHONUNBUFFERED=true",
            "export DEVSTACK_GATE_TIMEOUT=180",
            "export DEVSTACK_GATE_NEUTRON=1",
            "export DEVSTACK_GATE_TEMPEST=1",
            "export ENABLED_SERVICES=metaplugin",
            "export DEVSTACK_GATE_FEATURE_MATRIX='/opt/metaplugin-ci/files/features.yaml'",
            "export DEVSTACK_GATE_TEMPEST_REGEX='tempest.api.network'",
            "function pre_test_hook {",
            "cp /opt/metaplugin-ci/files/neutron_thirdparty/metaplugin $BASE/new/devstack/lib/neutron_thirdparty/",
            "}",
            "export -f pre_test_hook",
            "cp devstack-gate/devstack-vm-gate-wrap.sh ./safe-devstack-vm-gate-wrap.sh",
            "./safe-devstack-vm-gate-wrap.sh");

    /** What devstack-gate reads to find the change, and where the logs go: the job must define them. */
    static final List<String> PARAMETERS_READ = List.of("ZUUL_UUID", "ZUUL_PROJECT", "ZUUL_PIPELINE", "ZUUL_BRANCH",
            "ZUUL_CHANGE", "ZUUL_PATCHSET", "ZUUL_REF", "ZUUL_URL", "ZUUL_CHANGES", "LOG_PATH");

    static List<String> commands(String shell) {
        List<String> out = new ArrayList<>();
        for (String line : shell.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && (!t.startsWith("#") || t.startsWith("#!"))) {
                out.add(t);
            }
        }
        return out;
    }

    static DslCall run(Path script) {
        return DslStandIn.jobDsl().run(Repository.read(script), Repository.name(script));
    }

    private static DslCall metaplugin;

    /** The calls of job-dsl/metaplugin_ci.groovy, recorded once (compiling takes seconds); read only. */
    static synchronized DslCall metaplugin() {
        if (metaplugin == null) {
            metaplugin = run(Repository.file("job-dsl/metaplugin_ci.groovy"));
        }
        return metaplugin;
    }

    @Test
    public void everyScriptCompilesAndRuns() {
        Set<String> jobs = new LinkedHashSet<>();
        for (Path script : Repository.files("job-dsl", ".groovy")) {
            DslCall root;
            try {
                root = run(script);
            } catch (RuntimeException e) {
                throw new AssertionError(Repository.name(script) + " does not run: " + e, e);
            }
            for (DslCall c : root.calls) {
                if (List.of("job", "freeStyleJob", "pipelineJob", "multibranchPipelineJob").contains(c.name)) {
                    assertTrue("job " + c.text(0) + " defined twice", jobs.add(c.text(0)));
                }
            }
        }
        assertTrue(jobs.toString(), jobs.containsAll(List.of(CHECK_JOB, PIPELINE_JOB)));
    }

    @Test
    public void aScriptThatDoesNotCompileIsRefused() {
        try {
            DslStandIn.jobDsl().compile("job('x') {\n  steps { shell('a') \n}\n", "broken.groovy");
            fail("compiled");
        } catch (org.codehaus.groovy.control.CompilationFailedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("broken_groovy"));
        }
    }

    @Test
    public void theCheckJobIsTheJenkinsJobBuilderJob() {
        DslCall job = metaplugin().one("job", CHECK_JOB);
        assertEquals("devstack_slave", job.one("label").text(0));
        assertTrue(job.one("description").text(0).contains("Neutron MetaPlugin"));

        DslCall timeout = job.path("wrappers", "timeout");
        assertEquals(List.of(60), job.path("wrappers", "timeout", "absolute").args);
        assertEquals("the build fails when the timeout strikes, as JJB's `fail: true`",
                List.of("absolute", "failBuild"), timeout.names());
        assertEquals(List.of(), timeout.one("failBuild").args);
        assertEquals(List.of("timeout", "timestamps"), job.one("wrappers").names());

        DslCall steps = job.one("steps");
        assertEquals(List.of("shell", "shell"), steps.names());
        assertEquals(CLEANUP, commands(steps.calls.get(0).text(0)));
        assertEquals(DEVSTACK_GATE, commands(steps.calls.get(1).text(0)));
    }

    @Test
    public void theJobsDefineTheParametersTollgatePasses() {
        DslCall root = metaplugin();
        for (String name : List.of(CHECK_JOB, PIPELINE_JOB)) {
            List<DslCall> params = root.one(name.equals(CHECK_JOB) ? "job" : "pipelineJob", name).one("parameters").calls;
            List<String> names = new ArrayList<>();
            for (DslCall p : params) {
                assertEquals(p.tree(), "stringParam", p.name);
                assertEquals(p.tree(), "", p.text(1)); // empty by default: a hand-run build says which change
                names.add(p.text(0));
            }
            assertTrue(name + ": " + names, names.containsAll(PARAMETERS_READ));
            assertTrue(names.stream().allMatch(n -> n.startsWith("ZUUL_") || n.startsWith("GERRIT_")
                    || n.endsWith("LOG_PATH")));
        }
    }

    /** The publisher's options, as the freestyle job's scpLogs {} block sets them. */
    static Map<String, Object> scpLogsOptions(DslCall scpLogs) {
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        for (DslCall option : scpLogs.calls) {
            assertEquals(option.tree(), 1, option.args.size());
            options.put(option.name, option.args.get(0));
        }
        return options;
    }

    /**
     * The JJB job's devstack-logs and console-log publishers: devstack-gate's logs/ folder and the
     * console log go to the log host of casc/metaplugin-ci.yaml, after a failure too, with options that
     * are the scp-logs plugin's keys (its engine record, which the publisher mirrors).
     */
    @Test
    public void theCheckJobPublishesItsDevstackAndConsoleLogsByScp() throws Exception {
        DslCall publishers = metaplugin().one("job", CHECK_JOB).one("publishers");
        assertEquals(List.of("scpLogs"), publishers.names());
        Map<String, Object> options = scpLogsOptions(publishers.one("scpLogs"));
        assertEquals(Map.of("logHost", "log-server", "includes", "logs/**", "consoleLog", true,
                "copyAfterFailure", true), options);
        Set<String> keys = new LinkedHashSet<>();
        for (var c : dev.tollgate.logs.config.PublishStepConfig.class.getRecordComponents()) {
            keys.add(c.getName());
        }
        assertTrue(options.keySet() + " are keys of " + keys, keys.containsAll(options.keySet()));
        String casc = Repository.read(Repository.file("casc/metaplugin-ci.yaml"));
        var hosts = dev.tollgate.pipeline.layout.CascSection.read(casc, "metaplugin-ci.yaml",
                dev.tollgate.logs.config.ScpLogsSettings.SYMBOL, dev.tollgate.logs.config.ScpLogsSettings.class,
                dev.tollgate.pipeline.layout.CascSection.Rules.none()).hosts();
        assertTrue(hosts.stream().anyMatch(h -> h.name().equals(options.get("logHost"))));
    }

    /** The Pipeline variant publishes the same, with the step, whether its steps passed, failed or timed out. */
    @Test
    public void thePipelineVariantPublishesTheSameEvenWhenItsTimeoutStrikes() {
        Map<String, Object> freestyle = scpLogsOptions(metaplugin().one("job", CHECK_JOB).path("publishers",
                "scpLogs"));
        DslCall passed = DslStandIn.pipeline().run(pipelineScript(), PIPELINE_JOB);
        DslCall publish = passed.one("node").path("timestamps", "stage");
        assertEquals(List.of("Publish logs"), publish.args);
        assertEquals(freestyle, publish.one("scpLogs").named());

        DslStandIn pipeline = DslStandIn.pipeline();
        Object timedOut = pipeline.newInstance("org.jenkinsci.plugins.workflow.steps.TimeoutStepExecution$ExceededTimeout");
        List<String> order = new ArrayList<>();
        try {
            pipeline.run(pipelineScript(), PIPELINE_JOB, (call, bodies) -> {
                order.add(call.name);
                if (call.name.equals("timeout")) {
                    throw (RuntimeException) pipeline.newInstance(
                            "org.jenkinsci.plugins.workflow.steps.FlowInterruptedException", timedOut);
                }
                if (call.name.equals("error")) {
                    throw new PipelineFailed(call.text(0));
                }
                bodies.run();
                return call;
            });
            fail("the script ended normally");
        } catch (PipelineFailed e) {
            assertEquals(List.of("node", "timestamps", "timeout", "error", "stage", "scpLogs"), order);
        }
    }

    /** The Pipeline variant's script, as the job holds it. */
    static String pipelineScript() {
        DslCall cps = metaplugin().one("pipelineJob", PIPELINE_JOB).path("definition", "cps");
        assertEquals("runs in the Groovy sandbox", List.of(), cps.one("sandbox").args);
        return cps.one("script").text(0);
    }

    @Test
    public void thePipelineVariantDoesTheSameOnTheSameAgents() {
        DslCall root = DslStandIn.pipeline().run(pipelineScript(), PIPELINE_JOB);
        DslCall node = root.one("node");
        assertEquals(List.of("devstack_slave"), node.args);
        DslCall timeout = node.path("timestamps", "timeout");
        assertEquals(Map.of("time", 60, "unit", "MINUTES"), timeout.named());
        List<String> shells = new ArrayList<>();
        for (DslCall stage : timeout.all("stage")) {
            stage.all("sh").forEach(sh -> shells.add(sh.text(0)));
        }
        DslCall steps = metaplugin().one("job", CHECK_JOB).one("steps");
        assertEquals("the same shell steps as the freestyle job, in the same order",
                List.of(steps.calls.get(0).text(0), steps.calls.get(1).text(0)), shells);
        assertEquals(List.of(), root.all("error"));
    }

    /** A failure of a step of the Pipeline stand-in (Pipeline's `error`). */
    static final class PipelineFailed extends RuntimeException {
        PipelineFailed(String message) {
            super(message);
        }
    }

    /** Runs the Pipeline variant with its timeout step ending the body with this cause. */
    static RuntimeException interrupted(DslStandIn pipeline, String causeClass, List<DslCall> errors) {
        Object cause = pipeline.newInstance(causeClass);
        try {
            pipeline.run(pipelineScript(), PIPELINE_JOB, (call, bodies) -> {
                if (call.name.equals("timeout")) {
                    throw (RuntimeException) pipeline.newInstance(
                            "org.jenkinsci.plugins.workflow.steps.FlowInterruptedException", cause);
                }
                if (call.name.equals("error")) {
                    errors.add(call);
                    throw new PipelineFailed(call.text(0));
                }
                bodies.run();
                return call;
            });
            throw new AssertionError("the script ended normally");
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    public void thePipelineVariantFailsWhenItsTimeoutStrikes() {
        List<DslCall> errors = new ArrayList<>();
        RuntimeException e = interrupted(DslStandIn.pipeline(),
                "org.jenkinsci.plugins.workflow.steps.TimeoutStepExecution$ExceededTimeout", errors);
        assertTrue(e.toString(), e instanceof PipelineFailed);
        assertEquals("check-tempest-dsvm-metaplugin ran out of its 60 minutes", e.getMessage());
        assertEquals(1, errors.size());
    }

    @Test
    public void aCancelledPipelineBuildStaysAborted() {
        List<DslCall> errors = new ArrayList<>();
        RuntimeException e = interrupted(DslStandIn.pipeline(), "jenkins.model.CauseOfInterruption$UserInterruption",
                errors);
        assertEquals("org.jenkinsci.plugins.workflow.steps.FlowInterruptedException", e.getClass().getName());
        assertEquals(List.of(), errors);
    }

    /** The jobs the layout names exist: a job renamed in one place only fails here, not in production. */
    @Test
    public void theLayoutsJobsAreDefined() throws Exception {
        DslCall root = metaplugin();
        var layout = dev.tollgate.pipeline.layout.CascConfig.parse(Repository.file("casc/metaplugin-ci.yaml"));
        for (var project : layout.projects()) {
            for (var pipeline : project.pipelines()) {
                for (String job : pipeline.jobs()) {
                    if (!job.equals("noop")) {
                        root.one("job", job);
                    }
                }
            }
        }
    }

    @Test
    public void theShellStepsAreBashSyntax() throws Exception {
        for (Path sh : Repository.files("job-dsl", ".sh")) {
            Process p = new ProcessBuilder("bash", "-n", sh.toString()).redirectErrorStream(true).start();
            assertTrue("bash -n did not end", p.waitFor(60, TimeUnit.SECONDS)); // a hang guard only
            assertEquals(Repository.name(sh) + ": " + new String(p.getInputStream().readAllBytes()), 0, p.exitValue());
        }
    }
}
