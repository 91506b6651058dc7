package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.IndependentQuic.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.conn.IndependentQuic.Opened;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * close-spec §4.2 "AEAD nonce = IV XOR the 62-bit packet number, left-padded to the IV length" and §6 (each space
 * advances independently; pn length from the unacknowledged range): with real AES-GCM, close packets whose full packet
 * numbers need more than 32 bits, sent with a 1- or 2-byte encoding, open with IndependentQuic only when the nonce is
 * built from the full number (RFC 9001 §5.3), not from its truncated encoding.
 */
class CloseNonceIndependentTest {
    private static final Settings JCA = Settings.defaults();

    @ParameterizedTest
    @ValueSource(longs = {(1L << 32) + 7, (1L << 40) + 0x1234, (1L << 62) - 3})
    void everyCoalescedPacketIsSealedUnderTheNonceOfItsFullPacketNumber(long last) throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(JCA);
        long[] lasts = {last, last - 100, last - 1000};
        EncryptionLevel[] levels = {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE, EncryptionLevel.ONE_RTT};
        for (int i = 0; i < 3; i++) {
            s.setLastSentPacketNumberForTesting(levels[i], lasts[i]);
            s.setLargestAckedForTesting(levels[i], lasts[i] - 2);
        }
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN,
                s.writeConnectionClose(null, null, dest, CloseError.transport(0x0a, "n"), T0 + 1));
        byte[] dg = Arrays.copyOf(dest.array(), dest.position());
        List<Integer> starts = IndependentQuic.packetStarts(dg);
        assertEquals(3, starts.size());
        IndependentQuic.Keys[] keys = {IndependentQuic.initialKeys(V1, CLIENT_ODCID.toByteArray(), true),
                IndependentQuic.keys(V1, SERVER_HANDSHAKE_SECRET), IndependentQuic.keys(V1, SERVER_1RTT_SECRET)};
        for (int i = 0; i < 3; i++) {
            // the client received the packet before: its largest is lasts[i]
            Opened o = IndependentQuic.open(dg, starts.get(i), keys[i], CLIENT_SCID.length(), lasts[i]);
            assertEquals(lasts[i] + 1, o.pn(), levels[i].toString());
            // next - largest acked = 3: one byte
            assertEquals(0, o.firstByte() & 3, levels[i].toString());
            assertEquals("1c0a00016e", o.payloadHex(), levels[i].toString());
        }
    }
}
