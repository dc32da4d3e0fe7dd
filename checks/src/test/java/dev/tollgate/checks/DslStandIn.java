package dev.tollgate.checks;

import groovy.lang.Binding;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import java.nio.file.Path;
import java.util.List;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;

/**
 * Compiles DSL scripts with {@link DslScript} as their base class and runs them against the recording
 * stand-in. Pipeline scripts name two Pipeline classes (the interruption and the timeout's cause);
 * {@link #pipeline()} compiles small stand-ins of them first, so those scripts compile and their catch
 * blocks can be exercised. Each instance has its own class loader; not thread-safe.
 */
final class DslStandIn {
    /** Only what the check job's Pipeline script uses of workflow-step-api and workflow-basic-steps. */
    static final List<String> PIPELINE_CLASSES = List.of(
            "package org.jenkinsci.plugins.workflow.steps\n"
                    + "class FlowInterruptedException extends RuntimeException {\n"
                    + "    final List causes\n"
                    + "    FlowInterruptedException(Object... causes) { this.causes = causes as List }\n"
                    + "}\n",
            "package org.jenkinsci.plugins.workflow.steps\n"
                    + "class TimeoutStepExecution {\n"
                    + "    static final class ExceededTimeout { }\n"
                    + "}\n",
            "package jenkins.model\n"
                    + "class CauseOfInterruption { static class UserInterruption extends CauseOfInterruption { } }\n");

    private final GroovyShell shell;
    private final GroovyClassLoader loader;

    private DslStandIn(List<String> classes) {
        CompilerConfiguration cc = new CompilerConfiguration();
        cc.setScriptBaseClass(DslScript.class.getName());
        loader = new GroovyClassLoader(DslStandIn.class.getClassLoader(), cc);
        classes.forEach(loader::parseClass);
        shell = new GroovyShell(loader, new Binding(), cc);
    }

    /** For Job DSL scripts. */
    static DslStandIn jobDsl() {
        return new DslStandIn(List.of());
    }

    /** For Pipeline scripts. */
    static DslStandIn pipeline() {
        return new DslStandIn(PIPELINE_CLASSES);
    }

    /** Parses and compiles a script; a syntax or type error is a CompilationFailedException. */
    DslScript compile(String text, String name) throws CompilationFailedException {
        Script s = shell.parse(text, name.replaceAll("[^A-Za-z0-9_]", "_"));
        return (DslScript) s;
    }

    /** Runs a script against the stand-in; the tree of its calls. */
    DslCall run(String text, String name) {
        return run(text, name, (call, bodies) -> {
            bodies.run();
            return call;
        });
    }

    /** Runs a script, each call doing what {@code step} says. */
    DslCall run(String text, String name, DslScript.Step step) {
        DslCall root = new DslCall(name, List.of());
        DslScript s = compile(text, name);
        s.standIn(root, Repository.ROOT, step);
        s.run();
        return root;
    }

    /** An instance of one of the stand-in classes (e.g. to throw from a step). */
    Object newInstance(String className, Object... args) {
        try {
            Class<?> c = Class.forName(className, true, loader);
            return org.codehaus.groovy.runtime.InvokerHelper.invokeConstructorOf(c, args);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
