package dev.tollgate.pipeline.simulate;

import dev.tollgate.common.BuildResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How each simulated build ends: a result a build reports (SUCCESS, UNSTABLE, FAILURE, NOT_BUILT,
 * ABORTED: {@link BuildResult#isReportedByBuild}), {@link #HOLD} (the build never ends) or
 * {@link #NONE} (the build ends without a result, as when its agent is lost). A rule may give one
 * outcome per attempt of a job; the last one repeats. Immutable.
 */
public final class Outcomes {
    /** The build never ends, so the queue rules show. */
    public static final String HOLD = "HOLD";
    /** The build ends without a result (lost agent): the scheduler relaunches it up to the job's attempts. */
    public static final String NONE = "NONE";

    /** What a rule may say, in the order the error message lists it. */
    private static final List<String> WORDS = words();

    private final List<String> fallback;
    private final Map<String, List<String>> byJob;

    private Outcomes(List<String> fallback, Map<String, List<String>> byJob) {
        this.fallback = List.copyOf(fallback);
        this.byJob = Map.copyOf(byJob);
    }

    /** Every build of every job ends this way. */
    public static Outcomes all(String outcome) {
        return new Outcomes(List.of(check(outcome)), Map.of());
    }

    /**
     * These outcomes with one more rule, in the form {@code JOB=OUTCOME[,OUTCOME...]} ({@code *}
     * for every job without a rule of its own), e.g. {@code tempest=NONE,SUCCESS}.
     *
     * @throws IllegalArgumentException saying what is wrong with the rule
     */
    public Outcomes with(String rule) {
        int eq = rule.indexOf('=');
        if (eq <= 0 || eq == rule.length() - 1) {
            throw new IllegalArgumentException("expected JOB=RESULT[,RESULT...], got `" + rule + "`");
        }
        String job = rule.substring(0, eq).trim();
        List<String> perAttempt = new ArrayList<>();
        for (String o : rule.substring(eq + 1).split(",")) {
            perAttempt.add(check(o.trim().toUpperCase(Locale.ROOT)));
        }
        if (job.equals("*")) {
            return new Outcomes(perAttempt, byJob);
        }
        Map<String, List<String>> m = new LinkedHashMap<>(byJob);
        m.put(job, perAttempt);
        return new Outcomes(fallback, m);
    }

    /** How attempt {@code attempt} (1-based) of a build of {@code job} ends. */
    public String outcome(String job, int attempt) {
        List<String> list = byJob.getOrDefault(job, fallback);
        return list.get(Math.min(Math.max(attempt, 1), list.size()) - 1);
    }

    private static String check(String outcome) {
        if (!WORDS.contains(outcome)) {
            throw new IllegalArgumentException("a result is one of " + String.join(", ", WORDS) + ", not `"
                    + outcome + "`");
        }
        return outcome;
    }

    private static List<String> words() {
        List<String> out = new ArrayList<>();
        for (BuildResult r : BuildResult.values()) {
            if (r.isReportedByBuild()) {
                out.add(r.name());
            }
        }
        out.add(HOLD);
        out.add(NONE);
        return List.copyOf(out);
    }
}
