package dev.tollgate.pipeline.scheduler;

/**
 * Settings that go into job parameters. All may be null.
 *
 * @param zuulUrl      ZUUL_URL: the git base URL jobs fetch ZUUL_REF from ({@code git fetch
 *                     $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF}), e.g. {@code https://review.example.org}
 * @param gerritName   GERRIT_NAME (the Gerrit Trigger plugin's server name)
 * @param gerritHost   GERRIT_HOST
 * @param gerritPort   GERRIT_PORT (the SSH port)
 * @param gerritScheme GERRIT_SCHEME, e.g. {@code ssh}
 */
public record LaunchSettings(String zuulUrl, String gerritName, String gerritHost, String gerritPort,
                             String gerritScheme) {
    public static final LaunchSettings NONE = new LaunchSettings(null, null, null, null, null);
}
