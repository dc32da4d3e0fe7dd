package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.PipelineJobs;
import hudson.Extension;
import hudson.model.Describable;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * The jobs a project runs in one pipeline.
 * Mirrors {@link PipelineJobs} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ProjectPipelineSpec implements Describable<ProjectPipelineSpec> {
    private String name;
    private List<String> jobs = new ArrayList<>();

    @DataBoundConstructor
    public ProjectPipelineSpec(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public List<String> getJobs() {
        return jobs;
    }

    @DataBoundSetter
    public void setJobs(List<String> jobs) {
        this.jobs = Specs.list(jobs);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public PipelineJobs toRecord() {
        return new PipelineJobs(Specs.text(this.name),
                List.copyOf(this.jobs));
    }

    @Extension
    @Symbol("projectPipeline")
    public static final class DescriptorImpl extends SpecDescriptor<ProjectPipelineSpec> {
        @Override
        public String getDisplayName() {
            return "Jobs in a pipeline";
        }
    }
}
