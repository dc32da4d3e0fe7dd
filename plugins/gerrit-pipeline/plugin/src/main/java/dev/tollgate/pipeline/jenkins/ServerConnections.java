package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.gerrit.GerritConnectionCheck;
import dev.tollgate.pipeline.gerrit.GerritRest;
import dev.tollgate.pipeline.gerrit.GerritSshConfig;
import dev.tollgate.pipeline.gerrit.HostKeyCheck;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import hudson.util.FormValidation;
import java.net.URI;

/** The form's checks of a Gerrit server, done by the engine's {@link GerritConnectionCheck}. */
public final class ServerConnections {
    private ServerConnections() {}

    public static FormValidation checkHostKey(String hostKey) {
        try {
            HostKeyCheck.parse(hostKey);
            return FormValidation.ok();
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** Connects as the stream and the reviews would; one line per step, an error if any step failed. */
    public static FormValidation test(GerritServerConfig s) {
        if (s.viaGerritTrigger()) {
            return FormValidation.ok("Events come from the Gerrit Trigger plugin's server " + s.gerritTriggerServer()
                    + ": test it there.");
        }
        try {
            GerritRest rest = s.restUrl() == null ? null
                    : new GerritRest(URI.create(s.restUrl()), ServerCredentials.http(s));
            GerritConnectionCheck.Result result = new GerritConnectionCheck(
                    GerritSshConfig.of(s.host(), s.sshPort(), s.hostKey()), ServerCredentials.ssh(s), rest).run();
            return result.ok() ? FormValidation.ok(result.toString()) : FormValidation.error(result.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FormValidation.error("Interrupted");
        } catch (RuntimeException e) {
            return FormValidation.error(e.getMessage()); // a bad host, port or key: say which
        }
    }
}
