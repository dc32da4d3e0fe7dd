package dev.tollgate.ec2.config;

import java.util.List;

/**
 * Which AMI a template starts (the engine's {@code ImageSelector}): a fixed {@code imageId}, or the
 * image chosen among those of {@code owners} carrying {@code tagFilters} whose location (or name)
 * matches {@code regex}. With {@code order: LOCATION} the candidate that sorts last wins, by the
 * regex's first group when it has one, compared as a number when it is one (build 10 after build 9);
 * with {@code NEWEST} the newest creation date wins. The seeds' promoted image is
 * {@code tagFilters: [{key: production, value: "true"}]}; "the newest image" leaves that out.
 *
 * @param imageId    {@code ami-...}; when given, nothing else is used and no API call is made
 * @param owners     account ids, {@code self}, {@code amazon} or {@code aws-marketplace}
 * @param regex      RE2 syntax, searched in {@code matchOn}
 * @param matchOn    LOCATION (default, Buildbot's) or NAME
 * @param tagFilters tags the image must carry, exact values
 * @param order      LOCATION (default) or NEWEST
 */
public record Ec2ImageSpec(String imageId, List<String> owners, String regex, String matchOn,
                           List<Ec2TagSpec> tagFilters, String order) {
    public Ec2ImageSpec {
        owners = owners == null ? List.of() : List.copyOf(owners);
        tagFilters = tagFilters == null ? List.of() : List.copyOf(tagFilters);
    }
}
