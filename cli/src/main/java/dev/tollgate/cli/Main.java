package dev.tollgate.cli;

import dev.tollgate.cli.casc.JcascFile;
import dev.tollgate.cli.casc.SuiteSections;
import dev.tollgate.cli.watch.WatchCommand;
import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.ConfigInput;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.simulate.Outcomes;
import dev.tollgate.pipeline.simulate.Simulation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tollgate}: validate a configuration, import a Zuul v2 layout as JCasC, simulate a pipeline
 * on recorded Gerrit events, watch a live Gerrit in shadow mode ({@link WatchCommand}). Exit codes:
 * 0 fine, 1 invalid input, 2 usage error.
 *
 * <p>Bad input never ends in a stack trace: missing, unreadable, oversized or non-UTF-8 files and
 * configuration errors are one line each ({@code FILE:LINE: message} where there is a line), and
 * event lines that cannot be used are reported and skipped.
 */
public final class Main {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = String.join("\n",
            "usage: tollgate COMMAND [ARGS]",
            "",
            "commands:",
            "  validate FILE            check a Zuul v2 layout.yaml, or every section of the suite in a JCasC",
            "                           file (one with a top-level `jenkins:`, `unclassified:`, `credentials:`",
            "                           ... key); prints a one-line summary per section, or FILE:LINE: message",
            "                           lines and exits 1",
            "  import-zuul LAYOUT       print the JCasC `unclassified:` fragment equivalent to a Zuul v2 layout",
            "  simulate --layout LAYOUT [--hold] [--result SUCCESS|FAILURE|NONE]",
            "           [--job-result JOB=RESULT[,RESULT...]]... EVENTS",
            "           [--git-root DIR [--merge-root WORK]]",
            "                           replay Gerrit stream-events JSON lines through the pipeline engine and",
            "                           print one JSON line per decision (enqueue, dequeue, relaunch, report);",
            "                           without --hold every job ends at once with --result (default SUCCESS);",
            "                           NONE ends a build without a result (a lost agent: the job is launched",
            "                           again up to its attempts); --job-result sets one job's result for each",
            "                           attempt, the last one repeating: SUCCESS, FAILURE, NONE, HOLD (never",
            "                           ends) or another result word such as UNSTABLE; with --git-root (DIR/PROJECT",
            "                           are git repositories standing in for Gerrit) every change is merged onto",
            "                           its branch first, in WORK (default: a temporary directory)",
            WatchCommand.USAGE_TEXT.stripTrailing(),
            "  help, --help             this text",
            "");

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs a command; the streams are parameters so tests can read what it prints. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        String cmd = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        try {
            return switch (cmd) {
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                case "validate" -> validate(rest, out, err);
                case "import-zuul" -> importZuul(rest, out, err);
                case "simulate" -> simulate(rest, out, err);
                case "watch" -> WatchCommand.run(rest, out, err);
                default -> usage(err, "unknown command `" + cmd + "`");
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // Every bad input has its own message; this is the last line of defence, so that even a
            // bug shows as one line and an exit code, never as a stack trace.
            err.println("tollgate: internal error: " + e + " (a bug: please report it with the input)");
            return INVALID;
        }
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private static int usage(PrintStream err, String message) {
        err.println("tollgate: " + message);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private static int validate(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (args.size() == 1 && isHelp(args.get(0))) {
            out.print(USAGE_TEXT);
            return OK;
        }
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            throw new UsageException("validate takes exactly one FILE");
        }
        Path file = Path.of(args.get(0));
        String text = read(file, err);
        if (text == null) {
            return INVALID;
        }
        try {
            if (JcascFile.looksLikeJcasc(text)) {
                for (String section : JcascFile.check(text, file.toString(), SuiteSections.ALL)) {
                    out.println(file + ": " + section);
                }
            } else {
                out.println(file + ": valid Zuul v2 layout: " + LayoutParser.parse(text, file.toString()).summary());
            }
            return OK;
        } catch (ConfigException e) {
            printErrors(e, err);
            return INVALID;
        }
    }

    private static int importZuul(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            throw new UsageException("import-zuul takes exactly one LAYOUT");
        }
        Layout layout = loadLayout(Path.of(args.get(0)), err);
        if (layout == null) {
            return INVALID;
        }
        out.print(CascConfig.toYaml(layout));
        return OK;
    }

