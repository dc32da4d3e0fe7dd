package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;

/** A Gerrit label and the vote to give, e.g. {@code Verified = 1}. {@code name} is the Gerrit label name. */
public record LabelVote(@Schema.Required String name, @Schema.Required int value) {
}
