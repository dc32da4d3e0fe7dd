package dev.tollgate.pipeline.event;

/**
 * One label vote carried by an event (comment-added). Gerrit sends {@code value} as a string
 * ("1", "-1") in most versions; the parser turns it into an int.
 *
 * @param type        label name, e.g. {@code Code-Review}
 * @param description label description as Gerrit sends it (usually the label name again)
 * @param value       the vote
 * @param oldValue    the previous vote, or null when Gerrit did not send one
 */
public record Approval(String type, String description, int value, Integer oldValue) {
}
