package dev.tollgate.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One call a Groovy DSL script made, as the recording stand-in saw it: the method's name, its
 * arguments (closures left out: a closure's calls are this call's children, in order), and what its
 * closures called. A tree per script run, read by the checks. Not thread-safe (one script run each).
 */
final class DslCall {
    final String name;
    final List<Object> args;
    final List<DslCall> calls = new ArrayList<>();

    DslCall(String name, List<Object> args) {
        this.name = name;
        this.args = List.copyOf(args);
    }

    /** The one call of this name among the children; fails, showing the tree, when there is none or more. */
    DslCall one(String callName) {
        List<DslCall> found = all(callName);
        if (found.size() != 1) {
            throw new AssertionError("expected one `" + callName + "` in `" + name + "`, found " + found.size()
                    + ":\n" + tree());
        }
        return found.get(0);
    }

    /** The child called {@code callName} whose first argument is {@code firstArg}, e.g. job('x'). */
    DslCall one(String callName, String firstArg) {
        List<DslCall> found = all(callName).stream().filter(c -> !c.args.isEmpty() && firstArg.equals(c.text(0)))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one `" + callName + "('" + firstArg + "')` in `" + name + "`, found "
                    + found.size() + ":\n" + tree());
        }
        return found.get(0);
    }

    /** A path of single calls: {@code path("wrappers", "timeout")}. */
    DslCall path(String... names) {
        DslCall c = this;
        for (String n : names) {
            c = c.one(n);
        }
        return c;
    }

    List<DslCall> all(String callName) {
        return calls.stream().filter(c -> c.name.equals(callName)).toList();
    }

    /** The children's names in order. */
    List<String> names() {
        return calls.stream().map(c -> c.name).toList();
    }

    /** An argument as text (a GString is text too). */
    String text(int i) {
        if (i >= args.size()) {
            throw new AssertionError("`" + name + "` has " + args.size() + " argument(s), not " + (i + 1));
        }
        return String.valueOf(args.get(i));
    }

    /** The named arguments of a call such as {@code timeout(time: 60, unit: 'MINUTES')}. */
    Map<?, ?> named() {
        if (args.isEmpty() || !(args.get(0) instanceof Map<?, ?> m)) {
            throw new AssertionError("`" + name + "` has no named arguments: " + args);
        }
        return m;
    }

    /** The subtree, one call per line, indented; long texts cut. */
    String tree() {
        StringBuilder b = new StringBuilder();
        tree(b, "");
        return b.toString();
    }

    private void tree(StringBuilder b, String indent) {
        b.append(indent).append(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            String a = String.valueOf(args.get(i)).replace("\n", "\\n");
            b.append(i == 0 ? "" : ", ").append(a.length() > 60 ? a.substring(0, 60) + "..." : a);
        }
        b.append(")\n");
        calls.forEach(c -> c.tree(b, indent + "  "));
    }

    @Override
    public String toString() {
        return tree();
    }
}
