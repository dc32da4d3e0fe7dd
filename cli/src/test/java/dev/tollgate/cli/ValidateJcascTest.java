package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.assertNoStackTrace;
import static dev.tollgate.cli.MainTest.assertOneCleanError;
import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.MainTest.Result;
import dev.tollgate.cli.casc.SuiteSection;
import dev.tollgate.cli.casc.SuiteSections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tollgate validate} on a whole JCasC file: every section of the suite, misspelt and misplaced keys. */
public class ValidateJcascTest {
    /** The suite's sections under unclassified:, as the validator lists them. */
    static final String UNCLASSIFIED = SuiteSections.ALL.stream()
            .filter(s -> s.place() == SuiteSection.Place.UNCLASSIFIED).map(SuiteSection::symbol)
            .collect(Collectors.joining(", "));

    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** A controller's file: other plugins' sections around the suite's (lines 1-16 before the section). */
    static final List<String> HEAD = List.of(
            "jenkins:",                                         // 1
            "  systemMessage: metaplugin-ci",                   // 2
            "  numExecutors: 0",                                // 3
            "credentials:",                                     // 4
            "  system:",                                        // 5
            "    domainCredentials:",                           // 6
            "      - credentials:",                             // 7
            "          - usernamePassword:",                    // 8
            "              id: gerrit-http",                    // 9
            "              password: ${GERRIT_HTTP_PASSWORD}",  // 10
            "unclassified:",                                    // 11
            "  location:",                                      // 12
            "    url: http://master:8080/",                     // 13
            "  gerrit-trigger:",                                // 14
            "    anyKey: the Gerrit Trigger plugin checks it",  // 15
            "  tollgateGerritPipeline:");                       // 16

    static final List<String> SECTION = List.of(
            "    commentOnly: true",                            // 17
            "    servers:",                                     // 18
            "      - name: review",                             // 19
            "        host: review.example.org",                 // 20
            "        username: ${GERRIT_USER}",                 // 21
            "        hostKey: ${GERRIT_HOST_KEY}",              // 22
            "        credentialsId: gerrit-ssh",                // 23
            "        restUrl: https://review.example.org/",     // 24
            "        restCredentialsId: gerrit-http",           // 25
            "    pipelines:",                                   // 26
            "      - name: check",                              // 27
            "        manager: IndependentPipelineManager",      // 28
            "        triggers:",                                // 29
            "          - events: [patchset-created]",           // 30
            "    projects:",                                    // 31
            "      - name: openstack/neutron",                  // 32
            "        pipelines:",                               // 33
            "          - name: check",                          // 34
            "            jobs: [check-tempest-dsvm-metaplugin]");// 35

    static final List<String> TAIL = List.of(
            "jobs:",
            "  - script: job('seed')");

    Path file(List<String> head, List<String> section, List<String> tail) throws Exception {
        Path f = tmp.newFile().toPath();
        StringBuilder b = new StringBuilder();
        for (List<String> part : List.of(head, section, tail)) {
            part.forEach(l -> b.append(l).append('\n'));
        }
        Files.writeString(f, b.toString());
        return f;
    }

    Path file(String... lines) throws Exception {
        return file(List.of(lines), List.of(), List.of());
    }

    static List<String> errLines(Result r) {
        assertEquals(r.err(), 1, r.code());
        assertEquals("", r.out());
        assertNoStackTrace(r);
        return List.of(r.err().split("\n"));
    }

