package dev.tollgate.ec2.config;

import dev.tollgate.common.config.Schema;

/**
 * One EC2 tag: on the instances a template starts ({@code tags}), or one an image must carry to be
 * selected ({@code image.tagFilters}). A list of these rather than a map, so that JCasC, the web
 * form and {@code tollgate validate} read it the same way.
 */
public record Ec2TagSpec(@Schema.Required String key, @Schema.Required String value) {
}
