package dev.tollgate.gearman;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code set_description:<manager>}: {@code {"name", "number", "html_description"}}, as Zuul sends
 * it at report time (often after the build finished), passed to
 * {@link BuildLauncher#setDescription}.
 *
 * <p>Threading: nothing to decide under the worker's lock; the port is called without it.
 */
final class SetDescriptionFunction implements ManagementFunction {
    private final String name;
    private final BuildLauncher launcher;

    SetDescriptionFunction(String managerName, BuildLauncher launcher) {
        this.name = "set_description:" + managerName;
        this.launcher = launcher;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String answer(String unique, byte[] data) {
        JsonNode req = JobArguments.object(data);
        String job = JobArguments.text(req, "name");
        Integer number = JobArguments.number(req.get("number"));
        String html = JobArguments.text(req, "html_description");
        if (job == null || number == null || html == null) {
            throw new IllegalArgumentException("set_description needs name, number and html_description");
        }
        BuildRef ref = new BuildRef(job, number);
        boolean ok = launcher.setDescription(ref, html);
        return ManagementFunction.reply(ok, (ok ? "description set for " : "no build ") + ref);
    }
}
