package dev.tollgate.cloud;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import org.junit.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class UserDataTemplateTest {
    private static final LaunchSpec SPEC = new LaunchSpec("debian", "ci-debian-3",
            new Fingerprint("ctl", "ci", "debian", "ci-debian-3", Instant.parse("2026-11-28T00:00:00Z")),
            Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", "s3cr3t-value"));

    @Test
    public void fillsNamesAndTheAgentEnvironmentAndLeavesShellVariablesAlone() throws Exception {
        assertEquals("#!/bin/sh\nexec agent -url https://ci.example.org/ -secret s3cr3t-value -name ci-debian-3 # debian ${HOME}",
                UserDataTemplate.fill("#!/bin/sh\nexec agent -url {{JENKINS_URL}} -secret {{ JENKINS_SECRET }} -name {{agentName}} # {{templateName}} ${HOME}", SPEC));
        assertNull(UserDataTemplate.fill(null, SPEC));
    }

    @Test
    public void aPlaceholderWithoutValueFailsNamingItAndNoValue() {
        CloudException e = assertThrows(CloudException.class, () -> UserDataTemplate.fill("{{JENKINS_SECRET}} {{NO_SUCH}}", SPEC));
        assertEquals(CloudException.Kind.PERMANENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("[NO_SUCH]"));
        assertFalse(e.getMessage(), e.getMessage().contains("s3cr3t-value"));
    }
}
