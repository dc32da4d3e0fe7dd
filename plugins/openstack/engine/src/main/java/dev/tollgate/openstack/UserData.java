package dev.tollgate.openstack;

import dev.tollgate.cloud.UserDataTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A template's user data for one launch: filled by cloud-core's {@link UserDataTemplate}, then
 * base64-encoded within this cloud's size limit. Stateless.
 */
final class UserData {
    private UserData() {
    }

    /** The base64 text Nova expects, or null when the template has no user data. */
    static String render(String template, LaunchSpec spec) throws CloudException {
        String filled = UserDataTemplate.fill(template, spec);
        if (filled == null) {
            return null;
        }
        String b64 = Base64.getEncoder().encodeToString(filled.getBytes(StandardCharsets.UTF_8));
        if (b64.length() > OpenStackOptions.MAX_USER_DATA_BASE64) {
            throw new CloudException(CloudException.Kind.PERMANENT, "UserDataTooLarge",
                    "user data of template '" + spec.templateName() + "' is " + b64.length()
                            + " bytes of base64 once filled in; Nova allows " + OpenStackOptions.MAX_USER_DATA_BASE64);
        }
        return b64;
    }
}
