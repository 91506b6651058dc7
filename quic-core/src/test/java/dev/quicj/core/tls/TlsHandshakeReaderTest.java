package dev.quicj.core.tls;

import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static dev.quicj.core.tls.TlsTestSupport.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.TransportErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TlsHandshakeReaderTest {
    private static final byte[] CLIENT_HELLO = TlsTestSupport.vector("rfc9001-A.2-client-hello.hex");
    private static final byte[] SERVER_HELLO = TlsTestSupport.vector("rfc9001-A.3-server-hello.hex");

    @Test
    void messagesFedOneByteAtATimeComeOutWhole() throws Exception {
        byte[] stream = concat(CLIENT_HELLO, SERVER_HELLO);
        TlsHandshakeReader reader = new TlsHandshakeReader();
        int completed = 0;
        for (int i = 0; i < stream.length; i++) {
            ByteBuffer one = ByteBuffer.wrap(stream, i, 1);
            reader.add(one);
            assertEquals(i + 1, one.position(), "add consumes the buffer");
            HandshakeMessage message = reader.poll();
            if (i + 1 == CLIENT_HELLO.length) {
                assertArrayEquals(CLIENT_HELLO, message.encode());
                assertEquals(TlsCodepoints.CLIENT_HELLO, message.type());
                completed++;
            } else if (i + 1 == stream.length) {
                assertArrayEquals(SERVER_HELLO, message.encode());
                assertEquals(TlsCodepoints.SERVER_HELLO, message.type());
                assertEquals(SERVER_HELLO.length - 4, message.bodyLength());
                assertArrayEquals(Arrays.copyOfRange(SERVER_HELLO, 4, SERVER_HELLO.length), message.body());
                completed++;
            } else {
                assertNull(message, "nothing complete after " + (i + 1) + " bytes");
            }
        }
        assertEquals(2, completed);
        assertEquals(0, reader.bufferedBytes());
    }

    @Test
    void manyMessagesInOneAddArePolledInOrder() throws Exception {
        byte[] finished = TlsTestSupport.handshake(TlsCodepoints.FINISHED, new byte[32]);
        byte[] empty = TlsTestSupport.handshake(TlsCodepoints.ENCRYPTED_EXTENSIONS, new byte[0]);
        TlsHandshakeReader reader = new TlsHandshakeReader();
        reader.add(ByteBuffer.wrap(concat(SERVER_HELLO, empty, finished, new byte[] {TlsCodepoints.CERTIFICATE, 0})));
        assertArrayEquals(SERVER_HELLO, reader.poll().encode());
        assertArrayEquals(empty, reader.poll().encode());
        assertArrayEquals(finished, reader.poll().encode());
        assertNull(reader.poll());
        assertEquals(2, reader.bufferedBytes());
        reader.add(ByteBuffer.wrap(new byte[] {0, 1, 7}));
        HandshakeMessage certificate = reader.poll();
        assertEquals(TlsCodepoints.CERTIFICATE, certificate.type());
        assertArrayEquals(new byte[] {7}, certificate.body());
        assertNull(reader.poll());
    }

    @Test
    void polledMessagesDecode() throws Exception {
        TlsHandshakeReader reader = new TlsHandshakeReader();
        reader.add(ByteBuffer.wrap(concat(CLIENT_HELLO, SERVER_HELLO)));
        assertEquals("example.com", ClientHelloInfo.decode(reader.poll()).serverName().orElseThrow());
        assertEquals(0x0304, ServerHelloInfo.decode(reader.poll()).selectedVersion());
    }

    @Test
    void aLargeMessageSplitAtRandomIsReassembled() throws Exception {
        byte[] body = new byte[50_000];
        Random random = new Random(7);
        random.nextBytes(body);
        byte[] certificate = TlsTestSupport.handshake(TlsCodepoints.CERTIFICATE, body);
        byte[] stream = concat(certificate, SERVER_HELLO);
        TlsHandshakeReader reader = new TlsHandshakeReader();
        int offset = 0;
        while (offset < stream.length) {
            int n = Math.min(stream.length - offset, 1 + random.nextInt(1500));
            reader.add(ByteBuffer.wrap(stream, offset, n));
            offset += n;
            if (offset < certificate.length) {
                assertNull(reader.poll());
                assertEquals(offset, reader.bufferedBytes());
            }
        }
        assertArrayEquals(certificate, reader.poll().encode());
        assertArrayEquals(SERVER_HELLO, reader.poll().encode());
        assertNull(reader.poll());
    }

    @Test
    void anAnnouncedLengthAboveTheLimitIsCryptoBufferExceeded() throws Exception {
        TlsHandshakeReader reader = new TlsHandshakeReader(100);
        reader.add(ByteBuffer.wrap(TlsTestSupport.handshake(TlsCodepoints.FINISHED, new byte[100])));
        assertEquals(100, reader.poll().bodyLength());
        // A second message announcing 101 bytes is refused from its header alone.
        assertQuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED,
                () -> reader.add(ByteBuffer.wrap(Hex.decode("0b 000065"))));
    }

    @Test
    void anOversizedMessageBehindACompleteOneIsRefused() {
        TlsHandshakeReader reader = new TlsHandshakeReader();
        byte[] stream = concat(SERVER_HELLO, Hex.decode("0b 010001")); // certificate of 65537 bytes
        assertQuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, () -> reader.add(ByteBuffer.wrap(stream)));
    }

    @Test
    void theHeaderIsCheckedOnceItsLastByteArrives() throws Exception {
        TlsHandshakeReader reader = new TlsHandshakeReader(10);
        reader.add(ByteBuffer.wrap(Hex.decode("0b 00")));
        reader.add(ByteBuffer.wrap(Hex.decode("00")));
        assertQuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED,
                () -> reader.add(ByteBuffer.wrap(Hex.decode("0b"))));
    }

    /** Polling leaves a partial header at the front; the buffer then moves it down (in place, then by growing). */
    @Test
    void headersAreStillCheckedAfterTheBufferIsCompactedOrGrown() throws Exception {
        for (int added : new int[] {200, 5000}) {
            TlsHandshakeReader reader = new TlsHandshakeReader(1000);
            byte[] first = TlsTestSupport.handshake(TlsCodepoints.CERTIFICATE, new byte[400]);
            reader.add(ByteBuffer.wrap(concat(first, Hex.decode("0b 00")))); // a second header, half there
            assertArrayEquals(first, reader.poll().encode());
            assertEquals(2, reader.bufferedBytes());
            // The header completes announcing 0x0007d1 = 2001 bytes, over the limit.
            byte[] rest = concat(Hex.decode("07 d1"), new byte[added - 2]);
            assertQuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, () -> reader.add(ByteBuffer.wrap(rest)));
        }
    }

    @Test
    void theReaderStartsOverOnceEverythingIsPolled() throws Exception {
        TlsHandshakeReader reader = new TlsHandshakeReader(100);
        for (int i = 0; i < 20; i++) {
            byte[] message = TlsTestSupport.handshake(TlsCodepoints.FINISHED, new byte[90 + i % 11]);
            reader.add(ByteBuffer.wrap(message));
            assertArrayEquals(message, reader.poll().encode());
            assertEquals(0, reader.bufferedBytes());
        }
        assertQuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED,
                () -> reader.add(ByteBuffer.wrap(Hex.decode("14 000065"))));
    }

    @Test
    void maxMessageLengthIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new TlsHandshakeReader(-1));
        assertThrows(IllegalArgumentException.class, () -> new TlsHandshakeReader(1 << 24));
        new TlsHandshakeReader((1 << 24) - 1);
    }
}
