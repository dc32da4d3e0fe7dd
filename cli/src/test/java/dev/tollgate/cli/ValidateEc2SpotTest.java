package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;

import dev.tollgate.cli.MainTest.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tollgate validate} on the EC2 spot clouds under {@code jenkins: clouds:}: read by the engine's records, problems on their lines. */
public class ValidateEc2SpotTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final List<String> CLOUD = List.of(
            "jenkins:",                                          // 1
            "  numExecutors: 0",                                 // 2
            "  clouds:",                                         // 3
            "    - amazonEC2:",                                  // 4
            "        name: another plugin's, left alone",        // 5
            "    - tollgateEc2Spot:",                            // 6
            "        name: aws",                                 // 7
            "        region: us-west-2",                         // 8
            "        credentialsId: aws-ci",                     // 9
            "        instanceCap: 8",                            // 10
            "        agentReportWindowSeconds: 90",              // 11
            "        templates:",                                // 12
            "          - name: fedora-20",                       // 13
            "            labels: aws fedora-20",                 // 14
            "            instanceType: m3.large",                // 15
            "            namePattern: aws/fedora-20/{n}",        // 16
            "            buildWaitTimeoutSeconds: 0",            // 17
            "            image:",                                // 18
            "              owners: [\"123456789012\"]",          // 19
            "              regex: fedora-20/(\\d+)",             // 20
            "              tagFilters:",                         // 21
            "                - key: production",                 // 22
            "                  value: \"true\"",                 // 23
            "            spot:",                                 // 24
            "              priceMultiplier: \"1.2\"",            // 25
            "              maxSpotPrice: \"0.30\"",              // 26
            "            tags:",                                 // 27
            "              - key: team",                         // 28
            "                value: ci");                        // 29

    private final CascFile casc = new CascFile(tmp, CLOUD);

    @Test
    public void aCloudIsReadAndSummed() throws Exception {
        Path f = casc.write();
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (jenkins.clouds.tollgateEc2Spot): cloud aws in us-west-2 "
                + "(credentials aws-ci), 1 template(s): fedora-20 m3.large spot [aws fedora-20]\n", r.out());
    }

    @Test
    public void badValuesAreErrorsOnTheirLines() throws Exception {
        Path f = casc.writeWith(16, "            namePattern: aws/{os}");
        assertEquals(List.of(f + ":16: namePattern: has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})",
                f + ":16: namePattern: needs {n} or {id}, so that two agents of the template never get one name"),
                CascFile.errors(f));
        f = casc.writeWith(8, "        region: Oregon");
        assertEquals(List.of(f + ":8: region: must look like us-west-2, got Oregon"),
                CascFile.errors(f));
        f = casc.writeWith(25, "              priceMultiplier: lots");
        assertEquals(List.of(f + ":25: priceMultiplier: must be a positive decimal such as 0.12, got lots"),
                CascFile.errors(f));
    }

    @Test
    public void anUnknownKeyAndAMissingRequiredKeyAreNamed() throws Exception {
        Path f = casc.writeWith(17, "            buildWaitTimeout: 0");
        List<String> e = CascFile.errors(f);
        assertEquals(1, e.size());
        assertEquals(true, e.get(0).startsWith(f + ":17: buildWaitTimeout: unknown key"));
        Path g = casc.writeWith(15, "            instanceTyp: m3.large");
        e = CascFile.errors(g);
        assertEquals(e.toString(), true, e.stream().anyMatch(l -> l.startsWith(g + ":15: instanceTyp: unknown key")));
        assertEquals(e.toString(), true, e.stream().anyMatch(l -> l.contains("instanceType: required")));
    }

    @Test
    public void twoCloudsOfOneNameAreRefusedAndFlowStyleIsRead() throws Exception {
        List<String> two = new ArrayList<>(CLOUD);
        two.add("    - tollgateEc2Spot: {name: aws, region: eu-west-1, templates: [{name: t, labels: x, "
                + "instanceType: m5.large, image: {imageId: ami-1}}]}");
        Path f = casc.write(two);
        assertEquals(List.of(f + ":1: name: two EC2 clouds are named aws (after '/' and spaces become '-')"),
                CascFile.errors(f));
        two.set(two.size() - 1, two.get(two.size() - 1).replace("name: aws,", "name: aws-eu,").replace("ami-1", "img-1"));
        f = casc.write(two);
        assertEquals(List.of(f + ":30: image: image.imageId must start with ami-, got img-1"),
                CascFile.errors(f));
    }
}
