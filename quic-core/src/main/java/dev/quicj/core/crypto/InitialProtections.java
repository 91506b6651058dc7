package dev.quicj.core.crypto;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Initial packet protections of one client Destination Connection ID after another
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.2">RFC 9001 §5.2</a>), for code that derives Initial
 * keys per datagram without keeping a connection: a server that refuses client Initials statelessly, or a tool that
 * decrypts captured Initials. Each {@code derive} call re-keys the same two {@link PacketProtection} objects through
 * {@link CryptoProvider#rekeyPacketProtection}, so with {@link CryptoProvider#jca()} on a JVM that opens the JDK's AES
 * internals a derivation allocates nothing once warm; with other providers it makes new instances, with the same
 * result. The secrets are wiped after each derivation.
 *
 * <p>The protections returned are valid until the next {@code derive} call, which re-keys them in place: callers must
 * not keep them. Not thread-safe; one instance per thread or event loop.
 */
public final class InitialProtections {
    // the HKDF-Expand infos of "server in" alone; InitialSecrets.BOTH_INFOS has "client in" first
    private static final byte[][] SERVER_INFO = {InitialSecrets.SERVER_IN};

    private final CryptoProvider provider;
    // the secrets of the current derivation, wiped after it
    private final byte[] initialSecret = new byte[InitialSecrets.SUITE.hashLength()];
    private final byte[] clientSecret = new byte[InitialSecrets.SUITE.hashLength()];
    private final byte[] serverSecret = new byte[InitialSecrets.SUITE.hashLength()];
    // a connection ID's bytes, for the ConnectionId overloads
    private final byte[] dcidScratch = new byte[ConnectionId.MAX_LENGTH];
    // the protections, kept for re-keying; null until first made or after a failure
    private PacketProtection client;
    private PacketProtection server;
    // whether each holds the keys of the last derivation
    private boolean clientCurrent;
    private boolean serverCurrent;

    /** Protections made and re-keyed by {@code provider}. */
    public InitialProtections(CryptoProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * Derives both directions' Initial protections of a client's first Destination Connection ID,
     * {@code dcid[offset, offset + length)}, from one HKDF-Extract: {@link #client()} then opens the client's Initials
     * and {@link #server()} seals the server's.
     *
     * @throws CryptoException if the provider cannot set up a cipher
     * @throws IllegalArgumentException if {@code length} is more than 20 bytes
     * @throws IndexOutOfBoundsException if the range is outside {@code dcid}
     */
    public void deriveBoth(QuicVersion version, byte[] dcid, int offset, int length) throws CryptoException {
        derive(version, dcid, offset, length, true);
    }

    /** {@link #deriveBoth(QuicVersion, byte[], int, int)} of a connection ID. */
    public void deriveBoth(QuicVersion version, ConnectionId dcid) throws CryptoException {
        derive(version, dcid, true);
    }

    /**
     * Derives only the server's Initial protection of a client's first Destination Connection ID (one HKDF-Expand
     * fewer, no client keys): {@link #server()} then seals the server's Initials, and {@link #client()} is unavailable
     * until the next {@link #deriveBoth}.
     *
     * @throws CryptoException if the provider cannot set up the cipher
     * @throws IllegalArgumentException if {@code length} is more than 20 bytes
     * @throws IndexOutOfBoundsException if the range is outside {@code dcid}
     */
    public void deriveServer(QuicVersion version, byte[] dcid, int offset, int length) throws CryptoException {
        derive(version, dcid, offset, length, false);
    }

    /** {@link #deriveServer(QuicVersion, byte[], int, int)} of a connection ID. */
    public void deriveServer(QuicVersion version, ConnectionId dcid) throws CryptoException {
        derive(version, dcid, false);
    }

    /**
     * The protection of the client's Initial packets from the last {@link #deriveBoth}.
     *
     * @throws IllegalStateException if the last derivation did not derive it, or failed
     */
    public PacketProtection client() {
        if (!clientCurrent) {
            throw new IllegalStateException("no client Initial protection: call deriveBoth first");
        }
        return client;
    }

    /**
     * The protection of the server's Initial packets from the last derivation.
     *
     * @throws IllegalStateException if there was none, or it failed
     */
    public PacketProtection server() {
        if (!serverCurrent) {
            throw new IllegalStateException("no server Initial protection: call deriveBoth or deriveServer first");
        }
        return server;
    }

    private void derive(QuicVersion version, ConnectionId dcid, boolean both) throws CryptoException {
        clientCurrent = false;
        serverCurrent = false;
        Objects.requireNonNull(dcid, "dcid");
        derive(version, dcidScratch, 0, dcid.copyTo(dcidScratch, 0), both);
    }

    /**
     * A derivation that throws, for any reason (bad arguments included), leaves neither protection available until
     * the next one succeeds: the keys of an earlier DCID are never handed out in place of the asked-for ones.
     */
    private void derive(QuicVersion version, byte[] dcid, int offset, int length, boolean both)
            throws CryptoException {
        // whatever happens next, the keys of the previous DCID are no longer handed out
        clientCurrent = false;
        serverCurrent = false;
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(dcid, "dcid");
        Objects.checkFromIndexSize(offset, length, dcid.length);
        if (length > InitialSecrets.MAX_CONNECTION_ID_LENGTH) {
            throw new IllegalArgumentException("connection ID longer than 20 bytes: " + length);
        }
        Sha256Hmac hmac = Sha256Hmac.get();
        try {
            hmac.extractInitialInto(version, dcid, offset, length, initialSecret);
            if (both) {
                hmac.expandInto(initialSecret, InitialSecrets.BOTH_INFOS, clientSecret, serverSecret, null);
                PacketProtection previous = client;
                // a failure leaves nothing half re-keyed in use: the instance is dropped first
                client = null;
                client = rekey(previous, version, clientSecret);
            } else {
                hmac.expandInto(initialSecret, SERVER_INFO, serverSecret, null, null);
            }
            PacketProtection previous = server;
            server = null;
            server = rekey(previous, version, serverSecret);
            clientCurrent = both;
            serverCurrent = true;
        } finally {
            Arrays.fill(initialSecret, (byte) 0);
            Arrays.fill(clientSecret, (byte) 0);
            Arrays.fill(serverSecret, (byte) 0);
        }
    }

    // the provider's unchecked failure or null answer becomes a CryptoException (the slot is already cleared)
    private PacketProtection rekey(PacketProtection previous, QuicVersion version, byte[] secret)
            throws CryptoException {
        PacketProtection p;
        try {
            p = provider.rekeyPacketProtection(previous, version, InitialSecrets.SUITE, secret);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("rekeyPacketProtection", e);
        }
        return CryptoException.requireProtection(p, "rekeyPacketProtection");
    }
}
