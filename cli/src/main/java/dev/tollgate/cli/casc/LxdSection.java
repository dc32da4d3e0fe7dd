package dev.tollgate.cli.casc;

import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The LXD clouds under {@code jenkins: clouds:} ({@code tollgateLxd}), as {@code tollgate validate}
 * reads them: each entry by the engine's records ({@link LxdCloudSpec}) and checked by its rules,
 * every problem at its key; cloud names unique, as Jenkins needs them. Stateless.
 */
final class LxdSection {
    private LxdSection() {}

    /** Reads and checks every LXD cloud of the file; one summary line for all. */
    static String check(String text, String file) throws ConfigException {
        List<LxdCloudSpec> clouds = CloudEntries.read(text, file, LxdCloudSpec.SYMBOL, LxdCloudSpec.class,
                (cloud, problems) -> cloud.problemsWithVariables().forEach(p -> problems.add(p.record(), p.keyOfRecord(),
                        p.key(), p.message())));
        Map<String, Long> names = clouds.stream().collect(Collectors.groupingBy(LxdCloudSpec::engineName,
                LinkedHashMap::new, Collectors.counting()));
        List<String> twice = names.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        if (!twice.isEmpty()) {
            throw new ConfigException(List.of(new ConfigError(file, 1, "name",
                    "two LXD clouds are named " + String.join(", ", twice) + " (after '/' and spaces become '-')")));
        }
        return clouds.stream().map(LxdCloudSpec::summary).collect(Collectors.joining("; "));
    }
}
