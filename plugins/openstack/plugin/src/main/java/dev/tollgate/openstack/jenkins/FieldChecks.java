package dev.tollgate.openstack.jenkins;

import static dev.tollgate.cloud.jenkins.RecordChecks.with;

import dev.tollgate.cloud.jenkins.RecordChecks;
import dev.tollgate.cloud.jenkins.RecordChecks.FieldException;
import dev.tollgate.openstack.config.OpenStackCloudSpec;
import dev.tollgate.openstack.config.OpenStackImageSpec;
import dev.tollgate.openstack.config.OpenStackPropertySpec;
import dev.tollgate.openstack.config.OpenStackTemplateSpec;
import hudson.Util;
import hudson.util.FormValidation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The form's field checks, made by the engine ({@link RecordChecks}): the value is put into a
 * configuration that is valid everywhere else, and whatever {@link OpenStackCloudSpec#problems()} then
 * finds is that value's fault. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    /** A valid template (an image by name, one network), a valid cloud signing in with a password. */
    static final OpenStackImageSpec IMAGE = new OpenStackImageSpec(null, "debian-12", null, List.of(), null);
    static final OpenStackTemplateSpec TEMPLATE = new OpenStackTemplateSpec("t", "openstack", 1, null, 0, 1200, 0, null,
            "m1.small", IMAGE, List.of("agents"), List.of(), null, null, false, null, List.of(), null, null,
            "/home/jenkins/agent");
    static final OpenStackCloudSpec CLOUD = new OpenStackCloudSpec("c", "https://keystone.example.org:5000/v3",
            OpenStackCloudSpec.PASSWORD, "openstack", null, "ci", null, null, "public", List.of(TEMPLATE), null, 4, "2",
            20, 10, 60, 300, 300, 120, 300, 120, 1, 5, 300, 60);

    static OpenStackCloudSpec cloudWith(OpenStackTemplateSpec t) throws FieldException {
        return with(CLOUD, "templates", List.of(t));
    }

    static FormValidation cloud(String key, String value) {
        return check(() -> with(CLOUD, key, value), null);
    }

    /**
     * A key of the sign-in, checked with the form's other sign-in keys (a password needs a project, an
     * application credential takes none); only problems at {@code key} count.
     */
    static FormValidation signIn(String key, String authentication, String project, String userDomain,
                                 String projectDomain) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("authentication", Util.fixEmptyAndTrim(authentication) == null ? OpenStackCloudSpec.PASSWORD : authentication);
        values.put("project", project);
        values.put("userDomain", userDomain);
        values.put("projectDomain", projectDomain);
        return check(() -> with(CLOUD, values), key);
    }

    static FormValidation template(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, key, value)), null);
    }

    /** A floating IP pool with the form's networks: the floating IP's port is made on the first. */
    static FormValidation floatingIpPool(String pool, List<String> networks) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("floatingIpPool", pool);
        values.put("networks", networks);
        return check(() -> cloudWith(with(TEMPLATE, values)), "floatingIpPool");
    }

    /**
     * One way of choosing the image, alone in an otherwise empty image: a blank field is fine (another
     * way may be used); whether exactly one is given is checked when the cloud is saved.
     */
    static FormValidation image(String key, String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok();
        }
        OpenStackImageSpec empty = new OpenStackImageSpec(null, null, null, List.of(), null);
        return check(() -> cloudWith(with(TEMPLATE, "image", with(empty, key, value))), key);
    }

    static FormValidation metadata(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "metadata", List.of(with(new OpenStackPropertySpec("purpose", "ci"),
                key, value)))), key);
    }

    private interface Build {
        OpenStackCloudSpec get() throws FieldException;
    }

    private static FormValidation check(Build b, String onlyKey) {
        return RecordChecks.check(() -> b.get().problems(), onlyKey);
    }
}
