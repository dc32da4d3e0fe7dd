package dev.tollgate.pipeline.layout;

/** One configuration problem, printed as {@code FILE:LINE: key: message}. */
public record ConfigError(String file, int line, String key, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message;
    }
}
