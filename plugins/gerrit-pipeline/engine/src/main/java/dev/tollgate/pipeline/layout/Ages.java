package dev.tollgate.pipeline.layout;

import java.time.Duration;
import java.util.Locale;

/** Zuul's approval ages: a number with s, m, h, d or w (e.g. 48h); a bare number is seconds. */
public final class Ages {
    /** About a hundred years: an approval older than that is no approval filter anyone means. */
    static final long MAX_SECONDS = 100L * 366 * 86_400;

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
        long unitSeconds = switch (Character.isDigit(unit) ? 's' : unit) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3_600;
            case 'd' -> 86_400;
            case 'w' -> 7 * 86_400;
            default -> -1;
        };
        if (unitSeconds < 0 || n > MAX_SECONDS / unitSeconds) {
            return null; // not an age, or one so long that "now minus it" would leave the calendar
        }
        return Duration.ofSeconds(n * unitSeconds);
    }
}
