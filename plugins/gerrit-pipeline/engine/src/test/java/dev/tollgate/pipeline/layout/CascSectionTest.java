package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.tollgate.common.config.Schema;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

/** Another plugin's section read by the same reader as the pipelines: schema from records, rules on top. */
public class CascSectionTest {
    public record Host(@Schema.Required String name, @Schema.Default("22") int port, String urlBase) { }

    public record Hosts(@Schema.Required("at least one host") List<Host> hosts, @Schema.Default("false") boolean gzip) { }

    private static final CascSection.Rules<Hosts> RULES = (section, problems) -> {
        for (Host h : section.hosts()) {
            if (h.urlBase() != null && !h.urlBase().startsWith("http")) {
                problems.add(h, "hosts", "urlBase", "expected an http(s) URL");
            }
        }
    };

    private static List<String> errors(String yaml) {
        try {
            CascSection.read(yaml, "c.yaml", "tollgateLogs", Hosts.class, RULES);
            fail();
            return null;
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }

    @Test
    public void readsTheSectionWithDefaults() throws Exception {
        Hosts h = CascSection.read(String.join("\n",
                "jenkins:",
                "  systemMessage: hi",
                "unclassified:",
                "  tollgateLogs:",
                "    hosts:",
                "      - name: logs",
                "        urlBase: http://logs.example.org/",
                ""), "c.yaml", "tollgateLogs", Hosts.class, RULES);
        assertEquals(List.of(new Host("logs", 22, "http://logs.example.org/")), h.hosts());
        assertEquals(false, h.gzip());
    }

    @Test
    public void schemaAndRuleProblemsComeInLineOrder() {
        assertEquals(List.of(
                "c.yaml:5: prot: unknown key in hosts (expected one of: name, port, urlBase)",
                "c.yaml:6: urlBase: expected an http(s) URL",
                "c.yaml:7: name: required"), errors(String.join("\n",
                "unclassified:",
                "  tollgateLogs:",
                "    hosts:",
                "      - name: logs",
                "        prot: 22",
                "        urlBase: logs.example.org",
                "      - port: 2222",
                "")));
    }

    @Test
    public void aMissingSectionIsNamed() {
        assertEquals(List.of("c.yaml:1: unclassified: no `tollgateLogs` section"),
                errors("unclassified:\n  location: {url: x}\n"));
    }
}
