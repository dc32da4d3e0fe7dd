package dev.tollgate.checks;

import groovy.lang.Closure;
import groovy.lang.GroovyObjectSupport;
import groovy.lang.Script;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * The base class the checks compile DSL scripts with (Job DSL scripts, and the Pipeline scripts they
 * write): a recording stand-in for the DSL, with no Jenkins class. A call the script does not define
 * itself ({@code job('x') { ... }}, {@code steps { shell(...) }}, {@code node('label') { ... }}) is
 * recorded as a {@link DslCall}; its closure runs at once with a recorder of the call as its delegate,
 * delegate first, as Job DSL and Pipeline run theirs, so the calls it makes become the call's children.
 * The script's own methods and {@link #readFileFromWorkspace} run as themselves. One run per instance,
 * on one thread.
 */
public abstract class DslScript extends Script {
    /** What a recorded call does: by default it runs its closures and returns the call. */
    @FunctionalInterface
    interface Step {
        Object run(DslCall call, Runnable bodies);
    }

    private DslCall root = new DslCall("script", List.of());
    private Path workspace = Repository.ROOT;
    private Step step = (call, bodies) -> {
        bodies.run();
        return call;
    };
    private Set<String> own;

    /** Records into this root; {@code readFileFromWorkspace} reads under the workspace; calls behave as step says. */
    void standIn(DslCall root, Path workspace, Step step) {
        this.root = root;
        this.workspace = workspace;
        this.step = step;
    }

    /** Job DSL's: a file of the seed job's workspace (here: the repository). */
    public String readFileFromWorkspace(String path) throws IOException {
        return Files.readString(workspace.resolve(path));
    }

    /** A call of the script's top level that no method answers: a DSL call. */
    public Object methodMissing(String name, Object args) {
        return new Recorder(root).invokeMethod(name, args);
    }

    /** Methods the script (or this class) declares: they run as themselves wherever they are called. */
    private boolean ownMethod(String name) {
        if (own == null) {
            own = new HashSet<>();
            for (Class<?> c = getClass(); c != Script.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.getName().startsWith("$")
                            && !List.of("run", "main", "methodMissing").contains(m.getName())) {
                        own.add(m.getName());
                    }
                }
            }
        }
        return own.contains(name);
    }

    /** The delegate of a recorded call's closures. */
    private final class Recorder extends GroovyObjectSupport {
        private final DslCall call;

        Recorder(DslCall call) {
            this.call = call;
        }

        @Override
        public Object invokeMethod(String name, Object args) {
            if (ownMethod(name)) {
                return DslScript.this.invokeMethod(name, args);
            }
            List<Object> values = new ArrayList<>();
            List<Closure<?>> bodies = new ArrayList<>();
            for (Object a : InvokerHelper.asArray(args)) {
                if (a instanceof Closure<?> c) {
                    bodies.add(c);
                } else {
                    values.add(a);
                }
            }
            DslCall child = new DslCall(name, values);
            call.calls.add(child);
            return step.run(child, () -> {
                for (Closure<?> body : bodies) {
                    Closure<?> c = (Closure<?>) body.clone();
                    c.setDelegate(new Recorder(child));
                    c.setResolveStrategy(Closure.DELEGATE_FIRST);
                    c.call();
                }
            });
        }
    }
}
