package dev.tollgate.gearman;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON a Gearman job carries and the JSON the worker answers with. Malformed input is an
 * {@link IllegalArgumentException} whose message says what is wrong (it is sent back to the client,
 * cut to a packet's measure by {@link Faults#forPeer}). Stateless and thread-safe.
 */
final class JobArguments {
    static final ObjectMapper JSON = new ObjectMapper();

    private JobArguments() {}

    /**
     * The job arguments: empty, or a JSON object whose values are passed to the build as strings
     * (numbers and booleans as their JSON text, null as empty).
     */
    static Map<String, String> parameters(byte[] data) {
        Map<String, String> params = new LinkedHashMap<>();
        if (data.length == 0) {
            return params;
        }
        JsonNode root = object(data);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (v.isContainerNode()) {
                throw new IllegalArgumentException("parameter " + f.getKey() + " is not a string");
            }
            params.put(f.getKey(), v.isNull() ? "" : v.asText());
        }
        return params;
    }

    /** The data as a JSON object; empty data is an empty object. */
    static JsonNode object(byte[] data) {
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + root.getNodeType());
        }
        return root;
    }

    /** {@code 1} or {@code true} in any case, as the gearman-plugin read its flags. */
    static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    /** A field's text; null when absent, null or not a scalar. */
    static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** A build number given as a JSON number or as a string holding one; null when absent. */
    static Integer number(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("build number '" + v.asText() + "' is not a number");
            }
        }
        throw new IllegalArgumentException("build number must be a number");
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
