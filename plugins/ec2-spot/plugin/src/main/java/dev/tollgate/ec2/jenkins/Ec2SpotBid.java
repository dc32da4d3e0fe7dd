package dev.tollgate.ec2.jenkins;

import dev.tollgate.ec2.config.Ec2SpotSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * How a template bids for spot capacity: the 24-hour average price times the multiplier, never
 * above the maximum; prices are USD per hour as decimals. Mirrors {@link Ec2SpotSpec}. A template
 * without one starts on-demand instances.
 */
public final class Ec2SpotBid implements Describable<Ec2SpotBid> {
    private String maxSpotPrice;
    private String priceMultiplier;
    private String defaultPrice;
    private String productDescription = "Linux/UNIX";
    private boolean fallbackToOnDemand;

    @DataBoundConstructor
    public Ec2SpotBid() {
    }

    public String getMaxSpotPrice() {
        return maxSpotPrice;
    }

    @DataBoundSetter
    public void setMaxSpotPrice(String maxSpotPrice) {
        this.maxSpotPrice = Util.fixEmptyAndTrim(maxSpotPrice);
    }

    public String getPriceMultiplier() {
        return priceMultiplier;
    }

    @DataBoundSetter
    public void setPriceMultiplier(String priceMultiplier) {
        this.priceMultiplier = Util.fixEmptyAndTrim(priceMultiplier);
    }

    public String getDefaultPrice() {
        return defaultPrice;
    }

    @DataBoundSetter
    public void setDefaultPrice(String defaultPrice) {
        this.defaultPrice = Util.fixEmptyAndTrim(defaultPrice);
    }

    public String getProductDescription() {
        return productDescription;
    }

    @DataBoundSetter
    public void setProductDescription(String productDescription) {
        String p = Util.fixEmptyAndTrim(productDescription);
        this.productDescription = p == null ? "Linux/UNIX" : p;
    }

    public boolean isFallbackToOnDemand() {
        return fallbackToOnDemand;
    }

    @DataBoundSetter
    public void setFallbackToOnDemand(boolean fallbackToOnDemand) {
        this.fallbackToOnDemand = fallbackToOnDemand;
    }

    public Ec2SpotSpec toRecord() {
        return new Ec2SpotSpec(maxSpotPrice, priceMultiplier, defaultPrice, productDescription, fallbackToOnDemand);
    }

    @Override
    public Descriptor<Ec2SpotBid> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2SpotBid")
    public static final class DescriptorImpl extends Descriptor<Ec2SpotBid> {
        @Override
        public String getDisplayName() {
            return "Spot bid";
        }

        public FormValidation doCheckMaxSpotPrice(@QueryParameter String value) {
            return FieldChecks.spot("maxSpotPrice", value);
        }

        public FormValidation doCheckPriceMultiplier(@QueryParameter String value) {
            return FieldChecks.spot("priceMultiplier", value);
        }

        public FormValidation doCheckDefaultPrice(@QueryParameter String value) {
            return FieldChecks.spot("defaultPrice", value);
        }
    }
}
