package dev.tollgate.pipeline.jenkins;

import hudson.Extension;
import hudson.security.csrf.CrumbExclusion;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Lets git's {@code POST .../git-upload-pack} below {@code /tollgate/git/} through without a CSRF
 * crumb (git sends none). It changes nothing on the server: it reads a repository and answers with
 * refs and objects; authentication and Overall/Read still apply ({@link GitEndpoint}). No other
 * path is excluded.
 */
@Extension
public final class GitCrumbExclusion extends CrumbExclusion {
    @Override
    public boolean process(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getPathInfo();
        if (path != null && path.startsWith("/" + MergerServing.HTTP_PATH + "/") && path.endsWith("/git-upload-pack")
                && !path.contains("/../")) {
            chain.doFilter(request, response);
            return true;
        }
        return false;
    }
}
