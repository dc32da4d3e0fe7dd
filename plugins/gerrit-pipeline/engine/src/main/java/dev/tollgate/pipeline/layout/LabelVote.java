package dev.tollgate.pipeline.layout;

/** A Gerrit label and the vote to give, e.g. {@code Verified = 1}. {@code name} is the Gerrit label name. */
public record LabelVote(@Schema.Required String name, @Schema.Required int value) {
}
