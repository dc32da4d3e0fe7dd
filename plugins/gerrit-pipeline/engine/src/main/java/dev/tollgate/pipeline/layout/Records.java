package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;

/** The configuration records as a schema ({@link Schema}): their keys, defaults and construction. Stateless. */
final class Records {
    private Records() {}

    static boolean required(RecordComponent c) {
        return c.isAnnotationPresent(Schema.Required.class);
    }

    /** The required key's reason, or "". */
    static String why(RecordComponent c) {
        Schema.Required r = c.getAnnotation(Schema.Required.class);
        return r == null ? "" : r.value();
    }

    /** The value of a key that is not given: its default, an empty list, or null. */
    static Object absent(RecordComponent c) {
        Schema.Default d = c.getAnnotation(Schema.Default.class);
        Class<?> t = c.getType();
        if (d != null) {
            if (t == boolean.class || t == Boolean.class) {
                return Boolean.parseBoolean(d.value());
            }
            if (t == int.class || t == Integer.class) {
                return Integer.parseInt(d.value());
            }
            return d.value();
        }
        if (t.isPrimitive() && !required(c)) {
            throw new IllegalStateException(c + ": a primitive key needs a default or must be required");
        }
        return t == List.class ? List.of() : null;
    }

    /** The element type of a list key ({@code List<X>}: X). */
    static Class<?> elementType(RecordComponent c) {
        return (Class<?>) ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
    }

    static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }

    static <R> R construct(Class<R> type, Object[] args) {
        RecordComponent[] cs = type.getRecordComponents();
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
        }
        try {
            Constructor<R> k = type.getDeclaredConstructor(types);
            return k.newInstance(args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }
}
