package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RFC 9001 §6.6, Limits on AEAD Usage, with real crypto: the packets sealed with each transmit key set are counted
 * against the confidentiality limit (this endpoint never initiates a key update, so it stops using the keys), and the
 * received packets that fail authentication against the integrity limit. The counters are preset just below a limit
 * through the connection's test seams, so no test seals or forges millions of packets.
 */
class AeadLimitsTest {
    private static final Settings REAL = Settings.defaults();
    private static final long AES_CONFIDENTIALITY = 1L << 23;
    private static final long AES_INTEGRITY = 1L << 52;
    private static final long CHACHA_INTEGRITY = 1L << 36;
    // the ordinary send path stops this many packets short of the confidentiality limit, for the close
    private static final long MARGIN = AES_CONFIDENTIALITY - PacketNumberSpace.CLOSE_RESERVE;
    // a PING and 40 bytes of PADDING: the tag lies beyond the header protection sample
    private static final byte[] PING = pingAndPadding();

    @Test
    void theSuitesLimitsAreThoseOfRfc9001() {
        assertEquals(AES_CONFIDENTIALITY, CipherSuite.TLS_AES_128_GCM_SHA256.confidentialityLimit());
        assertEquals(AES_CONFIDENTIALITY, CipherSuite.TLS_AES_256_GCM_SHA384.confidentialityLimit());
        assertEquals(Long.MAX_VALUE, CipherSuite.TLS_CHACHA20_POLY1305_SHA256.confidentialityLimit());
        assertEquals(AES_INTEGRITY, CipherSuite.TLS_AES_128_GCM_SHA256.integrityLimit());
        assertEquals(AES_INTEGRITY, CipherSuite.TLS_AES_256_GCM_SHA384.integrityLimit());
        assertEquals(CHACHA_INTEGRITY, CipherSuite.TLS_CHACHA20_POLY1305_SHA256.integrityLimit());
    }

    // ------------------------------------------------------------------------------------------------------
    // confidentiality limit

