package dev.tollgate.libvirt.config;

/**
 * One problem of a libvirt cloud's configuration, at the key it concerns, so that {@code tollgate
 * validate} names the line and the web form the field.
 *
 * @param record      the record the key belongs to (the cloud or one of its templates)
 * @param keyOfRecord the key that record stands under: {@code templates}, or the section's symbol
 * @param key         the key
 * @param message     what is wrong, without the key
 */
public record LibvirtProblem(Record record, String keyOfRecord, String key, String message) {
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
