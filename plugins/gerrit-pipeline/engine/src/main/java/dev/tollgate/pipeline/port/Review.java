package dev.tollgate.pipeline.port;

import java.util.Map;
import java.util.Objects;

/**
 * One review to post on a Gerrit patchset: the votes and the message of one reporter action.
 *
 * @param project  Gerrit project, e.g. {@code openstack/neutron}
 * @param change   change number
 * @param patchset patchset number
 * @param revision the patchset's commit id (may be null; then the change/patchset pair is used)
 * @param labels   label name to vote, e.g. {@code Verified -> 1}; may be empty
 * @param message  the review message
 * @param key      unique id of this reporter action (item uuid + action); a poster uses it to make
 *                 sure the same review is never posted twice, across retries
 */
public record Review(String project, int change, int patchset, String revision,
                     Map<String, Integer> labels, String message, String key) {
    public Review {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(key, "key");
        labels = Map.copyOf(labels);
        message = message == null ? "" : message;
    }
}
