package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import org.junit.After;
import org.junit.Test;
import software.amazon.awssdk.services.ec2.model.Image;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** AMI selection: owners, regex whose first group orders numerically or lexically, production tag, newest. */
public class ImageSelectionTest {
    private final Ec2Fixture f = new Ec2Fixture();
    private static final String OWNER = "111111111111";

    public ImageSelectionTest() throws Exception {
        f.server.image("ami-00000009", "buildbot-images/buildbot-fedora-9/image.manifest.xml", "fedora-9", OWNER,
                "2026-01-03T00:00:00.000Z", Map.of());
        f.server.image("ami-00000010", "buildbot-images/buildbot-fedora-10/image.manifest.xml", "fedora-10", OWNER,
                "2026-01-02T00:00:00.000Z", Map.of("production", "true"));
        f.server.image("ami-00000002", "buildbot-images/buildbot-fedora-2/image.manifest.xml", "fedora-2", OWNER,
                "2026-01-05T00:00:00.000Z", Map.of());
        f.server.image("ami-0000000b", "buildbot-images/buildbot-ubuntu-beta/image.manifest.xml", "ubuntu-beta", OWNER,
                "2026-01-01T00:00:00.000Z", Map.of());
        f.server.image("ami-0000000a", "buildbot-images/buildbot-ubuntu-alpha/image.manifest.xml", "ubuntu-alpha", OWNER,
                "2026-01-04T00:00:00.000Z", Map.of());
        f.server.image("ami-99999999", "other/buildbot-fedora-99/image.manifest.xml", "fedora-99", "222222222222",
                "2026-02-01T00:00:00.000Z", Map.of("production", "true"));
    }

    @After
    public void close() {
        f.close();
    }

    private String select(ImageSelector sel) throws CloudException {
        f.use(List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions().image(sel))), c -> c);
        return f.driver.resolveImage("ondemand");
    }

    @Test
    public void integerGroupSortsNumerically() throws Exception {
        // lexically "9" > "10"; numerically 10 wins
        assertEquals("ami-00000010", select(ImageSelector.byLocation(List.of(OWNER), "buildbot-fedora-(\\d+)/image")));
        Map<String, String> p = f.server.calls("DescribeImages").get(0).params();
        assertEquals(OWNER, p.get("Owner.1"));
        assertEquals("state", p.get("Filter.1.Name"));
        assertEquals("available", p.get("Filter.1.Value.1"));
    }

    @Test
    public void tagFiltersGoOutInTheOrderGiven() throws Exception {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        for (String k : List.of("zeta", "alpha", "mid", "beta", "omega", "gamma")) {
            tags.put(k, k + "-value");
        }
        try {
            select(new ImageSelector(null, List.of(OWNER), null, null, tags, null));
        } catch (CloudException noImageCarriesThoseTags) {
            // only the request's shape matters here
        }
        Map<String, String> p = f.server.calls("DescribeImages").get(0).params();
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 2; p.containsKey("Filter." + i + ".Name"); i++) {
            sent.add(p.get("Filter." + i + ".Name"));
        }
        assertEquals(List.of("tag:zeta", "tag:alpha", "tag:mid", "tag:beta", "tag:omega", "tag:gamma"), sent);
    }

    @Test
    public void aRegexWhoseProgramWouldExhaustTheHeapIsRefusedBeforeCompiling() {
        // RE2/J alone compiles this 24-byte pattern into about a billion instructions
        java.util.List<String> problems = ImageSelector.byLocation(List.of(OWNER), "((a{1000}){1000}){1000}")
                .problems("templates[0].image");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0), problems.get(0).startsWith("templates[0].image.regex: counted repetitions"));
    }

    @Test
    public void textGroupSortsLexically() throws Exception {
        assertEquals("ami-0000000b", select(ImageSelector.byLocation(List.of(OWNER), "buildbot-ubuntu-(.*)/image")));
    }

    @Test
    public void withoutGroupTheWholeLocationSorts() throws Exception {
        // "buildbot-ubuntu-beta/..." sorts last among this owner's images
        assertEquals("ami-0000000b", select(ImageSelector.byLocation(List.of(OWNER), "buildbot-")));
    }

    @Test
    public void productionTaggedImageIsTheDefault() throws Exception {
        assertEquals("ami-00000010", select(ImageSelector.promoted(List.of(OWNER), "^fedora-")));
        Map<String, String> p = f.server.calls("DescribeImages").get(0).params();
        assertEquals("tag:production", p.get("Filter.2.Name"));
        assertEquals("true", p.get("Filter.2.Value.1"));
    }

    @Test
    public void newestImageOnRequest() throws Exception {
        assertEquals("ami-00000002", select(ImageSelector.newest(List.of(OWNER), "^fedora-")));
    }

    @Test
    public void noCandidateIsAClearPermanentError() throws Exception {
        try {
            select(ImageSelector.byLocation(List.of(OWNER), "centos-(\\d+)"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("no available AMI matches"));
            assertTrue(e.getMessage(), e.getMessage().contains("centos-(\\d+)"));
        }
    }

    @Test
    public void selectionIsCachedByTheClockAndLaunchUsesIt() throws Exception {
        ImageSelector sel = ImageSelector.promoted(List.of(OWNER), null);
        f.use(List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions().image(sel))), c -> c);
        f.driver.create(f.spec("ondemand", "a0"));
        f.driver.create(f.spec("ondemand", "a1"));
        assertEquals(1, f.server.calls("DescribeImages").size());
        assertEquals("ami-00000010", f.server.calls("RunInstances").get(1).get("ImageId"));
        // a newly promoted image is picked up once the cache expires (5 minutes by default)
        f.server.image("ami-00000011", "x/buildbot-fedora-11/image.manifest.xml", "fedora-11", OWNER,
                "2026-01-06T00:00:00.000Z", Map.of("production", "true"));
        f.clock.advance(Duration.ofMinutes(5));
        f.driver.create(f.spec("ondemand", "a2"));
        assertEquals(2, f.server.calls("DescribeImages").size());
        assertEquals("ami-00000011", f.server.calls("RunInstances").get(2).get("ImageId"));
    }

    @Test
    public void fixedIdNeedsNoCall() throws Exception {
        assertEquals("ami-0fedcba9876543210", select(ImageSelector.byId("ami-0fedcba9876543210")));
        assertEquals(0, f.server.calls("DescribeImages").size());
    }

    @Test
    public void integersSortBeforeTextAndTiesGoToTheNewest() {
        Image a = img("ami-a", "x-7", "2026-01-01T00:00:00.000Z");
        Image b = img("ami-b", "x-beta", "2026-01-01T00:00:00.000Z");
        Image c = img("ami-c", "x-7", "2026-01-09T00:00:00.000Z");
        ImageSelector sel = new ImageSelector(null, List.of(), "x-(.*)", ImageSelector.MatchOn.LOCATION, Map.of(),
                ImageSelector.Order.LOCATION);
        assertEquals("ami-b", ImageResolver.choose(sel, List.of(a, b, c)).imageId());
        assertEquals("ami-c", ImageResolver.choose(sel, List.of(a, c)).imageId());
        assertNull(ImageResolver.choose(sel, List.of()));
    }

    private static Image img(String id, String location, String created) {
        return Image.builder().imageId(id).imageLocation(location).creationDate(created).state("available").build();
    }
}
