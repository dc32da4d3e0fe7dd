package dev.tollgate.lxd.config;

/**
 * One problem of an LXD cloud's configuration, at the key it concerns, so that {@code tollgate
 * validate} names the line and the web form the field.
 *
 * @param record      the record of the configuration the key belongs to
 * @param keyOfRecord the key that record stands under ({@code templates}, {@code devices}, ...; the
 *                    section's symbol for the cloud itself)
 * @param key         the key
 * @param message     what is wrong, without the key
 */
public record LxdProblem(Record record, String keyOfRecord, String key, String message) {
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
