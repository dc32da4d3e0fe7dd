package dev.tollgate.openstack;

import java.util.ArrayList;
import java.util.List;

/**
 * How the driver authenticates to Keystone v3: a user's password scoped to a project, or an
 * application credential (which carries its own project). Immutable; {@link #toString()} never shows
 * a password or secret.
 */
public sealed interface OpenStackCredentials {

    /** Every problem, each starting with {@code where}; empty when complete. */
    List<String> problems(String where);

    /**
     * A user and password, scoped to a project. Domains are names (Keystone's {@code Default} when
     * null); the project domain defaults to the user's.
     */
    record Password(String user, String password, String userDomain, String project, String projectDomain)
            implements OpenStackCredentials {
        public Password {
            userDomain = userDomain == null || userDomain.isBlank() ? "Default" : userDomain;
            projectDomain = projectDomain == null || projectDomain.isBlank() ? userDomain : projectDomain;
        }

        @Override
        public List<String> problems(String w) {
            List<String> p = new ArrayList<>();
            if (user == null || user.isBlank()) {
                p.add(w + ": a user name is required");
            }
            if (password == null || password.isEmpty()) {
                p.add(w + ": a password is required");
            }
            if (project == null || project.isBlank()) {
                p.add(w + ": a project is required (the agents are started in it)");
            }
            return p;
        }

        @Override
        public String toString() {
            return "Password[user=" + user + "@" + userDomain + ", project=" + project + "@" + projectDomain + "]";
        }
    }

    /** A Keystone application credential: its id and secret; the project is the credential's own. */
    record ApplicationCredential(String id, String secret) implements OpenStackCredentials {
        @Override
        public List<String> problems(String w) {
            List<String> p = new ArrayList<>();
            if (id == null || id.isBlank()) {
                p.add(w + ": an application credential id is required");
            }
            if (secret == null || secret.isEmpty()) {
                p.add(w + ": an application credential secret is required");
            }
            return p;
        }

        @Override
        public String toString() {
            return "ApplicationCredential[id=" + id + "]";
        }
    }
}
