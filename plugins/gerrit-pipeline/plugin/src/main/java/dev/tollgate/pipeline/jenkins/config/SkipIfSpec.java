package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.SkipIf;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * A condition under which the job is skipped: every part given must match.
 * Mirrors {@link SkipIf} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class SkipIfSpec implements Describable<SkipIfSpec> {
    private String project;
    private String branch;
    private List<String> allFilesMatchAny = new ArrayList<>();

    @DataBoundConstructor
    public SkipIfSpec() {
    }

    public String getProject() {
        return project;
    }

    @DataBoundSetter
    public void setProject(String project) {
        this.project = Specs.text(project);
    }

    public String getBranch() {
        return branch;
    }

    @DataBoundSetter
    public void setBranch(String branch) {
        this.branch = Specs.text(branch);
    }

    public List<String> getAllFilesMatchAny() {
        return allFilesMatchAny;
    }

    @DataBoundSetter
    public void setAllFilesMatchAny(List<String> allFilesMatchAny) {
        this.allFilesMatchAny = Specs.list(allFilesMatchAny);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public SkipIf toRecord() {
        return new SkipIf(Specs.pattern("project", this.project),
                Specs.pattern("branch", this.branch),
                Specs.patterns("allFilesMatchAny", this.allFilesMatchAny));
    }

    @Extension
    @Symbol("skipIf")
    public static final class DescriptorImpl extends SpecDescriptor<SkipIfSpec> {
        @Override
        public String getDisplayName() {
            return "Skip condition";
        }

        public FormValidation doCheckProject(@QueryParameter String value) {
            return checkPattern(value);
        }

        public FormValidation doCheckBranch(@QueryParameter String value) {
            return checkPattern(value);
        }

        public FormValidation doCheckAllFilesMatchAny(@QueryParameter String value) {
            return checkPatterns(value);
        }
    }
}
