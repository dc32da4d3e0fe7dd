package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.merger.GitSmartHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.StaplerResponse2;

/**
 * {@code /tollgate/git/<server>/<project>}: the mergers' repositories over git's smart HTTP,
 * read-only ({@code git-upload-pack}; nothing can be pushed), with Jenkins' own authentication and
 * Overall/Read. Agents fetch with an API token, e.g.
 * {@code git -c http.extraHeader="Authorization: Basic $(printf %s USER:TOKEN | base64)" fetch
 * $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF}. The protocol itself is the merger module's
 * {@link GitSmartHttp}; this maps Stapler's request and response to it. The POST of
 * {@code git-upload-pack} carries no crumb ({@link GitCrumbExclusion}): it only reads.
 */
public final class GitEndpoint {
    private final MergerServing serving;

    GitEndpoint(MergerServing serving) {
        this.serving = serving;
    }

    /** Everything below {@code /tollgate/git/}. */
    public void doDynamic(StaplerRequest2 req, StaplerResponse2 rsp) throws IOException {
        Jenkins.get().checkPermission(Jenkins.READ);
        serving.http.serve(req.getRestOfPath(), req.getQueryString(), new GitSmartHttp.Exchange() {
            @Override
            public String method() {
                return req.getMethod();
            }

            @Override
            public String requestHeader(String name) {
                return req.getHeader(name);
            }

            @Override
            public InputStream requestBody() throws IOException {
                return req.getInputStream();
            }

            @Override
            public void responseHeader(String name, String value) {
                rsp.setHeader(name, value);
            }

            @Override
            public OutputStream respond(int status) throws IOException {
                rsp.setStatus(status);
                return rsp.getOutputStream();
            }
        });
    }
}
