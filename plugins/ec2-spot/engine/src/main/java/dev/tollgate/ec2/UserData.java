package dev.tollgate.ec2;

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
    private UserData() {}

    /** The base64 EC2 expects, or null when the template has no user data. */
    static String render(String template, LaunchSpec spec) throws CloudException {
        String filled = UserDataTemplate.fill(template, spec);
        if (filled == null) {
            return null;
        }
        byte[] bytes = filled.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Ec2Options.MAX_USER_DATA_BYTES) {
            throw new CloudException(CloudException.Kind.PERMANENT, "UserDataTooLarge",
                    "user data of template '" + spec.templateName() + "' is " + bytes.length
                            + " bytes once filled in; EC2 allows " + Ec2Options.MAX_USER_DATA_BYTES);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }
}
