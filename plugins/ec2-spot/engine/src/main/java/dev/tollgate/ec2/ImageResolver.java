package dev.tollgate.ec2;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.cloud.port.CloudException;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the AMI for a template (see {@link ImageSelector}) with one DescribeImages call, and keeps
 * the answer for a while by the clock so launches do not each ask again.
 */
final class ImageResolver {
    private final Ec2Calls ec2;
    private final ClockCache<ImageSelector, String> cache;

    ImageResolver(Ec2Calls ec2, Clock clock, Duration ttl) {
        this.ec2 = ec2;
        this.cache = new ClockCache<>(clock, ttl);
    }

    String resolve(ImageSelector sel) throws CloudException {
        if (sel.isFixed()) {
            return sel.imageId();
        }
        return cache.get(sel, this::select);
    }

    private String select(ImageSelector sel) throws CloudException {
        List<Filter> filters = new ArrayList<>();
        filters.add(Filter.builder().name("state").values("available").build());
        sel.tagFilters().forEach((k, v) -> filters.add(Filter.builder().name("tag:" + k).values(v).build()));
        DescribeImagesRequest.Builder req = DescribeImagesRequest.builder().filters(filters);
        if (!sel.owners().isEmpty()) {
            req.owners(sel.owners());
        }
        DescribeImagesRequest request = req.build();
        List<Image> images = ec2.call("DescribeImages", c -> c.describeImages(request)).images();
        Image best = choose(sel, images);
        if (best == null) {
            throw new CloudException(CloudException.Kind.PERMANENT, "NoMatchingImage",
                    "no available AMI matches " + describe(sel) + " (" + images.size() + " images looked at)");
        }
        return best.imageId();
    }

    /** The winner among the candidates, or null. Package-visible for tests of the ordering alone. */
    static Image choose(ImageSelector sel, List<Image> images) {
        SafePattern p = sel.compiled();
        List<Candidate> cands = new ArrayList<>();
        for (Image img : images) {
            if (img.imageId() == null || (img.stateAsString() != null && !"available".equals(img.stateAsString()))) {
                continue;
            }
            String subject = sel.matchOn() == ImageSelector.MatchOn.NAME ? img.name() : img.imageLocation();
            String key = subject == null ? "" : subject;
            if (p != null) {
                if (subject == null) {
                    continue;
                }
                String[] groups = p.searchGroups(subject);
                if (groups == null) {
                    continue;
                }
                if (groups.length > 1 && groups[1] != null) {
                    key = groups[1];
                }
            }
            cands.add(new Candidate(img, SortKey.of(key), img.creationDate() == null ? "" : img.creationDate()));
        }
        // creationDate is ISO-8601 UTC (2026-01-01T00:00:00.000Z): lexical order is time order
        Comparator<Candidate> newest = Comparator.comparing(Candidate::created);
        Comparator<Candidate> order = sel.order() == ImageSelector.Order.NEWEST
                ? newest.thenComparing(Candidate::key)
                : Comparator.comparing(Candidate::key).thenComparing(newest);
        return cands.stream().max(order.thenComparing(c -> c.image.imageId())).map(Candidate::image).orElse(null);
    }

    private record Candidate(Image image, SortKey key, String created) {}

    /** Integers sort numerically and before text (as Python 2 ordered Buildbot's mixed keys); text lexically. */
    record SortKey(BigInteger number, String text) implements Comparable<SortKey> {
        static SortKey of(String s) {
            if (s.matches("[+-]?\\d+")) {
                return new SortKey(new BigInteger(s), s);
            }
            return new SortKey(null, s);
        }

        @Override
        public int compareTo(SortKey o) {
            if (number != null && o.number != null) {
                return number.compareTo(o.number);
            }
            if (number != null) {
                return -1;
            }
            if (o.number != null) {
                return 1;
            }
            return text.compareTo(o.text);
        }
    }

    static String describe(ImageSelector sel) {
        return "owners=" + sel.owners() + " tags=" + sel.tagFilters() + " " + sel.matchOn().name().toLowerCase()
                + " regex=" + sel.regex();
    }
}
