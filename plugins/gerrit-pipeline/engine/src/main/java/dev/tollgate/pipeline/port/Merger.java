package dev.tollgate.pipeline.port;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Port: prepares what an item's builds test, as Zuul v2's merger did. For a change: its patchset
 * fetched from Gerrit and merged onto the tip of its target branch (or onto the result of the
 * changes ahead of it), published as {@link MergeRequest#zuulRef()} in the merger's repositories,
 * which agents fetch from {@code ZUUL_URL}. For a ref update: the ref fetched, so agents can fetch
 * it from the same place.
 *
 * <p>The scheduler calls {@link #merge} after releasing its lock, and the implementation answers
 * once through {@code done}, from any thread, at any later time or from inside {@code merge}; the
 * answer is an event for the scheduler (it takes its lock again). An implementation never throws
 * for a change that does not merge: that is {@link MergeResult.Failed}.
 */
public interface Merger {
    void merge(MergeRequest request, Consumer<MergeResult> done);

    /** How a patchset is put onto its base: Zuul v2's {@code merge-mode} values. */
    enum Mode {
        /** {@code git merge -s resolve}: Zuul v2's default. */
        MERGE_RESOLVE("merge-resolve"),
        /** {@code git merge} (recursive). */
        MERGE("merge"),
        /** {@code git cherry-pick}: the patchset's own commit applied onto the base, no merge commit. */
        CHERRY_PICK("cherry-pick");

        private final String word;

        Mode(String word) {
            this.word = word;
        }

        /** As the layout writes it. */
        public String word() {
            return word;
        }

        /** The layout's value; null or unknown is the default, {@link #MERGE_RESOLVE} (the layout validator refuses others). */
        public static Mode of(String word) {
            for (Mode m : values()) {
                if (m.word.equals(word)) {
                    return m;
                }
            }
            return MERGE_RESOLVE;
        }
    }

    /**
     * One change (or ref update) to put in place, in queue order.
     *
     * @param project Gerrit project
     * @param branch  target branch of a change; for a ref update the branch it updates, or null
     * @param refspec the ref to fetch from Gerrit: the patchset's {@code refs/changes/NN/CHANGE/PS},
     *                or the updated ref
     * @param revision the patchset's commit (or the new revision) when the event named it, else null
     * @param mode    how a change is merged; ignored for a ref update
     * @param update  true for a ref update (fetch only, nothing merged)
     */
    record Item(String project, String branch, String refspec, String revision, Mode mode, boolean update) {
        public Item {
            Objects.requireNonNull(project, "project");
            Objects.requireNonNull(refspec, "refspec");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * What to prepare.
     *
     * @param itemUuid the queue item's uuid
     * @param zuulRef  the ref to publish the result under for a change, {@code refs/zuul/<branch>/Z<uuid>};
     *                 the updated ref itself for a ref update
     * @param items    the changes ahead of the item in its queue, oldest first, then the item itself
     *                 (last); an independent pipeline gives the item alone
     */
    record MergeRequest(String itemUuid, String zuulRef, List<Item> items) {
        public MergeRequest {
            Objects.requireNonNull(itemUuid, "itemUuid");
            Objects.requireNonNull(zuulRef, "zuulRef");
            items = List.copyOf(items);
            if (items.isEmpty()) {
                throw new IllegalArgumentException("a merge request has at least one item");
            }
        }

        /** The item the request is for (the last one). */
        public Item item() {
            return items.get(items.size() - 1);
        }
    }

    /** The answer to one request. */
    sealed interface MergeResult permits MergeResult.Merged, MergeResult.Failed {
        /** Ready: {@code ref} (in the merger's repository of the project) points at {@code commit}. */
        record Merged(String ref, String commit) implements MergeResult {
            public Merged {
                Objects.requireNonNull(ref, "ref");
                Objects.requireNonNull(commit, "commit");
            }
        }

        /** Did not merge (a conflict, a missing branch or patchset, Gerrit unreachable); {@code why} is logged. */
        record Failed(String why) implements MergeResult { }
    }
}
