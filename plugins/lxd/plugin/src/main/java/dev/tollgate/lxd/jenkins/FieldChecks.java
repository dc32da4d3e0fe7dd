package dev.tollgate.lxd.jenkins;

import dev.tollgate.cloud.jenkins.AgentNames;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.lxd.config.LxdConfigSpec;
import dev.tollgate.lxd.config.LxdDeviceSpec;
import dev.tollgate.lxd.config.LxdImageRemoteSpec;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.lxd.config.LxdTemplateSpec;
import hudson.util.FormValidation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The form's field checks, made by the engine: the value is put into a configuration that is valid
 * everywhere else, and whatever {@link LxdCloudSpec#problems()} then finds is that value's fault.
 * So the web form and {@code tollgate validate} apply one set of rules. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    /** A valid template (exec start, the daemon's own image), a valid local cloud. */
    static final LxdTemplateSpec TEMPLATE = new LxdTemplateSpec("t", "lxd", 1, null, 0, 600, 0, null, "debian-12", null,
            "container", List.of(), List.of(), List.of(), true, List.of("/bin/agent"), 0, null, null, "/home/jenkins/agent");
    static final LxdImageRemoteSpec REMOTE = new LxdImageRemoteSpec("images", "https://images.linuxcontainers.org",
            "simplestreams");
    static final LxdCloudSpec CLOUD = new LxdCloudSpec("c", "/var/lib/lxd/unix.socket", null, null, null, null,
            List.of(REMOTE), List.of(TEMPLATE), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);

    static LxdCloudSpec cloudWith(LxdTemplateSpec t) throws FieldException {
        return with(CLOUD, Map.of("templates", List.of(t)));
    }

    static FormValidation cloud(String key, String value) {
        return check(() -> with(CLOUD, Map.of(key, text(value))), null);
    }

    /**
     * A key of the daemon's endpoint, checked with the other endpoint keys of the form (a socket and a
     * URL exclude each other; credentials and pin belong to a URL); only problems at {@code key} count.
     */
    static FormValidation endpoint(String key, String socketPath, String url, String credentialsId, String pin) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("socketPath", text(socketPath));
        values.put("url", text(url));
        values.put("credentialsId", text(credentialsId));
        values.put("serverCertificateFingerprint", text(pin));
        return check(() -> with(CLOUD, values), key);
    }

    static FormValidation template(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, Map.of(key, text(value)))), null);
    }

    /** The agent's start: exactly one of the command (one argument per line) and cloud-init user data. */
    static FormValidation agentStart(String key, String agentCommand, String cloudInitUserData) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("agentCommand", FormLists.argumentLines(agentCommand));
        values.put("cloudInitUserData", blankToNull(cloudInitUserData));
        return check(() -> cloudWith(with(TEMPLATE, values)), key);
    }

    static FormValidation configEntry(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, Map.of("config", List.of(with(new LxdConfigSpec("limits.cpu", "2"),
                Map.of(key, text(value))))))), null);
    }

    static FormValidation device(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, Map.of("devices", List.of(with(new LxdDeviceSpec("cache", "disk",
                List.of()), Map.of(key, text(value))))))), null);
    }

    static FormValidation imageRemote(String key, String value) {
        return check(() -> with(CLOUD, Map.of("imageRemotes", List.of(with(REMOTE, Map.of(key, text(value)))))), null);
    }

    /** The name pattern, with the names it gives shown when it is good (cloud-core's check, the engine's rules). */
    static FormValidation namePattern(String cloudName, String templateName, String value) {
        return AgentNames.checkNamePattern(cloudName, templateName, value);
    }

    // ------------------------------------------------------------------ helpers

    /** The form's text of a value, still to be read as its key's type. */
    private record Text(String value) {
    }

    private static Text text(String value) {
        return new Text(value);
    }

    private interface Build {
        LxdCloudSpec get() throws FieldException;
    }

    /** A value that cannot even be read (a number that is not one). */
    private static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;

        FieldException(String message) {
            super(message);
        }
    }

    private static FormValidation check(Build b, String onlyKey) {
        try {
            List<CloudProblem> p = b.get().problems().stream().filter(x -> onlyKey == null || x.key().equals(onlyKey)).toList();
            if (p.isEmpty()) {
                return FormValidation.ok();
            }
            return FormValidation.error(p.stream().map(CloudProblem::message).distinct().collect(Collectors.joining("; ")));
        } catch (FieldException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** {@code base} with some components replaced, form texts read as the component's type. */
    private static <R extends Record> R with(R base, Map<String, Object> values) throws FieldException {
        RecordComponent[] cs = base.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        int found = 0;
        for (int i = 0; i < cs.length; i++) {
            try {
                args[i] = cs[i].getAccessor().invoke(base);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (values.containsKey(cs[i].getName())) {
                Object v = values.get(cs[i].getName());
                args[i] = v instanceof Text t ? read(cs[i], t.value()) : v;
                found++;
            }
        }
        if (found != values.size()) {
            throw new IllegalArgumentException(base.getClass().getSimpleName() + " lacks one of " + values.keySet());
        }
        try {
            Constructor<?> c = base.getClass().getDeclaredConstructor(
                    Arrays.stream(cs).map(RecordComponent::getType).toArray(Class<?>[]::new));
            @SuppressWarnings("unchecked")
            R r = (R) c.newInstance(args);
            return r;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object read(RecordComponent c, String text) throws FieldException {
        String v = blankToNull(text);
        Class<?> t = c.getType();
        if (t == String.class) {
            return v;
        }
        if (t == int.class || t == Integer.class) {
            if (v == null) {
                if (t == Integer.class) {
                    return null;
                }
                throw new FieldException("a whole number is required");
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new FieldException("expected a whole number, got " + v);
            }
        }
        if (t == List.class && ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0] == String.class) {
            return FormLists.words(v == null ? List.of() : List.of(v));
        }
        throw new IllegalArgumentException("no form check for key " + c.getName());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
