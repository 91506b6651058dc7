package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.DatagramInspector.NamedKey;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import dev.quicj.core.tls.TransportParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connections in each handshake state of close-spec §2, reached only through the public API and packets crafted
 * as the peer would send them. The default CIDs are those of ngtcp2's upstream tests (18 bytes): the client's first
 * DCID {@code DD AA..AA DD}, client SCID {@code EE AA..AA EE}, server SCID {@code FF AA..AA FF}.
 *
 * <p>Handshake and 1-RTT keys are installed from fixed secrets, so a test can play the peer with
 * {@link #peerProtection}.
 */
public final class ConnectionFixtures {
    public static final ConnectionId CLIENT_ODCID = cid(0xdd, 18);
    public static final ConnectionId CLIENT_SCID = cid(0xee, 18);
    public static final ConnectionId SERVER_SCID = cid(0xff, 18);

    public static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("127.0.0.1", 50000);
    public static final InetSocketAddress SERVER_ADDRESS = new InetSocketAddress("127.0.0.1", 4433);
    public static final NetworkPath CLIENT_PATH = new NetworkPath(CLIENT_ADDRESS, SERVER_ADDRESS);
    public static final NetworkPath SERVER_PATH = new NetworkPath(SERVER_ADDRESS, CLIENT_ADDRESS);

    public static final CipherSuite SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;
    public static final byte[] CLIENT_HANDSHAKE_SECRET = secret(0x11);
    public static final byte[] SERVER_HANDSHAKE_SECRET = secret(0x22);
    public static final byte[] CLIENT_1RTT_SECRET = secret(0x33);
    public static final byte[] SERVER_1RTT_SECRET = secret(0x44);

    /** A stand-in ClientHello: CRYPTO data the first Initial carries (its content is not parsed by this core). */
    public static final byte[] CLIENT_HELLO = filled(0x01, 300);

    public static final long T0 = 1_000_000_000L;

    private ConnectionFixtures() {
    }

    static ConnectionId cid(int edge, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 0xaa);
        b[0] = (byte) edge;
        b[length - 1] = (byte) edge;
        return ConnectionId.of(b);
    }

    private static byte[] secret(int fill) {
        return filled(fill, 32);
    }

    private static byte[] filled(int fill, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    /** Null-crypto settings, as the upstream tests use. */
    public static Settings nullCrypto() {
        return Settings.builder().cryptoProvider(CryptoProvider.nullCrypto()).build();
    }

    // ------------------------------------------------------------------------------------------------------
    // clients

    /** A client builder with the fixture CIDs and path. */
    public static QuicConnection.ClientBuilder clientBuilder(Settings settings) {
        return QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(CLIENT_ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).settings(settings);
    }

    /** A client that has not written anything: CLIENT_INITIAL. */
    public static QuicConnection freshClient(Settings settings) throws CryptoException {
        return clientBuilder(settings).build(T0);
    }

    /** A client that wrote its first Initial (pn 0, 1200 bytes): Initial keys only. */
    public static QuicConnection client(Settings settings) throws CryptoException {
        return sentFirstInitial(freshClient(settings));
    }

    /**
     * A {@link #client} that then processed the server's first Initial, from {@code serverScid}, carrying
     * {@code frames} (hex): it knows the server's connection ID.
     */
    public static QuicConnection clientAfterServerInitial(Settings settings, ConnectionId serverScid, String frames)
            throws Exception {
        QuicConnection c = client(settings);
        byte[] serverInitial = peerLongPacket(peerProtection(settings,
                        InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, serverScid, 0, Hex.decode(frames), 0);
        ReceiveStatus status = c.receive(ByteBuffer.wrap(serverInitial), CLIENT_PATH, T0);
        if (status != ReceiveStatus.PROCESSED) {
            throw new AssertionError("the server's Initial was " + status + ": " + c.lastDropReason());
        }
        return c;
    }

    /** Writes the first Initial of a fresh client and checks it was written. */
    public static QuicConnection sentFirstInitial(QuicConnection c) throws CryptoException {
        c.submitCryptoData(EncryptionLevel.INITIAL, CLIENT_HELLO);
        ByteBuffer first = ByteBuffer.allocate(1500);
        int n = write(c, first, T0);
        if (n != 1200) {
            throw new AssertionError("first Initial is " + n + " bytes");
        }
        return c;
    }

    /** A client holding Handshake keys (installed after its first Initial). */
    public static QuicConnection clientWithHandshakeKeys(Settings settings) throws CryptoException {
        QuicConnection c = client(settings);
        c.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        return c;
    }

    /** A client with Handshake and 1-RTT keys whose TLS handshake has not completed yet (RFC 9001 §5.7 applies). */
    public static QuicConnection clientWithOneRttKeys(Settings settings) throws CryptoException {
        QuicConnection c = clientWithHandshakeKeys(settings);
        c.installTxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        return c;
    }

    /** A client whose handshake completed (POST_HANDSHAKE) but is not confirmed. */
    public static QuicConnection clientPostHandshake(Settings settings) throws CryptoException {
        QuicConnection c = clientWithOneRttKeys(settings);
        c.handshakeCompleted();
        return c;
    }

    /** A confirmed client: it received HANDSHAKE_DONE in a 1-RTT packet from the server. */
    public static QuicConnection clientConfirmed(Settings settings) throws CryptoException, QuicException {
        QuicConnection c = clientPostHandshake(settings);
        byte[] dg = peerShortPacket(settings, SERVER_1RTT_SECRET, c.sourceConnectionId(), 0, new byte[] {0x1e});
        ReceiveStatus st = c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0);
        if (st != ReceiveStatus.PROCESSED || !c.isHandshakeConfirmed()) {
            throw new AssertionError("HANDSHAKE_DONE not processed: " + st + " " + c.lastDropReason());
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------------------
    // servers

    /** A server builder with the fixture SCID and path; nothing read yet. */
    public static QuicConnection.ServerBuilder serverBuilder(Settings settings) {
        return QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(settings);
    }

    /** The 1200-byte first Initial a fixture client sends. */
    public static byte[] clientFirstInitial(Settings settings) throws CryptoException {
        QuicConnection c = freshClient(settings);
        c.submitCryptoData(EncryptionLevel.INITIAL, CLIENT_HELLO);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = write(c, b, T0);
        return Arrays.copyOf(b.array(), n);
    }

    /**
     * {@link QuicConnection#writePacket} for a fixture's setup, where the AEAD_LIMIT_REACHED it may throw (RFC 9001
     * §6.6) cannot happen: it would fail the test.
     */
    static int write(QuicConnection c, ByteBuffer dest, long now) throws CryptoException {
        try {
            return c.writePacket(null, null, dest, now);
        } catch (QuicException e) {
            throw new AssertionError("a fixture's write failed: " + e, e);
        }
    }

    /** A server that read the client's first Initial (1200 bytes received): Initial keys only. */
    public static QuicConnection server(Settings settings) throws CryptoException, QuicException {
        QuicConnection s = serverBuilder(settings).build(T0);
        ReceiveStatus st = s.receive(ByteBuffer.wrap(clientFirstInitial(settings)), SERVER_PATH, T0);
        if (st != ReceiveStatus.PROCESSED) {
            throw new AssertionError("client Initial not processed: " + st + " " + s.lastDropReason());
        }
        return s;
    }

    /**
     * A server that read the client's first Initial and holds Handshake and 1-RTT keys of both directions, whose CRYPTO
     * data listener reports the handshake complete when Handshake-level data arrives (as a TLS layer does on the
     * client's Finished): 1-RTT packets it holds are processed at the end of that receive.
     */
    public static QuicConnection serverCompletingOnHandshakeCrypto(Settings settings) throws Exception {
        QuicConnection[] self = new QuicConnection[1];
        QuicConnection s = serverBuilder(settings).cryptoDataListener((level, offset, data) -> {
            if (level == EncryptionLevel.HANDSHAKE) {
                self[0].handshakeCompleted();
            }
        }).build(T0);
        self[0] = s;
        ReceiveStatus first = s.receive(ByteBuffer.wrap(clientFirstInitial(settings)), SERVER_PATH, T0);
        if (first != ReceiveStatus.PROCESSED) {
            throw new AssertionError("the client's first Initial was " + first);
        }
        s.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        return s;
    }

    /** A server with Initial and Handshake keys, no 1-RTT key. */
    public static QuicConnection serverWithHandshakeKeys(Settings settings) throws CryptoException, QuicException {
        QuicConnection s = server(settings);
        s.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        return s;
    }

    /** A server with every key, handshake not completed. */
    public static QuicConnection serverAllKeys(Settings settings) throws CryptoException, QuicException {
        QuicConnection s = serverWithHandshakeKeys(settings);
        s.installTxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        return s;
    }

    /** A server whose handshake completed, hence confirmed. */
    public static QuicConnection serverConfirmed(Settings settings) throws CryptoException, QuicException {
        QuicConnection s = serverAllKeys(settings);
        s.handshakeCompleted();
        return s;
    }

    // ------------------------------------------------------------------------------------------------------
    // the peer's side

    /**
     * A null-crypto client after the handshake whose local transport parameters advertise
     * active_connection_id_limit {@code limit} (RFC 9000 §18.2).
     */
    public static QuicConnection clientWithConnectionIdLimit(long limit) throws CryptoException {
        QuicConnection c = clientPostHandshake(nullCrypto());
        c.setLocalTransportParameters(TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).activeConnectionIdLimit(limit).build());
        return c;
    }

    /** The 8-byte connection ID the test peers issue with sequence number {@code sequence}. */
    public static ConnectionId issuedId(int sequence) {
        return ConnectionId.fromHex(String.format("%016x", 0x0102030405060700L + sequence));
    }

    /**
     * The hex of a NEW_CONNECTION_ID frame (RFC 9000 §19.15) for {@link #issuedId(int) issuedId(sequence)}, with
     * 2-byte varints for the sequence number and Retire Prior To (up to 16383) and the reset token
     * {@code 0x7700 + sequence} in 16 bytes.
     */
    public static String newConnectionIdFrame(int sequence, int retirePriorTo) {
        return "18" + String.format("%04x%04x%02x", 0x4000 | sequence, 0x4000 | retirePriorTo, 8)
                + issuedId(sequence).toHex() + String.format("%032x", 0x7700 + sequence);
    }

    /** The hex of the datagram {@code c} writes to close with {@code e} at T0 + 1, which must be WRITTEN. */
    public static String closeHex(QuicConnection c, CloseError e) {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseOutcome outcome = c.writeConnectionClose(null, null, dest, e, T0 + 1);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new AssertionError("close not written: " + outcome);
        }
        return Hex.encode(Arrays.copyOf(dest.array(), dest.position()));
    }

    /** The protection the peer uses for a secret (for crafting its packets or reading ours). */
    public static PacketProtection peerProtection(Settings settings, byte[] secret) throws CryptoException {
        return settings.cryptoProvider().newPacketProtection(QuicVersion.V1, SUITE, secret);
    }

    /** A 1-RTT packet from the peer with the given frames, sealed with {@code secret}. */
    public static byte[] peerShortPacket(Settings settings, byte[] secret, ConnectionId dcid, long pn, byte[] frames)
            throws CryptoException {
        PacketProtection p = peerProtection(settings, secret);
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        int pnLength = PacketNumber.encodedLength(pn, -1);
        if (!w.beginShort(b, 0, 1500, dcid, 0, pn, pnLength, p) || !w.writeFrameBytes(frames, 0, frames.length)) {
            throw new AssertionError("peer packet does not fit");
        }
        int n = w.finish(0);
        return Arrays.copyOf(b.array(), n);
    }

    /** A long-header packet from the peer with the given frames. */
    public static byte[] peerLongPacket(PacketProtection p, LongPacketType type, ConnectionId dcid, ConnectionId scid,
            long pn, byte[] frames, int minLength) throws CryptoException {
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        int pnLength = PacketNumber.encodedLength(pn, -1);
        if (!w.beginLong(b, 0, 1500, QuicVersion.V1, type, dcid, scid, null, pn, pnLength, p)
                || !w.writeFrameBytes(frames, 0, frames.length)) {
            throw new AssertionError("peer packet does not fit");
        }
        int n = w.finish(minLength);
        return Arrays.copyOf(b.array(), n);
    }

    /**
     * A Retry packet (RFC 9000 §17.2.5) from the server to a client whose first DCID was {@code odcid}, with a valid
     * integrity tag.
     */
    public static byte[] retryPacket(QuicVersion version, ConnectionId clientScid, ConnectionId newServerScid,
            byte[] token, ConnectionId odcid) throws CryptoException {
        ByteBuffer b = ByteBuffer.allocate(256);
        b.put((byte) (0x80 | 0x40 | version.typeBits(LongPacketType.RETRY) << 4));
        b.putInt(version.wireValue());
        b.put((byte) clientScid.length());
        clientScid.writeTo(b);
        b.put((byte) newServerScid.length());
        newServerScid.writeTo(b);
        b.put(token);
        byte[] tag = dev.quicj.core.crypto.RetryIntegrity.tag(version, odcid.toByteArray(), b.array(), 0, b.position());
        b.put(tag);
        return Arrays.copyOf(b.array(), b.position());
    }

    // ------------------------------------------------------------------------------------------------------
    // reading what a connection wrote

    /**
     * Keys to read what a client wrote (client Initial from the fixture ODCID, client Handshake and 1-RTT secrets)
     * or a server wrote.
     */
    public static DatagramInspector.KeySource keysOf(Side writer, Settings settings) {
        CryptoProvider crypto = settings.cryptoProvider();
        return (level, version) -> {
            List<NamedKey> keys = new ArrayList<>();
            switch (level) {
                case INITIAL:
                    return DatagramInspector.initialKeys(CLIENT_ODCID, crypto).candidates(level, version);
                case HANDSHAKE:
                    keys.add(new NamedKey(writer + " Handshake", peerProtection(settings,
                            writer == Side.CLIENT ? CLIENT_HANDSHAKE_SECRET : SERVER_HANDSHAKE_SECRET)));
                    return keys;
                case ONE_RTT:
                    keys.add(new NamedKey(writer + " 1-RTT", peerProtection(settings,
                            writer == Side.CLIENT ? CLIENT_1RTT_SECRET : SERVER_1RTT_SECRET)));
                    return keys;
                default:
                    return keys;
            }
        };
    }

    /** Which side wrote. */
    public enum Side {
        CLIENT,
        SERVER
    }

    /** Decodes a datagram a fixture connection wrote. */
    public static List<InspectedPacket> inspect(ByteBuffer written, Side writer, Settings settings) {
        return inspect(written, writer, settings, 18);
    }

    /** Decodes a datagram a fixture connection wrote whose 1-RTT DCID has {@code dcidLength} bytes. */
    public static List<InspectedPacket> inspect(ByteBuffer written, Side writer, Settings settings, int dcidLength) {
        byte[] bytes = new byte[written.remaining()];
        written.duplicate().get(bytes);
        return DatagramInspector.inspect(bytes, keysOf(writer, settings), dcidLength);
    }

    /** Hex of a buffer's remaining bytes. */
    public static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return Hex.encode(bytes);
    }
}
