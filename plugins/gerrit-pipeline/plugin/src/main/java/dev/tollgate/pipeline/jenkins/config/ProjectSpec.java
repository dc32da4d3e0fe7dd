package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.ProjectConfig;
import hudson.Extension;
import hudson.model.Describable;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A Gerrit project and the jobs it runs in each pipeline.
 * Mirrors {@link ProjectConfig} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ProjectSpec implements Describable<ProjectSpec> {
    private String name;
    private List<ProjectPipelineSpec> pipelines = new ArrayList<>();
    private String mergeMode = ProjectConfig.DEFAULT_MERGE_MODE;

    @DataBoundConstructor
    public ProjectSpec(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public List<ProjectPipelineSpec> getPipelines() {
        return pipelines;
    }

    @DataBoundSetter
    public void setPipelines(List<ProjectPipelineSpec> pipelines) {
        this.pipelines = Specs.list(pipelines);
    }

    public String getMergeMode() {
        return mergeMode;
    }

    /** How the merger puts a change onto its branch: merge-resolve (default), merge or cherry-pick. */
    @DataBoundSetter
    public void setMergeMode(String mergeMode) {
        this.mergeMode = mergeMode == null || mergeMode.isBlank() ? ProjectConfig.DEFAULT_MERGE_MODE : mergeMode.strip();
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public ProjectConfig toRecord() {
        return new ProjectConfig(Specs.text(this.name),
                Specs.records(this.pipelines, ProjectPipelineSpec::toRecord), this.mergeMode);
    }

    @Extension
    @Symbol("project")
    public static final class DescriptorImpl extends SpecDescriptor<ProjectSpec> {
        @Override
        public String getDisplayName() {
            return "Project";
        }
    }
}
