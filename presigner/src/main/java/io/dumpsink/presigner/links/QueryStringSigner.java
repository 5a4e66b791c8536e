package io.dumpsink.presigner.links;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * SigV4 query-string presigning of {@code GET} for a configured endpoint, written out because the SDK's presigner
 * spends most of its time (auth-scheme and endpoint-rule resolution, interceptors, marshalling) on work that is the
 * same for every link: with it the presigner served about 4,500 links/s on 2 cores, with this several times more.
 * Kept to the one case it needs: GET, UNSIGNED-PAYLOAD, only the host header signed, keys made of unreserved
 * characters (the dumps layout guarantees it). AWS's own endpoints (no endpoint configured) still go through the
 * SDK presigner, whose endpoint rules this class does not reproduce. Tests check it against a real S3 server.
 */
final class QueryStringSigner {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private final AwsCredentialsProvider credentials;
    private final String region;
    private final String scheme;
    private final String host;
    private final String pathPrefix;

    /** A signing key is valid for one day, region and secret: derived once, not per link. */
    private record SigningKey(String day, String secret, byte[] key) {
    }

    private volatile SigningKey cachedKey;

    QueryStringSigner(AwsCredentialsProvider credentials, String region, URI endpoint, boolean pathStyle,
            String bucket) {
        this.credentials = credentials;
        this.region = region;
        this.scheme = endpoint.getScheme();
        String authority = endpoint.getRawAuthority();
        String basePath = endpoint.getRawPath() == null || endpoint.getRawPath().equals("/") ? "" : endpoint.getRawPath();
        if (pathStyle) {
            this.host = authority;
            this.pathPrefix = basePath + "/" + bucket + "/";
        } else {
            this.host = bucket + "." + authority;
            this.pathPrefix = basePath + "/";
        }
    }

    URI presignGet(String key, Duration ttl, String contentDisposition, Instant now) {
        AwsCredentials resolved = credentials.resolveCredentials();
        String day = DAY.format(now);
        String scope = day + "/" + region + "/s3/aws4_request";
        Map<String, String> query = new TreeMap<>(); // canonical order: by encoded name, byte-wise
        query.put("X-Amz-Algorithm", ALGORITHM);
        query.put("X-Amz-Credential", encode(resolved.accessKeyId() + "/" + scope));
        query.put("X-Amz-Date", AMZ_DATE.format(now));
        query.put("X-Amz-Expires", Long.toString(ttl.toSeconds()));
        query.put("X-Amz-SignedHeaders", "host");
        if (resolved instanceof AwsSessionCredentials session) {
            query.put("X-Amz-Security-Token", encode(session.sessionToken()));
        }
        if (contentDisposition != null) {
            query.put("response-content-disposition", encode(contentDisposition));
        }
        StringBuilder canonicalQuery = new StringBuilder(256);
        query.forEach((name, value) -> {
            if (canonicalQuery.length() > 0) {
                canonicalQuery.append('&');
            }
            canonicalQuery.append(name).append('=').append(value);
        });
        String path = pathPrefix + key; // layout keys hold only unreserved characters and '/'
        String canonicalRequest = "GET\n" + path + "\n" + canonicalQuery + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD";
        String stringToSign = ALGORITHM + "\n" + query.get("X-Amz-Date") + "\n" + scope + "\n"
                + HexFormat.of().formatHex(sha256(canonicalRequest));
        String signature = HexFormat.of().formatHex(hmac(signingKey(day, resolved.secretAccessKey()), stringToSign));
        return URI.create(scheme + "://" + host + path + "?" + canonicalQuery + "&X-Amz-Signature=" + signature);
    }

    private byte[] signingKey(String day, String secret) {
        SigningKey current = cachedKey;
        if (current != null && current.day.equals(day) && current.secret.equals(secret)) {
            return current.key;
        }
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, region);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        cachedKey = new SigningKey(day, secret, key);
        return key;
    }

    /** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, '/' included. */
    static String encode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
