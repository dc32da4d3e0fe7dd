package dev.tollgate.checks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.casc.SuiteSection;
import dev.tollgate.cli.casc.SuiteSections;
import dev.tollgate.pipeline.layout.PipelineSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * What javac cannot see in the Jenkins plugins, checked from their sources in the default build
 * (which has no Jenkins artifacts): every view binds to real properties, every help file belongs to
 * a field, and the describables have exactly the keys of the engine's configuration records, so
 * the JCasC section that {@code tollgate validate} checks is the one Jenkins reads.
 */
public class PluginSourcesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<Path> pluginModules() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("plugins"))) {
            return s.map(p -> p.resolve("plugin")).filter(Files::isDirectory).sorted().collect(Collectors.toList());
        }
    }

    /** The class of a plugin source with its superclasses from every plugin module (cloud-core's bases). */
    private static JavaSource withSuperclasses(Path source) throws IOException {
        return JavaSource.withSuperclasses(source, pluginModules().stream().map(m -> m.resolve("src/main/java")).toList());
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Java source of the class a view or help folder belongs to ({@code Outer$Inner} folders too). */
    private static Path classSource(Path module, Path resourceDir) {
        Path rel = module.resolve("src/main/resources").relativize(resourceDir);
        String name = rel.toString();
        int nested = name.indexOf('$');
        String outer = nested < 0 ? name : name.substring(0, nested);
        return module.resolve("src/main/java").resolve(outer + ".java");
    }

    @Test
    public void thereIsAPluginToCheck() throws IOException {
        assertFalse("no plugins/*/plugin module found under " + ROOT, pluginModules().isEmpty());
        assertFalse(JavaSource.of(ROOT.resolve(
                "plugins/gerrit-pipeline/plugin/src/main/java/dev/tollgate/pipeline/jenkins/config/JobSpec.java"))
                .boundProperties().isEmpty());
    }

    @Test
    public void everyViewFieldBindsToAGetterAndAConstructorOrSetterParameter() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path module : pluginModules()) {
            for (Path view : files(module.resolve("src/main/resources"), ".jelly")) {
                String text = read(view);
                if (!text.startsWith("<?jelly escape-by-default='true'?>")) {
                    problems.add(view + ": does not start with <?jelly escape-by-default='true'?>");
                }
                if (!view.getFileName().toString().startsWith("config") && !view.getFileName().toString().startsWith("global")) {
                    continue; // pages such as index.jelly show data, they bind no form fields
                }
                Path source = classSource(module, view.getParent());
                if (!Files.exists(source)) {
                    problems.add(view + ": no class " + source);
                    continue;
                }
                JavaSource java = withSuperclasses(source);
                for (String field : Jelly.fields(text)) {
                    checked++;
                    if (!java.getters().contains(field)) {
                        problems.add(view + ": field `" + field + "` has no getter get/is" + JavaSource.cap(field) + "()");
                    }
                    if (!java.boundProperties().contains(field)) {
                        problems.add(view + ": field `" + field + "` is neither a @DataBoundConstructor parameter nor a "
                                + "@DataBoundSetter");
                    }
                }
                for (Map.Entry<String, List<String>> button : Jelly.validateButtons(text).entrySet()) {
                    List<String> params = java.queryParameters("do" + JavaSource.cap(button.getKey()));
                    if (params == null) {
                        problems.add(view + ": validateButton method `" + button.getKey() + "` has no do"
                                + JavaSource.cap(button.getKey()) + " in " + source.getFileName());
                    } else if (!new TreeSet<>(params).equals(new TreeSet<>(button.getValue()))) {
                        problems.add(view + ": validateButton sends " + button.getValue() + " but do"
                                + JavaSource.cap(button.getKey()) + " takes " + params);
                    }
                }
            }
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());
        assertTrue("too few fields checked: " + checked, checked > 50);
    }

    @Test
    public void everyHelpFileBelongsToAFieldOfItsView() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path module : pluginModules()) {
            for (Path help : files(module.resolve("src/main/resources"), ".html")) {
                String name = help.getFileName().toString();
                if (!name.startsWith("help-")) {
                    continue;
                }
                String field = name.substring("help-".length(), name.length() - ".html".length());
                Set<String> viewFields = new TreeSet<>();
                for (Path view : files(help.getParent(), ".jelly")) {
                    viewFields.addAll(Jelly.fields(read(view)));
                }
                if (!viewFields.contains(field)) {
                    problems.add(help + ": no view of " + help.getParent().getFileName() + " has field `" + field + "`");
                }
            }
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());
    }

    /**
     * Each describable with a {@code toRecord()} has exactly the keys of that engine record (the
     * required ones in its constructor) and one {@code @Symbol}; each global configuration with a
     * {@code toSettings()} has the keys of its section's root record, under a symbol that
     * {@code tollgate validate} reads; each cloud's ({@code TollgateCloud}) symbol is a cloud section
     * it reads; and every record of a section has its describable.
     */
    @Test
    public void describablesHaveExactlyTheKeysOfTheEngineRecords() throws Exception {
        Map<String, String> problems = new TreeMap<>();
        Set<Class<?>> covered = new LinkedHashSet<>();
        Set<Class<?>> reachable = new LinkedHashSet<>();
        Set<String> validated = SuiteSections.ALL.stream().map(SuiteSection::symbol).collect(Collectors.toSet());
        int globals = 0;
        int clouds = 0;
        for (Path module : pluginModules()) {
            for (Path source : files(module.resolve("src/main/java"), ".java")) {
                JavaSource java = withSuperclasses(source);
                String recordName = java.toRecordType();
                if (recordName != null) {
                    Class<?> record = Class.forName(java.resolve(recordName));
                    covered.add(record);
                    compare(source, java, record, problems);
                    if (java.contains(" extends TollgateCloud<")) {
                        // a cloud is a section of its own under jenkins: clouds:, read by tollgate validate
                        clouds++;
                        reach(record, reachable);
                        if (!validated.containsAll(java.symbols())) {
                            problems.put(source.getFileName() + " section", java.symbols()
                                    + " is not a section tollgate validate reads " + validated);
                        }
                    }
                }
                String rootName = java.toSettingsType();
                if (java.isGlobalConfiguration() && rootName != null) {
                    globals++;
                    Class<?> root = Class.forName(java.resolve(rootName));
                    compare(source, java, root, problems);
                    covered.add(root);
                    reach(root, reachable);
                    if (!validated.containsAll(java.symbols())) {
                        problems.put(source.getFileName() + " section", java.symbols()
                                + " is not a section tollgate validate reads " + validated);
                    }
                }
            }
        }
        assertTrue("no global configuration found", globals > 0);
        assertTrue("no cloud found", clouds > 0);
        assertTrue("the gerrit-pipeline section is among them", covered.contains(PipelineSettings.class));
        assertEquals(Map.of(), problems);
        Set<Class<?>> missing = new LinkedHashSet<>(reachable);
        missing.removeAll(covered);
        assertEquals("records of a section without a describable", Set.of(), missing);
    }

    /**
     * Inherited keys count (cloud-core's {@code TollgateTemplate}, {@code CommonKeysCloud}), and only
     * those a superclass in the repository really binds: a copy of a template whose base lost a
     * {@code @DataBoundSetter} no longer has that key of its record.
     */
    @Test
    public void keysOfASuperclassCountAndABrokenBaseIsCaught() throws Exception {
        Path template = ROOT.resolve("plugins/libvirt/plugin/src/main/java/dev/tollgate/libvirt/jenkins/LibvirtTemplate.java");
        Path base = ROOT.resolve("plugins/cloud-core/plugin/src/main/java/dev/tollgate/cloud/jenkins/TollgateTemplate.java");
        Class<?> record = Class.forName("dev.tollgate.libvirt.config.LibvirtTemplateSpec");
        Path copy = Files.createTempDirectory("plugin-sources");
        try {
            Path copiedTemplate = copy.resolve("libvirt/dev/tollgate/libvirt/jenkins/LibvirtTemplate.java");
            Path copiedBase = copy.resolve("core/dev/tollgate/cloud/jenkins/TollgateTemplate.java");
            Files.createDirectories(copiedTemplate.getParent());
            Files.createDirectories(copiedBase.getParent());
            Files.copy(template, copiedTemplate);
            Files.writeString(copiedBase, read(base));
            List<Path> roots = List.of(copy.resolve("libvirt"), copy.resolve("core"));

            Map<String, String> problems = new TreeMap<>();
            JavaSource whole = JavaSource.withSuperclasses(copiedTemplate, roots);
            assertTrue(whole.boundProperties().contains("maxUses"));
            compare(copiedTemplate, whole, record, problems);
            assertEquals(Map.of(), problems);

            compare(copiedTemplate, JavaSource.of(copiedTemplate), record, problems);
            assertTrue("without its superclass the template lacks the common keys: " + problems,
                    lacks(problems.get("LibvirtTemplate.java keys"), "maxUses"));

            problems.clear();
            Files.writeString(copiedBase, read(base).replace("@DataBoundSetter\n    public void setMaxUses(",
                    "public void setMaxUses("));
            compare(copiedTemplate, JavaSource.withSuperclasses(copiedTemplate, roots), record, problems);
            assertTrue("a base without the setter is caught: " + problems,
                    lacks(problems.get("LibvirtTemplate.java keys"), "maxUses"));
        } finally {
            try (Stream<Path> s = Files.walk(copy)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Whether a "keys" problem says the describable lacks {@code key} (its keys come before " vs "). */
    private static boolean lacks(String keysProblem, String key) {
        return keysProblem != null && !keysProblem.substring(0, keysProblem.indexOf(" vs ")).contains(key);
    }

    private static void compare(Path source, JavaSource java, Class<?> record, Map<String, String> problems) {
        Set<String> keys = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        for (RecordComponent c : record.getRecordComponents()) {
            keys.add(c.getName());
            if (c.isAnnotationPresent(dev.tollgate.common.config.Schema.Required.class)) {
                required.add(c.getName());
            }
        }
        if (!keys.equals(new TreeSet<>(java.boundProperties()))) {
            problems.put(source.getFileName() + " keys", java.boundProperties() + " vs " + record.getSimpleName() + " " + keys);
        }
        if (!java.isGlobalConfiguration() && !required.equals(new TreeSet<>(java.constructorParameters()))) {
            problems.put(source.getFileName() + " required", java.constructorParameters() + " vs " + required);
        }
        if (java.symbols().size() != 1) {
            problems.put(source.getFileName() + " @Symbol", "expected one @Symbol, found " + java.symbols());
        }
    }

    private static void reach(Class<?> record, Set<Class<?>> out) {
        if (!record.isRecord()) {
            return;
        }
        if (!out.add(record)) {
            return;
        }
        for (RecordComponent c : record.getRecordComponents()) {
            Class<?> t = c.getType();
            if (t == List.class) {
                t = (Class<?>) ((java.lang.reflect.ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
            }
            if (t.isRecord()) {
                reach(t, out);
            }
        }
    }
}
