package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.jenkins.AgentNames;
import dev.tollgate.ec2.config.Ec2BlockDeviceSpec;
import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.ec2.config.Ec2ImageSpec;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.ec2.config.Ec2SpotSpec;
import dev.tollgate.ec2.config.Ec2TagSpec;
import dev.tollgate.ec2.config.Ec2TemplateSpec;
import dev.tollgate.ec2.config.Ec2VolumeSpec;
import hudson.util.FormValidation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The form's field checks, made by the engine: the value is put into a configuration that is valid
 * everywhere else, and whatever {@link Ec2CloudSpec#problems()} then finds is that value's fault.
 * So the web form and {@code tollgate validate} apply one set of rules. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    /** A valid image selector (owners only), a valid bid, a valid template, a valid cloud. */
    static final Ec2ImageSpec IMAGE = new Ec2ImageSpec(null, List.of("self"), null, null, List.of(), null);
    static final Ec2SpotSpec SPOT = new Ec2SpotSpec("0.10", null, null, "Linux/UNIX", false);
    static final Ec2TemplateSpec TEMPLATE = new Ec2TemplateSpec("t", "linux", 1, null, 600, 1200, 0, null, "m5.large",
            IMAGE, List.of(), null, List.of(), null, null, null, List.of(), List.of(), null, List.of(), null, null);

    static Ec2CloudSpec cloudWith(Ec2TemplateSpec t) {
        return new Ec2CloudSpec("c", "us-west-2", null, null, List.of(t), null, "2", 20, 300, 120, 300, 60, 120, 1, 5,
                300, 60, 120, 600, 300, false, 24);
    }

    static FormValidation cloud(String key, String value) {
        return check(() -> with(cloudWith(TEMPLATE), key, value));
    }

    static FormValidation template(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, key, value)));
    }

    static FormValidation image(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "image", with(IMAGE, key, value))));
    }

    static FormValidation spot(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "spot", with(SPOT, key, value))));
    }

    static FormValidation instanceTag(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "tags", List.of(with(new Ec2TagSpec("team", "ci"), key, value)))));
    }

    static FormValidation blockDevice(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "blockDevices",
                List.of(with(new Ec2BlockDeviceSpec("/dev/xvda", 40, "gp3", null, true, false), key, value)))));
    }

    static FormValidation volume(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "attachVolumes",
                List.of(with(new Ec2VolumeSpec("vol-0", "/dev/sdf"), key, value)))));
    }

    /** The name pattern, with the names it gives shown when it is good (cloud-core's check, the engine's rules). */
    static FormValidation namePattern(String cloudName, String templateName, String value) {
        return AgentNames.checkNamePattern(cloudName, templateName, value);
    }

    // ------------------------------------------------------------------ helpers

    private interface Build {
        Ec2CloudSpec get() throws FieldException;
    }

    /** A value that cannot even be read (a number that is not one). */
    private static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;

        FieldException(String message) {
            super(message);
        }
    }

    private static FormValidation check(Build b) {
        try {
            List<CloudProblem> p = b.get().problems();
            if (p.isEmpty()) {
                return FormValidation.ok();
            }
            return FormValidation.error(p.stream().map(CloudProblem::message).distinct().collect(Collectors.joining("; ")));
        } catch (FieldException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** {@code base} with one component replaced by the form's text, read as the component's type. */
    private static <R extends Record> R with(R base, String key, Object value) throws FieldException {
        RecordComponent[] cs = base.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        boolean found = false;
        for (int i = 0; i < cs.length; i++) {
            try {
                args[i] = cs[i].getAccessor().invoke(base);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (cs[i].getName().equals(key)) {
                args[i] = value instanceof String s ? read(cs[i], s) : value;
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException(base.getClass().getSimpleName() + " has no key " + key);
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
            return words(v == null ? List.of() : List.of(v.split("\\s+")));
        }
        throw new IllegalArgumentException("no form check for key " + c.getName());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A list of words: each entry trimmed, blank entries left out, whitespace-separated entries split. */
    static ArrayList<String> words(List<String> in) {
        ArrayList<String> out = new ArrayList<>();
        if (in != null) {
            for (String s : in) {
                if (s != null) {
                    for (String w : s.trim().split("\\s+")) {
                        if (!w.isEmpty()) {
                            out.add(w);
                        }
                    }
                }
            }
        }
        return out;
    }
}
