package dev.tollgate.ec2;

import dev.tollgate.cloud.DriverOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The EC2 part of a cloud template: what {@code RunInstances} needs. An
 * {@code AgentTemplate<Ec2Options>} carries it beside the engine's part (name, labels, caps,
 * timeouts), so a template is one object. Build one with {@link #builder()}; {@link Ec2CloudConfig}
 * validates every template and reports all problems at once.
 *
 * @param userDataTemplate cloud-init / shell script with {@code {{agentName}}} and
 *                         {@code {{KEY}}} placeholders filled from the launch's agent environment
 *                         (controller URL, agent secret...); null = no user data
 * @param spot             null = on-demand only
 * @param onDemandHourlyPrice USD per hour of an on-demand instance of this type, for the cost figure
 *                         (EC2's API has no price list); null = unknown
 */
public record Ec2Options(String instanceType, ImageSelector image, List<String> subnetIds,
                         String availabilityZone, List<String> securityGroupIds, String keyName,
                         String iamInstanceProfile, String userDataTemplate, List<BlockDevice> blockDevices,
                         List<VolumeAttachment> attachVolumes, String elasticIpAllocationId,
                         Map<String, String> tags, SpotSettings spot, Double onDemandHourlyPrice)
        implements DriverOptions {
    /** EC2 refuses user data above 16 KB (before base64). */
    public static final int MAX_USER_DATA_BYTES = 16 * 1024;
    /** EC2 allows 50 tags per resource; the fingerprint, Name and price tags take 7. */
    public static final int MAX_USER_TAGS = 43;

    public Ec2Options {
        subnetIds = subnetIds == null ? List.of() : List.copyOf(subnetIds);
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        blockDevices = blockDevices == null ? List.of() : List.copyOf(blockDevices);
        attachVolumes = attachVolumes == null ? List.of() : List.copyOf(attachVolumes);
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    public boolean isSpot() {
        return spot != null;
    }

    @Override
    public String toString() {
        // the user-data template is configuration, but keep it (and anything pasted into it) out of logs
        return "Ec2Options[" + instanceType + ", image=" + image + ", subnets=" + subnetIds
                + (spot != null ? ", spot=" + spot : ", on-demand") + "]";
    }

    /** Every problem, each starting with {@code w}, e.g. {@code template 'fedora-spot'}. */
    @Override
    public List<String> problems(String w) {
        List<String> p = new ArrayList<>();
        if (instanceType == null || !instanceType.matches("[a-z0-9-]+\\.[a-z0-9-]+")) {
            p.add(w + ": instanceType must look like m5.large, got " + instanceType);
        }
        if (image == null) {
            p.add(w + ": an image (AMI id or selector) is required");
        } else {
            p.addAll(image.problems(w + ": image"));
        }
        for (String s : subnetIds) {
            if (s == null || !s.startsWith("subnet-")) {
                p.add(w + ": subnet ids must start with subnet-, got " + s);
            }
        }
        if (subnetIds.size() != subnetIds.stream().distinct().count()) {
            p.add(w + ": a subnet is listed twice");
        }
        if (!subnetIds.isEmpty() && availabilityZone != null) {
            p.add(w + ": give subnets or an availabilityZone, not both (a subnet fixes its zone)");
        }
        for (String g : securityGroupIds) {
            if (g == null || !g.startsWith("sg-")) {
                p.add(w + ": security group ids must start with sg-, got " + g);
            }
        }
        if (elasticIpAllocationId != null && !elasticIpAllocationId.startsWith("eipalloc-")) {
            p.add(w + ": elasticIpAllocationId must start with eipalloc-, got " + elasticIpAllocationId);
        }
        if (userDataTemplate != null && userDataTemplate.getBytes(StandardCharsets.UTF_8).length > MAX_USER_DATA_BYTES) {
            p.add(w + ": user data is larger than EC2's 16 KB limit");
        }
        for (int i = 0; i < blockDevices.size(); i++) {
            p.addAll(blockDevices.get(i).problems(w + ": blockDevices[" + i + "]"));
        }
        if (tags.size() > MAX_USER_TAGS) {
            p.add(w + ": at most " + MAX_USER_TAGS + " tags (EC2 allows 50 and the fingerprint takes 7)");
        }
        tags.forEach((k, v) -> {
            if (k == null || k.isEmpty() || k.length() > 128) {
                p.add(w + ": tag keys must be 1..128 characters, got '" + k + "'");
            } else if (k.startsWith("aws:") || k.startsWith("tollgate:")) {
                p.add(w + ": tag key '" + k + "' is reserved (aws: belongs to AWS, tollgate: to the fingerprint)");
            }
            if (v == null || v.length() > 256) {
                p.add(w + ": tag '" + k + "' needs a value of at most 256 characters");
            }
        });
        if (spot != null) {
            spot.problems().forEach(s -> p.add(w + ": " + s));
        }
        if (onDemandHourlyPrice != null && !(onDemandHourlyPrice >= 0)) {
            p.add(w + ": onDemandHourlyPrice must be a price in USD/hour, got " + onDemandHourlyPrice);
        }
        return p;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.instanceType = instanceType;
        b.image = image;
        b.subnetIds = subnetIds;
        b.availabilityZone = availabilityZone;
        b.securityGroupIds = securityGroupIds;
        b.keyName = keyName;
        b.iamInstanceProfile = iamInstanceProfile;
        b.userDataTemplate = userDataTemplate;
        b.blockDevices = blockDevices;
        b.attachVolumes = attachVolumes;
        b.elasticIpAllocationId = elasticIpAllocationId;
        b.tags = tags;
        b.spot = spot;
        b.onDemandHourlyPrice = onDemandHourlyPrice;
        return b;
    }

    public static final class Builder {
        private String instanceType;
        private ImageSelector image;
        private List<String> subnetIds = List.of();
        private String availabilityZone;
        private List<String> securityGroupIds = List.of();
        private String keyName;
        private String iamInstanceProfile;
        private String userDataTemplate;
        private List<BlockDevice> blockDevices = List.of();
        private List<VolumeAttachment> attachVolumes = List.of();
        private String elasticIpAllocationId;
        private Map<String, String> tags = Map.of();
        private SpotSettings spot;
        private Double onDemandHourlyPrice;

        private Builder() {
        }

        public Builder instanceType(String v) { instanceType = v; return this; }
        public Builder image(ImageSelector v) { image = v; return this; }
        public Builder subnetIds(List<String> v) { subnetIds = v; return this; }
        public Builder availabilityZone(String v) { availabilityZone = v; return this; }
        public Builder securityGroupIds(List<String> v) { securityGroupIds = v; return this; }
        public Builder keyName(String v) { keyName = v; return this; }
        /** An instance profile ARN ({@code arn:aws:iam::...}) or name. */
        public Builder iamInstanceProfile(String v) { iamInstanceProfile = v; return this; }
        public Builder userDataTemplate(String v) { userDataTemplate = v; return this; }
        public Builder blockDevices(List<BlockDevice> v) { blockDevices = v; return this; }
        public Builder attachVolumes(List<VolumeAttachment> v) { attachVolumes = v; return this; }
        public Builder elasticIpAllocationId(String v) { elasticIpAllocationId = v; return this; }
        public Builder tags(Map<String, String> v) { tags = v; return this; }
        public Builder spot(SpotSettings v) { spot = v; return this; }
        public Builder onDemandHourlyPrice(Double v) { onDemandHourlyPrice = v; return this; }

        public Ec2Options build() {
            return new Ec2Options(instanceType, image, subnetIds, availabilityZone, securityGroupIds, keyName,
                    iamInstanceProfile, userDataTemplate, blockDevices, attachVolumes, elasticIpAllocationId, tags, spot,
                    onDemandHourlyPrice);
        }
    }
}
