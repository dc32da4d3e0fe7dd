package dev.tollgate.cli.casc;

import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The libvirt clouds under {@code jenkins: clouds:} ({@link LibvirtCloudSpec#SYMBOL}): each entry read
 * by the engine's records and checked by its rules, every problem at its key; cloud names unique, as
 * Jenkins needs them. A JCasC variable stands for a valid value (the controller's environment knows
 * it). Registered in {@link SuiteSections#ALL}. Stateless.
 */
final class LibvirtSection {
    static final String SYMBOL = LibvirtCloudSpec.SYMBOL;

    private LibvirtSection() {}

    static String read(String text, String file) throws ConfigException {
        List<LibvirtCloudSpec> clouds = CloudEntries.read(text, file, SYMBOL, LibvirtCloudSpec.class,
                (cloud, problems) -> cloud.problemsWithVariables().forEach(p -> problems.add(p.record(), p.keyOfRecord(),
                        p.key(), p.message())));
        Map<String, Long> names = clouds.stream().collect(Collectors.groupingBy(LibvirtCloudSpec::engineName,
                LinkedHashMap::new, Collectors.counting()));
        List<String> twice = names.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        if (!twice.isEmpty()) {
            throw new ConfigException(List.of(new ConfigError(file, 1, "name",
                    "two libvirt clouds are named " + String.join(", ", twice) + " (after '/' and spaces become '-')")));
        }
        return clouds.stream().map(LibvirtCloudSpec::summary).collect(Collectors.joining("; "));
    }
}
