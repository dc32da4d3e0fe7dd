package dev.tollgate.pipeline.jenkins;

import hudson.model.Cause;

/** Why the build runs, shown on the build page: the pipeline, and the change or ref it tests. */
public final class TollgateCause extends Cause {
    private final String pipeline;
    private final String subject;
    private final String url;

    /**
     * @param subject e.g. {@code openstack/neutron change 12345,3}
     * @param url     the change's page, or null
     */
    public TollgateCause(String pipeline, String subject, String url) {
        this.pipeline = pipeline;
        this.subject = subject;
        this.url = url;
    }

    public String getPipeline() {
        return pipeline;
    }

    public String getSubject() {
        return subject;
    }

    public String getUrl() {
        return url;
    }

    @Override
    public String getShortDescription() {
        return "Gerrit pipeline " + pipeline + ": " + subject;
    }
}
