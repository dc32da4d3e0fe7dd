package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.config.CloudProblem;
import hudson.Util;
import hudson.slaves.Cloud;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jenkins.model.Jenkins;

/**
 * What every cloud's "Test connection" button does around its driver's report: find the cloud as
 * saved (the button sends the cloud's own fields, not its nested templates), refuse a configuration
 * the engine would refuse, and show the report's lines as they are, escaped. Stateless.
 */
public final class ConnectionTests {
    private ConnectionTests() {
    }

    /** The saved cloud of this type and name, or null. */
    public static <C extends Cloud> C saved(Class<C> type, String name) {
        String n = Util.fixEmptyAndTrim(name);
        C found = null;
        for (Cloud c : Jenkins.get().clouds) {
            if (type.isInstance(c) && c.name.equals(n)) {
                found = type.cast(c);
            }
        }
        return found;
    }

    /**
     * The engine's problems with the form's configuration as the button's error, or null when there are
     * none; without saved templates the cloud's own keys are what is tested, so "at least one template"
     * does not count.
     */
    public static FormValidation refused(Record cloud, List<CloudProblem> problems, boolean templatesSaved) {
        List<CloudProblem> p = problems.stream()
                .filter(x -> templatesSaved || !(x.key().equals("templates") && x.record() == cloud)).toList();
        return p.isEmpty() ? null
                : FormValidation.error(p.stream().map(CloudProblem::toString).collect(Collectors.joining("; ")));
    }

    /** The driver's report, one line each, escaped; a warning when it found a problem. */
    public static FormValidation report(List<String> lines, boolean ok, boolean templatesSaved, String whatTemplatesShow) {
        List<String> all = new ArrayList<>(lines);
        if (!templatesSaved) {
            all.add("(save the cloud with its templates to see " + whatTemplatesShow + " here)");
        }
        String html = "<pre>" + Util.escape(String.join("\n", all)) + "</pre>";
        return ok ? FormValidation.okWithMarkup(html) : FormValidation.warningWithMarkup(html);
    }
}
