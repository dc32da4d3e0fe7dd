package dev.tollgate.ec2;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which AMI a template starts: a fixed id, or one selected among the images DescribeImages returns
 * for some owner accounts and tag filters, filtered by a regex over the image location (or name).
 *
 * <p>Ordering, after Buildbot: with {@link Order#LOCATION} the candidate that sorts last wins; when
 * the regex has a group, the first group's value is the sort key, compared numerically when it is an
 * integer (so build 10 comes after build 9) and lexically otherwise; ties go to the newest
 * creationDate. With {@link Order#NEWEST} the newest creationDate wins. The seeds' image promotion
 * is {@code tagFilters = {production=true}}; "the newest image" is {@link Order#NEWEST} without it.
 *
 * @param imageId     a fixed AMI id; when set, everything else is ignored and no API call is made
 * @param owners      owner account ids (or {@code self}, {@code amazon}); empty = any owner
 * @param regex       RE2 syntax, matched (find) against {@code matchOn}; null = every candidate
 * @param matchOn     the image location (Buildbot) or the image name
 * @param tagFilters  exact tag values the image must carry
 * @param order       how the winner is chosen
 */
public record ImageSelector(String imageId, List<String> owners, String regex, MatchOn matchOn,
                            Map<String, String> tagFilters, Order order) {
    public enum MatchOn { LOCATION, NAME }

    public enum Order { LOCATION, NEWEST }

    public ImageSelector {
        owners = owners == null ? List.of() : List.copyOf(owners);
        // insertion order kept: the filters go out as Filter.1, Filter.2, ... in the order given
        tagFilters = tagFilters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tagFilters));
        matchOn = matchOn == null ? MatchOn.LOCATION : matchOn;
        order = order == null ? Order.LOCATION : order;
    }

    public static ImageSelector byId(String amiId) {
        return new ImageSelector(amiId, List.of(), null, null, Map.of(), null);
    }

    /** Buildbot's selection: owners and a location regex whose first group orders the candidates. */
    public static ImageSelector byLocation(List<String> owners, String locationRegex) {
        return new ImageSelector(null, owners, locationRegex, MatchOn.LOCATION, Map.of(), Order.LOCATION);
    }

    /** The promoted image: the one tagged {@code production=true} (newest of them if several). */
    public static ImageSelector promoted(List<String> owners, String nameRegex) {
        return new ImageSelector(null, owners, nameRegex, MatchOn.NAME, Map.of("production", "true"), Order.NEWEST);
    }

    /** The newest image whose name matches, promoted or not (to try an unpromoted image). */
    public static ImageSelector newest(List<String> owners, String nameRegex) {
        return new ImageSelector(null, owners, nameRegex, MatchOn.NAME, Map.of(), Order.NEWEST);
    }

    public boolean isFixed() {
        return imageId != null;
    }

    /** The regex with the suite's limits (linear time, bounded program, Python syntax as Buildbot's). */
    SafePattern compiled() {
        return regex == null ? null : SafePattern.compile(regex);
    }

    List<String> problems(String where) {
        List<String> p = new ArrayList<>();
        if (imageId != null) {
            if (!imageId.startsWith("ami-")) {
                p.add(where + ".imageId must start with ami-, got " + imageId);
            }
            return p;
        }
        if (owners.isEmpty() && tagFilters.isEmpty() && regex == null) {
            p.add(where + " needs an imageId, or owners / tag filters / a regex to select one");
        }
        for (String o : owners) {
            if (!(o.matches("\\d{12}") || o.equals("self") || o.equals("amazon") || o.equals("aws-marketplace"))) {
                p.add(where + ".owners: '" + o + "' is not a 12-digit account id, self, amazon or aws-marketplace");
            }
        }
        if (regex != null) {
            try {
                SafePattern.compile(regex);
            } catch (UnsupportedPatternException e) {
                p.add(where + ".regex: " + e.getMessage());
            }
        }
        return p;
    }
}
