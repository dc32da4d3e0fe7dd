package dev.tollgate.common.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Configuration records are the schema of a plugin's JCasC section: a record component is a key of
 * the section, with the same name (the Jenkins plugin's describables mirror them one to one). These
 * annotations say what a component's name and type cannot: whether it must be given, and its value
 * when it is not. A component with neither is optional and defaults to nothing (null, or an empty
 * list). The gerrit-pipeline engine's {@code CascConfig} and {@code CascSection} read and write
 * sections from them.
 */
public final class Schema {
    private Schema() {}

    /** The key must be given (a @DataBoundConstructor parameter, in Jenkins' terms). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Required {
        /** Why, added to the error when the key is missing (e.g. {@code at least one pipeline}). */
        String value() default "";
    }

    /** The value when the key is not given, written as YAML would write it ({@code true}, a text). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Default {
        String value();
    }
}
