package dev.tollgate.pipeline.event;

import java.util.Optional;

/**
 * What a queue item is about, as Zuul v2's Changeish: a patchset of a change, which is reviewed and
 * retired by newer patchsets, or an update of a ref, which is built and never reviewed. Equal values
 * are the same item in a pipeline.
 */
public sealed interface ChangeRef permits ChangeRef.Patchset, ChangeRef.Ref {
    /** The Gerrit project, e.g. {@code openstack/neutron}. */
    String project();

    /** One patchset of a change. Written {@code change,patchset}, as Zuul writes it. */
    record Patchset(String project, int change, int patchset) implements ChangeRef {
        @Override
        public String toString() {
            return change + "," + patchset;
        }
    }

    /** A ref (e.g. {@code refs/tags/1.0}) updated to a revision. Written {@code ref newRev}. */
    record Ref(String project, String ref, String newRev) implements ChangeRef {
        @Override
        public String toString() {
            return ref + " " + newRev;
        }
    }

    /**
     * What the event is about: its change's patchset, or its ref update. Empty for a change event
     * that names no patchset (change-abandoned may not) and for an event with neither.
     */
    static Optional<ChangeRef> of(GerritEvent e) {
        if (e.change() != null) {
            return e.patchSet() == null ? Optional.empty()
                    : Optional.of(new Patchset(e.change().project(), e.change().number(), e.patchSet().number()));
        }
        RefUpdate r = e.refUpdate();
        return r == null ? Optional.empty() : Optional.of(new Ref(r.project(), r.refName(), r.newRev()));
    }
}