    /**
     * The ordinary send path seals up to the margin below 2^23 and then refuses, before writing anything, with
     * AEAD_LIMIT_REACHED, which CloseError.fromException turns into a close of code 0x0f.
     */
    @Test
    void writePacketRefusesAtTheMarginWithAeadLimitReached() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, MARGIN - 1);
        // the ACK of the server's HANDSHAKE_DONE packet: the last packet the margin allows
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        assertEquals(MARGIN, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        receive(c, peerShort(REAL, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_1RTT_SECRET, 1, PING), T0 + 2);
        long next = c.nextPacketNumber(EncryptionLevel.ONE_RTT);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        QuicException e = assertThrows(QuicException.class, () -> c.writePacket(null, null, dest, T0 + 3));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());
        assertEquals(0x0fL, CloseError.fromException(e).errorCode());
        assertEquals(0, dest.position(), "nothing written");
        assertEquals(next, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(MARGIN, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
        // and so does every later call
        assertThrows(QuicException.class, () -> c.writePacket(null, null, dest, T0 + 3));
    }

    /** Handshake keys are limited the same way: a client that has not confirmed the handshake still sends with them. */
    @Test
    void writePacketRefusesWhenTheHandshakeKeysReachTheMargin() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(REAL);
        c.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[40]);
        c.setSealedPacketsForTesting(EncryptionLevel.HANDSHAKE, MARGIN);
        QuicException e = assertThrows(QuicException.class,
                () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());
        // one packet below the margin, the Handshake packet goes out
        c.setSealedPacketsForTesting(EncryptionLevel.HANDSHAKE, MARGIN - 1);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        assertEquals(MARGIN, c.sealedPacketsForTesting(EncryptionLevel.HANDSHAKE));
    }

    /**
     * After the refusal the CONNECTION_CLOSE is still sealed with the same keys, within the limit, and counted; it
     * carries AEAD_LIMIT_REACHED.
     */
    @Test
    void theCloseIsStillWrittenAfterTheRefusalAndIsCounted() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        // keeps the spaces after the close, so that the count can be read
        c.retainSendStateForBenchmark();
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, MARGIN);
        QuicException e = assertThrows(QuicException.class,
                () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, dest, CloseError.fromException(e), T0 + 1));
        assertEquals(MARGIN + 1, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        assertTrue(c.isInClosingPeriod());
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, c.localCloseError().errorCode());
        dest.flip();
        var packets = ConnectionFixtures.inspect(dest, ConnectionFixtures.Side.CLIENT, REAL);
        assertEquals(1, packets.size());
        assertTrue(packets.get(0).toString().contains("error=0xf"), packets::toString);
    }

    /** The close may seal the very last packet the limit allows. */
    @Test
    void theCloseMaySealTheLastPacketTheLimitAllows() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        c.retainSendStateForBenchmark();
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, AES_CONFIDENTIALITY - 1);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.fromLibraryError(LibraryError.AEAD_LIMIT_REACHED, null), T0 + 1));
        assertEquals(AES_CONFIDENTIALITY, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
    }

    /**
     * At the limit the close writer seals nothing: AEAD_LIMIT_REACHED, nothing written, no packet number used, the
     * path not filled, the state unchanged.
     */
    @Test
    void theCloseWriterRefusesAtTheHardLimitWithoutWriting() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, AES_CONFIDENTIALITY);
        long next = c.nextPacketNumber(EncryptionLevel.ONE_RTT);
        long sent = c.packetsSent();
        PathInfo path = new PathInfo();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.AEAD_LIMIT_REACHED, c.writeConnectionClose(path, new PacketInfo(), dest,
                CloseError.fromLibraryError(LibraryError.AEAD_LIMIT_REACHED, null), T0 + 1));
        assertEquals(0, dest.position());
        assertNull(path.path(), "the path is not filled");
        assertEquals(next, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(sent, c.packetsSent());
        assertEquals(AES_CONFIDENTIALITY, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
        assertNull(c.localCloseError());
    }

    /** The same for a close that would go in a Handshake packet (a server before its handshake completed). */
    @Test
    void theCloseWriterRefusesWhenTheHandshakeKeysAreAtTheLimit() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(REAL);
        s.setSealedPacketsForTesting(EncryptionLevel.HANDSHAKE, AES_CONFIDENTIALITY);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.AEAD_LIMIT_REACHED,
                s.writeConnectionClose(null, null, dest, CloseError.noError(), T0 + 1));
        assertEquals(0, dest.position());
        s.setSealedPacketsForTesting(EncryptionLevel.HANDSHAKE, AES_CONFIDENTIALITY - 1);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, CloseError.noError(), T0 + 1));
    }

    /** A key update the peer initiates gives this endpoint new transmit keys, whose count starts from zero. */
    @Test
    void aPeerKeyUpdateResetsTheCount() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        // the ACK of the HANDSHAKE_DONE packet, phase 0, which lets the peer update (RFC 9001 §6.2)
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, MARGIN);
        assertThrows(QuicException.class, () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, KeyUpdateTest.peerPacket(1, 1, 1, PING), T0 + 2),
                () -> "drop reason " + c.lastDropReason());
        assertEquals(0, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 3) > 0);
        assertEquals(1, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
    }

    /** ChaCha20-Poly1305's confidentiality limit is beyond any packet number: nothing is refused. */
    @Test
    void chaCha20ConnectionsHaveNoConfidentialityLimit() throws Exception {
        QuicConnection c = chaChaClientPostHandshake();
        c.setSealedPacketsForTesting(EncryptionLevel.HANDSHAKE, 1L << 40);
        c.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, 1L << 40);
        c.submitCryptoData(EncryptionLevel.ONE_RTT, new byte[40]);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        assertEquals((1L << 40) + 1, c.sealedPacketsForTesting(EncryptionLevel.ONE_RTT));
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.noError(), T0 + 2));
    }

    /** Initial keys, which anyone can derive, have no limit. */
    @Test
    void initialKeysHaveNoConfidentialityLimit() throws Exception {
        QuicConnection c = ConnectionFixtures.freshClient(REAL);
        c.setSealedPacketsForTesting(EncryptionLevel.INITIAL, AES_CONFIDENTIALITY);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.noError(), T0 + 1));
    }

    // ------------------------------------------------------------------------------------------------------
    // integrity limit

    /**
     * Failed authentications are counted across keys (the first 1-RTT generation, the next one after the peer's key
     * update), with "exceeds" taken literally: at the limit the connection goes on, one more failure and
     * {@code receive} reports AEAD_LIMIT_REACHED; later datagrams, valid ones included, are not processed.
     */
    @Test
    void failedAuthenticationsAccumulateAcrossKeysUntilTheIntegrityLimit() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        c.setAeadFailuresForTesting(AES_INTEGRITY - 2);
        // a forgery under the first generation
        assertEquals(ReceiveStatus.DROPPED, receive(c, forged(KeyUpdateTest.peerPacket(1, 0, 0, PING)), T0 + 2));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(AES_INTEGRITY - 1, c.aeadFailures);
        // the peer's key update, then a forgery under the next generation
        assertEquals(ReceiveStatus.PROCESSED, receive(c, KeyUpdateTest.peerPacket(2, 1, 1, PING), T0 + 3));
        assertEquals(ReceiveStatus.DROPPED, receive(c, forged(KeyUpdateTest.peerPacket(3, 1, 1, PING)), T0 + 4));
        assertEquals(AES_INTEGRITY, c.aeadFailures);
        // at the limit, not past it: a valid packet is still processed
        assertEquals(ReceiveStatus.PROCESSED, receive(c, KeyUpdateTest.peerPacket(4, 1, 1, PING), T0 + 5));
        // past it
        QuicException e = assertThrows(QuicException.class,
                () -> receive(c, forged(KeyUpdateTest.peerPacket(5, 1, 1, PING)), T0 + 6));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());
        assertEquals(0x0fL, CloseError.fromException(e).errorCode());
        long received = c.packetsReceived();
        long bytes = c.bytesReceived();
        QuicException again = assertThrows(QuicException.class,
                () -> receive(c, KeyUpdateTest.peerPacket(6, 1, 1, PING), T0 + 7));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, again.errorCode());
        assertEquals(4, c.largestReceived(EncryptionLevel.ONE_RTT), "a later packet was processed");
        assertEquals(received, c.packetsReceived());
        assertEquals(bytes, c.bytesReceived());
        // writing more is refused too; the close is what is left, with the error receive reported
        assertThrows(QuicException.class, () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 8));
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.fromException(e), T0 + 8));
        assertEquals(ReceiveStatus.CLOSING, receive(c, KeyUpdateTest.peerPacket(7, 1, 1, PING), T0 + 9));
    }

    /** Handshake packets that fail authentication count with the 1-RTT ones. */
    @Test
    void handshakeAndOneRttFailuresAreCountedTogether() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(REAL);
        c.setAeadFailuresForTesting(AES_INTEGRITY - 1);
        assertEquals(ReceiveStatus.DROPPED, receive(c, forged(peerHandshake(0)), T0 + 1));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(AES_INTEGRITY, c.aeadFailures);
        QuicException e = assertThrows(QuicException.class, () -> receive(c,
                forged(peerShort(REAL, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_1RTT_SECRET, 0, PING)), T0 + 2));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());
    }

    /** With ChaCha20-Poly1305 the integrity limit is 2^36. */
    @Test
    void chaCha20HasTheSmallerIntegrityLimit() throws Exception {
        QuicConnection c = chaChaClientPostHandshake();
        c.setAeadFailuresForTesting(CHACHA_INTEGRITY);
        byte[] valid = peerShort(REAL, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, SERVER_1RTT_SECRET, 0, PING);
        QuicException e = assertThrows(QuicException.class, () -> receive(c, forged(valid), T0 + 1));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());
        assertEquals(CHACHA_INTEGRITY + 1, c.aeadFailures);
    }

    /**
     * Packets dropped before the AEAD are no failed authentications: a 1-RTT packet too short for the header
     * protection sample, and Initial packets, whose keys are public. At the limit, neither closes the connection.
     */
    @Test
    void packetsDroppedBeforeTheAeadAndInitialsAreNotCounted() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(REAL);
        c.setAeadFailuresForTesting(AES_INTEGRITY);
        byte[] valid = peerShort(REAL, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_1RTT_SECRET, 0, PING);
        // the sample needs 4 + 16 bytes after the packet number's offset (1 + the 18-byte DCID)
        byte[] noSample = Arrays.copyOf(valid, 1 + CLIENT_SCID.length() + 4 + 10);
        assertEquals(ReceiveStatus.DROPPED, receive(c, noSample, T0 + 1));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        assertEquals(AES_INTEGRITY, c.aeadFailures);
        // the connection still works
        assertEquals(ReceiveStatus.PROCESSED, receive(c, valid, T0 + 2), () -> "drop reason " + c.lastDropReason());

        QuicConnection fresh = ConnectionFixtures.client(REAL);
        fresh.installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_HANDSHAKE_SECRET);
        fresh.setAeadFailuresForTesting(AES_INTEGRITY);
        PacketProtection serverInitial = InitialSecrets.bothProtections(REAL.cryptoProvider(), QuicVersion.V1,
                CLIENT_ODCID.toByteArray())[1];
        byte[] initial = ConnectionFixtures.peerLongPacket(serverInitial, LongPacketType.INITIAL, CLIENT_SCID,
                SERVER_SCID, 0, PING, 0);
        assertEquals(ReceiveStatus.DROPPED, fresh.receive(ByteBuffer.wrap(forged(initial)), CLIENT_PATH, T0 + 1));
        assertEquals(DropReason.DECRYPTION_FAILED, fresh.lastDropReason());
        assertEquals(AES_INTEGRITY, fresh.aeadFailures);
    }

    /**
     * A header protection failure (here the crypto provider's, injected) is before the AEAD: not counted, for 1-RTT
     * and for Handshake packets alike, even at the limit.
     */
    @Test
    void aHeaderProtectionFailureIsNotCounted() throws Exception {
        FailingCryptoProvider provider = new FailingCryptoProvider(CryptoProvider.jca());
        QuicConnection c = ConnectionFixtures.clientPostHandshake(REAL.toBuilder().cryptoProvider(provider).build());
        c.setAeadFailuresForTesting(AES_INTEGRITY);
        provider.fail(FailingCryptoProvider.Failure.HEADER_PROTECTION);
        byte[] oneRtt = peerShort(REAL, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_1RTT_SECRET, 0, PING);
        assertEquals(ReceiveStatus.DROPPED, receive(c, oneRtt.clone(), T0 + 1));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerHandshake(0), T0 + 1));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(AES_INTEGRITY, c.aeadFailures);
        provider.fail(FailingCryptoProvider.Failure.NONE);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, oneRtt, T0 + 2), () -> "drop reason " + c.lastDropReason());
    }

    /**
     * The limit is that of the AEAD TLS selected, known from the receive keys: before any Handshake or 1-RTT
     * receive key, nothing is counted at all.
     */
    @Test
    void theIntegrityLimitFollowsTheInstalledReceiveKeys() throws Exception {
        QuicConnection c = ConnectionFixtures.client(REAL);
        assertEquals(Long.MAX_VALUE, c.integrityLimit);
        c.installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, SERVER_HANDSHAKE_SECRET);
        assertEquals(AES_INTEGRITY, c.integrityLimit);
        assertEquals(CHACHA_INTEGRITY, chaChaClientPostHandshake().integrityLimit);
    }

    // ------------------------------------------------------------------------------------------------------

    private static ReceiveStatus receive(QuicConnection c, byte[] dg, long now) throws QuicException {
        return c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, now);
    }

    /** A copy of {@code packet} with its last byte (in the AEAD tag, beyond the header protection sample) flipped. */
    private static byte[] forged(byte[] packet) {
        byte[] f = packet.clone();
        f[f.length - 1] ^= 0x01;
        return f;
    }

    /** A Handshake packet from the fixture server, with its Handshake keys. */
    private static byte[] peerHandshake(long pn) throws CryptoException {
        PacketProtection p = ConnectionFixtures.peerProtection(REAL, SERVER_HANDSHAKE_SECRET);
        return ConnectionFixtures.peerLongPacket(p, LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, pn, PING, 0);
    }

    /** A 1-RTT packet from the fixture server, Key Phase 0, sealed with {@code secret} under {@code suite}. */
    private static byte[] peerShort(Settings settings, CipherSuite suite, byte[] secret, long pn, byte[] frames)
            throws CryptoException {
        PacketProtection p = settings.cryptoProvider().newPacketProtection(QuicVersion.V1, suite, secret);
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        ConnectionId dcid = CLIENT_SCID;
        assertTrue(w.beginShort(b, 0, 1500, dcid, 0, pn, PacketNumber.encodedLength(pn, -1), p));
        assertTrue(w.writeFrameBytes(frames, 0, frames.length));
        return Arrays.copyOf(b.array(), w.finish(0));
    }

    /** A client whose handshake completed with ChaCha20-Poly1305 Handshake and 1-RTT keys. */
    private static QuicConnection chaChaClientPostHandshake() throws Exception {
        CipherSuite chacha = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
        QuicConnection c = ConnectionFixtures.client(REAL);
        c.installTxKey(EncryptionLevel.HANDSHAKE, chacha, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, chacha, SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, chacha, CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, chacha, SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        return c;
    }

    private static byte[] pingAndPadding() {
        byte[] frames = new byte[41];
        frames[0] = 0x01;
        return frames;
    }

    /**
     * RFC 9001 §6.6: past the integrity limit the endpoint "MUST immediately close the connection with a connection
     * error of type AEAD_LIMIT_REACHED and not process any more packets"; receive's Javadoc: "and so does every later
     * call, which processes nothing". A 1-RTT packet held until the handshake completes (here the peer's
     * CONNECTION_CLOSE) is a packet all the same: once receive has reported the limit, handshakeCompleted() (a TLS
     * layer that finishes certificate verification outside receive) must not process it.
     */
    @Test
    void heldPacketsAreNotProcessedAfterTheIntegrityLimitWasReported() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithOneRttKeys(REAL);
        // the server's CONNECTION_CLOSE (0x1c, NO_ERROR, frame type 0, no reason) in a 1-RTT packet, padded
        byte[] frames = new byte[40];
        frames[0] = 0x1c;
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(REAL, SERVER_1RTT_SECRET, CLIENT_SCID, 0, frames);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(oneRtt), CLIENT_PATH, T0 + 1));
        assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, c.lastDropReason());

        c.setAeadFailuresForTesting(AES_INTEGRITY);
        byte[] ping = new byte[41];
        ping[0] = 0x01;
        byte[] handshake = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(REAL,
                SERVER_HANDSHAKE_SECRET), LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, ping, 0);
        handshake[handshake.length - 1] ^= 1;
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(handshake), CLIENT_PATH, T0 + 2));
        assertEquals(TransportErrorCode.AEAD_LIMIT_REACHED, e.errorCode());

        // the TLS layer completes the handshake after that (outside receive)
        c.handshakeCompleted();
        assertEquals(-1, c.largestReceived(EncryptionLevel.ONE_RTT), "a held packet was processed past the limit");
        assertFalse(c.state().isClosed(), "the held CONNECTION_CLOSE was processed: " + c.state());
    }
}
