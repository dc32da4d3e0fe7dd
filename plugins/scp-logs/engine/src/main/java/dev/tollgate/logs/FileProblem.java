package dev.tollgate.logs;

/** A file that was skipped, rejected or failed to upload, and why. Serializable: a {@link LogSource.Listing} holds some. */
public record FileProblem(String path, String reason) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        return RemoteNames.printable(path) + ": " + RemoteNames.printable(reason);
    }
}
