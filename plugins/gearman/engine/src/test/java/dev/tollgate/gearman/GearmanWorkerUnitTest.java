package dev.tollgate.gearman;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Registration names, argument parsing and configuration checks, without any server. */
public class GearmanWorkerUnitTest {
    @Test
    public void functionsCoverJobLabelsAndTheNodeName() {
        NodeSpec node = new NodeSpec("trusty-12", Set.of("trusty", "devstack"), 2);
        List<JobDefinition> jobs = List.of(JobDefinition.anyNode("gate-nova"), new JobDefinition("gate-big", "big"),
                new JobDefinition("gate-dev", "devstack"));
        assertEquals(Set.of("build:gate-nova", "build:gate-nova:devstack", "build:gate-nova:trusty",
                "build:gate-nova:trusty-12", "build:gate-dev", "build:gate-dev:devstack", "build:gate-dev:trusty",
                "build:gate-dev:trusty-12"), GearmanWorker.functionsFor(node, jobs));
        assertTrue(GearmanWorker.functionsFor(new NodeSpec("x", Set.of(), 0), jobs).isEmpty());
    }

    @Test
    public void aJobNamingItsNodesIsRegisteredOnThoseOnly() {
        NodeSpec trusty = new NodeSpec("trusty-12", Set.of("trusty"), 1);
        NodeSpec xenial = new NodeSpec("xenial-3", Set.of("xenial"), 1);
        // Jenkins' `trusty || xenial-3`, resolved by the binding into node names
        List<JobDefinition> jobs = List.of(JobDefinition.onNodes("gate-both", Set.of("trusty-12", "xenial-3")),
                JobDefinition.onNodes("gate-trusty", Set.of("trusty-12")), JobDefinition.onNodes("gate-none", Set.of()));
        assertEquals(Set.of("build:gate-both", "build:gate-both:trusty", "build:gate-both:trusty-12",
                "build:gate-trusty", "build:gate-trusty:trusty", "build:gate-trusty:trusty-12"),
                GearmanWorker.functionsFor(trusty, jobs));
        assertEquals(Set.of("build:gate-both", "build:gate-both:xenial", "build:gate-both:xenial-3"),
                GearmanWorker.functionsFor(xenial, jobs));
        // a label and a node list together: both must hold
        assertTrue(GearmanWorker.functionsFor(xenial, List.of(new JobDefinition("j", "trusty", Set.of("xenial-3"))))
                .isEmpty());
        assertEquals(Set.of("build:j", "build:j:trusty-12"), GearmanWorker.functionsFor(
                new NodeSpec("trusty-12", Set.of(), 1), List.of(new JobDefinition("j", "trusty-12"))));
    }

    @Test
    public void managerNamesAreMadeSafeForFunctionNames() {
        assertEquals("ci.example.org", GearmanWorkerConfig.managerNameFrom(" ci.example.org "));
        assertEquals("fe80--1", GearmanWorkerConfig.managerNameFrom("fe80::1"));
        assertEquals("my-jenkins-", GearmanWorkerConfig.managerNameFrom("my jenkins\u0000"));
        assertEquals("jenkins", GearmanWorkerConfig.managerNameFrom(null));
        assertEquals("jenkins", GearmanWorkerConfig.managerNameFrom("  "));
        GearmanWorkerConfig.of(GearmanWorkerConfig.managerNameFrom("a b:c\u2028d"), List.of(GearmanServerAddress.parse("g")));
    }

    @Test
    public void jobNamesComeFromTheFunction() {
        assertEquals("gate-nova", GearmanWorker.jobNameOf("build:gate-nova"));
        assertEquals("gate-nova", GearmanWorker.jobNameOf("build:gate-nova:trusty"));
    }

    @Test
    public void parametersArePassedAsTheClientSentThem() {
        Map<String, String> p = GearmanWorker.parseParameters(
                "{\"ZUUL_UUID\":\"abc\",\"ZUUL_CHANGES\":\"a:master:refs/changes/1/1/1^b:master:x\",\"N\":5,\"F\":false,\"E\":null,\"U\":\"\u00e9\"}"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("abc", p.get("ZUUL_UUID"));
        assertEquals("a:master:refs/changes/1/1/1^b:master:x", p.get("ZUUL_CHANGES"));
        assertEquals("5", p.get("N"));
        assertEquals("false", p.get("F"));
        assertEquals("", p.get("E"));
        assertEquals("\u00e9", p.get("U"));
        assertTrue(GearmanWorker.parseParameters(new byte[0]).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> GearmanWorker.parseParameters("[]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> GearmanWorker.parseParameters("{".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> GearmanWorker.parseParameters("{\"a\":[1]}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void offlineFlagAcceptsOneAndTrue() {
        assertTrue(GearmanWorker.isTrue("1"));
        assertTrue(GearmanWorker.isTrue("true"));
        assertTrue(GearmanWorker.isTrue("True"));
        assertFalse(GearmanWorker.isTrue("0"));
        assertFalse(GearmanWorker.isTrue("yes"));
        assertFalse(GearmanWorker.isTrue(null));
    }

    @Test
    public void configurationIsValidated() {
        assertEquals(new GearmanServerAddress("zuul.example.org", 4730), GearmanServerAddress.parse("zuul.example.org"));
        assertEquals(new GearmanServerAddress("10.0.0.5", 4731), GearmanServerAddress.parse("10.0.0.5:4731"));
        assertEquals(new GearmanServerAddress("::1", 4730), GearmanServerAddress.parse("[::1]:4730"));
        assertThrows(IllegalArgumentException.class, () -> GearmanServerAddress.parse("host:http"));
        assertThrows(IllegalArgumentException.class, () -> GearmanServerAddress.parse("host:0"));
        List<GearmanServerAddress> one = List.of(GearmanServerAddress.parse("g:4730"));
        assertThrows(IllegalArgumentException.class, () -> GearmanWorkerConfig.of("has:colon", one));
        assertThrows(IllegalArgumentException.class, () -> GearmanWorkerConfig.of("jenkins", List.of()));
        assertThrows(IllegalArgumentException.class, () -> GearmanWorkerConfig.of("jenkins",
                List.of(GearmanServerAddress.parse("g"), GearmanServerAddress.parse("g:4730"))));
        assertThrows(IllegalArgumentException.class, () -> new JobDefinition("a:b", null));
        assertThrows(IllegalArgumentException.class, () -> new NodeSpec("n", Set.of("bad label:x"), 1));
        assertThrows(IllegalArgumentException.class, () -> new NodeSpec("n", Set.of(), -1));
    }

    @Test
    public void buildRequestHidesParameterValues() {
        BuildRequest r = new BuildRequest("j", Map.of("SECRET_TOKEN", "s3cr3t"), "u", "n", "e", false);
        assertFalse(r.toString().contains("s3cr3t"));
    }
}
