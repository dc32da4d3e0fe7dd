package dev.tollgate.cloud.config;

import java.util.List;

/**
 * One problem of a cloud's configuration, at the key it concerns, so that {@code tollgate validate}
 * names the line and the web form the field. Every cloud plugin's records report with it. Immutable.
 *
 * @param record      the record the key belongs to (the cloud, one of its templates, or a record
 *                    nested in one)
 * @param keyOfRecord the key that record stands under ({@code templates}, {@code image}, ...; the
 *                    section's symbol for the cloud itself)
 * @param key         the key
 * @param message     what is wrong, without the key
 */
public record CloudProblem(Record record, String keyOfRecord, String key, String message) {
    /** The problem in one line of an exception's message: {@code template 'x' key: message}. */
    public String describe() {
        String where = record instanceof CloudTemplateSpec t ? "template '" + t.name() + "' " : "";
        return where + key + ": " + message;
    }

    /** Refuses a cloud's configuration with problems: an IllegalArgumentException that names each. */
    public static void refuse(String cloudName, List<CloudProblem> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cloud '" + cloudName + "': " + String.join("; ",
                    problems.stream().map(CloudProblem::describe).toList()));
        }
    }

    @Override
    public String toString() {
        return key + ": " + message;
    }
}
