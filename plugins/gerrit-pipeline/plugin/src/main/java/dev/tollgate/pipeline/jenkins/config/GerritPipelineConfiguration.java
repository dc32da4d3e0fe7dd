package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.jenkins.PipelineRuntime;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.LayoutValidator;
import dev.tollgate.pipeline.layout.PipelineSettings;
import hudson.Extension;
import hudson.ExtensionList;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jenkins.model.GlobalConfiguration;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The plugin's global configuration: Gerrit servers, the comment-only switch, the merger and the
 * pipeline layout, as JCasC {@code unclassified: tollgateGerritPipeline:} (what {@code tollgate import-zuul}
 * writes loads unchanged) and as the "Gerrit pipelines" section of the system configuration page.
 * Mirrors the engine's {@link PipelineSettings} key for key; the engine's validator decides what is
 * valid. Every save hands the whole configuration to {@link PipelineRuntime}, which reconfigures
 * the running engines without losing their queues.
 */
@Extension
@Symbol("tollgateGerritPipeline")
public class GerritPipelineConfiguration extends GlobalConfiguration {
    private List<GerritServer> servers = new ArrayList<>();
    private boolean commentOnly;
    private List<PipelineSpec> pipelines = new ArrayList<>();
    private List<JobSpec> jobs = new ArrayList<>();
    private List<ProjectSpec> projects = new ArrayList<>();
    /** Null: no merger (builds test the patchset itself). */
    private MergerSpec merger;

    public GerritPipelineConfiguration() {
        load();
    }

    public static GerritPipelineConfiguration get() {
        return ExtensionList.lookupSingleton(GerritPipelineConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "Gerrit pipelines";
    }

    public List<GerritServer> getServers() {
        return servers;
    }

    @DataBoundSetter
    public void setServers(List<GerritServer> servers) {
        this.servers = Specs.list(servers);
        save();
    }

    public boolean getCommentOnly() {
        return commentOnly;
    }

    @DataBoundSetter
    public void setCommentOnly(boolean commentOnly) {
        this.commentOnly = commentOnly;
        save();
    }

    public List<PipelineSpec> getPipelines() {
        return pipelines;
    }

    @DataBoundSetter
    public void setPipelines(List<PipelineSpec> pipelines) {
        this.pipelines = Specs.list(pipelines);
        save();
    }

    public List<JobSpec> getJobs() {
        return jobs;
    }

    @DataBoundSetter
    public void setJobs(List<JobSpec> jobs) {
        this.jobs = Specs.list(jobs);
        save();
    }

    public List<ProjectSpec> getProjects() {
        return projects;
    }

    @DataBoundSetter
    public void setProjects(List<ProjectSpec> projects) {
        this.projects = Specs.list(projects);
        save();
    }

    public MergerSpec getMerger() {
        return merger;
    }

    @DataBoundSetter
    public void setMerger(MergerSpec merger) {
        this.merger = merger;
        save();
    }

    /**
     * The configuration as the engine's records. An empty configuration (nothing set up yet) has no
     * pipelines, which the validator refuses; {@link #isEmpty} tells that case apart.
     *
     * @throws ConfigException everything the engine's validator (or a value conversion) finds wrong
     */
    public PipelineSettings toSettings() throws ConfigException {
        PipelineSettings s;
        try {
            s = new PipelineSettings(Specs.records(servers, GerritServer::toRecord), commentOnly,
                    Specs.records(pipelines, PipelineSpec::toRecord), Specs.records(jobs, JobSpec::toRecord),
                    Specs.records(projects, ProjectSpec::toRecord), merger == null ? null : merger.toRecord());
        } catch (Specs.SpecException e) {
            throw new ConfigException(List.of(new ConfigError(getDisplayName(), 0, e.key(),
                    e.getMessage().substring(e.key().length() + 2))));
        }
        LayoutValidator.validate(s, getDisplayName());
        return s;
    }

    /** Nothing configured yet: no servers and no pipelines. */
    public boolean isEmpty() {
        return servers.isEmpty() && pipelines.isEmpty();
    }

    /** The form: bound like JCasC, then checked by the engine; an invalid form is refused whole. */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        List<GerritServer> oldServers = servers;
        boolean oldCommentOnly = commentOnly;
        List<PipelineSpec> oldPipelines = pipelines;
        List<JobSpec> oldJobs = jobs;
        List<ProjectSpec> oldProjects = projects;
        MergerSpec oldMerger = merger;
        synchronized (this) {
            bulk = true; // the setters below save once, at the end, and only a valid configuration
            boolean bound = false;
            try {
                servers = new ArrayList<>(); // a repeatable section left empty is absent from the form
                pipelines = new ArrayList<>();
                jobs = new ArrayList<>();
                projects = new ArrayList<>();
                commentOnly = false;
                merger = null; // an unticked optional block is absent from the form
                req.bindJSON(this, json);
                if (!isEmpty()) {
                    toSettings();
                }
                bound = true;
            } catch (ConfigException e) {
                throw new FormException(e.errors().stream().map(ConfigError::toString)
                        .collect(Collectors.joining("; ")), "pipelines");
            } finally {
                bulk = false;
                if (!bound) { // nothing of a refused form stays
                    servers = oldServers;
                    commentOnly = oldCommentOnly;
                    pipelines = oldPipelines;
                    jobs = oldJobs;
                    projects = oldProjects;
                    merger = oldMerger;
                }
            }
        }
        save();
        return true;
    }

    /** Set while a form submission binds: its setters do not save one by one. */
    private transient boolean bulk;

    @Override
    public synchronized void save() {
        if (bulk) {
            return;
        }
        super.save();
        PipelineRuntime.get().configurationSaved(this);
    }
}
