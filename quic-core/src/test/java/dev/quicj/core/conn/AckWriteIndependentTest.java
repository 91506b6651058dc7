package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.IndependentQuic.V1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.conn.IndependentQuic.Opened;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the ACK frames a connection writes say (RFC 9000 §13.2, §19.3), read with {@link IndependentQuic} (JCA only)
 * and decoded by hand here, not with the project's frame decoder: ranges after out-of-order and duplicate receipt,
 * the Gap and ACK Range Length arithmetic, a hostile peer's thousands of gaps, the ACK Delay, no ACK in answer to
 * packets that are not ack-eliciting, and the 1200-byte padding of a client datagram whose Initial carries only an
 * ACK (§14.1).
 */
class AckWriteIndependentTest {
    private static final Settings JCA = Settings.defaults();
    private static final long MS = 1_000_000L;
    private static final byte[] PING = {0x01};

    /** An ACK frame as read from the wire: ranges [low, high], newest first, and the raw fields. */
    record Ack(int type, long largest, long delay, long[][] ranges, int encodedLength) {
        String rangesText() {
            StringBuilder b = new StringBuilder();
            for (long[] r : ranges) {
                b.append(b.length() == 0 ? "" : " ").append(r[0]).append("..").append(r[1]);
            }
            return b.toString();
        }
    }

    /** The frames of a decrypted payload that matter here: ACKs, and whether anything but ACK/PADDING appears. */
    record Frames(List<Ack> acks, List<Integer> types, int padding) {
    }

    private static final class Reader {
        final byte[] b;
        int p;

        Reader(byte[] b) {
            this.b = b;
        }

        long varint() {
            int len = 1 << ((b[p] & 0xff) >> 6);
            long v = b[p] & 0x3f;
            for (int i = 1; i < len; i++) {
                v = v << 8 | (b[p + i] & 0xff);
            }
            p += len;
            return v;
        }
    }

    /** Parses PADDING, PING, ACK, CRYPTO and HANDSHAKE_DONE frames by hand (RFC 9000 §19). */
    static Frames parse(byte[] payload) {
        Reader r = new Reader(payload);
        List<Ack> acks = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        int padding = 0;
        while (r.p < payload.length) {
            int start = r.p;
            int type = (int) r.varint();
            switch (type) {
                case 0x00:
                    padding++;
                    continue;
                case 0x01:
                case 0x1e:
                    break;
                case 0x02:
                case 0x03: {
                    long largest = r.varint();
                    long delay = r.varint();
                    long count = r.varint();
                    long first = r.varint();
                    List<long[]> ranges = new ArrayList<>();
                    long smallest = largest - first;
                    ranges.add(new long[] {smallest, largest});
                    for (long i = 0; i < count; i++) {
                        long gap = r.varint();
                        long length = r.varint();
                        // §19.3.1: largest = previous smallest - gap - 2; smallest = largest - ACK Range Length
                        long high = smallest - gap - 2;
                        smallest = high - length;
                        ranges.add(new long[] {smallest, high});
                    }
                    if (type == 0x03) {
                        r.varint();
                        r.varint();
                        r.varint();
                    }
                    acks.add(new Ack(type, largest, delay, ranges.toArray(new long[0][]), r.p - start));
                    break;
                }
                case 0x06: {
                    r.varint();
                    long len = r.varint();
                    r.p += (int) len;
                    break;
                }
                default:
                    throw new AssertionError("unexpected frame type 0x" + Integer.toHexString(type));
            }
            types.add(type);
        }
        return new Frames(acks, types, padding);
    }

