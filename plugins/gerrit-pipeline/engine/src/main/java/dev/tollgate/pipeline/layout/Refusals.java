package dev.tollgate.pipeline.layout;

import dev.tollgate.pipeline.event.EventType;
import java.util.List;

/**
 * What both readers (the Zuul layout and the JCasC form) refuse because it could never work or
 * would silently not do what it says, in one wording; some of it Zuul 2.5 accepted. Stateless.
 */
final class Refusals {
    /** Zuul's EventFilter has no type filter for an empty list: every event would match. */
    static final String EMPTY_EVENTS = "an empty list (Zuul 2.5 would take it as every event type): name the events";
    /** Zuul's Job.copy never copies attempts from a regex entry: refused rather than ignored. */
    static final String ATTEMPTS_ON_REGEX = "only a job's own entry sets attempts (Zuul 2.5 ignores it on a regex "
            + "entry)";
    /** Zuul's MatchAll of nothing matches every change. */
    static final String EMPTY_SKIP_IF = "a condition without project, branch or all-files-match-any matches every "
            + "change, so the job would never run (Zuul 2.5 skips it always)";

    private Refusals() {}

    /** The first change event of a trigger (one that has no ref), or null. */
    static EventType firstChangeEvent(List<EventType> events) {
        return events.stream().filter(t -> t != EventType.REF_UPDATED).findFirst().orElse(null);
    }

    /** Change events carry no ref: Zuul's validate_conf refuses a ref filter on them too. */
    static String refOnChangeEvent(EventType event, String branchKey) {
        return "the event `" + event.wireName() + "` carries no ref, so this filter could never match it "
                + "(Zuul 2.5 refuses it too): filter change events with `" + branchKey + "`";
    }

    /** ref-updated carries no branch (Zuul raised on every such event). */
    static String branchOnRefUpdated(String refKey) {
        return "ref-updated events carry no branch, so this filter could never match them: filter them with `"
                + refKey + "`";
    }

    /** Which of two entries applies would depend on their order: Zuul refuses it. */
    static String duplicateJob(String name, int firstLine) {
        return "duplicate job `" + name + "` (first on line " + firstLine + "): Zuul 2.5 refuses it too";
    }
}
