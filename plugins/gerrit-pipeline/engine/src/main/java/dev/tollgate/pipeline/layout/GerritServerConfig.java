package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;

/**
 * One Gerrit server: where its events come from and where reviews are posted. Either the suite's
 * own SSH event stream ({@code host}, {@code hostKey}, {@code username}, {@code credentialsId}), or
 * the events of a server already configured in the Gerrit Trigger plugin ({@code gerritTriggerServer}).
 * Reviews always go over Gerrit's REST API. Secrets are never here: {@code credentialsId} and
 * {@code restCredentialsId} name entries of the Jenkins credentials store.
 *
 * @param name                the server's name in the suite (status page, logs, {@code GERRIT_NAME})
 * @param host                Gerrit's SSH host, for {@code gerrit stream-events}
 * @param sshPort             Gerrit's SSH port
 * @param username            the SSH user the stream logs in as
 * @param hostKey             the server's pinned public host key (one or more lines of
 *                            {@code ssh-keyscan -p 29418 HOST} output); a connection to any other key
 *                            is refused
 * @param credentialsId       an SSH private-key credential of that user
 * @param restUrl             Gerrit's web URL, e.g. {@code https://review.example.org/}; reviews are posted there
 * @param restCredentialsId   a username/password credential (Gerrit's HTTP password) allowed to vote
 * @param gitUrl              the git base URL jobs fetch the change from ({@code ZUUL_URL}); default: restUrl
 * @param gerritTriggerServer take events from the Gerrit Trigger plugin's server of this name instead
 *                            of an own stream; its REST settings are used when restUrl is not given
 */
public record GerritServerConfig(@Schema.Required String name, String host, @Schema.Default("29418") int sshPort,
                                 String username, String hostKey, String credentialsId, String restUrl,
                                 String restCredentialsId, String gitUrl, String gerritTriggerServer) {
    public static final int DEFAULT_SSH_PORT = 29418;

    /** Events come through the Gerrit Trigger plugin rather than an own stream. */
    public boolean viaGerritTrigger() {
        return gerritTriggerServer != null && !gerritTriggerServer.isBlank();
    }
}
