package dev.tollgate.openstack.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.openstack.ImageSelector;
import dev.tollgate.openstack.OpenStackCloudConfig;
import dev.tollgate.openstack.OpenStackCredentials;
import dev.tollgate.openstack.OpenStackOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** The JCasC records of an OpenStack cloud: every value reaches the engine, every bad value is named at its key. */
public class OpenStackCloudSpecTest {
    static final String IMAGE_ID = "3f1c1e9a-0c43-4b8e-9d1a-6a2b7c9e0f11";

    static OpenStackTemplateSpec template(String name) {
        return new OpenStackTemplateSpec(name, "openstack debian-12", 2, 6, 0, 900, 3, "os/" + name + "/{n}", "m1.large",
                new OpenStackImageSpec(null, null, "^debian-12-", List.of(new OpenStackPropertySpec("tollgate_role", "agent")),
                        "OLDEST"),
                List.of("agents", "storage"), List.of("default", "ssh"), "ci", "nova", true,
                "#!/bin/sh\nexec agent {{JENKINS_URL}} {{JENKINS_SECRET}} {{agentName}}\n",
                List.of(new OpenStackPropertySpec("purpose", "ci-agent")), "public", 40, "/home/ci/agent");
    }

    /** A template with only what it needs. */
    static OpenStackTemplateSpec plain(String name) {
        return new OpenStackTemplateSpec(name, "os", 1, null, 0, 1200, 0, null, "m1.small",
                new OpenStackImageSpec(null, "debian-12", null, List.of(), null), List.of(), List.of(), null, null, false,
                null, List.of(), null, null, "/home/jenkins/agent");
    }

    static OpenStackCloudSpec cloud(String authentication, String project, OpenStackTemplateSpec... templates) {
        return new OpenStackCloudSpec("openstack/ci", "https://keystone.example.org:5000/v3", authentication, "os-ci",
                null, project, null, "RegionTwo", "internal", List.of(templates), 20, 3, "0.5", 4, 5, 30, 120, 600, 90,
                240, 180, 2, 10, 600, 30);
    }

    static OpenStackCloudSpec cloud(OpenStackTemplateSpec... templates) {
        return cloud("password", "ci-project", templates);
    }

    private static List<String> problems(OpenStackCloudSpec spec) {
        return spec.problems().stream().map(p -> p.keyOfRecord() + "/" + p.key() + ": " + p.message()).toList();
    }

    private static void assertHas(List<String> p, String... expected) {
        for (String s : expected) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
    }

    @Test
    public void everyValueReachesTheEngine() {
        OpenStackCloudSpec spec = cloud(template("debian"), plain("small"));
        assertEquals(List.of(), spec.problems());
        assertEquals("openstack-ci", spec.engineName());
        List<AgentTemplate<OpenStackOptions>> ts = spec.agentTemplates();
        AgentTemplate<OpenStackOptions> t = ts.get(0);
        assertEquals(Set.of("openstack", "debian-12"), t.labels());
        assertEquals(2, t.executors());
        assertEquals(6, t.instanceCap());
        assertTrue("a fresh server per build", t.oneBuildPerInstance());
        assertEquals(Duration.ofMinutes(15), t.missingTimeout());
        assertEquals(3, t.maxUses());
        assertEquals("os/debian/{n}", t.namePattern());
        OpenStackOptions o = t.options();
        assertEquals("m1.large", o.flavor());
        assertEquals(ImageSelector.rule("^debian-12-", Map.of("tollgate_role", "agent"), ImageSelector.Order.OLDEST), o.image());
        assertEquals(List.of("agents", "storage"), o.networks());
        assertEquals(List.of("default", "ssh"), o.securityGroups());
        assertEquals("ci", o.keyPair());
        assertEquals("nova", o.availabilityZone());
        assertTrue(o.configDrive());
        assertEquals(template("x").userData(), o.userDataTemplate());
        assertEquals(Map.of("purpose", "ci-agent"), o.metadata());
        assertEquals("public", o.floatingIpPool());
        assertEquals(Integer.valueOf(40), o.bootVolumeSizeGb());
        assertEquals(ImageSelector.byName("debian-12"), ts.get(1).options().image());
        assertFalse(ts.get(1).options().usesFloatingIp());

        OpenStackCredentials creds = spec.credentials("ci-user", "s3cret");
        assertEquals(new OpenStackCredentials.Password("ci-user", "s3cret", "Default", "ci-project", "Default"), creds);
        OpenStackCloudConfig c = spec.openStackConfig(ts, creds);
        assertEquals("openstack-ci", c.cloudName());
        assertEquals(URI.create("https://keystone.example.org:5000/v3"), c.authUrl());
        assertEquals("RegionTwo", c.region());
        assertEquals("internal", c.endpointInterface());
        assertEquals(Duration.ofSeconds(5), c.connectTimeout());
        assertEquals(Duration.ofSeconds(30), c.readTimeout());
        assertEquals(Duration.ofSeconds(120), c.lookupCacheTtl());
        assertEquals(ts, c.templates());

        CloudSettings s = spec.configure(CloudSettings.builder(spec.engineName(), "ctl")).templates(ts).build();
        assertEquals(20, s.instanceCap());
        assertEquals("boots at once", 3, s.maxStarting());
        assertEquals(0.5, s.requestsPerSecond(), 0);
        assertEquals(4, s.requestBurst());
        assertEquals(Duration.ofSeconds(600), s.reaperGrace());
        assertEquals(Duration.ofSeconds(90), s.describeInterval());
        assertEquals(Duration.ofSeconds(240), s.reaperInterval());
        assertEquals(Duration.ofSeconds(180), s.capacityCooldown());
        assertEquals(Duration.ofSeconds(2), s.throttleBackoff());
        assertEquals(Duration.ofSeconds(10), s.terminateBackoff());
        assertEquals(Duration.ofSeconds(600), s.maxBackoff());
        assertEquals(Duration.ofMinutes(30), s.recordRetention());
    }

