package dev.tollgate.checks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The seed job that casc/metaplugin-ci.yaml creates through JCasC's {@code jobs:}: it checks out the
 * configuration repository and runs every Job DSL script under job-dsl/. The script is run as JCasC
 * would run it: its ${...} replaced first (with their defaults), then against the Job DSL stand-in.
 */
public class SeedJobTest {
    static final Pattern VARIABLE = Pattern.compile("\\^?\\$\\{([A-Za-z0-9_]+)(?::-([^}]*))?}");

    /** JCasC's interpolation of a text, with only the variables' defaults known; {@code ^${} stays literal. */
    static String interpolate(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            if (m.group().startsWith("^")) {
                m.appendReplacement(b, Matcher.quoteReplacement(m.group().substring(1)));
            } else {
                if (m.group(2) == null) {
                    throw new AssertionError("the seed script uses ${" + m.group(1) + "} without a default: JCasC "
                            + "replaces it, or leaves it as it is when the variable is not set");
                }
                m.appendReplacement(b, Matcher.quoteReplacement(m.group(2)));
            }
        }
        return m.appendTail(b).toString();
    }

    @SuppressWarnings("unchecked")
    static String seedScript() {
        Map<String, Object> casc = new Yaml().load(Repository.read(Repository.file("casc/metaplugin-ci.yaml")));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) casc.get("jobs");
        assertEquals("one script in jobs:", 1, jobs.size());
        return (String) jobs.get(0).get("script");
    }

    @Test
    public void theSeedJobReadsEveryJobDslScriptFromTheRepository() {
        String script = interpolate(seedScript());
        assertFalse("a ${ left for Groovy would have been taken by JCasC", script.contains("${"));
        DslCall root = DslStandIn.jobDsl().run(script, "casc-jobs-seed");
        DslCall seed = root.one("job", "seed");

        List<DslCall> params = seed.one("parameters").calls;
        assertEquals(List.of("stringParam", "stringParam"), seed.one("parameters").names());
        assertEquals("JOB_DSL_REPOSITORY", params.get(0).text(0));
        assertTrue(params.get(0).text(1), params.get(0).text(1).matches("https://\\S+\\.git"));
        assertEquals(List.of("JOB_DSL_BRANCH", "master"), params.get(1).args.subList(0, 2));

        DslCall git = seed.path("scm", "git");
        assertEquals("$JOB_DSL_REPOSITORY", git.path("remote", "url").text(0));
        assertEquals("$JOB_DSL_BRANCH", git.one("branch").text(0));

        DslCall jobDsl = seed.path("steps", "jobDsl");
        assertEquals("job-dsl/**/*.groovy", jobDsl.one("targets").text(0));
        assertEquals("DISABLE", jobDsl.one("removedJobAction").text(0));
        for (java.nio.file.Path p : Repository.files("job-dsl", ".groovy")) {
            assertTrue(Repository.name(p), Repository.name(p).startsWith("job-dsl/"));
        }
        // JCasC creates the seed job; a build of it creates the rest
        assertEquals(List.of("seed"), root.one("queue").args);
    }

    @Test
    public void interpolationIsJcascs() {
        assertEquals("a https://x b ${KEEP}", interpolate("a ${URL:-https://x} b ^${KEEP}"));
    }
}
