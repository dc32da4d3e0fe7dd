package dev.tollgate.cli.casc;

import dev.tollgate.cli.casc.SuiteSection.Place;
import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.gearman.config.GearmanServerConfig;
import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.logs.config.LogHostConfig;
import dev.tollgate.logs.config.ScpLogsSettings;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.CascSection;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.recycle.config.RecycleConfig;
import dev.tollgate.recycle.config.RecycleSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The registry of the suite's JCasC sections that {@code tollgate validate} checks. Each plugin adds
 * one line to {@link #ALL} with its reader: the scp-logs, node-recycle and gearman plugins a section
 * under {@code unclassified:}, each cloud driver one under {@code jenkins: clouds:}. Nothing else in
 * the validator changes when a section is added. Immutable.
 */
public final class SuiteSections {
    /** Every section of the suite, in the order their summaries are printed. */
    public static final List<SuiteSection> ALL = List.of(
            new SuiteSection(Place.UNCLASSIFIED, CascConfig.SYMBOL, SuiteSections::gerritPipeline),
            new SuiteSection(Place.UNCLASSIFIED, GearmanSettings.SYMBOL, SuiteSections::gearman),
            new SuiteSection(Place.UNCLASSIFIED, RecycleConfig.SYMBOL, SuiteSections::nodeRecycle),
            new SuiteSection(Place.UNCLASSIFIED, ScpLogsSettings.SYMBOL, SuiteSections::scpLogs),
            new SuiteSection(Place.CLOUD, Ec2CloudSpec.SYMBOL, SuiteSections::ec2Spot),
            new SuiteSection(Place.CLOUD, LibvirtSection.SYMBOL, LibvirtSection::read),
            new SuiteSection(Place.CLOUD, LxdCloudSpec.SYMBOL, LxdSection::check));

    private SuiteSections() {}

    /** The gerrit-pipeline plugin's global configuration: servers, comment-only switch, layout. */
    static String gerritPipeline(String text, String file) throws ConfigException {
        PipelineSettings s = CascConfig.parseSettings(text, file);
        StringBuilder b = new StringBuilder();
        if (!s.servers().isEmpty()) {
            b.append(s.servers().size()).append(" Gerrit server(s) (")
                    .append(s.servers().stream().map(GerritServerConfig::name).collect(Collectors.joining(", "))).append("), ");
        }
        if (s.commentOnly()) {
            b.append("comment only (no votes), ");
        }
        b.append(s.mergerOn() ? "test as merge" + (s.merger().daemon() != null ? " (git daemon), " : ", ") : "");
        return b.append(s.layout().summary()).toString();
    }

    /** The gearman plugin's global configuration: the switch and the Gearman servers. */
    static String gearman(String text, String file) throws ConfigException {
        GearmanSettings s = CascSection.read(text, file, GearmanSettings.SYMBOL, GearmanSettings.class,
                (section, problems) -> section.check(problems::add));
        String servers = s.servers().size() + " Gearman server(s)" + (s.servers().isEmpty() ? ""
                : " (" + s.servers().stream().map(GearmanServerConfig::toString).collect(Collectors.joining(", ")) + ")");
        return (s.enabled() ? "enabled, " : "off, ") + servers;
    }

    /** The node-recycle plugin's rules: label expression, mode, command and timeouts, each checked on its line. */
    static String nodeRecycle(String text, String file) throws ConfigException {
        RecycleSettings s = CascSection.read(text, file, RecycleConfig.SYMBOL, RecycleSettings.class,
                (section, problems) -> RecycleConfig.check(section, problems::add));
        return RecycleConfig.summary(s);
    }

    /** The scp-logs plugin's log host registry: each host's values checked at their keys, names unique. */
    static String scpLogs(String text, String file) throws ConfigException {
        ScpLogsSettings s = CascSection.read(text, file, ScpLogsSettings.SYMBOL, ScpLogsSettings.class,
                (section, problems) -> section.problems().forEach(p -> problems.add(p.host(), "hosts", p.key(),
                        p.message())));
        return s.hosts().size() + " log host(s)" + (s.hosts().isEmpty() ? "" : " ("
                + s.hosts().stream().map(LogHostConfig::name).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The EC2 spot clouds: each entry read by the engine's records ({@link Ec2CloudSpec}) and checked
     * by its rules, every problem at its key; cloud names unique, as Jenkins needs them.
     */
    static String ec2Spot(String text, String file) throws ConfigException {
        List<Ec2CloudSpec> clouds = CloudEntries.read(text, file, Ec2CloudSpec.SYMBOL, Ec2CloudSpec.class,
                (cloud, problems) -> cloud.problemsWithVariables().forEach(p -> problems.add(p.record(), p.keyOfRecord(), p.key(),
                        p.message())));
        Map<String, Long> names = clouds.stream().collect(Collectors.groupingBy(Ec2CloudSpec::engineName,
                LinkedHashMap::new, Collectors.counting()));
        List<String> twice = names.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        if (!twice.isEmpty()) {
            throw new ConfigException(List.of(new ConfigError(file, 1, "name",
                    "two EC2 clouds are named " + String.join(", ", twice) + " (after '/' and spaces become '-')")));
        }
        return clouds.stream().map(Ec2CloudSpec::summary).collect(Collectors.joining("; "));
    }
}