    @Test
    public void aWholeControllerFileIsValidWithOneLinePerSection() throws Exception {
        Path f = file(HEAD, SECTION, TAIL);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (unclassified.tollgateGerritPipeline): 1 Gerrit server(s) (review), "
                + "comment only (no votes), 1 pipeline(s), 1 project(s), 0 job definition(s), 1 project job(s)\n", r.out());
    }

    @Test
    public void theMergersKeysAreReadAndCheckedOnTheirLines() throws Exception {
        List<String> section = new java.util.ArrayList<>(SECTION);
        section.addAll(9, List.of(
                "    merger:",                                      // 26
                "      fetch: ssh",                                 // 27
                "      daemon:",                                    // 28
                "        address: 10.0.0.5",                        // 29
                "        allowedNetworks: [10.0.0.0/16]"));         // 30
        Path f = file(HEAD, section, TAIL);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertTrue(r.out(), r.out().contains("comment only (no votes), test as merge (git daemon), 1 pipeline(s)"));

        section.set(10, "      fetch: rsync");
        section.set(13, "        allowedNetworks: [10.0.0.0/33]");
        f = file(HEAD, section, TAIL);
        List<String> e = errLines(run("validate", f.toString()));
        assertEquals(String.join("\n", e), 2, e.size());
        assertEquals(f + ":27: fetch: expected one of [ssh, http], got `rsync`", e.get(0));
        assertTrue(e.get(1), e.get(1).startsWith(f + ":30: allowedNetworks: `10.0.0.0/33`: the prefix length"));
    }

    @Test
    public void serversAndSwitchesAreCheckedOnTheirLines() throws Exception {
        List<String> section = new java.util.ArrayList<>(SECTION);
        section.set(0, "    commentOnly: perhaps");
        section.set(3, "        host: review.example.org");
        section.set(4, "        username: ci-bot");
        section.set(5, "        hostkey: " + KEY);
        Path f = file(HEAD, section, TAIL);
        List<String> e = errLines(run("validate", f.toString()));
        // in reading order: the section's keys in the order of the records (servers before commentOnly)
        assertEquals(3, e.size());
        assertTrue(e.get(0), e.get(0).startsWith(f + ":22: hostkey: unknown key in servers (expected one of: name, host, "));
        assertEquals(f + ":19: hostKey: required: the server's public host key, pinned (from `ssh-keyscan -p 29418 "
                + "review.example.org`)", e.get(1));
        assertEquals(f + ":17: commentOnly: expected true or false, got `perhaps`", e.get(2));
    }

    @Test
    public void aMisspeltSectionNameIsAnErrorThatNamesTheRightOne() throws Exception {
        List<String> head = new java.util.ArrayList<>(HEAD);
        head.set(15, "  tollgateGerritPipline:");
        Path f = file(head, SECTION, TAIL);
        assertEquals(List.of(f + ":16: tollgateGerritPipline: unknown section of the suite (did you mean "
                + "`tollgateGerritPipeline`?)"), errLines(run("validate", f.toString())));
        head.set(15, "  TollgateGerritPipeline:");
        assertEquals(List.of(f + ":16: TollgateGerritPipeline: unknown section of the suite (did you mean "
                + "`tollgateGerritPipeline`?)"), errLines(run("validate", file(head, SECTION, TAIL).toString()))
                .stream().map(l -> l.replaceFirst("^[^:]*", f.toString())).toList());
    }

    @Test
    public void anUnknownTollgateSectionIsAnError() throws Exception {
        Path f = file(HEAD, SECTION, List.of("  tollgateNoSuchPlugin:", "    hosts: []"));
        assertEquals(List.of(f + ":36: tollgateNoSuchPlugin: unknown section of the suite (its sections under "
                + "unclassified: " + UNCLASSIFIED + ")"), errLines(run("validate", f.toString())));
    }

    @Test
    public void aSectionOutOfPlaceIsAnError() throws Exception {
        Path f = file("jenkins:", "  numExecutors: 0", "tollgateGerritPipeline:", "  pipelines: []");
        assertEquals(List.of(f + ":3: tollgateGerritPipeline: a section of the suite that belongs under unclassified:"),
                errLines(run("validate", f.toString())));
        Path g = file("jenkins:", "  clouds:", "    - tollgateGerritPipeline:", "        pipelines: []");
        assertEquals(List.of(g + ":3: tollgateGerritPipeline: a section of the suite that belongs under unclassified:"),
                errLines(run("validate", g.toString())));
    }

    @Test
    public void aMisspeltRootKeyIsAnErrorBecauseItsSectionsWouldBeSkipped() throws Exception {
        List<String> head = new java.util.ArrayList<>(HEAD);
        head.set(10, "unclasified:");
        Path f = file(head, SECTION, TAIL);
        List<String> e = errLines(run("validate", f.toString()));
        assertEquals(f + ":11: unclasified: unknown JCasC root key (did you mean `unclassified`?)", e.get(0));
    }

    @Test
    public void otherPluginsSectionsAreLeftAlone() throws Exception {
        Path f = file(HEAD, SECTION, List.of(
                "  gerritTrigger: {}", "  scpRepositoryHosts: [1, 2]", "security:", "  anything: goes",
                "tool:", "  git: {}", "myPluginRoot: {}"));
        assertEquals(0, run("validate", f.toString()).code());
    }

    @Test
    public void aFileWithoutAnySectionOfTheSuiteSaysSo() throws Exception {
        Path f = file("jenkins:", "  numExecutors: 0", "unclassified:", "  location:", "    url: http://x/");
        assertOneCleanError(run("validate", f.toString()), f + ":1: no section of the suite in this JCasC file "
                + "(expected " + SuiteSections.ALL.stream().map(SuiteSection::path).collect(Collectors.joining(" or "))
                + ")");
    }

    @Test
    public void aDuplicateKeyIsReportedOnce() throws Exception {
        List<String> tail = List.of("unclassified:", "  location: {}");
        Path f = file(HEAD, SECTION, tail);
        assertEquals(List.of(f + ":36: unclassified: duplicate key"), errLines(run("validate", f.toString())));
    }

    @Test
    public void brokenFilesAreOneLineEach() throws Exception {
        Path bad = file("jenkins:", "  numExecutors: [0", "unclassified: {}");
        List<String> e = errLines(run("validate", bad.toString()));
        assertEquals(1, e.size());
        assertTrue(e.get(0), e.get(0).startsWith(bad + ":3: invalid YAML: "));

        Path two = file(HEAD, SECTION, List.of("---", "jenkins:", "  numExecutors: 1"));
        assertOneCleanError(run("validate", two.toString()), two + ":37: a second YAML document: a JCasC file holds "
                + "one (put more configuration in another file of the directory CASC_JENKINS_CONFIG names)");

        Path scalarRoot = file("\"", "jenkins: one quoted text", "unclassified: over three lines\"");
        assertOneCleanError(run("validate", scalarRoot.toString()), scalarRoot + ":1: expected the JCasC sections "
                + "(jenkins:, credentials:, unclassified:, ...) at the top of the file, got ` jenkins: one quoted "
                + "text unclassified: ...`");

        Path notAMapping = file("jenkins: {}", "unclassified:", "  - tollgateGerritPipeline");
        assertOneCleanError(run("validate", notAMapping.toString()), notAMapping + ":2: unclassified: expected a "
                + "mapping, got a list");

        Path longLine = tmp.newFile().toPath();
        Files.writeString(longLine, "jenkins: {}\nunclassified:\n  # " + "x".repeat(100_000) + "\n");
        assertOneCleanError(run("validate", longLine.toString()), longLine + ":3: the line is 100004 characters "
                + "long, more than the limit of 65536");

        Path bomb = tmp.newFile().toPath(); // a billion laughs: 5^12 x's from 55 aliases of aliases
        StringBuilder b = new StringBuilder("jenkins: {}\nunclassified:\n  a0: &a0 [x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            String a = "*a" + (i - 1);
            b.append("  a").append(i).append(": &a").append(i).append(" [").append(String.join(", ", a, a, a, a, a))
                    .append("]\n");
        }
        Files.writeString(bomb, b.toString());
        List<String> be = errLines(run("validate", bomb.toString()));
        assertEquals(1, be.size());
        assertTrue(be.get(0), be.get(0).startsWith(bomb + ":") && be.get(0).contains("invalid YAML: "));
    }

    /** The section readers' errors and the file's own come together, the file's first. */
    @Test
    public void fileAndSectionProblemsTogether() throws Exception {
        List<String> section = new java.util.ArrayList<>(SECTION);
        section.set(1, "    servers: {}");
        Path f = file(HEAD, section.subList(0, 2), List.of(section.get(9), section.get(10), section.get(11),
                section.get(12), section.get(13), "  tollgateNoSuchSection: {}"));
        assertEquals(List.of(
                f + ":24: tollgateNoSuchSection: unknown section of the suite (its sections under unclassified: "
                        + UNCLASSIFIED + ")",
                f + ":18: servers: expected a list, got a mapping"), errLines(run("validate", f.toString())));
    }

    /** The gearman plugin's section, after the pipelines' (lines 36-43). */
    static final List<String> GEARMAN = List.of(
            "  tollgateGearman:",                               // 36
            "    enabled: true",                                // 37
            "    servers:",                                     // 38
            "      - host: zuul.example.org",                   // 39
            "      - host: \"${GEARMAN_HOST}\"",                // 40
            "        port: 4731",                               // 41
            "      - host: 10.0.0.5",                           // 42
            "        port: 4730");                              // 43

    @Test
    public void theGearmanSectionIsCheckedAndSummarisedOnItsOwnLine() throws Exception {
        Path f = file(HEAD, SECTION, GEARMAN);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        List<String> out = List.of(r.out().split("\n"));
        assertEquals(2, out.size());
        assertEquals(f + ": valid JCasC configuration (unclassified.tollgateGearman): enabled, 3 Gearman server(s) "
                + "(zuul.example.org:4730, ${GEARMAN_HOST}:4731, 10.0.0.5:4730)", out.get(1));

        Path off = file(List.of("unclassified:", "  tollgateGearman:", "    enabled: false"), List.of(), List.of());
        assertEquals(off + ": valid JCasC configuration (unclassified.tollgateGearman): off, 0 Gearman server(s)\n",
                run("validate", off.toString()).out());
    }

    @Test
    public void gearmanProblemsAreOnTheirLines() throws Exception {
        List<String> g = new java.util.ArrayList<>(GEARMAN);
        g.set(1, "    enabled: yes please");
        g.set(3, "      - host: zuul.example.org:4730");
        g.set(5, "        port: 70000");
        g.set(6, "      - hots: 10.0.0.5");
        Path f = file(HEAD, SECTION, g);
        assertEquals(List.of(
                f + ":37: enabled: expected true or false, got `yes please`",
                f + ":39: host: write the port under `port`, not in the host: `zuul.example.org:4730`",
                f + ":41: port: expected a port from 1 to 65535, got 70000",
                f + ":42: hots: unknown key in servers (expected one of: host, port)",
                f + ":42: host: required"), errLines(run("validate", f.toString())));
    }

    @Test
    public void enabledGearmanNeedsAServerAndAServerIsListedOnce() throws Exception {
        Path f = file(HEAD, SECTION, List.of("  tollgateGearman:", "    enabled: true"));
        assertEquals(List.of(f + ":36: servers: at least one server is needed when enabled is true"),
                errLines(run("validate", f.toString())));
        Path twice = file(HEAD, SECTION, List.of("  tollgateGearman:", "    servers:", "      - host: g",
                "      - host: g", "        port: 4730"));
        assertEquals(List.of(twice + ":39: host: server g:4730 is listed twice"),
                errLines(run("validate", twice.toString())));
    }

    @Test
    public void aMisspeltGearmanSectionNamesTheRightOne() throws Exception {
        Path f = file(HEAD, SECTION, List.of("  tollgateGearmann:", "    enabled: false"));
        assertEquals(List.of(f + ":36: tollgateGearmann: unknown section of the suite (did you mean `tollgateGearman`?)"),
                errLines(run("validate", f.toString())));
    }
}
