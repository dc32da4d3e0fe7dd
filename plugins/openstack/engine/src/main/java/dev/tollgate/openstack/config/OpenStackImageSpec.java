package dev.tollgate.openstack.config;

import java.util.List;

/**
 * Which Glance image a template boots (the engine's {@code ImageSelector}): exactly one of a fixed
 * {@code id}, a {@code name} (the newest active image of that name, so an image can be uploaded again
 * under its name without touching the configuration), or a rule: among active images whose name
 * matches {@code nameRegex} and that carry every one of {@code properties}, the newest or the oldest
 * (Buildbot's image callable, as data).
 *
 * @param id         an image UUID; when given, nothing else is used and no lookup is made
 * @param name       an image name
 * @param nameRegex  RE2 syntax, found anywhere in the image's name
 * @param properties properties the image must carry, exact values ({@code os_distro}, {@code architecture},
 *                   {@code visibility}, or custom ones)
 * @param order      with a rule: {@code NEWEST} (default) or {@code OLDEST} by creation time
 */
public record OpenStackImageSpec(String id, String name, String nameRegex, List<OpenStackPropertySpec> properties,
                                 String order) {
    public OpenStackImageSpec {
        properties = properties == null ? List.of() : List.copyOf(properties);
    }

    /** True when the image is chosen by a rule (a regex and/or properties). */
    public boolean isRule() {
        return nameRegex != null || !properties.isEmpty();
    }

    @Override
    public String toString() {
        if (id != null) {
            return id;
        }
        if (name != null) {
            return "'" + name + "'";
        }
        return (order == null ? "newest" : order.toLowerCase(java.util.Locale.ROOT)) + " matching '" + (nameRegex == null ? "" : nameRegex) + "'"
                + (properties.isEmpty() ? "" : " with " + properties);
    }
}
