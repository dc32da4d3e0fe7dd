package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.LabelValues;
import hudson.Extension;
import hudson.model.Describable;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A label and the values that count for it.
 * Mirrors {@link LabelValues} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class LabelValuesSpec implements Describable<LabelValuesSpec> {
    private String category;
    private List<Integer> values = new ArrayList<>();

    @DataBoundConstructor
    public LabelValuesSpec(String category) {
        this.category = category;
    }

    public String getCategory() {
        return category;
    }

    public List<Integer> getValues() {
        return values;
    }

    @DataBoundSetter
    public void setValues(List<Integer> values) {
        this.values = Specs.list(values);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public LabelValues toRecord() {
        return new LabelValues(Specs.text(this.category),
                List.copyOf(this.values));
    }

    @Extension
    @Symbol("labelValues")
    public static final class DescriptorImpl extends SpecDescriptor<LabelValuesSpec> {
        @Override
        public String getDisplayName() {
            return "Label values";
        }
    }
}
