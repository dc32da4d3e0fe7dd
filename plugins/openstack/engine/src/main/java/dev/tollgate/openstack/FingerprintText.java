package dev.tollgate.openstack;

import dev.tollgate.cloud.port.Fingerprint;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fingerprint as one line of text, for resources that have a description but no metadata (Neutron
 * floating IPs): {@code tollgate controller=...;cloud=...;template=...;agent=...;created-at=...},
 * values URL-encoded. Neutron descriptions hold 255 characters; a fingerprint that does not fit is
 * refused at creation rather than stored cut (a cut one would never be found again).
 */
final class FingerprintText {
    static final String PREFIX = "tollgate ";
    static final int MAX = 255;

    private FingerprintText() {
    }

    static String encode(Fingerprint fp) {
        StringBuilder b = new StringBuilder(PREFIX);
        fp.toTags().forEach((k, v) -> {
            if (b.length() > PREFIX.length()) {
                b.append(';');
            }
            b.append(k.substring("tollgate:".length())).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return b.toString();
    }

    /** The fingerprint, or null when the text is not one of ours or not whole. */
    static Fingerprint decode(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return null;
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : text.substring(PREFIX.length()).split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                try {
                    tags.put("tollgate:" + part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return Fingerprint.fromTags(tags);
    }
}
