package dev.tollgate.pipeline.event;

/** The patchSet attribute of an event. {@code ref} is e.g. {@code refs/changes/01/1001/2}. */
public record PatchSet(int number, String revision, String ref, Account uploader, Account author) {
}
