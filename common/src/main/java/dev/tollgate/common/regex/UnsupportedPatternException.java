package dev.tollgate.common.regex;

/** A pattern that is invalid or uses syntax the linear-time engine does not accept. */
public final class UnsupportedPatternException extends IllegalArgumentException {
    public UnsupportedPatternException(String message) {
        super(message);
    }
}
