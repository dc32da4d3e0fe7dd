package dev.tollgate.cli.casc;

import dev.tollgate.cli.casc.SuiteSection.Place;
import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.gearman.config.GearmanServerConfig;
import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.logs.config.LogHostConfig;
import dev.tollgate.logs.config.ScpLogsSettings;
import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.openstack.config.OpenStackCloudSpec;
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
            new SuiteSection(Place.CLOUD, Ec2CloudSpec.SYMBOL, (text, file) -> CloudEntries.check(text, file,
                    Ec2CloudSpec.SYMBOL, Ec2CloudSpec.class, "EC2", Ec2CloudSpec::summary)),
            new SuiteSection(Place.CLOUD, LibvirtCloudSpec.SYMBOL, (text, file) -> CloudEntries.check(text, file,
                    LibvirtCloudSpec.SYMBOL, LibvirtCloudSpec.class, "libvirt", LibvirtCloudSpec::summary)),
            new SuiteSection(Place.CLOUD, LxdCloudSpec.SYMBOL, (text, file) -> CloudEntries.check(text, file,
                    LxdCloudSpec.SYMBOL, LxdCloudSpec.class, "LXD", LxdCloudSpec::summary)),
            new SuiteSection(Place.CLOUD, OpenStackCloudSpec.SYMBOL, (text, file) -> CloudEntries.check(text, file,
                    OpenStackCloudSpec.SYMBOL, OpenStackCloudSpec.class, "OpenStack", OpenStackCloudSpec::summary)));

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
}
