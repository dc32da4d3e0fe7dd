package dev.tollgate.pipeline.layout;

import java.time.Duration;
import java.util.Locale;

/** Zuul's approval ages: a number with s, m, h, d or w (e.g. 48h); a bare number is seconds. */
public final class Ages {
    private Ages() {}

    /** The duration, or null when the text is not an age. */
    public static Duration parse(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return null;
        }
        char unit = t.charAt(t.length() - 1);
        String digits = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
        if (n < 0) {
            return null;
        }
        return switch (Character.isDigit(unit) ? 's' : unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> null;
        };
    }
}
