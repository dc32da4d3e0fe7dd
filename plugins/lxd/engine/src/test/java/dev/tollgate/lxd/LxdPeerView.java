package dev.tollgate.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.TreeSet;

/** What the daemon itself says (through {@code lxc}, not the driver): the ground truth for leak checks. */
final class LxdPeerView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LxdPeerView() {
    }

    /** Every instance the daemon has, as {@code lxc list --format json} gives it. */
    static JsonNode all(LxdPeer peer) throws Exception {
        return JSON.readTree(peer.lxc("list", "--format", "json"));
    }

    /** Names of the instances (running or not: each holds disk) with this controller's fingerprint. */
    static Set<String> instancesOf(LxdPeer peer, String controllerId) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode i : all(peer)) {
            if (controllerId.equals(i.path("config").path("user.tollgate.controller").asText(null))) {
                out.add(i.path("name").asText());
            }
        }
        return out;
    }
}