    @Test
    public void anApplicationCredentialCarriesItsOwnProject() {
        OpenStackCloudSpec app = cloud("applicationCredential", null, plain("t"));
        assertEquals(List.of(), app.problems());
        assertEquals(new OpenStackCredentials.ApplicationCredential("app-id", "app-secret"),
                app.credentials("app-id", "app-secret"));
        assertFalse("no secret in a summary", app.summary().contains("app-secret"));
        assertHas(problems(cloud("applicationCredential", "ci-project", plain("t"))),
                "tollgateOpenStack/project: is for a password; an application credential carries its own project");
        assertHas(problems(cloud("password", null, plain("t"))),
                "tollgateOpenStack/project: a password needs the project the servers are made in");
        assertHas(problems(cloud("token", "p", plain("t"))),
                "tollgateOpenStack/authentication: must be password or applicationCredential, got token");
    }

    @Test
    public void badCloudValuesAreNamedAtTheirKeys() {
        assertHas(problems(new OpenStackCloudSpec("", "ftp://keystone/v3", "password", " ", null, "p", null, " ",
                        "private", List.of(plain("t")), -1, 0, "fast", 0, 0, 0, -1, 0, 1, 1, 1, 1, 1, 1, 1)),
                "tollgateOpenStack/name: a name is required",
                "tollgateOpenStack/authUrl: must be Keystone's absolute http(s) URL, got ftp://keystone/v3",
                "tollgateOpenStack/credentialsId: a username-and-password credential is required (a Keystone user and "
                        + "password, or an application credential's id and secret)",
                "tollgateOpenStack/region: leave it out for the catalog's first region, or name one",
                "tollgateOpenStack/endpointInterface: must be public, internal or admin, got private",
                "tollgateOpenStack/instanceCap: must be 0 or more (leave it out for no cap), got -1",
                "tollgateOpenStack/maxConcurrentBoots: must be at least 1, got 0",
                "tollgateOpenStack/requestsPerSecond: must be a positive number, got fast",
                "tollgateOpenStack/requestBurst: must be at least 1, got 0",
                "tollgateOpenStack/connectTimeoutSeconds: must be at least 1, got 0",
                "tollgateOpenStack/readTimeoutSeconds: must be at least 1, got 0",
                "tollgateOpenStack/lookupCacheSeconds: must be 0 or more, got -1",
                "tollgateOpenStack/reaperGraceSeconds: must be at least 1, got 0");
        assertHas(problems(new OpenStackCloudSpec("c", "https://keystone.example.org:5000/v2.0", "password", "id", null,
                        "p", null, null, "public", List.of(), null, 4, "2", 20, 10, 60, 300, 300, 120, 300, 120, 1, 5, 300, 60)),
                "tollgateOpenStack/authUrl: must be Keystone's v3 URL (ending in /v3), got "
                        + "https://keystone.example.org:5000/v2.0",
                "tollgateOpenStack/templates: at least one template is required");
    }

