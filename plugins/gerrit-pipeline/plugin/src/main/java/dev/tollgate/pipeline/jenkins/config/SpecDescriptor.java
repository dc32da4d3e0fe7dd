package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import dev.tollgate.pipeline.event.EventType;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import jenkins.model.Jenkins;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The descriptor of every configuration describable. The web form shows a list of texts or numbers
 * as a text area, one entry per line, and a yes/no key that may be left unset as a choice; this
 * descriptor turns what such a form sends back into the list, or the unset key, that the
 * describable's setters take (JCasC and Job DSL bind lists directly and never come here).
 */
public abstract class SpecDescriptor<T extends Describable<T>> extends Descriptor<T> {
    @Override
    public T newInstance(StaplerRequest2 req, JSONObject formData) throws FormException {
        return super.newInstance(req, formFields(clazz, formData));
    }

    /** The form's fields as the setters take them; fields are found by name, as the form names them. */
    static JSONObject formFields(Class<?> type, JSONObject form) throws FormException {
        JSONObject out = JSONObject.fromObject(form);
        for (Field f : type.getDeclaredFields()) {
            if (!out.containsKey(f.getName())) {
                continue;
            }
            Object v = out.get(f.getName());
            if (f.getType() == List.class && v instanceof String text) {
                out.put(f.getName(), lines(f, text));
            } else if ((f.getType() == Boolean.class || f.getType() == Integer.class) && "".equals(v)) {
                out.remove(f.getName()); // "(not set)"
            }
        }
        return out;
    }

    private static JSONArray lines(Field f, String text) throws FormException {
        Type element = ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0];
        JSONArray out = new JSONArray();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (element == Integer.class) {
                try {
                    out.add(Integer.parseInt(line.strip()));
                } catch (NumberFormatException e) {
                    throw new FormException("expected a whole number per line, got `" + Specs.shorten(line) + "`",
                            f.getName());
                }
            } else {
                out.add(line);
            }
        }
        return out;
    }

    /** A list as the text area shows it: one entry per line. */
    public String lines(List<?> values) {
        StringBuilder b = new StringBuilder();
        if (values != null) {
            for (Object v : values) {
                b.append(v).append('\n');
            }
        }
        return b.toString();
    }

    /** The choice for a yes/no key that may be left unset. Lists nothing secret, but asks as the other lists do. */
    protected static ListBoxModel unsetYesNo() {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        ListBoxModel m = new ListBoxModel();
        m.add("(not set)", "");
        m.add("yes", "true");
        m.add("no", "false");
        return m;
    }

    protected static FormValidation checkPattern(String value) {
        if (value == null || value.isEmpty()) {
            return FormValidation.ok();
        }
        try {
            SafePattern.compile(value);
            return FormValidation.ok();
        } catch (UnsupportedPatternException e) {
            return FormValidation.error("Bad regex: " + e.getMessage());
        }
    }

    protected static FormValidation checkPatterns(String value) {
        if (value == null) {
            return FormValidation.ok();
        }
        int n = 0;
        for (String line : value.split("\r?\n")) {
            n++;
            if (!line.isEmpty()) {
                try {
                    SafePattern.compile(line);
                } catch (UnsupportedPatternException e) {
                    return FormValidation.error("Line " + n + ": bad regex: " + e.getMessage());
                }
            }
        }
        return FormValidation.ok();
    }

    protected static FormValidation checkEvents(String value) {
        if (value == null || value.isBlank()) {
            return FormValidation.error("Name at least one event type");
        }
        for (String line : value.split("\r?\n")) {
            String name = line.strip();
            if (!name.isEmpty() && EventType.known(name) == null) {
                return FormValidation.error("Unknown event type: " + Specs.shorten(name));
            }
        }
        return FormValidation.ok();
    }
}
