package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.config.CloudProblem;
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
 * The machinery of every cloud's form checks, made by its engine records: the form's value is put
 * into a configuration that is valid everywhere else ({@link #with}), and whatever the record's
 * problems then are is that value's fault ({@link #check}). So the web form and {@code tollgate
 * validate} apply one set of rules. Stateless.
 */
public final class RecordChecks {
    private RecordChecks() {
    }

    /** The problems of a configuration built from the form's values. */
    public interface Problems {
        List<CloudProblem> get() throws FieldException;
    }

    /** A value that cannot even be read (a number that is not one). */
    public static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;

        public FieldException(String message) {
            super(message);
        }
    }

    /** A form text taken as it is (only a blank one is left out), not trimmed: an XML or script body. */
    public record Verbatim(String text) {
    }

    /**
     * The configuration's problems as the field's verdict: those at {@code onlyKey} (null: every
     * problem), their messages joined; an unreadable value is its own error.
     */
    public static FormValidation check(Problems b, String onlyKey) {
        try {
            List<CloudProblem> p = b.get().stream().filter(x -> onlyKey == null || x.key().equals(onlyKey)).toList();
            if (p.isEmpty()) {
                return FormValidation.ok();
            }
            return FormValidation.error(p.stream().map(CloudProblem::message).distinct().collect(Collectors.joining("; ")));
        } catch (FieldException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** {@code base} with one component replaced; see {@link #with(Record, Map)}. */
    public static <R extends Record> R with(R base, String key, Object value) throws FieldException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(key, value);
        return with(base, values);
    }

    /**
     * {@code base} with some components replaced: a {@code String} (or null) is the form's text, read as
     * the component's type (trimmed, blank = absent); a {@link Verbatim} text is kept as written; any
     * other value is taken as it is.
     */
    public static <R extends Record> R with(R base, Map<String, ?> values) throws FieldException {
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
                if (v == null || v instanceof String) {
                    args[i] = read(cs[i], (String) v);
                } else if (v instanceof Verbatim t) {
                    args[i] = t.text() == null || t.text().isBlank() ? null : t.text();
                } else {
                    args[i] = v;
                }
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
        String v = FormLists.blankToNull(text);
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
}
