package dev.quicj.core.conn;

import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationErrorReplacement;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertTransportClose;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Close-writer cases that PIT (pitest 1.20, STRONGER mutators, over the conn/wire/packet/crypto tests) found
 * unchecked, each asserted against close-spec (§1.2, §1.3, §2.1–§2.3, §3.3, §4.3) and RFC 9000, not against the
 * writer's own output. Each test names the mutants it kills.
 */
class CloseMutationGapsTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /** A provider whose {@code n}-th seal (counting from 1, over every key it made) fails, and only that one. */
    private static final class NthSealFails implements CryptoProvider {
        private final CryptoProvider delegate = CryptoProvider.nullCrypto();
        private int seals;
        private int failing;

        void failSealNumber(int n) {
            seals = 0;
            failing = n;
        }

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            return new ForwardingPacketProtection(delegate.newPacketProtection(version, suite, secret)) {
                @Override
                public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength,
                        long packetNumber) throws CryptoException {
                    if (++seals == failing) {
                        throw new CryptoException("seal " + seals + " fails (injected)", null);
                    }
                    super.seal(packet, headerOffset, headerLength, payloadLength, packetNumber);
                }
            };
        }
    }

    private static Settings settings(CryptoProvider p) {
        return Settings.builder().cryptoProvider(p).build();
    }

    private static void assertNotWritten(QuicConnection c, CloseError e, ConnectionState before, CloseOutcome want,
            String what) {
        assertNotWritten(c, e, 1500, before, want, what);
    }

    private static void assertNotWritten(QuicConnection c, CloseError e, int size, ConnectionState before,
            CloseOutcome want, String what) {
        ByteBuffer dest = ByteBuffer.allocate(size);
        assertEquals(want, c.writeConnectionClose(null, null, dest, e, T0 + 1), what);
        assertEquals(0, dest.position(), what);
        assertEquals(before, c.state(), what);
        assertEquals(null, c.localCloseError(), what);
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.2: a client with 1-RTT keys whose handshake has not completed closes in Handshake only

    /**
     * close-spec §2.2 row "Handshake tx key, handshake not complete": Handshake only, for both close types; the
     * 1-RTT key alone enables the 1-RTT packet only for a server (§2.1: {@code top = 1-RTT if state == POST_HANDSHAKE
     * or (server and A exists)}; {@code if state != POST_HANDSHAKE and (client or A missing): done}). Kills
     * CloseWriter.writeTransportClose "role == SERVER" replaced with true and writeApplicationClose "role == CLIENT"
     * replaced with false.
     */
    @Test
    void clientWithOneRttKeysBeforeHandshakeCompletionClosesInHandshakeOnly() throws Exception {
        QuicConnection t = ConnectionFixtures.clientWithOneRttKeys(NULL);
        Written w = CloseWriterUpstreamTest.close(t, CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION,
                "x"), 1500, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertTransportClose(w.packets().get(0), TransportErrorCode.PROTOCOL_VIOLATION, new byte[] {'x'});
        assertEquals(0, t.nextPacketNumber(EncryptionLevel.ONE_RTT), "no 1-RTT packet number used");

        QuicConnection a = ConnectionFixtures.clientWithOneRttKeys(NULL);
        w = CloseWriterUpstreamTest.close(a, CloseError.application(7, "app"), 1500, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertEquals(0, a.nextPacketNumber(EncryptionLevel.ONE_RTT), "no 1-RTT packet number used");
        assertEquals(ConnectionState.CLOSING, a.state());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.1: the Initial/Handshake part of an unconfirmed application close propagates its NOBUF

    /**
     * close-spec §2.1: before confirmation the application close first runs the transport write part for
     * Initial/Handshake, "(errors propagate)", and that part ends "if nothing written -> NOBUF" (ngtcp2's
     * {@code conn_write_connection_close}); RFC 9000 §10.2.3: before confirmation the peer may be unable to read
     * 1-RTT. So when no Handshake packet fits (68 bytes with the fixture's 18-byte CIDs, capacity check 67) a 50-byte
     * buffer is NOBUF, although a 1-RTT 0x1d packet (40 bytes) would fit. Kills CloseWriter.writeApplicationClose
     * "written == 0" check removed (which sends the 1-RTT packet alone).
     */
    @Test
    void unconfirmedApplicationCloseIsNobufWhenNoHandshakePacketFits() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertNotWritten(c, CloseError.application(7, "app"), 50, ConnectionState.POST_HANDSHAKE,
                CloseOutcome.NOBUF_BUFFER_TOO_SMALL, "client");
        assertEquals(0, c.nextPacketNumber(EncryptionLevel.ONE_RTT));

        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        ConnectionState before = s.state();
        ByteBuffer dest = ByteBuffer.allocate(50);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                s.writeConnectionClose(null, null, dest, CloseError.application(7), T0 + 1));
        assertEquals(0, dest.position());
        assertEquals(before, s.state());

        // the same close with room for all: Handshake 1c 0c 00 00, then 1-RTT 0x1d (the control)
        Written w = CloseWriterUpstreamTest.close(c, CloseError.application(7, "app"), 1500, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.3 / §1.2 step 10 / E8: a sealing failure in any packet is CALLBACK_FAILURE, state unchanged

    /**
     * Server with every key, unconfirmed: Initial, Handshake, 1-RTT (§2.3). A failure sealing only the Initial (seal
     * 1) or only the Handshake (seal 2) packet is CALLBACK_FAILURE and not CLOSING, although the later packets would
     * seal. Kills CloseWriter.writeLevels "== CALLBACK_FAILED" replaced with false, on both lines.
     */
    @Test
    void sealingFailureOfALowerLevelPacketIsCallbackFailure() throws Exception {
        for (int n = 1; n <= 3; n++) {
            for (CloseError e : new CloseError[] {CloseError.transport(1), CloseError.application(7)}) {
                NthSealFails crypto = new NthSealFails();
                QuicConnection s = ConnectionFixtures.serverAllKeys(settings(crypto));
                ConnectionState before = s.state();
                crypto.failSealNumber(n);
                assertNotWritten(s, e, before, CloseOutcome.CALLBACK_FAILURE, "seal " + n + " " + e);
            }
        }
    }

    /**
     * The 1-RTT packet of an application close: confirmed (1-RTT alone, NOBUF-free buffer) and unconfirmed (after a
     * Handshake packet that sealed). Kills CloseWriter.writeApplicationClose "replaced int return with 0", which
     * turned the failure into NOBUF or into a written Handshake-only close.
     */
    @Test
    void sealingFailureOfTheOneRttApplicationCloseIsCallbackFailure() throws Exception {
        NthSealFails crypto = new NthSealFails();
        QuicConnection confirmed = ConnectionFixtures.clientConfirmed(settings(crypto));
        crypto.failSealNumber(1);
        assertNotWritten(confirmed, CloseError.application(7, "app"), ConnectionState.POST_HANDSHAKE,
                CloseOutcome.CALLBACK_FAILURE, "confirmed client");

        crypto = new NthSealFails();
        QuicConnection unconfirmed = ConnectionFixtures.clientPostHandshake(settings(crypto));
        crypto.failSealNumber(2);
        assertNotWritten(unconfirmed, CloseError.application(7, "app"), ConnectionState.POST_HANDSHAKE,
                CloseOutcome.CALLBACK_FAILURE, "unconfirmed client, 1-RTT fails");
        assertEquals(1, unconfirmed.nextPacketNumber(EncryptionLevel.HANDSHAKE), "§1.2 step 10: the Handshake "
                + "packet that was fully written keeps its number");
        assertEquals(0, unconfirmed.nextPacketNumber(EncryptionLevel.ONE_RTT));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.1 / §1.5: pi is nullable, also on an ECN-capable path

    /** Kills CloseWriter.write "packetInfo != null" replaced with true (NullPointerException). */
    @Test
    void ecnCapablePathWithoutPacketInfo() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setEcnState(EcnState.CAPABLE);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0 + 1));
        assertEquals(ConnectionState.CLOSING, c.state());
        PacketInfo pi = new PacketInfo();
        QuicConnection d = ConnectionFixtures.clientConfirmed(NULL);
        d.setEcnState(EcnState.CAPABLE);
        assertEquals(CloseOutcome.WRITTEN,
                d.writeConnectionClose(null, pi, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 1));
        assertEquals(Ecn.ECT_0, pi.ecn());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.3 rule 1: a client Initial close padded to a max_tx_udp_payload_size beyond 2048

    /**
     * close-spec §3.3 rule 1 (HEAD >= v1.17.0): with shaping off, the client pads its Initial close to
     * max_tx_udp_payload_size, here 4000: the datagram is the header, {@code 1c 00 00 00}, PADDING (zero bytes) up to
     * the tag, and with null crypto a zero tag. Every byte of the 4000 is checked in a buffer pre-filled with 0xa5.
     * Kills PacketWriter.zero "from += n" replaced with subtraction (a padding run over 2048 bytes).
     */
    @Test
    void clientInitialPaddedToALargeMaxTxUdpPayloadSize() throws Exception {
        Settings s = Settings.builder().cryptoProvider(CryptoProvider.nullCrypto()).maxTxUdpPayloadSize(4000)
                .udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING).build();
        QuicConnection c = ConnectionFixtures.freshClient(s);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(4000, ConnectionFixtures.write(c, ByteBuffer.allocate(5000), T0));
        ByteBuffer dest = ByteBuffer.allocate(5000);
        Arrays.fill(dest.array(), (byte) 0xa5);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0 + 1));
        assertEquals(4000, dest.position());
        byte[] b = dest.array();
        // c0 | v1 | 18 DCID | 18 SCID | token length 0 | Length = 4000 - 49 + 1 = 3952 (0x0f70, 4-byte form) | pn 1
        String header = "c0" + "00000001" + "12" + Hex.encode(CLIENT_ODCID.toByteArray()) + "12"
                + Hex.encode(CLIENT_SCID.toByteArray()) + "00" + "80000f70" + "01";
        assertEquals(header + "1c000000", Hex.encode(b, 0, 53));
        for (int i = 53; i < 4000; i++) {
            assertEquals(0, b[i], "byte " + i);
        }
        assertEquals((byte) 0xa5, b[4000]);
    }

    // ---------------------------------------------------------------------------------------------------------
    // StatelessClose (close-spec §4.3, §1.2 step 2)

    @Test
    void statelessCloseOfANonSendingTypeWritesNothingInEveryOverload() throws Exception {
        ConnectionId clientDcid = ConnectionId.fromHex("8394c8f03e515708");
        ConnectionId dcid = ConnectionId.fromHex("0102030405060708");
        InitialProtections keys = new InitialProtections(CryptoProvider.nullCrypto());
        keys.deriveServer(QuicVersion.V1, clientDcid);
        for (CloseError e : new CloseError[] {CloseError.idleClose(), CloseError.versionNegotiation(),
                CloseError.dropConnection(), CloseError.retry()}) {
            ByteBuffer dest = ByteBuffer.allocate(1200);
            // the overload with protection already derived: kills StatelessClose line 141 "sendsFrame" removed
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, StatelessClose.write(dest, QuicVersion.V1, dcid, SERVER_SCID,
                    0, e, keys.server(), new PacketWriter()), e.type().name());
            assertEquals(0, dest.position());
            assertTrue(Arrays.equals(new byte[1200], dest.array()), e.type().name());
            // §1.2 step 2 comes before anything: no key derivation, so a provider that cannot derive does not turn
            // it into CALLBACK_FAILURE (kills line 119 "sendsFrame" removed)
            CryptoProvider broken = (version, suite, secret) -> {
                throw new CryptoException("no keys (injected)", null);
            };
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, StatelessClose.write(dest, QuicVersion.V1, clientDcid, dcid,
                    SERVER_SCID, 0, e, new InitialProtections(broken), new PacketWriter()), e.type().name());
            assertEquals(0, dest.position());
        }
    }

    /** A failure sealing the stateless close is CALLBACK_FAILURE and leaves the position (covers line 163). */
    @Test
    void statelessCloseSealingFailure() throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
        crypto.fail(FailingCryptoProvider.Failure.SEAL);
        ByteBuffer dest = ByteBuffer.allocate(1200);
        dest.position(7);
        assertEquals(CloseOutcome.CALLBACK_FAILURE, StatelessClose.write(dest, QuicVersion.V1,
                ConnectionId.fromHex("8394c8f03e515708"), ConnectionId.fromHex("0102030405060708"), SERVER_SCID, 0,
                CloseError.transport(1), crypto));
        assertEquals(7, dest.position());
    }

    /**
     * RFC 9000 Appendix A.2: with nothing acknowledged, pn needs log2(pn + 1) + 1 bits; 2^31 - 1 needs 32 bits (4
     * bytes, the longest Packet Number field) and 2^31 would need 33. So 2^31 - 1 is written with a 4-byte packet
     * number that an independent RFC 9001 opener recovers, and 2^31 is refused before anything is written. Kills
     * StatelessClose.checkPacketNumber "packetNumber > MAX_PACKET_NUMBER" removed.
     */
    @Test
    void statelessClosePacketNumberLimitIsTheLargestFourByteEncodable() throws Exception {
        byte[] clientDcid = Hex.decode("8394c8f03e515708");
        ConnectionId dcid = ConnectionId.fromHex("0102030405060708");
        ConnectionId scid = ConnectionId.fromHex("f067a5502a4262b5");
        ByteBuffer dest = ByteBuffer.allocate(1200);
        long max = (1L << 31) - 1;
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, ConnectionId.of(clientDcid),
                dcid, scid, max, CloseError.transport(TransportErrorCode.INVALID_TOKEN), CryptoProvider.jca()));
        byte[] dg = Arrays.copyOf(dest.array(), dest.position());
        IndependentQuic.Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(1, clientDcid, true), 0);
        assertEquals(max, o.pn());
        assertEquals(3, o.firstByte() & 0x03, "a 4-byte packet number");
        assertEquals("1c0b0000", o.payloadHex().substring(0, 8));
        assertEquals(dg.length, o.end());

        // "both checked before keys is touched": a negative packet number leaves fresh keys underived
        InitialProtections fresh = new InitialProtections(CryptoProvider.nullCrypto());
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(ByteBuffer.allocate(1200),
                QuicVersion.V1, ConnectionId.of(clientDcid), dcid, scid, -1, CloseError.transport(0), fresh,
                new PacketWriter()));
        assertThrows(IllegalStateException.class, fresh::server);

        ByteBuffer refused = ByteBuffer.allocate(1200);
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(refused, QuicVersion.V1,
                ConnectionId.of(clientDcid), dcid, scid, max + 1, CloseError.transport(0), CryptoProvider.jca()));
        assertEquals(0, refused.position());
        assertArrayEquals(new byte[1200], refused.array());
    }

    // ---------------------------------------------------------------------------------------------------------
    // ClosedNumbers: a closed connection still reports the CRYPTO bytes of every level

    /**
     * The accessors keep reporting after the close drops the spaces (QuicConnection.enterClosed, ClosedNumbers):
     * Handshake and 1-RTT CRYPTO bytes delivered. Kills ClosedNumbers.cryptoDelivered "replaced long return with 0"
     * for HANDSHAKE and for the application space.
     */
    @Test
    void cryptoBytesReceivedSurviveTheClose() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] hs = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(NULL, SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, Hex.decode("060005" + "0b00000100"), 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(hs), CLIENT_PATH, T0));
        assertEquals(5, c.cryptoBytesReceived(EncryptionLevel.HANDSHAKE));
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 1));
        assertEquals(5, c.cryptoBytesReceived(EncryptionLevel.HANDSHAKE));

        QuicConnection d = ConnectionFixtures.clientConfirmed(NULL);
        // a NewSessionTicket-sized post-handshake message header: CRYPTO offset 0, 4 bytes
        byte[] one = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, d.sourceConnectionId(), 1,
                Hex.decode("060004" + "04000000"));
        assertEquals(ReceiveStatus.PROCESSED, d.receive(ByteBuffer.wrap(one), CLIENT_PATH, T0));
        long delivered = d.cryptoBytesReceived(EncryptionLevel.ONE_RTT);
        assertEquals(4, delivered);
        assertEquals(CloseOutcome.WRITTEN,
                d.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 1));
        assertEquals(4, d.cryptoBytesReceived(EncryptionLevel.ONE_RTT));
    }
}
