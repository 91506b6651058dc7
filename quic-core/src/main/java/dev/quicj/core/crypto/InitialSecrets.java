package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.util.Arrays;
import java.util.Objects;

/**
 * Initial secrets (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.2">RFC 9001 §5.2</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9369#section-3.3.1">RFC 9369 §3.3.1</a>):
 *
 * <pre>
 * initial_secret        = HKDF-Extract(initial_salt, client_dst_connection_id)
 * client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32)
 * server_initial_secret = HKDF-Expand-Label(initial_secret, "server in", "", 32)
 * </pre>
 *
 * with SHA-256 and the version's salt. The {@code "client in"} / {@code "server in"} labels are the same in QUIC
 * version 2; only the salt and the packet-protection labels differ. Initial packets are always protected with
 * {@link #SUITE}.
 */
public final class InitialSecrets {
    /** The cipher suite of Initial packets: AEAD_AES_128_GCM with SHA-256. */
    public static final CipherSuite SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;

    /** The longest connection ID QUIC versions 1 and 2 allow (RFC 9000 §17.2). */
    public static final int MAX_CONNECTION_ID_LENGTH = 20;

    // the HKDF-Expand infos of "client in" and "server in" (the same in QUIC v1 and v2), encoded once, read only
    static final byte[] CLIENT_IN = HkdfLabel.encodeLabel("client in", null, SUITE.hashLength());
    static final byte[] SERVER_IN = HkdfLabel.encodeLabel("server in", null, SUITE.hashLength());
    static final byte[][] BOTH_INFOS = {CLIENT_IN, SERVER_IN};
    private static final int[] BOTH_LENGTHS = {SUITE.hashLength(), SUITE.hashLength()};

    private InitialSecrets() {
    }

    /**
     * {@code initial_secret = HKDF-Extract(initial_salt, dcid)}.
     *
     * @param dcid the Destination Connection ID of the client's first Initial packet, 0 to 20 bytes
     * @throws IllegalArgumentException if {@code dcid} is longer than 20 bytes
     */
    public static byte[] initialSecret(QuicVersion version, byte[] dcid) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(dcid, "dcid");
        if (dcid.length > MAX_CONNECTION_ID_LENGTH) {
            throw new IllegalArgumentException("connection ID longer than 20 bytes: " + dcid.length);
        }
        return Sha256Hmac.get().extractInitial(version, dcid);
    }

    /**
     * Both Initial secrets from one HKDF-Extract: {@code [client_initial_secret, server_initial_secret]}.
     */
    public static byte[][] bothSecrets(QuicVersion version, byte[] dcid) {
        byte[] initial = initialSecret(version, dcid);
        try {
            return Sha256Hmac.get().expandAll(initial, BOTH_INFOS, BOTH_LENGTHS);
        } finally {
            Arrays.fill(initial, (byte) 0);
        }
    }

    /**
     * Both Initial protections of {@code dcid} from one HKDF-Extract: {@code [client, server]}.
     *
     * @throws CryptoException if the provider cannot set up the cipher
     */
    public static PacketProtection[] bothProtections(CryptoProvider provider, QuicVersion version, byte[] dcid)
            throws CryptoException {
        InitialProtections keys = new InitialProtections(provider);
        keys.deriveBoth(version, Objects.requireNonNull(dcid, "dcid"), 0, dcid.length);
        return new PacketProtection[] {keys.client(), keys.server()};
    }

    /** {@code client_initial_secret}, which protects the client's Initial packets. */
    public static byte[] clientSecret(QuicVersion version, byte[] dcid) {
        return expand(version, dcid, CLIENT_IN);
    }

    /** {@code server_initial_secret}, which protects the server's Initial packets. */
    public static byte[] serverSecret(QuicVersion version, byte[] dcid) {
        return expand(version, dcid, SERVER_IN);
    }

    /**
     * The protection of the client's Initial packets: what a client seals with and a server opens with.
     *
     * @throws CryptoException if the provider cannot set up the cipher
     */
    public static PacketProtection clientProtection(CryptoProvider provider, QuicVersion version, byte[] dcid)
            throws CryptoException {
        return protection(provider, version, clientSecret(version, dcid));
    }

    /**
     * The protection of the server's Initial packets: what a server seals with and a client opens with.
     *
     * @throws CryptoException if the provider cannot set up the cipher
     */
    public static PacketProtection serverProtection(CryptoProvider provider, QuicVersion version, byte[] dcid)
            throws CryptoException {
        InitialProtections keys = new InitialProtections(provider);
        keys.deriveServer(version, Objects.requireNonNull(dcid, "dcid"), 0, dcid.length);
        return keys.server();
    }

    private static byte[] expand(QuicVersion version, byte[] dcid, byte[] info) {
        byte[] initial = initialSecret(version, dcid);
        try {
            return Sha256Hmac.get().expand(initial, info, SUITE.hashLength());
        } finally {
            Arrays.fill(initial, (byte) 0);
        }
    }

    private static PacketProtection protection(CryptoProvider provider, QuicVersion version, byte[] secret)
            throws CryptoException {
        Objects.requireNonNull(provider, "provider");
        try {
            return CryptoException.requireProtection(provider.newPacketProtection(version, SUITE, secret),
                    "newPacketProtection");
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("newPacketProtection", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
