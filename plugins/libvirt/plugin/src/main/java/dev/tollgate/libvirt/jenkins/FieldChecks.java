package dev.tollgate.libvirt.jenkins;

import dev.tollgate.cloud.jenkins.RecordChecks;
import dev.tollgate.cloud.jenkins.RecordChecks.FieldException;
import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import dev.tollgate.libvirt.config.LibvirtTemplateSpec;
import hudson.util.FormValidation;
import java.util.List;

/**
 * The form's field checks, made by the engine: the value is put into a configuration that is valid
 * everywhere else, and whatever {@link LibvirtCloudSpec#problems()} then finds at that key is the
 * value's fault. So the web form and {@code tollgate validate} apply one set of rules. Stateless.
 */
final class FieldChecks {
    private FieldChecks() {
    }

    static final String SAMPLE_XML = "<domain type='kvm'><name>{{name}}</name><memory unit='MiB'>{{memoryMib}}</memory>"
            + "<vcpu>{{vcpus}}</vcpu><os><type>hvm</type></os><devices><disk type='file' device='disk'>"
            + "<source file='{{disk}}'/><target dev='vda'/></disk></devices></domain>";
    /** A valid template: a new transient domain per agent on an overlay of a base image. */
    static final LibvirtTemplateSpec TEMPLATE = new LibvirtTemplateSpec("t", "linux", 1, null, 600, 1200, 0, null,
            SAMPLE_XML, List.of(), "/var/lib/libvirt/images/base.qcow2", "default", null, 1024, 1, "default", false, true);

    static LibvirtCloudSpec cloudWith(LibvirtTemplateSpec t) {
        return new LibvirtCloudSpec("c", "qemu:///system", List.of(t), 120, null, "2", 20, 300, 120, 300, 120, 1, 5, 300, 60);
    }

    static FormValidation cloud(String key, String value) {
        return check(key, () -> with(cloudWith(TEMPLATE), key, value));
    }

    /** A template key whose rules do not depend on the template's mode. */
    static FormValidation template(String key, String value) {
        return check(key, () -> cloudWith(with(TEMPLATE, key, value)));
    }

    /**
     * A template key whose rules depend on the template's mode: the value with the form's other fields
     * that decide it (domain XML, reused domains, base image), each blank one left out.
     */
    static FormValidation template(String key, String value, String domainXml, String existingDomains, String baseImage) {
        return check(key, () -> {
            LibvirtTemplateSpec t = with(TEMPLATE, "domainXml", domainXml);
            t = with(t, "existingDomains", existingDomains);
            t = with(t, "baseImage", baseImage);
            return cloudWith(with(t, key, value));
        });
    }

    /** The domain XML keeps its own whitespace; every other text is trimmed. */
    private static <R extends Record> R with(R base, String key, String value) throws FieldException {
        return RecordChecks.with(base, key, key.equals("domainXml") ? new RecordChecks.Verbatim(value) : value);
    }

    private interface Build {
        LibvirtCloudSpec get() throws FieldException;
    }

    private static FormValidation check(String key, Build b) {
        return RecordChecks.check(() -> b.get().problems(), key);
    }
}
