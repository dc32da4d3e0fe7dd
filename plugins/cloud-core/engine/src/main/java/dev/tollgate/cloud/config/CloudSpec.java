package dev.tollgate.cloud.config;

import dev.tollgate.cloud.AgentNamePattern;
import java.util.List;

/**
 * What every cloud's JCasC record is beside its own keys: a name Jenkins shows, the engine's name made
 * from it, and its problems, each at its key, read plainly (the web form, the plugin) or as a JCasC
 * file before Jenkins reads it ({@code tollgate validate}), where a value that is one whole JCasC
 * variable stands for a valid value of its key.
 */
public interface CloudSpec {
    /** The cloud's name in Jenkins. */
    String name();

    /** Every problem, each at its key, with values read as {@code v} says; empty when the engine takes it. */
    List<CloudProblem> problems(JcascVars v);

    /** Every problem, each at its key; empty when the engine will take the configuration. */
    default List<CloudProblem> problems() {
        return problems(new JcascVars(false));
    }

    /**
     * As {@link #problems()}, for a JCasC file before Jenkins reads it: a value that is one JCasC
     * variable ({@code ${NAME}}, or {@code ${NAME:-default}}) stands for a valid value of its key
     * (its default, when it has one, is checked), since only the controller's environment knows it.
     */
    default List<CloudProblem> problemsWithVariables() {
        return problems(new JcascVars(true));
    }

    /** The cloud's name as the engine, its agents and its fingerprints carry it ('/', '\', spaces as '-'). */
    default String engineName() {
        return AgentNamePattern.nodeSafe(name());
    }
}
