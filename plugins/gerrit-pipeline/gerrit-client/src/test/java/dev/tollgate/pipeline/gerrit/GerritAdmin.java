package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a test does to the real Gerrit as its admin, straight through the REST API (no proxy).
 * Public for the tests of other modules (the command-line tool's watch), through this module's test jar.
 */
public final class GerritAdmin {
    final GerritRest rest;

    public GerritAdmin(GerritPeerProcess gerrit) {
        this.rest = new GerritRest(URI.create(gerrit.httpUrl), gerrit::httpCredentials);
    }

    public JsonNode call(String method, String path, JsonNode body) throws Exception {
        GerritRest.Response r = "GET".equals(method) ? rest.get(path) : rest.post(path, body);
        if (!r.ok()) {
            throw new AssertionError(method + " " + path + " -> HTTP " + r.status() + ": " + r.body());
        }
        return r.body().isBlank() ? null : r.json();
    }

    static ObjectNode obj() {
        return GerritRest.JSON.createObjectNode();
    }

    /** A new change on openstack/neutron master; its number. */
    public int createChange(String subject) throws Exception {
        ObjectNode in = obj().put("project", "openstack/neutron").put("branch", "master").put("subject", subject);
        return call("POST", "a/changes/", in).path("_number").asInt();
    }

    public String id(int change) {
        return GerritRest.changeId("openstack/neutron", change);
    }

    public void comment(int change, String message) throws Exception {
        call("POST", "a/changes/" + id(change) + "/revisions/current/review", obj().put("message", message));
    }

    public void vote(int change, String label, int value, String message) throws Exception {
        ObjectNode in = obj().put("message", message);
        in.putObject("labels").put(label, value);
        call("POST", "a/changes/" + id(change) + "/revisions/current/review", in);
    }

    public void abandon(int change, String reason) throws Exception {
        call("POST", "a/changes/" + id(change) + "/abandon", obj().put("message", reason));
    }

    public void restore(int change) throws Exception {
        call("POST", "a/changes/" + id(change) + "/restore", obj());
    }

    /** Patchset n+1 through a change edit: write a file, publish. */
    public void newPatchSet(int change, String file, String content) throws Exception {
        String data = "data:text/plain;base64," + Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8));
        GerritRest.Response r = rest.put("a/changes/" + id(change) + "/edit/" + GerritRest.encode(file),
                obj().put("binary_content", data));
        if (!r.ok()) {
            throw new AssertionError("edit failed: " + r.status() + " " + r.body());
        }
        call("POST", "a/changes/" + id(change) + "/edit:publish", obj());
    }

    public JsonNode messages(int change) throws Exception {
        return call("GET", "a/changes/" + id(change) + "/messages", null);
    }

    public long messagesTagged(int change, String tag) throws Exception {
        long n = 0;
        for (JsonNode m : messages(change)) {
            if (tag.equals(m.path("tag").asText())) {
                n++;
            }
        }
        return n;
    }

    /** admin's current vote on a label, 0 when none. */
    public int vote(int change, String label) throws Exception {
        JsonNode c = call("GET", "a/changes/" + id(change) + "?o=DETAILED_LABELS&o=DETAILED_ACCOUNTS", null);
        for (JsonNode a : c.path("labels").path(label).path("all")) {
            if ("admin".equals(a.path("username").asText())) {
                return a.path("value").asInt(0);
            }
        }
        return 0;
    }

    /**
     * A new account in Registered Users only (no group, so none of the capabilities admins and
     * service users have), with an SSH key and an HTTP password.
     */
    public void createUser(String username, String sshPublicKey, String httpPassword) throws Exception {
        ObjectNode in = obj().put("name", "Test " + username).put("email", username + "@example.org")
                .put("ssh_key", sshPublicKey).put("http_password", httpPassword);
        GerritRest.Response r = rest.put("a/accounts/" + GerritRest.encode(username), in);
        if (r.status() != 201) {
            throw new AssertionError("creating account " + username + " failed: " + r.status() + " " + r.body());
        }
    }

    public String currentRevision(int change) throws Exception {
        return call("GET", "a/changes/" + id(change) + "?o=CURRENT_REVISION", null).path("current_revision").asText();
    }
}
