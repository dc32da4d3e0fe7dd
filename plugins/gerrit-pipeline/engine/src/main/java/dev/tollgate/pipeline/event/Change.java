package dev.tollgate.pipeline.event;

/**
 * The change attribute of an event.
 *
 * @param status NEW, MERGED, ABANDONED (may be null with old Gerrit versions)
 */
public record Change(String project, String branch, int number, String id, String url, String subject,
                     Account owner, String status, String topic, String commitMessage) {
}
