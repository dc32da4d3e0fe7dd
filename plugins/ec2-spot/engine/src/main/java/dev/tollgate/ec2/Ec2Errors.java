package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.util.Set;

/**
 * EC2 error codes (see the EC2 API reference, "Error codes") onto the engine's {@link Kind}s. The
 * code decides before the HTTP status: EC2 sends InsufficientInstanceCapacity as a 500 and
 * RequestLimitExceeded as a 503, and neither is a plain server fault.
 */
final class Ec2Errors {
    private Ec2Errors() {}

    static final Set<String> THROTTLING = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException",
            "RequestThrottled", "RequestThrottledException", "TooManyRequestsException", "SlowDown");

    /** Capacity or price in one zone / subnet: another zone may still work. */
    static final Set<String> ZONE_CAPACITY = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
            "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity", "InsufficientFreeAddressesInSubnet",
            "InsufficientAddressCapacity", "UnfulfillableCapacity", "SpotMaxPriceTooLow", "Unsupported");

    /** Account-wide limits: no other zone will do better, only another market (spot → on-demand). */
    static final Set<String> ACCOUNT_CAPACITY = Set.of("MaxSpotInstanceCountExceeded", "InstanceLimitExceeded",
            "VcpuLimitExceeded", "SpotInstanceCountExceeded", "MaxSpotFleetRequestCountExceeded");

    static final Set<String> NOT_FOUND = Set.of("InvalidInstanceID.NotFound", "InvalidSpotInstanceRequestID.NotFound",
            "InvalidInstanceID.Unavailable");

    /**
     * IdempotentParameterMismatch: an earlier RunInstances with this ClientToken (a launch retried after
     * a timeout) did start an instance, with other parameters (e.g. a refreshed bid). That instance
     * carries the fingerprint, so "outcome unknown, the listing will find it" is exactly right.
     */
    static final Set<String> TRANSIENT = Set.of("InternalError", "InternalFailure", "ServiceUnavailable",
            "Unavailable", "RequestExpired", "IdempotentParameterMismatch");

    static Kind kindOf(String code, int httpStatus) {
        if (code != null) {
            if (THROTTLING.contains(code)) {
                return Kind.THROTTLED;
            }
            if (ZONE_CAPACITY.contains(code) || ACCOUNT_CAPACITY.contains(code)) {
                return Kind.CAPACITY;
            }
            if (NOT_FOUND.contains(code)) {
                return Kind.NOT_FOUND;
            }
            if (TRANSIENT.contains(code)) {
                return Kind.TRANSIENT;
            }
        }
        if (httpStatus == 429) {
            return Kind.THROTTLED;
        }
        if (httpStatus >= 500) {
            return Kind.TRANSIENT;
        }
        // AuthFailure, UnauthorizedOperation, InvalidParameterValue, InvalidAMIID.NotFound, ...:
        // configuration or credentials, retrying will not help
        return Kind.PERMANENT;
    }

    static boolean accountWide(CloudException e) {
        return e.code() != null && ACCOUNT_CAPACITY.contains(e.code());
    }

    static CloudException map(String action, SdkException e) {
        if (e instanceof AwsServiceException ase) {
            String code = ase.awsErrorDetails() != null ? ase.awsErrorDetails().errorCode() : null;
            String msg = ase.awsErrorDetails() != null ? ase.awsErrorDetails().errorMessage() : ase.getMessage();
            int status = ase.statusCode();
            return new CloudException(kindOf(code, status), code, action + " failed: "
                    + (code != null ? code + " " : "") + "(HTTP " + status + ")" + (msg != null ? ": " + msg : ""), e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException || hasIoCause(e)) {
            return new CloudException(Kind.TRANSIENT, null, action + " failed on the network: " + e.getMessage(), e);
        }
        if (e instanceof SdkClientException) {
            // no credentials found, bad region, unparsable response...: not going to fix itself
            return new CloudException(Kind.PERMANENT, null, action + " failed in the client: " + e.getMessage(), e);
        }
        return new CloudException(Kind.TRANSIENT, null, action + " failed: " + e.getMessage(), e);
    }

    private static boolean hasIoCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof java.io.UncheckedIOException) {
                return true;
            }
        }
        return false;
    }
}
