package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.event.RefUpdate;
import java.util.List;
import java.util.Locale;

/** Events for tests, built through the model's public factories (as the Jenkins plugin will). */
final class Events {
    static final Account ALICE = new Account("alice", "alice@example.org", "Alice Dev");
    static final Account BOB = new Account("bob", "bob@example.org", "Bob Reviewer");

    private Events() {}

    static Change change(String project, String branch, int number) {
        return new Change(project, branch, number, "I" + number, "https://review.example.org/c/" + number,
                "Subject " + number, ALICE, "NEW", null, null);
    }

    static PatchSet ps(int change, int n) {
        return new PatchSet(n, "rev" + change + "x" + n, String.format(Locale.ROOT, "refs/changes/%02d/%d/%d", change % 100, change, n),
                ALICE, ALICE);
    }

    static GerritEvent created(String project, int change, int patchset) {
        return GerritEvent.ofChange(EventType.PATCHSET_CREATED, change(project, "master", change), ps(change, patchset),
                ALICE, null, List.of(), 1763700000L);
    }

    static GerritEvent comment(String project, int change, int patchset, String comment, Approval... approvals) {
        return GerritEvent.ofChange(EventType.COMMENT_ADDED, change(project, "master", change), ps(change, patchset),
                BOB, comment, List.of(approvals), 1763700000L);
    }

    static GerritEvent of(EventType type, String project, int change, int patchset) {
        return GerritEvent.ofChange(type, change(project, "master", change), ps(change, patchset), ALICE, null,
                List.of(), 1763700000L);
    }

    static GerritEvent refUpdated(String project, String ref, String newRev) {
        return GerritEvent.ofRefUpdate(new RefUpdate(project, ref, "0123", newRev), ALICE, 1763700000L);
    }
}
