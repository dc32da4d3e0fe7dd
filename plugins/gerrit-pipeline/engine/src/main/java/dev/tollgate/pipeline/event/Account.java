package dev.tollgate.pipeline.event;

/** A Gerrit account as stream-events carries it; every field may be null. */
public record Account(String username, String email, String name) {
    /** {@code "Name" <email>}, the Gerrit Trigger plugin's format for *_OWNER and similar parameters. */
    public String nameAndEmail() {
        if (name == null && email == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (name != null) {
            sb.append('"').append(name).append('"');
        }
        if (email != null) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append('<').append(email).append('>');
        }
        return sb.toString();
    }
}
