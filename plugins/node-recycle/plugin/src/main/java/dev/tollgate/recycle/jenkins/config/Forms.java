package dev.tollgate.recycle.jenkins.config;

import dev.tollgate.recycle.LabelExpression;
import dev.tollgate.recycle.RecyclePolicy;
import dev.tollgate.recycle.config.RecycleConfig;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;

/**
 * What the web forms of a rule and of the job option share: the build results are one text field
 * ({@code FAILURE ABORTED}), an empty number means "the default", and the same checks as
 * {@code tollgate validate}. JCasC, Job DSL and Pipeline bind the keys directly and never come
 * here. Stateless.
 */
final class Forms {
    static final String[] NUMBERS = {"reconnectTimeoutMinutes", "disconnectTimeoutMinutes", "commandTimeoutSeconds"};

    private Forms() {}

    /** The form's fields as the setters take them. */
    static JSONObject fields(JSONObject form) {
        JSONObject out = JSONObject.fromObject(form);
        for (String key : NUMBERS) {
            if (out.containsKey(key) && out.getString(key).isBlank()) {
                out.remove(key);
            }
        }
        if (out.containsKey("results") && out.get("results") instanceof String text) {
            out.put("results", JSONArray.fromObject(results(text)));
        }
        return out;
    }

    /** {@code "FAILURE, ABORTED"} or {@code "FAILURE ABORTED"} as a list. */
    static List<String> results(String text) {
        List<String> out = new ArrayList<>();
        for (String r : text.split("[\\s,]+")) {
            if (!r.isEmpty()) {
                out.add(r);
            }
        }
        return out;
    }

    /** The list as the text field shows it. */
    static String resultsText(List<String> results) {
        return results == null ? "" : String.join(" ", results);
    }

    /** An empty text means the key is not set. */
    static String text(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** A number equal to the default is stored as "not set", so that JCasC exports only what was changed. */
    static Integer number(Integer value, int defaultValue) {
        return value == null || value == defaultValue ? null : value;
    }

    static ListBoxModel modes() {
        ListBoxModel m = new ListBoxModel();
        m.add("Reboot, then back online", "REBOOT");
        m.add("Offline only (a person brings it back)", "OFFLINE");
        m.add("Replace (cloud agents of Tollgate's clouds)", "REPLACE");
        m.add("Nothing", "NONE");
        return m;
    }

    static FormValidation checkLabel(String value) {
        if (value == null || value.isBlank()) {
            return FormValidation.error("Required: a label expression, e.g. devstack_slave");
        }
        try {
            LabelExpression.parse(value.strip());
            return FormValidation.ok();
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    static FormValidation checkResults(String value) {
        for (String r : results(value == null ? "" : value)) {
            if (RecyclePolicy.BUILD_RESULTS.stream().noneMatch(b -> b.name().equals(r))) {
                return FormValidation.error("Unknown build result " + r + "; use " + RecyclePolicy.BUILD_RESULTS);
            }
        }
        return FormValidation.ok();
    }

    static FormValidation checkRebootCommand(String value, String mode) {
        if ("REBOOT".equals(mode) && value != null && value.strip().chars().anyMatch(Character::isISOControl)) {
            return FormValidation.error("One line, without control characters");
        }
        return FormValidation.ok();
    }

    /** The default reboot command, shown in the form. */
    static String defaultRebootCommand() {
        return RecyclePolicy.DEFAULT_REBOOT_COMMAND;
    }

    /** The modes as the configuration names them. */
    static List<String> modeNames() {
        return RecycleConfig.MODES;
    }
}
