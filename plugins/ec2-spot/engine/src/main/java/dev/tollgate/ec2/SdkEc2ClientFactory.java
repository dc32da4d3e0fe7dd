package dev.tollgate.ec2;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

import java.time.Duration;

/**
 * The real client: URLConnection HTTP client (no extra HTTP stack to bundle), the configured region
 * and endpoint, credentials from the port or the SDK's default chain, and <b>no SDK retries</b>:
 * the lifecycle engine owns retries and backs off with jitter on {@code THROTTLED}; SDK retries
 * underneath would hide throttling from it and multiply the API calls a storm makes. With an
 * {@link HttpProxy} every call goes through it (credentials sent at once as basic proxy
 * authorization); without one the JVM's {@code http(s).proxyHost} properties apply, as before.
 */
public final class SdkEc2ClientFactory implements Ec2ClientFactory {
    private final Ec2Credentials credentials;
    private final Duration callTimeout;
    private final HttpProxy proxy;

    /** Credentials from the SDK's default provider chain. */
    public SdkEc2ClientFactory() {
        this(null, Duration.ofSeconds(30));
    }

    /** @param credentials explicit keys; null = the SDK's default provider chain */
    public SdkEc2ClientFactory(Ec2Credentials credentials, Duration callTimeout) {
        this(credentials, callTimeout, null);
    }

    /**
     * @param credentials explicit keys; null = the SDK's default provider chain
     * @param proxy the proxy every call goes through; null = the JVM's proxy properties
     */
    public SdkEc2ClientFactory(Ec2Credentials credentials, Duration callTimeout, HttpProxy proxy) {
        this.credentials = credentials;
        this.callTimeout = callTimeout;
        this.proxy = proxy;
    }

    @Override
    public Ec2Client open(Ec2CloudConfig config) {
        Ec2ClientBuilder b = Ec2Client.builder()
                .region(Region.of(config.region()))
                .httpClientBuilder(httpClient())
                .credentialsProvider(provider())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(callTimeout)
                        .build());
        if (config.endpoint() != null) {
            b.endpointOverride(config.endpoint());
        }
        return b.build();
    }

    private UrlConnectionHttpClient.Builder httpClient() {
        UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(callTimeout);
        if (proxy != null) {
            b.proxyConfiguration(ProxyConfiguration.builder()
                    .endpoint(proxy.endpoint())
                    .username(proxy.username())
                    .password(proxy.password())
                    .useSystemPropertyValues(false)
                    .useEnvironmentVariablesValues(false)
                    .build());
        }
        return b;
    }

    private AwsCredentialsProvider provider() {
        if (credentials == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        Ec2Credentials port = credentials;
        return () -> {
            Ec2Credentials.Keys k = port.current();
            return k.sessionToken() == null
                    ? AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey())
                    : AwsSessionCredentials.create(k.accessKeyId(), k.secretAccessKey(), k.sessionToken());
        };
    }

    @Override
    public String toString() {
        return "SdkEc2ClientFactory[" + (credentials == null ? "default credential chain" : "explicit credentials")
                + (proxy == null ? "" : ", " + proxy) + "]";
    }
}