    /** A confirmed server that has written everything it had queued (HANDSHAKE_DONE, the client Initial's ACK). */
    private static QuicConnection drainedServer() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(JCA);
        ByteBuffer out = ByteBuffer.allocate(1500);
        for (int i = 0; i < 5 && s.writePacket(null, null, out.clear(), T0) > 0; i++) {
            // drain
        }
        assertEquals(0, s.writePacket(null, null, ByteBuffer.allocate(1500), T0), "nothing left to send");
        return s;
    }

    private static ReceiveStatus clientPacket(QuicConnection s, long pn, byte[] frames, long now) throws Exception {
        byte[] dg = ConnectionFixtures.peerShortPacket(JCA, CLIENT_1RTT_SECRET, s.sourceConnectionId(), pn, frames);
        return s.receive(ByteBuffer.wrap(dg), SERVER_PATH, now);
    }

    /** The one 1-RTT packet the server writes at {@code now}, opened independently. */
    private static Frames serverOneRtt(QuicConnection s, long now) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = s.writePacket(null, null, out, now);
        assertTrue(n > 0, "a packet is written");
        byte[] dg = Arrays.copyOf(out.array(), n);
        assertEquals(0, dg[0] & 0x80, "a single 1-RTT packet");
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.keys(V1, SERVER_1RTT_SECRET), CLIENT_SCID.length());
        assertEquals(n, o.end());
        return parse(o.payload());
    }

    private static Ack onlyAck(Frames f) {
        assertEquals(1, f.acks().size(), "one ACK frame: " + f.types());
        return f.acks().get(0);
    }

    /**
     * RFC 9000 §19.3.1: packets 0, 1, 2, 5, 4, 9, a duplicate of 2 and 20 received (out of order) give the ranges
     * 20, 9, 4..5, 0..2, newest first: Largest 20, First ACK Range 0, then (Gap, Length) = (9, 0), (2, 1), (0, 2),
     * the "minus two" rule. An ACK frame without ECN counts (0x02): this endpoint reads no ECN marks (§13.4.1).
     */
    @Test
    void outOfOrderAndDuplicateReceiptGiveTheRangesNewestFirst() throws Exception {
        QuicConnection s = drainedServer();
        long t = T0 + MS;
        for (long pn : new long[] {0, 1, 2, 5, 4, 9}) {
            assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, pn, PING, t), "pn " + pn);
        }
        assertEquals(ReceiveStatus.DROPPED, clientPacket(s, 2, PING, t));
        assertEquals(DropReason.DUPLICATE_PACKET, s.lastDropReason());
        assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, 20, PING, t));
        Frames f = serverOneRtt(s, t);
        assertEquals(List.of(0x02), f.types(), "an ACK alone, not the ECN variant");
        Ack ack = onlyAck(f);
        assertEquals(20, ack.largest());
        assertEquals("20..20 9..9 4..5 0..2", ack.rangesText());
        // the raw encoding, for the arithmetic: 02 14 00 03 00 | 09 00 | 02 01 | 00 02
        assertEquals(1 + 1 + 1 + 1 + 1 + 6, ack.encodedLength());
        assertEquals(0, s.writePacket(null, null, ByteBuffer.allocate(1500), t), "the ACK is not repeated");
    }

    /**
     * Gap 0 at the bottom (packets 0 and 2: Gap = 2 - 0 - 2 = 0), a missing packet 0 (1..2 only), and packet numbers
     * needing 4-byte varints: 1_000_000 and 70_000..70_001 give Gap 1_000_000 - 70_001 - 2 = 929_997.
     */
    @Test
    void gapsAtZeroAndLargePacketNumbers() throws Exception {
        QuicConnection s = drainedServer();
        long t = T0 + MS;
        clientPacket(s, 2, PING, t);
        clientPacket(s, 0, PING, t);
        assertEquals("2..2 0..0", onlyAck(serverOneRtt(s, t)).rangesText());

        QuicConnection s2 = drainedServer();
        clientPacket(s2, 2, PING, t);
        clientPacket(s2, 1, PING, t);
        assertEquals("1..2", onlyAck(serverOneRtt(s2, t)).rangesText(), "packet 0 is not acknowledged");

        QuicConnection s3 = drainedServer();
        for (long pn : new long[] {70_000, 70_001, 1_000_000}) {
            assertEquals(ReceiveStatus.PROCESSED, clientPacket(s3, pn, PING, t), "pn " + pn);
        }
        Ack ack = onlyAck(serverOneRtt(s3, t));
        assertEquals("1000000..1000000 70000..70001", ack.rangesText());
        // 02, Largest (4), Delay (1), Count (1), First (1), Gap 929_997 (4), Length (1)
        assertEquals(1 + 4 + 1 + 1 + 1 + 4 + 1, ack.encodedLength());
    }

    /**
     * RFC 9000 §13.2.3/§13.2.4: a peer that leaves a gap after every packet (3000 of them) must not grow the ACK
     * frame or the state without bound. The ACK lists the newest ranges only, at most ReceivedPackets.MAX_RANGES of
     * them, every one really received, and fits one packet; an old packet number that was never received but falls
     * in the forgotten part is not accepted later (so never acknowledged wrongly or left out of a range retained).
     */
    @Test
    void thousandsOfGapsKeepTheAckFrameBounded() throws Exception {
        QuicConnection s = drainedServer();
        long t = T0 + MS;
        int packets = 3000;
        for (int i = 0; i < packets; i++) {
            assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, 2L * i, PING, t), "pn " + 2 * i);
        }
        Ack ack = onlyAck(serverOneRtt(s, t));
        assertEquals(2L * (packets - 1), ack.largest());
        assertTrue(ack.ranges().length <= ReceivedPackets.MAX_RANGES, ack.ranges().length + " ranges");
        assertTrue(ack.ranges().length >= 2, "more than the newest range is reported");
        assertTrue(ack.encodedLength() < 600, ack.encodedLength() + " bytes");
        for (int i = 0; i < ack.ranges().length; i++) {
            long expected = 2L * (packets - 1 - i);
            assertArrayEquals(new long[] {expected, expected}, ack.ranges()[i], "range " + i);
        }
        // a never-received old number below what is kept: dropped, not acknowledged
        assertEquals(ReceiveStatus.DROPPED, clientPacket(s, 1, PING, t));
        assertEquals(0, s.writePacket(null, null, ByteBuffer.allocate(1500), t));
    }

    /**
     * RFC 9000 §13.2.1: "An endpoint MUST NOT send a non-ack-eliciting packet in response to a non-ack-eliciting
     * packet". ACK-only and PADDING-only 1-RTT packets get no answer; they are acknowledged once an ack-eliciting
     * packet arrives (then the ACK covers them too).
     */
    @Test
    void packetsThatAreNotAckElicitingGetNoAckOfTheirOwn() throws Exception {
        QuicConnection s = drainedServer();
        long last = s.nextPacketNumber(EncryptionLevel.ONE_RTT) - 1;
        long t = T0 + MS;
        // ACK of the server's last packet: 02 <largest> 00 00 00
        byte[] ackOnly = Hex.decode("02" + String.format("%02x", last) + "000000");
        assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, 0, ackOnly, t));
        assertEquals(0, s.writePacket(null, null, ByteBuffer.allocate(1500), t), "no ACK for an ACK-only packet");
        assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, 1, new byte[] {0, 0, 0, 0}, t));
        assertEquals(0, s.writePacket(null, null, ByteBuffer.allocate(1500), t), "no ACK for PADDING only");
        assertEquals(ReceiveStatus.PROCESSED, clientPacket(s, 2, PING, t));
        assertEquals("0..2", onlyAck(serverOneRtt(s, t)).rangesText());
    }

    /**
     * RFC 9000 §19.3 / §13.2.5: the ACK Delay is the time since the largest acknowledged packet was received, in
     * microseconds scaled by 2^ack_delay_exponent (3 by default, §18.2). Packet 5 arrives at +1 ms, packet 3 (older,
     * not the largest) at +50 ms; the ACK written at +101 ms reports 100 ms: 100_000 >> 3 = 12_500.
     */
    @Test
    void theAckDelayCountsFromTheLargestPacketsArrival() throws Exception {
        QuicConnection s = drainedServer();
        clientPacket(s, 5, PING, T0 + MS);
        clientPacket(s, 3, PING, T0 + 50 * MS);
        Ack ack = onlyAck(serverOneRtt(s, T0 + 101 * MS));
        assertEquals("5..5 3..3", ack.rangesText());
        assertEquals(100_000 >> 3, ack.delay());
        // a new largest restarts it: packet 6 at +200 ms, ACK at +200.5 ms: 500 us >> 3 = 62
        clientPacket(s, 6, PING, T0 + 200 * MS);
        assertEquals(500 >> 3, onlyAck(serverOneRtt(s, T0 + 200 * MS + 500_000)).delay());
    }

    private static byte[] serverInitial(long pn, String frames) throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(JCA,
                        InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn, Hex.decode(frames), 0);
    }

    /**
     * RFC 9000 §14.1: "A client MUST expand the payload of all UDP datagrams carrying Initial packets to at least
     * the smallest allowed maximum datagram size of 1200 bytes", including one whose Initial carries only an ACK
     * (the answer to a server Initial PING). That Initial repeats the client's token (§17.2.2, §8.1.3) and reports
     * ACK Delay 0 (it acknowledges immediately, §13.2.1). Into a buffer under 1200 bytes nothing is written, and the
     * ACK stays pending.
     */
    @Test
    void aClientDatagramWhoseInitialCarriesOnlyAnAckIsPaddedTo1200() throws Exception {
        byte[] token = {9, 8, 7, 6, 5};
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(JCA).token(token)
                .build(T0));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(0, "01")), CLIENT_PATH, T0));
        assertEquals(0, c.writePacket(null, null, ByteBuffer.allocate(1199), T0 + 30 * MS), "no room for 1200");
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, out, T0 + 30 * MS);
        assertEquals(1200, n);
        byte[] dg = Arrays.copyOf(out.array(), n);
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V1, CLIENT_ODCID.toByteArray(), false), 0);
        assertEquals(0, o.typeBits(), "Initial");
        assertArrayEquals(token, o.token());
        assertArrayEquals(SERVER_SCID.toByteArray(), o.dcid());
        Frames f = parse(o.payload());
        assertEquals(List.of(0x02), f.types(), "ACK and PADDING only");
        Ack ack = onlyAck(f);
        assertEquals("0..0", ack.rangesText());
        assertEquals(0, ack.delay(), "ACK Delay 0 in an Initial packet");
        assertEquals(1, o.pn());
        assertTrue(o.end() == n || IndependentQuic.packetStarts(dg).size() == 1);
    }

    /**
     * RFC 9000 §13.2.1: a server Initial of ACK and PADDING only is not ack-eliciting: the client answers nothing.
     */
    @Test
    void aServerInitialOfAckOnlyGetsNoAnswer() throws Exception {
        QuicConnection c = ConnectionFixtures.client(JCA);
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(0, "0200000000 000000")), CLIENT_PATH, T0));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + MS));
    }

    /**
     * A client datagram of an ACK-only Initial and a Handshake packet with CRYPTO is 1200 bytes too (§14.1); the
     * Handshake ACK Delay is 0 as well; once the Handshake packet is sent the client discards its Initial keys
     * (RFC 9001 §4.9.1), so the next datagram has no Initial and needs no padding.
     */
    @Test
    void initialAckCoalescedWithHandshakeIsPaddedAndThenInitialKeysGo() throws Exception {
        QuicConnection c = ConnectionFixtures.client(JCA);
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(0, "0600 03 aabbcc")), CLIENT_PATH, T0));
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        byte[] hsPing = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(JCA, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, PING, 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(hsPing), CLIENT_PATH, T0 + MS));
        c.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[] {0x14, 0, 0, 2, 1, 2});
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, out, T0 + 40 * MS);
        assertTrue(n >= 1200, n + " bytes");
        byte[] dg = Arrays.copyOf(out.array(), n);
        List<Integer> starts = IndependentQuic.packetStarts(dg);
        Opened initial = IndependentQuic.open(dg, starts.get(0),
                IndependentQuic.initialKeys(V1, CLIENT_ODCID.toByteArray(), false), 0);
        Frames fi = parse(initial.payload());
        assertEquals(List.of(0x02), fi.types());
        assertEquals(0, onlyAck(fi).delay());
        Opened hs = IndependentQuic.open(dg, starts.get(1),
                IndependentQuic.keys(V1, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET), 0);
        Frames fh = parse(hs.payload());
        assertEquals(List.of(0x02, 0x06), fh.types());
        assertEquals(0, onlyAck(fh).delay(), "ACK Delay 0 in a Handshake packet");
        assertFalse(c.hasTxKey(EncryptionLevel.INITIAL), "RFC 9001 §4.9.1");
        // another ack-eliciting Handshake packet: answered with a Handshake-only, unpadded datagram
        byte[] hsPing2 = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(JCA, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 1, PING, 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(hsPing2), CLIENT_PATH, T0 + 50 * MS));
        ByteBuffer next = ByteBuffer.allocate(1500);
        int m = c.writePacket(null, null, next, T0 + 50 * MS);
        assertTrue(m > 0 && m < 1200, m + " bytes");
        assertEquals(0x20, next.get(0) & 0x30, "a Handshake packet");
    }

    /**
     * A ClientHello too large for one packet (3000 bytes) goes out as Initial-only datagrams of exactly 1200 bytes
     * each (§14.1), CRYPTO offsets contiguous, packet numbers 0, 1, 2, each repeating the token (§17.2.2); once the
     * server's Initial PING arrived, the next Initial carries its ACK (same space, §12.3) before the CRYPTO data.
     */
    @Test
    void aLargeClientHelloGoesOutInPaddedInitialsWithTheTokenAndThenTheAck() throws Exception {
        byte[] token = {1, 2, 3};
        QuicConnection c = ConnectionFixtures.clientBuilder(JCA).token(token).build(T0);
        byte[] hello = new byte[3000];
        for (int i = 0; i < hello.length; i++) {
            hello[i] = (byte) i;
        }
        c.submitCryptoData(EncryptionLevel.INITIAL, hello);
        long offset = 0;
        byte[] keyDcid = CLIENT_ODCID.toByteArray();
        for (int pn = 0; offset < hello.length; pn++) {
            if (pn == 1) {
                assertEquals(ReceiveStatus.PROCESSED,
                        c.receive(ByteBuffer.wrap(serverInitial(0, "01")), CLIENT_PATH, T0 + 2 * MS));
            }
            ByteBuffer out = ByteBuffer.allocate(1500);
            int n = c.writePacket(null, null, out, T0 + 2 * MS);
            assertEquals(1200, n, "datagram " + pn);
            byte[] dg = Arrays.copyOf(out.array(), n);
            assertEquals(1, IndependentQuic.packetStarts(dg).size());
            Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V1, keyDcid, false), 0, pn - 1);
            assertEquals(pn, o.pn());
            assertArrayEquals(token, o.token(), "datagram " + pn);
            Reader r = new Reader(o.payload());
            int type = (int) r.varint();
            if (pn == 1) {
                assertEquals(0x02, type, "the ACK first");
                assertEquals(0, r.varint());
                assertEquals(0, r.varint(), "ACK Delay 0");
                assertEquals(0, r.varint());
                assertEquals(0, r.varint());
                type = (int) r.varint();
            }
            assertEquals(0x06, type, "CRYPTO");
            assertEquals(offset, r.varint(), "contiguous offsets");
            int len = (int) r.varint();
            assertArrayEquals(Arrays.copyOfRange(hello, (int) offset, (int) offset + len),
                    Arrays.copyOfRange(o.payload(), r.p, r.p + len));
            for (int i = r.p + len; i < o.payload().length; i++) {
                assertEquals(0, o.payload()[i], "only PADDING after the CRYPTO frame");
            }
            offset += len;
            assertTrue(pn < 3, "at most three datagrams");
        }
        assertEquals(0, c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 3 * MS));
    }

    /**
     * A server's first flight: the datagram with its Initial (ACK of the client's Initial, Delay 0, and CRYPTO: ack-
     * eliciting) is at least 1200 bytes (§14.1), later datagrams carry Handshake CRYPTO only, and everything together
     * stays within three times the 1200 bytes received (§8.1).
     */
    @Test
    void aServersFirstFlightIsPaddedAndStaysWithinTheAmplificationLimit() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(JCA);
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[90]);
        s.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[6000]);
        long total = 0;
        for (int d = 0; d < 10; d++) {
            ByteBuffer out = ByteBuffer.allocate(1500);
            int n = s.writePacket(null, null, out, T0 + 5 * MS);
            if (n == 0) {
                break;
            }
            total += n;
            byte[] dg = Arrays.copyOf(out.array(), n);
            List<Integer> starts = IndependentQuic.packetStarts(dg);
            boolean initial = ((dg[0] & 0xff) & 0x30) == 0;
            if (d == 0) {
                assertTrue(initial, "the Initial first");
                assertTrue(n >= 1200, n + " bytes");
                Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V1,
                        CLIENT_ODCID.toByteArray(), true), 0);
                Frames f = parse(o.payload());
                assertEquals(List.of(0x02, 0x06), f.types());
                assertEquals(0, onlyAck(f).delay());
                assertEquals("0..0", onlyAck(f).rangesText());
                assertEquals(2, starts.size(), "Initial + Handshake");
            } else {
                assertFalse(initial, "no Initial in datagram " + d);
            }
        }
        assertTrue(total <= 3 * 1200, total + " bytes sent for 1200 received");
        assertEquals(3 * 1200, total, "the budget is used");
    }
}