    @Test
    public void templateProblemsAreNamedAtTheirKeysCloudCoresIncluded() {
        OpenStackTemplateSpec bad = new OpenStackTemplateSpec("t", "os", 1, null, 0, 1200, 0, null, " ",
                new OpenStackImageSpec("not-a-uuid", "debian", "(", List.of(new OpenStackPropertySpec("os_distro", "debian"),
                        new OpenStackPropertySpec("os_distro", "ubuntu")), "LATEST"),
                List.of(" "), List.of(""), " ", " ", false, "x".repeat(49_200),
                List.of(new OpenStackPropertySpec("tollgate:agent", "x"), new OpenStackPropertySpec("a/b", "x"),
                        new OpenStackPropertySpec("purpose", "y".repeat(256))), " ", 0, "relative");
        assertHas(problems(cloud(bad)),
                "templates/flavor: a flavor name or id is required",
                "image/name: give exactly one of id, name, or a rule (nameRegex and/or properties)",
                "image/id: must be an image UUID, got not-a-uuid",
                "image/order: must be NEWEST or OLDEST, got LATEST",
                "properties/key: property 'os_distro' is given twice",
                "templates/networks: network names or ids must not be blank",
                "templates/securityGroups: security group names must not be blank",
                "templates/keyPair: name a key pair, or leave it out",
                "templates/availabilityZone: name a zone, or leave it out for Nova's choice",
                "templates/floatingIpPool: must name an external network, or be left out for no floating IP",
                "templates/bootVolumeSizeGb: must be at least 1 (GB), or be left out to boot from the image, got 0",
                "templates/userData: is larger than Nova's limit of 64 KB once base64-encoded",
                "metadata/key: keys starting tollgate: are the fingerprint's",
                "metadata/key: must be 1-255 letters, digits, '-', '_', ':', '.' or spaces, got a/b",
                "metadata/value: needs a value of at most 255 characters",
                "templates/remoteFs: must be an absolute path on the server, got relative");
        assertTrue(problems(cloud(bad)).stream().anyMatch(s -> s.startsWith("image/nameRegex: ")));
        OpenStackTemplateSpec noImage = new OpenStackTemplateSpec("t", "os", 1, null, 0, 1200, 0, null, "m1", null,
                List.of(), List.of(), null, null, false, null, List.of(), "public", null, "/a");
        assertHas(problems(cloud(noImage)),
                "templates/image: an image is required: an id, a name, or a nameRegex and/or properties rule",
                "templates/floatingIpPool: a floating IP is bound to a port on the template's first network: list at "
                        + "least one network");
        OpenStackTemplateSpec orderWithoutRule = new OpenStackTemplateSpec("t", "os", 1, null, 0, 1200, 0, null, "m1",
                new OpenStackImageSpec(IMAGE_ID, null, null, List.of(), "NEWEST"), List.of(), List.of(), null, null, false,
                null, List.of(), null, null, "/a");
        assertHas(problems(cloud(orderWithoutRule)), "image/order: is for a rule (nameRegex and/or properties)");
        // once the values can be read, cloud-core's checks of the common keys speak, each at its key
        OpenStackTemplateSpec caps = new OpenStackTemplateSpec("t", "os", 0, null, 0, 1200, 0, "x/{os}", "m1",
                new OpenStackImageSpec(IMAGE_ID, null, null, List.of(), null), List.of(), List.of(), null, null, false,
                null, List.of(), null, null, "/a");
        List<String> p = problems(cloud(caps));
        assertTrue(p.toString(), p.stream().anyMatch(s -> s.startsWith("templates/executors: ")));
        assertHas(problems(cloud(plain("t"), plain("t"))), "templates/name: template 't' is defined twice");
    }

    @Test
    public void variablesStandForValidValuesOnlyWhenAsked() {
        OpenStackTemplateSpec byVariable = new OpenStackTemplateSpec("t", "os", 1, null, 0, 1200, 0, null, "${FLAVOR}",
                new OpenStackImageSpec("${IMAGE_ID}", null, null, List.of(), null), List.of(), List.of(), null, null, false,
                null, List.of(), null, null, "/a");
        OpenStackCloudSpec spec = new OpenStackCloudSpec("c", "${OS_AUTH_URL}", "password", "os", null, "p", null, null,
                "public", List.of(byVariable), null, 4, "2", 20, 10, 60, 300, 300, 120, 300, 120, 1, 5, 300, 60);
        assertEquals(List.of(), spec.problemsWithVariables());
        assertHas(problems(spec), "tollgateOpenStack/authUrl: must be Keystone's absolute http(s) URL, got ${OS_AUTH_URL}",
                "image/id: must be an image UUID, got ${IMAGE_ID}");
        OpenStackCloudSpec withDefault = new OpenStackCloudSpec("c", "${OS_AUTH_URL:-https://k/v2.0}", "password", "os",
                null, "p", null, null, "public", List.of(plain("t")), null, 4, "2", 20, 10, 60, 300, 300, 120, 300, 120, 1,
                5, 300, 60);
        assertEquals("a variable's default is checked", 1, withDefault.problemsWithVariables().size());
    }

    @Test
    public void theTemplatesOfABadConfigurationAreRefusedWithEveryProblem() {
        try {
            cloud(plain("t"), plain("t")).agentTemplates();
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("template 't' name: template 't' is defined twice"));
        }
    }

    @Test
    public void noValueOfTheAdministratorsInALogLine() {
        OpenStackTemplateSpec t = template("t");
        assertFalse(t.toString().contains("JENKINS_SECRET"));
        assertFalse(new OpenStackPropertySpec("purpose", "private-value").toString().contains("private-value"));
        List<CloudProblem> none = cloud(t).problems();
        assertEquals(List.of(), none);
    }
}
