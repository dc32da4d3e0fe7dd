package dev.tollgate.recycle;

import java.time.Duration;

/** Human texts: offline causes and event messages are read by people on the node page. */
final class Texts {
    static final String PREFIX = "Tollgate: ";
    private static final int MAX_OUTPUT = 400;

    private Texts() {
    }

    /** 15 min, 90 s → 1 min 30 s, 1 h 30 min. Seconds are dropped once hours are shown. */
    static String human(Duration d) {
        long s = d.getSeconds();
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append(" h");
        }
        if (m > 0) {
            b.append(b.length() > 0 ? " " : "").append(m).append(" min");
        }
        if (sec > 0 && h == 0) {
            b.append(b.length() > 0 ? " " : "").append(sec).append(" s");
        }
        return b.length() == 0 ? "0 s" : b.toString();
    }

    /** Command output for a one-line cause: whitespace folded, control characters dropped, cut short. */
    static String oneLine(String output) {
        String s = output == null ? "" : output.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        if (s.isEmpty()) {
            return "(no output)";
        }
        return s.length() <= MAX_OUTPUT ? s : s.substring(0, MAX_OUTPUT) + "…";
    }
}
