package dev.tollgate.checks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.Main;
import dev.tollgate.cli.casc.SuiteSection;
import dev.tollgate.cli.casc.SuiteSections;
import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.yaml.snakeyaml.Yaml;

/**
 * Every JCasC file under casc/ passes the suite's validator ({@code tollgate validate}, each section
 * by its registered reader), a broken copy is refused line by line, secrets come only from variables,
 * and the metaplugin-ci controller runs the seed's Zuul layout.
 */
public class CascFilesTest {
    static final String METAPLUGIN = "casc/metaplugin-ci.yaml";
    static final String LAYOUT = "examples/metaplugin-ci/layout.yaml";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    record Result(int code, List<String> out, List<String> err) { }

    /** The command-line tool, as a person runs it. */
    static Result tollgate(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, lines(out), lines(err));
    }

    private static List<String> lines(ByteArrayOutputStream s) {
        String t = s.toString(StandardCharsets.UTF_8);
        return t.isEmpty() ? List.of() : List.of(t.split("\n"));
    }

    @Test
    public void everyFileInCascIsValid() {
        for (Path f : Repository.files("casc", ".yaml")) {
            Result r = tollgate("validate", f.toString());
            assertEquals(Repository.name(f) + ": " + r.err(), 0, r.code());
            assertEquals(List.of(), r.err());
            assertFalse(Repository.name(f), r.out().isEmpty());
            for (String line : r.out()) { // one line per section of the suite in the file
                assertTrue(line, line.startsWith(f + ": valid JCasC configuration (unclassified.tollgate")
                        || line.startsWith(f + ": valid JCasC configuration (jenkins.clouds.tollgate"));
            }
        }
        List<String> metaplugin = tollgate("validate", Repository.file(METAPLUGIN).toString()).out();
        assertTrue(metaplugin.toString(), metaplugin.get(0).contains("(unclassified.tollgateGerritPipeline): "));
        assertEquals("the suite's pipelines replace Zuul there: Gearman is off", List.of(Repository.file(METAPLUGIN)
                + ": valid JCasC configuration (unclassified.tollgateGearman): off, 0 Gearman server(s)"),
                metaplugin.stream().filter(l -> l.contains("tollgateGearman")).toList());
        assertTrue(metaplugin.toString(), metaplugin.stream().anyMatch(l -> l.contains(
                "(unclassified.tollgateNodeRecycle): 1 rule(s): devstack_slave: REBOOT `sudo shutdown -r +1`")));
        assertTrue("the seeds' EC2 spot agents: " + metaplugin, metaplugin.stream().anyMatch(l -> l.endsWith(
                "(jenkins.clouds.tollgateEc2Spot): cloud aws in us-west-2 (instance role), 2 template(s): fedora-20 "
                        + "m5.large spot [aws fedora-20], fedora-20-zfs-head m5.large spot [aws fedora-20 zfs-head]")));
    }

    /** The line of the first line of a text that contains {@code needle}. */
    static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError("no `" + needle + "` in the text");
    }

    static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertTrue("no `" + from + "` in the file", at >= 0);
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    @Test
    public void aBrokenCopyIsRefusedLineByLine() throws Exception {
        String text = Repository.read(Repository.file(METAPLUGIN));
        text = replaceOnce(text, "        sshPort: 29418", "        sshPort: 70000");
        text = replaceOnce(text, "              - change-restored", "              - change-reopened");
        text = replaceOnce(text, "          - name: check\n            jobs:", "          - name: gate\n            jobs:");
        text = replaceOnce(text, "  tollgateGerritPipeline:", "  tollgateScpLog: {}\n  tollgateGerritPipeline:");
        text = replaceOnce(text, "namePattern: aws/fedora-20/{n}", "namePattern: aws/fedora-20/{os}/{n}");
        Path broken = tmp.newFile("metaplugin-ci.yaml").toPath();
        Files.writeString(broken, text);
        Result r = tollgate("validate", broken.toString());
        assertEquals(1, r.code());
        assertEquals(List.of(), r.out());
        assertEquals(List.of(
                broken + ":" + lineOf(text, "tollgateScpLog") + ": tollgateScpLog: unknown section of the suite (did you "
                        + "mean `tollgateScpLogs`?)",
                broken + ":" + lineOf(text, "70000") + ": sshPort: expected a port from 1 to 65535, got 70000",
                broken + ":" + lineOf(text, "change-reopened") + ": events: unknown event type `change-reopened`",
                broken + ":" + lineOf(text, "name: gate") + ": name: unknown pipeline `gate` (defined: check)",
                broken + ":" + lineOf(text, "{os}") + ": namePattern: has an unknown placeholder {os} (known: {cloud}, "
                        + "{template}, {n}, {id})"),
                r.err());
    }

    @Test
    public void theControllerRunsTheSeedsZuulLayout() throws Exception {
        Layout zuul = LayoutParser.parse(Repository.file(LAYOUT));
        assertEquals(zuul, CascConfig.parse(Repository.file(METAPLUGIN)));
        // ... which is also what import-zuul writes for it
        Result imported = tollgate("import-zuul", Repository.file(LAYOUT).toString());
        assertEquals(0, imported.code());
        assertEquals(zuul, CascConfig.parse(String.join("\n", imported.out()) + "\n", "import-zuul"));
    }

    /**
     * The log host is the seed's SCP repository host (its Howto: port 22, the directory Apache serves,
     * LOG_URL_BASE http://<host>/metaplugin-ci), logging in with an SSH key that only the controller
     * holds: a SYSTEM-scope credential of the same file.
     */
    @Test
    @SuppressWarnings("unchecked")
    public void theLogHostIsTheSeedsScpRepositoryHost() throws Exception {
        String text = Repository.read(Repository.file(METAPLUGIN));
        dev.tollgate.logs.config.ScpLogsSettings logs = dev.tollgate.pipeline.layout.CascSection.read(text, METAPLUGIN,
                dev.tollgate.logs.config.ScpLogsSettings.SYMBOL, dev.tollgate.logs.config.ScpLogsSettings.class,
                dev.tollgate.pipeline.layout.CascSection.Rules.none());
        assertEquals(1, logs.hosts().size());
        dev.tollgate.logs.config.LogHostConfig host = logs.hosts().get(0);
        assertEquals("log-server", host.name());
        assertEquals("${LOG_SERVER:-log-server}", host.host());
        assertEquals(22, host.port());
        assertEquals("/var/www/html/metaplugin-ci", host.rootPath());
        assertEquals("${LOG_URL_BASE:-http://log-server/metaplugin-ci}", host.urlBase());
        assertEquals("${LOG_SERVER_HOST_KEY}", host.hostKey());
        Map<String, Object> root = new Yaml().load(text);
        List<Map<String, Object>> domains = (List<Map<String, Object>>) ((Map<String, Object>)
                ((Map<String, Object>) root.get("credentials")).get("system")).get("domainCredentials");
        Map<String, Object> key = null;
        for (Map<String, Object> domain : domains) {
            for (Map<String, Object> c : (List<Map<String, Object>>) domain.get("credentials")) {
                Map<String, Object> ssh = (Map<String, Object>) c.get("basicSSHUserPrivateKey");
                if (ssh != null && host.credentialsId().equals(ssh.get("id"))) {
                    key = ssh;
                }
            }
        }
        assertTrue("an SSH key credential " + host.credentialsId(), key != null);
        assertEquals("SYSTEM", key.get("scope"));
        assertEquals(host.user(), key.get("username"));
    }

    static final Set<String> SECRET_KEYS = Set.of("privateKey", "password", "passphrase", "secret", "token",
            "apiToken", "secretKey", "accessKey");

    /** Every secret in the files is a ${VARIABLE} JCasC fills in at start-up, never the secret itself. */
    @Test
    public void secretsComeOnlyFromVariables() {
        for (Path f : Repository.files("casc", ".yaml")) {
            List<String> found = new ArrayList<>();
            secrets(new Yaml().load(Repository.read(f)), found);
            for (String s : found) {
                assertTrue(Repository.name(f) + ": a literal secret: " + s, s.matches("\\$\\{[A-Z0-9_]+}"));
            }
        }
        List<String> metaplugin = new ArrayList<>();
        secrets(new Yaml().load(Repository.read(Repository.file(METAPLUGIN))), metaplugin);
        assertEquals("the Gerrit, agent and log server SSH keys and Gerrit's HTTP password, all seen", 4,
                metaplugin.size());
    }

    private static void secrets(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (SECRET_KEYS.contains(String.valueOf(k))) {
                    out.add(String.valueOf(v));
                } else {
                    secrets(v, out);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(e -> secrets(e, out));
        }
    }

    /** Each ${VARIABLE} a file uses is listed in its opening comment and in the README, where operators look. */
    @Test
    public void everyVariableIsDocumented() {
        String readme = Repository.read(Repository.file("README.md"));
        for (Path f : Repository.files("casc", ".yaml")) {
            String text = Repository.read(f);
            String header = text.substring(0, text.indexOf("\n\n"));
            Set<String> used = new LinkedHashSet<>();
            Matcher m = SeedJobTest.VARIABLE.matcher(text);
            while (m.find()) {
                if (!m.group().startsWith("^")) {
                    used.add(m.group(1));
                }
            }
            for (String v : used) {
                if (Repository.name(f).equals(METAPLUGIN)) {
                    assertTrue(Repository.name(f) + " does not list " + v, header.matches("(?s).*#\\s+" + v + "\\s.*"));
                    assertTrue("README does not list " + v, readme.contains("`" + v + "`"));
                }
            }
        }
    }
}
