package dev.tollgate.pipeline.layout;

/**
 * One configuration problem, printed as {@code FILE:LINE: key: message}; a configuration that has no
 * lines (built in code) has line 0 and prints {@code SOURCE: key: message}.
 */
public record ConfigError(String file, int line, String key, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message;
    }
}
