package dev.tollgate.gearman.config;

import static org.junit.Assert.assertEquals;

import dev.tollgate.gearman.GearmanServerAddress;
import java.util.List;
import org.junit.Test;

/** The rules of the tollgateGearman section beyond its records' types. */
public class GearmanSettingsTest {
    private static GearmanServerConfig server(String host, int port) {
        return new GearmanServerConfig(host, port);
    }

    @Test
    public void offWithoutServersAndOnWithThemAreValid() {
        assertEquals(List.of(), new GearmanSettings(false, List.of()).problems());
        assertEquals(List.of(), new GearmanSettings(false, null).problems());
        GearmanSettings on = new GearmanSettings(true, List.of(server("zuul.example.org", 4730), server("::1", 4731),
                server("10.0.0.5", 4730), server("${GEARMAN_HOST:-zuul.example.org}", 4730)));
        assertEquals(List.of(), on.problems());
        assertEquals(List.of(new GearmanServerAddress("zuul.example.org", 4730), new GearmanServerAddress("::1", 4731),
                new GearmanServerAddress("10.0.0.5", 4730),
                new GearmanServerAddress("${GEARMAN_HOST:-zuul.example.org}", 4730)), on.addresses());
        assertEquals("[::1]:4731", on.servers().get(1).toString());
    }

    @Test
    public void enabledNeedsAServer() {
        assertEquals(List.of("servers: at least one server is needed when enabled is true"),
                new GearmanSettings(true, List.of()).problems());
    }

    @Test
    public void hostsAndPortsAreChecked() {
        GearmanSettings s = new GearmanSettings(false, List.of(
                server("zuul.example.org:4730", 4730),
                server("http://zuul.example.org/", 4730),
                server("[::1]", 4730),
                server("zuul example", 4730),
                server("", 4730),
                server(null, 4730),
                server("zuul.example.org", 0),
                server("zuul.example.org", 70000),
                server("a:b:zz", 4730)));
        assertEquals(List.of(
                "servers[0].host: write the port under `port`, not in the host: `zuul.example.org:4730`",
                "servers[1].host: expected a host name or address, not a URL: `http://zuul.example.org/`",
                "servers[2].host: write an IPv6 address without brackets: `[::1]`",
                "servers[3].host: a host name has no blanks or control characters: `zuul example`",
                "servers[4].host: required",
                "servers[5].host: required",
                "servers[6].port: expected a port from 1 to 65535, got 0",
                "servers[7].port: expected a port from 1 to 65535, got 70000",
                "servers[8].host: not a host name or IPv6 address: `a:b:zz`"), s.problems());
    }

    @Test
    public void aServerListedTwiceIsNamed() {
        GearmanSettings s = new GearmanSettings(true, List.of(server("zuul.example.org", 4730),
                server("Zuul.Example.org", 4730), server("zuul.example.org", 4731)));
        assertEquals(List.of("servers[1].host: server Zuul.Example.org:4730 is listed twice"), s.problems());
    }
}