    private static int simulate(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        String layoutFile = null;
        boolean hold = false;
        String result = "SUCCESS";
        List<String> jobResults = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        String gitRoot = null;
        String mergeRoot = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("--git-root") || a.equals("--merge-root")) && i + 1 < args.size()) {
                if (a.equals("--git-root")) {
                    gitRoot = args.get(++i);
                } else {
                    mergeRoot = args.get(++i);
                }
            } else if (a.equals("--layout") || a.equals("--result") || a.equals("--job-result")
                    || a.equals("--git-root") || a.equals("--merge-root")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                String v = args.get(++i);
                if (a.equals("--layout")) {
                    layoutFile = v;
                } else if (a.equals("--result")) {
                    result = v;
                } else {
                    jobResults.add(v);
                }
            } else if (a.startsWith("--layout=")) {
                layoutFile = a.substring("--layout=".length());
            } else if (a.startsWith("--result=")) {
                result = a.substring("--result=".length());
            } else if (a.startsWith("--job-result=")) {
                jobResults.add(a.substring("--job-result=".length()));
            } else if (a.equals("--hold")) {
                hold = true;
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option `" + a + "` for simulate");
            } else {
                positional.add(a);
            }
        }
        if (layoutFile == null) {
            throw new UsageException("simulate needs --layout LAYOUT");
        }
        if (positional.size() != 1) {
            throw new UsageException("simulate takes exactly one EVENTS file");
        }
        if (!result.equals("SUCCESS") && !result.equals("FAILURE") && !result.equals(Outcomes.NONE)) {
            throw new UsageException("--result must be SUCCESS, FAILURE or NONE, not `" + result + "`");
        }
        Outcomes outcomes = Outcomes.all(hold ? Outcomes.HOLD : result);
        for (String rule : jobResults) {
            try {
                outcomes = outcomes.with(rule);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--job-result: " + e.getMessage());
            }
        }
        Layout layout = loadLayout(Path.of(layoutFile), err);
        if (layout == null) {
            return INVALID;
        }
        if (mergeRoot != null && gitRoot == null) {
            throw new UsageException("--merge-root needs --git-root");
        }
        Path events = Path.of(positional.get(0));
        try (SimulatedMerger merger = gitRoot == null ? null : SimulatedMerger.open(gitRoot, mergeRoot)) {
            new Simulation(layout, outcomes, out, merger == null ? null : merger.merger()).replay(events, err);
        } catch (SimulatedMerger.SetupException e) {
            err.println(e.getMessage());
            return INVALID;
        } catch (NoSuchFileException e) {
            err.println(events + ": no such file");
            return INVALID;
        } catch (AccessDeniedException e) {
            err.println(events + ": permission denied");
            return INVALID;
        } catch (IOException e) {
            err.println(events + ": cannot read: " + e.getMessage());
            return INVALID;
        }
        return OK;
    }

    /** A Zuul layout or a JCasC file, or null with the errors printed. */
    static Layout loadLayout(Path file, PrintStream err) {
        String text = read(file, err);
        if (text == null) {
            return null;
        }
        try {
            return JcascFile.looksLikeJcasc(text) ? CascConfig.parse(text, file.toString())
                    : LayoutParser.parse(text, file.toString());
        } catch (ConfigException e) {
            printErrors(e, err);
            return null;
        }
    }

    /** The file's text, or null with the reason printed (missing, unreadable, too large, not UTF-8). */
    private static String read(Path file, PrintStream err) {
        try {
            return ConfigInput.read(file);
        } catch (ConfigException e) {
            printErrors(e, err);
        } catch (NoSuchFileException e) {
            err.println(file + ": no such file");
        } catch (AccessDeniedException e) {
            err.println(file + ": permission denied");
        } catch (IOException e) {
            err.println(file + ": cannot read: " + e.getMessage());
        }
        return null;
    }

    private static void printErrors(ConfigException e, PrintStream err) {
        for (ConfigError c : e.errors()) {
            err.println(c);
        }
    }

    private static boolean isHelp(String a) {
        return a.equals("--help") || a.equals("-h");
    }
}
