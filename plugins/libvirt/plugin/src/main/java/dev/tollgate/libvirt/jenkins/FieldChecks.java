package dev.tollgate.libvirt.jenkins;

import dev.tollgate.cloud.jenkins.AgentNames;
import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.libvirt.config.LibvirtTemplateSpec;
import hudson.util.FormValidation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

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

    /** The name pattern, with the names it gives when it is good (cloud-core's check, the engine's rules). */
    static FormValidation namePattern(String cloudName, String templateName, String value) {
        return AgentNames.checkNamePattern(cloudName, templateName, value);
    }

    // ------------------------------------------------------------------ helpers

    private interface Build {
        LibvirtCloudSpec get() throws FieldException;
    }

    /** A value that cannot even be read (a number that is not one). */
    private static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;

        FieldException(String message) {
            super(message);
        }
    }

    private static FormValidation check(String key, Build b) {
        try {
            List<CloudProblem> p = b.get().problems().stream().filter(x -> x.key().equals(key)).toList();
            if (p.isEmpty()) {
                return FormValidation.ok();
            }
            return FormValidation.error(p.stream().map(CloudProblem::message).distinct().collect(Collectors.joining("; ")));
        } catch (FieldException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** {@code base} with one component replaced by the form's text, read as the component's type. */
    private static <R extends Record> R with(R base, String key, String value) throws FieldException {
        RecordComponent[] cs = base.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        boolean found = false;
        for (int i = 0; i < cs.length; i++) {
            try {
                args[i] = cs[i].getAccessor().invoke(base);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (cs[i].getName().equals(key)) {
                args[i] = read(cs[i], value);
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException(base.getClass().getSimpleName() + " has no key " + key);
        }
        try {
            Constructor<?> c = base.getClass().getDeclaredConstructor(
                    Arrays.stream(cs).map(RecordComponent::getType).toArray(Class<?>[]::new));
            @SuppressWarnings("unchecked")
            R r = (R) c.newInstance(args);
            return r;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object read(RecordComponent c, String text) throws FieldException {
        Class<?> t = c.getType();
        // an XML template keeps its own whitespace; everything else is trimmed
        String v = t == String.class && c.getName().equals("domainXml") ? (text == null || text.isBlank() ? null : text)
                : blankToNull(text);
        if (t == String.class) {
            return v;
        }
        if (t == int.class || t == Integer.class) {
            if (v == null) {
                if (t == Integer.class) {
                    return null;
                }
                throw new FieldException("a whole number is required");
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new FieldException("expected a whole number, got " + v);
            }
        }
        if (t == List.class && ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0] == String.class) {
            return words(v == null ? List.of() : List.of(v.split("\\s+")));
        }
        throw new IllegalArgumentException("no form check for key " + c.getName());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A list of words: each entry trimmed, blank entries left out, whitespace-separated entries split. */
    static ArrayList<String> words(List<String> in) {
        ArrayList<String> out = new ArrayList<>();
        if (in != null) {
            for (String s : in) {
                if (s != null) {
                    for (String w : s.trim().split("\\s+")) {
                        if (!w.isEmpty()) {
                            out.add(w);
                        }
                    }
                }
            }
        }
        return out;
    }
}
