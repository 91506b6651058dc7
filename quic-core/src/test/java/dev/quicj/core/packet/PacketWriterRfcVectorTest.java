package dev.quicj.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The packet writer every close packet goes through, against RFC 9001 Appendix A.5 (close-spec §9.1): the only RFC
 * packet it can build byte for byte (the long-header vectors use a 2-byte Length field, the writer always 4), and the
 * only vector whose packet number is longer than the close vectors' single byte, so it pins the nonce, the sample
 * offset {@code pn_offset + 4} and the masking of a multi-byte packet number (close-spec §4.2) on the write path.
 */
class PacketWriterRfcVectorTest {
    @Test
    void rfc9001A5ChaChaShortHeaderPacketWithAThreeBytePacketNumber() throws Exception {
        PacketProtection chacha = CryptoProvider.jca().newPacketProtection(QuicVersion.V1,
                CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                Hex.decode("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b"));
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.position(7);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginShort(buf, 7, 93, ConnectionId.empty(), 0, 654360564L, 3, chacha));
        assertTrue(w.writeFrameBytes(new byte[] {0x01}, 0, 1));
        // the minimum packet, 21 bytes: pn 3 + payload 1 + tag 16 covers the 4-byte-offset 16-byte sample
        assertEquals(21, w.finish(0));
        assertEquals(7, buf.position(), "the position is restored");
        assertEquals("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", Hex.encode(Arrays.copyOfRange(buf.array(), 7, 28)));
    }
}
