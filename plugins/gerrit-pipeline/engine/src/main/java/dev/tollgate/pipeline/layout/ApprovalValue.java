package dev.tollgate.pipeline.layout;

/** A vote an event must carry: category normalised (lower case, spaces to dashes), e.g. code-review=2. */
public record ApprovalValue(String category, int value) {
}
