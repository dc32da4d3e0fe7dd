package dev.tollgate.ec2.jenkins;

import static dev.tollgate.cloud.jenkins.RecordChecks.with;

import dev.tollgate.cloud.jenkins.RecordChecks;
import dev.tollgate.cloud.jenkins.RecordChecks.FieldException;
import dev.tollgate.ec2.config.Ec2BlockDeviceSpec;
import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.ec2.config.Ec2ImageSpec;
import dev.tollgate.ec2.config.Ec2SpotSpec;
import dev.tollgate.ec2.config.Ec2TagSpec;
import dev.tollgate.ec2.config.Ec2TemplateSpec;
import dev.tollgate.ec2.config.Ec2VolumeSpec;
import hudson.util.FormValidation;
import java.util.List;

/**
 * The form's field checks, made by the engine ({@link RecordChecks}): the value is put into a
 * configuration that is valid everywhere else, and whatever {@link Ec2CloudSpec#problems()} then finds
 * is that value's fault. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    /** A valid image selector (owners only), a valid bid, a valid template, a valid cloud. */
    static final Ec2ImageSpec IMAGE = new Ec2ImageSpec(null, List.of("self"), null, null, List.of(), null);
    static final Ec2SpotSpec SPOT = new Ec2SpotSpec("0.10", null, null, "Linux/UNIX", false);
    static final Ec2TemplateSpec TEMPLATE = new Ec2TemplateSpec("t", "linux", 1, null, 600, 1200, 0, null, "m5.large",
            IMAGE, List.of(), null, List.of(), null, null, null, List.of(), List.of(), null, List.of(), null, null);

    static Ec2CloudSpec cloudWith(Ec2TemplateSpec t) {
        return new Ec2CloudSpec("c", "us-west-2", null, null, List.of(t), null, "2", 20, 300, 120, 300, 60, 120, 1, 5,
                300, 60, 120, 600, 300, false, 24);
    }

    static FormValidation cloud(String key, String value) {
        return check(() -> with(cloudWith(TEMPLATE), key, value));
    }

    static FormValidation template(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, key, value)));
    }

    static FormValidation image(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "image", with(IMAGE, key, value))));
    }

    static FormValidation spot(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "spot", with(SPOT, key, value))));
    }

    static FormValidation instanceTag(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "tags", List.of(with(new Ec2TagSpec("team", "ci"), key, value)))));
    }

    static FormValidation blockDevice(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "blockDevices",
                List.of(with(new Ec2BlockDeviceSpec("/dev/xvda", 40, "gp3", null, true, false), key, value)))));
    }

    static FormValidation volume(String key, String value) {
        return check(() -> cloudWith(with(TEMPLATE, "attachVolumes",
                List.of(with(new Ec2VolumeSpec("vol-0", "/dev/sdf"), key, value)))));
    }

    private interface Build {
        Ec2CloudSpec get() throws FieldException;
    }

    private static FormValidation check(Build b) {
        return RecordChecks.check(() -> b.get().problems(), null);
    }
}
