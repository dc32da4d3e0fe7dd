package dev.tollgate.ec2;

/**
 * Port: explicit AWS keys, e.g. from the controller's credential store. Without one the driver uses
 * the SDK's default provider chain (environment, profile file, container / instance role), which is
 * what Buildbot's docs recommend over keys in the configuration.
 */
@FunctionalInterface
public interface Ec2Credentials {
    /** Asked on every signing, so rotated keys are picked up. */
    Keys current();

    /** Access keys; {@link #toString()} never shows the secret. */
    record Keys(String accessKeyId, String secretAccessKey, String sessionToken) {
        public Keys {
            if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
                throw new IllegalArgumentException("AWS credentials need an access key id and a secret access key");
            }
        }

        @Override
        public String toString() {
            String shown = accessKeyId.length() > 4 ? accessKeyId.substring(0, 4) + "…" : "…";
            return "Keys[accessKeyId=" + shown + ", secret=****" + (sessionToken != null ? ", session" : "") + "]";
        }
    }
}
