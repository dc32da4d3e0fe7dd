package dev.tollgate.lxd.jenkins;

import static dev.tollgate.cloud.jenkins.RecordChecks.with;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.cloud.jenkins.RecordChecks;
import dev.tollgate.cloud.jenkins.RecordChecks.FieldException;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.lxd.config.LxdConfigSpec;
import dev.tollgate.lxd.config.LxdDeviceSpec;
import dev.tollgate.lxd.config.LxdImageRemoteSpec;
import dev.tollgate.lxd.config.LxdTemplateSpec;
import hudson.util.FormValidation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The form's field checks, made by the engine ({@link RecordChecks}): the value is put into a
 * configuration that is valid everywhere else, and whatever {@link LxdCloudSpec#problems()} then finds
 * is that value's fault. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    /** A valid template (exec start, the daemon's own image), a valid local cloud. */
    static final LxdTemplateSpec TEMPLATE = new LxdTemplateSpec("t", "lxd", 1, null, 0, 600, 0, null, "debian-12", null,
            "container", List.of(), List.of(), List.of(), true, List.of("/bin/agent"), 0, null, null, "/home/jenkins/agent");
    static final LxdImageRemoteSpec REMOTE = new LxdImageRemoteSpec("images", "https://images.linuxcontainers.org",
            "simplestreams");
    static final LxdCloudSpec CLOUD = new LxdCloudSpec("c", "/var/lib/lxd/unix.socket", null, null, null, null,
            List.of(REMOTE), List.of(TEMPLATE), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);

    static LxdCloudSpec cloudWith(LxdTemplateSpec t) throws FieldException {
        return with(CLOUD, "templates", List.of(t));
    }

    static FormValidation cloud(String key, String value) {
        return check(() -> with(CLOUD, key, value), null);
    }

    /**
     * A key of the daemon's endpoint, checked with the other endpoint keys of the form (a socket and a
     * URL exclude each other; credentials and pin belong to a URL); only problems at {@code key} count.
     */
    static FormValidation endpoint(String key, String socketPath, String url, String credentialsId, String pin) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("socketPath", socketPath);
        values.put("url", url);
        values.put("credentialsId", credentialsId);
        values.put("serverCertificateFingerprint", pin);
        return check(() -> with(CLOUD, values), key);
    }

    static FormValidation template(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, key, value)), null);
    }

    /** The agent's start: exactly one of the command (one argument per line) and cloud-init user data. */
    static FormValidation agentStart(String key, String agentCommand, String cloudInitUserData) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("agentCommand", FormLists.argumentLines(agentCommand));
        values.put("cloudInitUserData", cloudInitUserData);
        return check(() -> cloudWith(with(TEMPLATE, values)), key);
    }

    static FormValidation configEntry(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "config", List.of(with(new LxdConfigSpec("limits.cpu", "2"),
                key, value)))), null);
    }

    static FormValidation device(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "devices", List.of(with(new LxdDeviceSpec("cache", "disk",
                List.of()), key, value)))), null);
    }

    static FormValidation imageRemote(String key, String value) {
        return check(() -> with(CLOUD, "imageRemotes", List.of(with(REMOTE, key, value))), null);
    }

    private interface Build {
        LxdCloudSpec get() throws FieldException;
    }

    private static FormValidation check(Build b, String onlyKey) {
        return RecordChecks.check(() -> b.get().problems(), onlyKey);
    }
}
