package dev.tollgate.openstack;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Glance image a template boots. Exactly one of:
 * <ul>
 * <li>{@code id}: a fixed image; no lookup;</li>
 * <li>{@code name}: the active image of that name, looked up when the cache expires, so an image can
 *     be replaced (a new upload under the same name) without changing the configuration; the newest
 *     wins when several share the name;</li>
 * <li>a rule (Buildbot's image callable, as data): among active images whose name matches
 *     {@code nameRegex} (RE2 syntax, found anywhere in the name) and that carry every property in
 *     {@code properties} with that exact value, the newest or the oldest by creation time.</li>
 * </ul>
 */
public record ImageSelector(String id, String name, String nameRegex, Map<String, String> properties, Order order) {
    public enum Order { NEWEST, OLDEST }

    public ImageSelector {
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        order = order == null ? Order.NEWEST : order;
    }

    public static ImageSelector byId(String id) {
        return new ImageSelector(id, null, null, Map.of(), null);
    }

    public static ImageSelector byName(String name) {
        return new ImageSelector(null, name, null, Map.of(), null);
    }

    /** The newest (or oldest) image whose name matches and which has the given properties. */
    public static ImageSelector rule(String nameRegex, Map<String, String> properties, Order order) {
        return new ImageSelector(null, null, nameRegex, properties, order);
    }

    public boolean isFixed() {
        return id != null;
    }

    SafePattern compiled() {
        return nameRegex == null ? null : SafePattern.compile(nameRegex);
    }

    List<String> problems(String where) {
        List<String> p = new ArrayList<>();
        int given = (id != null ? 1 : 0) + (name != null ? 1 : 0) + (nameRegex != null || !properties.isEmpty() ? 1 : 0);
        if (given != 1) {
            p.add(where + " needs exactly one of an id, a name, or a rule (name regex and/or properties)");
        }
        if (id != null && !id.matches("[0-9a-fA-F-]{36}")) {
            p.add(where + ".id must be an image UUID, got " + id);
        }
        if (name != null && name.isBlank()) {
            p.add(where + ".name must not be blank");
        }
        if (nameRegex != null) {
            try {
                SafePattern.compile(nameRegex);
            } catch (UnsupportedPatternException e) {
                p.add(where + ".nameRegex: " + e.getMessage());
            }
        }
        properties.forEach((k, v) -> {
            if (k == null || k.isBlank() || v == null) {
                p.add(where + ".properties: keys and values must be given, got " + k + "=" + v);
            }
        });
        return p;
    }

    @Override
    public String toString() {
        if (id != null) {
            return "image " + id;
        }
        if (name != null) {
            return "image named '" + name + "'";
        }
        return order.name().toLowerCase() + " image matching '" + nameRegex + "' " + properties;
    }
}
