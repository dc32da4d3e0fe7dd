package dev.tollgate.checks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.layout.PipelineSettings;
import java.io.StringReader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * casc/gerrit-pipeline.yaml shows every option of the section: each component of each record reachable
 * from {@link PipelineSettings} (the section's schema) appears, at its place, at least once, with a
 * comment. A component added to a record fails here until the reference shows it.
 */
public class GerritPipelineReferenceTest {
    static final String REFERENCE = "casc/gerrit-pipeline.yaml";

    /** "Record.component" of every record reachable from the root, in schema order. */
    static List<String> schema(Class<?> root) {
        List<String> out = new ArrayList<>();
        schema(root, out, new ArrayList<>());
        return out;
    }

    private static void schema(Class<?> type, List<String> out, List<Class<?>> seen) {
        if (!type.isRecord() || seen.contains(type)) {
            return;
        }
        seen.add(type);
        for (RecordComponent c : type.getRecordComponents()) {
            out.add(type.getSimpleName() + "." + c.getName());
            schema(target(c), out, seen);
        }
    }

    /** The record a component holds, directly or as list elements; else the component's type. */
    static Class<?> target(RecordComponent c) {
        Type t = c.getGenericType();
        if (t instanceof ParameterizedType p && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] instanceof Class<?> e) {
            return e;
        }
        return c.getType();
    }

    /** Walks the file's section along the schema: "Record.component" -> the line it first appears on. */
    static void walk(Node n, Class<?> type, Map<String, Integer> seen) {
        if (!(n instanceof MappingNode m)) {
            throw new AssertionError(type.getSimpleName() + " on line " + (n.getStartMark().getLine() + 1)
                    + " is not a mapping");
        }
        for (NodeTuple t : m.getValue()) {
            String key = ((ScalarNode) t.getKeyNode()).getValue();
            RecordComponent c = null;
            for (RecordComponent rc : type.getRecordComponents()) {
                if (rc.getName().equals(key)) {
                    c = rc;
                }
            }
            assertTrue(type.getSimpleName() + " has no `" + key + "`", c != null);
            seen.putIfAbsent(type.getSimpleName() + "." + key, t.getKeyNode().getStartMark().getLine() + 1);
            Class<?> target = target(c);
            if (target.isRecord()) {
                if (t.getValueNode() instanceof SequenceNode s) {
                    s.getValue().forEach(e -> walk(e, target, seen));
                } else {
                    walk(t.getValueNode(), target, seen);
                }
            }
        }
    }

    @Test
    public void everyOptionOfTheSectionIsShownWithAComment() {
        String text = Repository.read(Repository.file(REFERENCE));
        MappingNode root = (MappingNode) new Yaml().compose(new StringReader(text));
        Node section = null;
        for (NodeTuple t : root.getValue()) {
            if (((ScalarNode) t.getKeyNode()).getValue().equals("unclassified")) {
                for (NodeTuple u : ((MappingNode) t.getValueNode()).getValue()) {
                    if (((ScalarNode) u.getKeyNode()).getValue().equals("tollgateGerritPipeline")) {
                        section = u.getValueNode();
                    }
                }
            }
        }
        assertTrue("no unclassified.tollgateGerritPipeline in " + REFERENCE, section != null);
        Map<String, Integer> seen = new LinkedHashMap<>();
        walk(section, PipelineSettings.class, seen);

        List<String> missing = new ArrayList<>(schema(PipelineSettings.class));
        missing.removeAll(seen.keySet());
        assertEquals(REFERENCE + " does not show these options", List.of(), missing);

        String[] lines = text.split("\n");
        List<String> uncommented = new ArrayList<>();
        seen.forEach((option, line) -> {
            boolean commented = lines[line - 1].contains(" #") || lines[line - 2].strip().startsWith("#");
            if (!commented) {
                uncommented.add(option + " (line " + line + ")");
            }
        });
        assertEquals("options without a comment where they first appear", List.of(), uncommented);
    }

    @Test
    public void theSchemaWalkSeesEveryRecord() {
        List<String> s = schema(PipelineSettings.class);
        for (String expected : List.of("PipelineSettings.servers", "GerritServerConfig.hostKey",
                "TriggerConfig.requireApprovals", "ApprovalRequirement.labels", "LabelValues.values", "LabelVote.value",
                "ChangeRequirement.statuses", "SkipIf.allFilesMatchAny", "PipelineJobs.jobs", "JobConfig.attempts")) {
            assertTrue(expected + " in " + s, s.contains(expected));
        }
    }
}
