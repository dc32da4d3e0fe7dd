package dev.tollgate.recycle.jenkins.config;

import dev.tollgate.recycle.InvalidPolicyException;
import dev.tollgate.recycle.config.RecycleConfig;
import dev.tollgate.recycle.config.RecycleRule;
import dev.tollgate.recycle.config.RecycleSettings;
import dev.tollgate.recycle.jenkins.RecycleRuntime;
import hudson.Extension;
import hudson.ExtensionList;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.GlobalConfiguration;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The plugin's global configuration: the recycling rules, as JCasC
 * {@code unclassified: tollgateNodeRecycle:} and as the "Node recycling" section of the system
 * configuration page. Mirrors the engine's {@link RecycleSettings}; the engine's
 * {@link RecycleConfig} decides what is valid. Every save applies the rules to the running
 * recycler ({@link RecycleRuntime#apply}); a web form with an invalid rule is refused whole.
 */
@Extension
@Symbol("tollgateNodeRecycle") // RecycleConfig.SYMBOL, written out for the source checks
public class NodeRecycleConfiguration extends GlobalConfiguration {
    private List<RecycleRuleSpec> rules = new ArrayList<>();

    /** Set while a form submission binds: its setters do not save one by one. */
    private transient boolean bulk;

    public NodeRecycleConfiguration() {
        load();
    }

    public static NodeRecycleConfiguration get() {
        return ExtensionList.lookupSingleton(NodeRecycleConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "Node recycling";
    }

    public List<RecycleRuleSpec> getRules() {
        return rules;
    }

    @DataBoundSetter
    public void setRules(List<RecycleRuleSpec> rules) {
        List<RecycleRuleSpec> copy = new ArrayList<>();
        if (rules != null) {
            for (RecycleRuleSpec r : rules) {
                if (r != null) {
                    copy.add(r);
                }
            }
        }
        this.rules = copy; // an ArrayList: XStream persists it as a plain list
        save();
    }

    /** The configuration as the engine's records, unchecked. */
    public RecycleSettings toSettings() {
        List<RecycleRule> records = new ArrayList<>();
        for (RecycleRuleSpec r : rules) {
            records.add(r.toRecord());
        }
        return new RecycleSettings(records);
    }

    /** The form: bound like JCasC, then checked by the engine; an invalid form is refused whole. */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        List<RecycleRuleSpec> old = rules;
        synchronized (this) {
            bulk = true;
            boolean bound = false;
            try {
                rules = new ArrayList<>(); // a repeatable section left empty is absent from the form
                req.bindJSON(this, json);
                List<String> problems = RecycleConfig.problems(toSettings());
                if (!problems.isEmpty()) {
                    throw new FormException(new InvalidPolicyException(problems).getMessage(), "rules");
                }
                bound = true;
            } finally {
                bulk = false;
                if (!bound) {
                    rules = old; // nothing of a refused form stays
                }
            }
        }
        save();
        return true;
    }

    @Override
    public synchronized void save() {
        if (bulk) {
            return;
        }
        super.save();
        RecycleRuntime.get().apply(this);
    }
}
