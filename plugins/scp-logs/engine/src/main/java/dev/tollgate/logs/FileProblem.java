package dev.tollgate.logs;

/** A file that was skipped, rejected or failed to upload, and why. */
public record FileProblem(String path, String reason) {
    @Override
    public String toString() {
        return RemoteNames.printable(path) + ": " + RemoteNames.printable(reason);
    }
}
