package dev.quicj.core.tls;

import dev.quicj.core.Role;
import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.VarInt;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransportParametersTest {
    private static final byte[] TOKEN = Hex.decode("000102030405060708090a0b0c0d0e0f");
    private static final byte[] PREFERRED_TOKEN = Hex.decode("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");

    /** Every RFC 9000 parameter plus version_information, each away from its default. */
    private static TransportParameters everyServerParameter() throws Exception {
        return TransportParameters.builder()
                .originalDestinationConnectionId(Hex.decode("8394c8f03e515708"))
                .maxIdleTimeoutMillis(30_000)
                .statelessResetToken(TOKEN)
                .maxUdpPayloadSize(1200)
                .initialMaxData(1 << 20)
                .initialMaxStreamDataBidiLocal(1 << 18)
                .initialMaxStreamDataBidiRemote(1 << 17)
                .initialMaxStreamDataUni(1 << 16)
                .initialMaxStreamsBidi(100)
                .initialMaxStreamsUni(3)
                .ackDelayExponent(20)
                .maxAckDelayMillis(16_383)
                .disableActiveMigration()
                .preferredAddress(PreferredAddress.of(
                        new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 4433),
                        new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 4433),
                        Hex.decode("a1a2a3a4"), PREFERRED_TOKEN))
                .activeConnectionIdLimit(8)
                .initialSourceConnectionId(Hex.decode("c1c2c3c4"))
                .retrySourceConnectionId(Hex.decode("d1d2d3d4"))
                .versionInformation(VersionInformation.of(QuicVersion.V1.wireValue(), QuicVersion.V2.wireValue(),
                        QuicVersion.V1.wireValue()))
                .build();
    }

    private static final String EVERY_SERVER_PARAMETER_HEX = ""
            + "00 08 8394c8f03e515708" // original_destination_connection_id
            + "01 04 80007530" // max_idle_timeout = 30000, 4-byte varint
            + "02 10 000102030405060708090a0b0c0d0e0f" // stateless_reset_token
            + "03 02 44b0" // max_udp_payload_size = 1200 = 0x4b0
            + "04 04 80100000" // initial_max_data = 2^20
            + "05 04 80040000" // initial_max_stream_data_bidi_local = 2^18
            + "06 04 80020000" // initial_max_stream_data_bidi_remote = 2^17
            + "07 04 80010000" // initial_max_stream_data_uni = 2^16
            + "08 02 4064" // initial_max_streams_bidi = 100
            + "09 01 03" // initial_max_streams_uni = 3
            + "0a 01 14" // ack_delay_exponent = 20
            + "0b 02 7fff" // max_ack_delay = 16383 = 0x3fff
            + "0c 00" // disable_active_migration
            + "0d 2d" // preferred_address, 4 + 2 + 16 + 2 + 1 + 4 + 16 = 45 bytes
            + "   c0000201 1151" //   192.0.2.1, port 4433
            + "   20010db8000000000000000000000001 1151" //   2001:db8::1, port 4433
            + "   04 a1a2a3a4" //   connection ID
            + "   b0b1b2b3b4b5b6b7b8b9babbbcbdbebf" //   stateless reset token
            + "0e 01 08" // active_connection_id_limit = 8
            + "0f 04 c1c2c3c4" // initial_source_connection_id
            + "10 04 d1d2d3d4" // retry_source_connection_id
            + "11 0c 00000001 6b3343cf 00000001"; // version_information: chosen v1, available v2, v1

    @Test
    void defaultsEncodeToNothingAndDecodeFromNothing() throws Exception {
        TransportParameters defaults = TransportParameters.builder().build();
        assertEquals(0, defaults.encodedLength());
        assertArrayEquals(new byte[0], defaults.encode());
        TransportParameters decoded = TransportParameters.decode(ByteBuffer.allocate(0), Role.SERVER);
        assertEquals(defaults, decoded);

        assertEquals(Optional.empty(), decoded.originalDestinationConnectionId());
        assertEquals(0, decoded.maxIdleTimeoutMillis());
        assertEquals(Optional.empty(), decoded.statelessResetToken());
        assertEquals(65527, decoded.maxUdpPayloadSize());
        assertEquals(0, decoded.initialMaxData());
        assertEquals(0, decoded.initialMaxStreamDataBidiLocal());
        assertEquals(0, decoded.initialMaxStreamDataBidiRemote());
        assertEquals(0, decoded.initialMaxStreamDataUni());
        assertEquals(0, decoded.initialMaxStreamsBidi());
        assertEquals(0, decoded.initialMaxStreamsUni());
        assertEquals(3, decoded.ackDelayExponent());
        assertEquals(25, decoded.maxAckDelayMillis());
        assertFalse(decoded.activeMigrationDisabled());
        assertEquals(Optional.empty(), decoded.preferredAddress());
        assertEquals(2, decoded.activeConnectionIdLimit());
        assertEquals(Optional.empty(), decoded.initialSourceConnectionId());
        assertEquals(Optional.empty(), decoded.retrySourceConnectionId());
        assertEquals(Optional.empty(), decoded.versionInformation());
        assertEquals("TransportParameters{}", decoded.toString());
    }

    @Test
    void everyParameterEncodesToTheAnnotatedBytes() throws Exception {
        byte[] expected = Hex.decode(EVERY_SERVER_PARAMETER_HEX);
        TransportParameters tp = everyServerParameter();
        assertEquals(expected.length, tp.encodedLength());
        assertEquals(Hex.encode(expected), Hex.encode(tp.encode()));
    }

    @Test
    void encodeWritesAtThePositionAndTouchesNothingElse() throws Exception {
        TransportParameters tp = everyServerParameter();
        byte[] backing = new byte[3 + tp.encodedLength() + 5];
        Arrays.fill(backing, (byte) 42);
        ByteBuffer dst = ByteBuffer.wrap(backing);
        dst.position(3);
        assertEquals(tp.encodedLength(), tp.encode(dst));
        assertEquals(3 + tp.encodedLength(), dst.position());
        byte[] expected = new byte[backing.length];
        Arrays.fill(expected, (byte) 42);
        System.arraycopy(tp.encode(), 0, expected, 3, tp.encodedLength());
        assertArrayEquals(expected, backing);
    }

    @Test
    void encodeIntoTooSmallBufferWritesNothing() throws Exception {
        TransportParameters tp = everyServerParameter();
        ByteBuffer dst = ByteBuffer.allocate(tp.encodedLength() - 1);
        assertThrows(BufferOverflowException.class, () -> tp.encode(dst));
        assertEquals(0, dst.position());
        assertArrayEquals(new byte[dst.capacity()], dst.array());
    }

    @Test
    void everyParameterRoundTripsFromServer() throws Exception {
        TransportParameters tp = everyServerParameter();
        TransportParameters decoded = TransportParameters.decode(ByteBuffer.wrap(tp.encode()), Role.SERVER);
        assertEquals(tp, decoded);
        assertEquals(tp.hashCode(), decoded.hashCode());
        assertEquals("8394c8f03e515708", Hex.encode(decoded.originalDestinationConnectionId().orElseThrow()));
        assertEquals(30_000, decoded.maxIdleTimeoutMillis());
        assertArrayEquals(TOKEN, decoded.statelessResetToken().orElseThrow());
        assertEquals(1200, decoded.maxUdpPayloadSize());
        assertEquals(1 << 20, decoded.initialMaxData());
        assertEquals(1 << 18, decoded.initialMaxStreamDataBidiLocal());
        assertEquals(1 << 17, decoded.initialMaxStreamDataBidiRemote());
        assertEquals(1 << 16, decoded.initialMaxStreamDataUni());
        assertEquals(100, decoded.initialMaxStreamsBidi());
        assertEquals(3, decoded.initialMaxStreamsUni());
        assertEquals(20, decoded.ackDelayExponent());
        assertEquals(16_383, decoded.maxAckDelayMillis());
        assertTrue(decoded.activeMigrationDisabled());
        PreferredAddress pa = decoded.preferredAddress().orElseThrow();
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 4433), pa.ipv4Address().orElseThrow());
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 4433),
                pa.ipv6Address().orElseThrow());
        assertEquals("a1a2a3a4", Hex.encode(pa.connectionId()));
        assertArrayEquals(PREFERRED_TOKEN, pa.statelessResetToken());
        assertEquals(8, decoded.activeConnectionIdLimit());
        assertEquals("c1c2c3c4", Hex.encode(decoded.initialSourceConnectionId().orElseThrow()));
        assertEquals("d1d2d3d4", Hex.encode(decoded.retrySourceConnectionId().orElseThrow()));
        VersionInformation vi = decoded.versionInformation().orElseThrow();
        assertEquals(QuicVersion.V1.wireValue(), vi.chosenVersion());
        assertEquals(List.of(QuicVersion.V2.wireValue(), QuicVersion.V1.wireValue()), vi.availableVersions());
    }

    @Test
    void clientParametersRoundTripWithLargestValues() throws Exception {
        TransportParameters tp = TransportParameters.builder()
                .maxIdleTimeoutMillis(VarInt.MAX_VALUE)
                .maxUdpPayloadSize(VarInt.MAX_VALUE)
                .initialMaxData(VarInt.MAX_VALUE)
                .initialMaxStreamDataBidiLocal(VarInt.MAX_VALUE)
                .initialMaxStreamDataBidiRemote(VarInt.MAX_VALUE)
                .initialMaxStreamDataUni(VarInt.MAX_VALUE)
                .initialMaxStreamsBidi(TransportParameters.MAX_STREAMS_LIMIT)
                .initialMaxStreamsUni(TransportParameters.MAX_STREAMS_LIMIT)
                .ackDelayExponent(0)
                .maxAckDelayMillis(0)
                .activeConnectionIdLimit(VarInt.MAX_VALUE)
                .initialSourceConnectionId(new byte[0])
                .versionInformation(VersionInformation.of(QuicVersion.V1.wireValue(), QuicVersion.V1.wireValue()))
                .build();
        TransportParameters decoded = TransportParameters.decode(ByteBuffer.wrap(tp.encode()), Role.CLIENT);
        assertEquals(tp, decoded);
        assertEquals(0, decoded.initialSourceConnectionId().orElseThrow().length);
        assertEquals(tp, tp.toBuilder().build());
    }

    @Test
    void decodeConsumesTheWholeBufferFromItsPosition() throws Exception {
        byte[] blob = Hex.decode("ffff 01 04 80007530 ffff"); // junk, max_idle_timeout = 30000, junk
        ByteBuffer src = ByteBuffer.wrap(blob, 2, 6);
        TransportParameters tp = TransportParameters.decode(src, Role.CLIENT);
        assertEquals(30_000, tp.maxIdleTimeoutMillis());
        assertEquals(8, src.position());
    }

    /**
     * RFC 9001 Appendix A.2: the transport parameters inside the example ClientHello, produced by the implementation
     * that generated the RFC's examples.
     */
    @Test
    void decodesTheClientParametersOfRfc9001AppendixA2() throws Exception {
        byte[] blob = Hex.decode(""
                + "04 08 ffffffffffffffff" // initial_max_data = 2^62 - 1, 8-byte varint
                + "05 04 8000ffff" // initial_max_stream_data_bidi_local = 65535, 4-byte varint
                + "07 04 8000ffff" // initial_max_stream_data_uni = 65535
                + "08 01 10" // initial_max_streams_bidi = 16
                + "01 04 80007530" // max_idle_timeout = 30000
                + "09 01 10" // initial_max_streams_uni = 16
                + "0f 08 8394c8f03e515708" // initial_source_connection_id
                + "06 04 8000ffff"); // initial_max_stream_data_bidi_remote = 65535
        TransportParameters tp = TransportParameters.decode(ByteBuffer.wrap(blob), Role.CLIENT);
        assertEquals(VarInt.MAX_VALUE, tp.initialMaxData());
        assertEquals(65535, tp.initialMaxStreamDataBidiLocal());
        assertEquals(65535, tp.initialMaxStreamDataBidiRemote());
        assertEquals(65535, tp.initialMaxStreamDataUni());
        assertEquals(16, tp.initialMaxStreamsBidi());
        assertEquals(16, tp.initialMaxStreamsUni());
        assertEquals(30_000, tp.maxIdleTimeoutMillis());
        assertEquals("8394c8f03e515708", Hex.encode(tp.initialSourceConnectionId().orElseThrow()));
        assertEquals(TransportParameters.DEFAULT_MAX_UDP_PAYLOAD_SIZE, tp.maxUdpPayloadSize());
    }

    /** Google QUICHE's kClientParams (see the resource file for the source): unknown parameters are skipped. */
    @Test
    void decodesGoogleQuicheClientParameters() throws Exception {
        byte[] blob = TlsTestSupport.vector("google-quiche-client-params.hex");
        TransportParameters tp = TransportParameters.decode(ByteBuffer.wrap(blob), Role.CLIENT);
        assertEquals(12012, tp.maxIdleTimeoutMillis());
        assertEquals(9001, tp.maxUdpPayloadSize());
        assertEquals(101, tp.initialMaxData());
        assertEquals(2001, tp.initialMaxStreamDataBidiLocal());
        assertEquals(2002, tp.initialMaxStreamDataBidiRemote());
        assertEquals(3000, tp.initialMaxStreamDataUni());
        assertEquals(21, tp.initialMaxStreamsBidi());
        assertEquals(22, tp.initialMaxStreamsUni());
        assertEquals(10, tp.ackDelayExponent());
        assertEquals(51, tp.maxAckDelayMillis());
        assertTrue(tp.activeMigrationDisabled());
        assertEquals(52, tp.activeConnectionIdLimit());
        assertEquals("0000000000002345", Hex.encode(tp.initialSourceConnectionId().orElseThrow()));
        assertEquals(Optional.empty(), tp.versionInformation(), "0x80ff73db is a draft code point, not 0x11");
        assertEquals(Optional.empty(), tp.statelessResetToken());
    }

    /** Google QUICHE's kServerParams (see the resource file for the source). */
    @Test
    void decodesGoogleQuicheServerParameters() throws Exception {
        byte[] blob = TlsTestSupport.vector("google-quiche-server-params.hex");
        TransportParameters tp = TransportParameters.decode(ByteBuffer.wrap(blob), Role.SERVER);
        assertEquals("0000000000001337", Hex.encode(tp.originalDestinationConnectionId().orElseThrow()));
        assertEquals(12012, tp.maxIdleTimeoutMillis());
        assertEquals("909192939495969798999a9b9c9d9e9f", Hex.encode(tp.statelessResetToken().orElseThrow()));
        assertEquals(9001, tp.maxUdpPayloadSize());
        assertEquals(101, tp.initialMaxData());
        assertEquals(21, tp.initialMaxStreamsBidi());
        assertEquals(10, tp.ackDelayExponent());
        assertEquals(51, tp.maxAckDelayMillis());
        assertTrue(tp.activeMigrationDisabled());
        PreferredAddress pa = tp.preferredAddress().orElseThrow();
        assertEquals(new InetSocketAddress(InetAddress.getByName("65.66.67.68"), 0x4884), pa.ipv4Address().get());
        assertEquals(new InetSocketAddress(InetAddress.getByName("6061:6263:6465:6667:6869:6a6b:6c6d:6e6f"), 0x6336),
                pa.ipv6Address().get());
        assertEquals("000000000000beef", Hex.encode(pa.connectionId()));
        assertEquals("808182838485868788898a8b8c8d8e8f", Hex.encode(pa.statelessResetToken()));
        assertEquals(52, tp.activeConnectionIdLimit());
        assertEquals("0000000000002345", Hex.encode(tp.initialSourceConnectionId().orElseThrow()));
        assertEquals("0000000000009876", Hex.encode(tp.retrySourceConnectionId().orElseThrow()));
    }

    @Test
    void googleQuicheServerParametersAreRefusedFromAClient() {
        byte[] blob = TlsTestSupport.vector("google-quiche-server-params.hex");
        assertQuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
                () -> TransportParameters.decode(ByteBuffer.wrap(blob), Role.CLIENT));
    }

    @Test
    void reservedAndUnknownParametersAreSkipped() throws Exception {
        long grease = 31L * 1000 + 27; // RFC 9000 §18.1: 31 * N + 27
        ByteBuffer blob = ByteBuffer.allocate(32);
        VarInt.encode(blob, grease);
        VarInt.encode(blob, 3);
        blob.put(new byte[] {1, 2, 3});
        blob.put(Hex.decode("0e 01 05")); // active_connection_id_limit = 5
        VarInt.encode(blob, 0x12); // the first ID after version_information, unassigned here
        VarInt.encode(blob, 0);
        blob.flip();
        TransportParameters tp = TransportParameters.decode(blob, Role.CLIENT);
        assertEquals(5, tp.activeConnectionIdLimit());
        assertEquals(TransportParameters.builder().activeConnectionIdLimit(5).build(), tp);
    }

    @Test
    void encodingIsInNetworkByteOrderWhateverTheBuffersByteOrder() throws Exception {
        // RFC 9000 §1.3: fields are in network byte order; the preferred_address ports (Figure 22) and the
        // version_information versions (RFC 9368 §3) are fixed-width integers like the varints around them
        TransportParameters tp = everyServerParameter();
        byte[] expected = tp.encode();
        ByteBuffer little = ByteBuffer.allocate(expected.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tp.encode(little);
        assertEquals(Hex.encode(expected), Hex.encode(little.array()));
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, little.order(), "the caller's byte order is kept");
    }

    static Stream<Arguments> invalidParameters() {
        String pa = "c0000201 1151 20010db8000000000000000000000001 1151"; // addresses and ports of a preferred_address
        String paToken = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
        String cid21 = "000102030405060708090a0b0c0d0e0f1011121314";
        return Stream.of(
                Arguments.of("max_idle_timeout twice", Role.CLIENT, "01 01 05  01 01 05"),
                Arguments.of("an unknown parameter twice", Role.CLIENT, "4a4a 00  4a4a 00"),
                Arguments.of("max_udp_payload_size 1199", Role.CLIENT, "03 02 44af"),
                Arguments.of("max_udp_payload_size 0", Role.CLIENT, "03 01 00"),
                Arguments.of("ack_delay_exponent 21", Role.CLIENT, "0a 01 15"),
                Arguments.of("max_ack_delay 2^14", Role.CLIENT, "0b 04 80004000"),
                Arguments.of("active_connection_id_limit 1", Role.CLIENT, "0e 01 01"),
                Arguments.of("active_connection_id_limit 0", Role.SERVER, "0e 01 00"),
                Arguments.of("initial_max_streams_bidi 2^60 + 1", Role.CLIENT, "08 08 d000000000000001"),
                Arguments.of("initial_max_streams_uni 2^60 + 1", Role.SERVER, "09 08 d000000000000001"),
                Arguments.of("original_destination_connection_id from a client", Role.CLIENT, "00 04 01020304"),
                Arguments.of("stateless_reset_token from a client", Role.CLIENT, "02 10 " + paToken),
                Arguments.of("preferred_address from a client", Role.CLIENT,
                        "0d 2d " + pa + " 04 a1a2a3a4 " + paToken),
                Arguments.of("retry_source_connection_id from a client", Role.CLIENT, "10 04 01020304"),
                Arguments.of("stateless_reset_token of 15 bytes", Role.SERVER, "02 0f " + paToken.substring(2)),
                Arguments.of("stateless_reset_token of 17 bytes", Role.SERVER, "02 11 00" + paToken),
                Arguments.of("original_destination_connection_id of 21 bytes", Role.SERVER, "00 15 " + cid21),
                Arguments.of("initial_source_connection_id of 21 bytes", Role.CLIENT, "0f 15 " + cid21),
                Arguments.of("retry_source_connection_id of 21 bytes", Role.SERVER, "10 15 " + cid21),
                Arguments.of("value longer than the rest", Role.CLIENT, "01 04 8000"),
                Arguments.of("ID varint cut short", Role.CLIENT, "40"),
                Arguments.of("length varint cut short", Role.CLIENT, "01 40"),
                Arguments.of("length missing", Role.CLIENT, "01"),
                Arguments.of("integer with an empty value", Role.CLIENT, "01 00"),
                Arguments.of("integer shorter than its length", Role.CLIENT, "01 02 05 00"),
                Arguments.of("integer longer than its length", Role.CLIENT, "01 01 40"),
                Arguments.of("disable_active_migration with a value", Role.CLIENT, "0c 01 00"),
                Arguments.of("preferred_address with a zero-length connection ID", Role.SERVER,
                        "0d 29 " + pa + " 00 " + paToken),
                Arguments.of("preferred_address with a 21-byte connection ID", Role.SERVER,
                        "0d 3e " + pa + " 15 " + cid21 + paToken),
                Arguments.of("preferred_address of 40 bytes", Role.SERVER,
                        "0d 28 " + pa + " 01 aa " + paToken.substring(4)),
                Arguments.of("preferred_address one byte longer than its parts", Role.SERVER,
                        "0d 2e " + pa + " 04 a1a2a3a4 " + paToken + " 00"),
                Arguments.of("version_information empty", Role.SERVER, "11 00"),
                Arguments.of("version_information of 6 bytes", Role.SERVER, "11 06 00000001 0000"),
                Arguments.of("version_information with Chosen Version 0", Role.SERVER, "11 04 00000000"),
                Arguments.of("version_information with an Available Version 0", Role.SERVER,
                        "11 08 00000001 00000000"),
                Arguments.of("client version_information without its chosen version", Role.CLIENT,
                        "11 08 00000001 6b3343cf"),
                Arguments.of("client version_information with no available version", Role.CLIENT, "11 04 00000001"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidParameters")
    void invalidParametersAreTransportParameterErrors(String scenario, Role sender, String hex) {
        byte[] blob = Hex.decode(hex);
        QuicException e = assertQuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
                () -> TransportParameters.decode(ByteBuffer.wrap(blob), sender));
        assertEquals(0x06, e.frameType(), "blamed on the CRYPTO frames");
    }

    static Stream<Arguments> boundaryValues() {
        String cid20 = "000102030405060708090a0b0c0d0e0f10111213";
        return Stream.of(
                Arguments.of("max_udp_payload_size 1200", Role.CLIENT, "03 02 44b0",
                        check(TransportParameters::maxUdpPayloadSize, 1200L)),
                Arguments.of("ack_delay_exponent 20", Role.CLIENT, "0a 01 14",
                        check(TransportParameters::ackDelayExponent, 20)),
                Arguments.of("max_ack_delay 2^14 - 1", Role.CLIENT, "0b 02 7fff",
                        check(TransportParameters::maxAckDelayMillis, 16383L)),
                Arguments.of("active_connection_id_limit 2", Role.CLIENT, "0e 01 02",
                        check(TransportParameters::activeConnectionIdLimit, 2L)),
                Arguments.of("initial_max_streams_bidi 2^60", Role.CLIENT, "08 08 d000000000000000",
                        check(TransportParameters::initialMaxStreamsBidi, 1L << 60)),
                Arguments.of("initial_source_connection_id of 20 bytes", Role.CLIENT, "0f 14 " + cid20,
                        check(p -> Hex.encode(p.initialSourceConnectionId().orElseThrow()), cid20)),
                Arguments.of("zero-length initial_source_connection_id", Role.CLIENT, "0f 00",
                        check(p -> p.initialSourceConnectionId().orElseThrow().length, 0)),
                Arguments.of("original_destination_connection_id from a server", Role.SERVER, "00 14 " + cid20,
                        check(p -> Hex.encode(p.originalDestinationConnectionId().orElseThrow()), cid20)),
                Arguments.of("non-minimal varint", Role.CLIENT, "04 08 c000000000000005",
                        check(TransportParameters::initialMaxData, 5L)),
                Arguments.of("server version_information with only a chosen version", Role.SERVER, "11 04 00000001",
                        check(p -> p.versionInformation().orElseThrow().availableVersions(), List.of())));
    }

    private static Function<TransportParameters, List<Object>> check(Function<TransportParameters, ?> accessor,
            Object expected) {
        return p -> List.of(expected, accessor.apply(p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundaryValues")
    void valuesAtTheLimitsAreAccepted(String scenario, Role sender, String hex,
            Function<TransportParameters, List<Object>> expectedAndActual) throws Exception {
        TransportParameters tp = TransportParameters.decode(ByteBuffer.wrap(Hex.decode(hex)), sender);
        List<Object> pair = expectedAndActual.apply(tp);
        assertEquals(pair.get(0), pair.get(1));
    }

    /**
     * Every prefix of a valid sequence either ends between two parameters, and then decodes, or cuts one, and then is a
     * TRANSPORT_PARAMETER_ERROR; never another exception.
     */
    @Test
    void everyTruncatedPrefixDecodesOnlyAtParameterBoundaries() throws Exception {
        for (byte[] blob : List.of(everyServerParameter().encode(),
                TlsTestSupport.vector("google-quiche-server-params.hex"))) {
            List<Integer> boundaries = parameterBoundaries(blob);
            for (int length = 0; length < blob.length; length++) {
                ByteBuffer prefix = ByteBuffer.wrap(blob, 0, length);
                if (boundaries.contains(length)) {
                    TransportParameters.decode(prefix, Role.SERVER);
                } else {
                    assertQuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
                            () -> TransportParameters.decode(prefix, Role.SERVER));
                }
            }
        }
    }

    private static List<Integer> parameterBoundaries(byte[] blob) {
        List<Integer> boundaries = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(blob);
        boundaries.add(0);
        while (b.hasRemaining()) {
            VarInt.decode(b);
            long length = VarInt.decode(b);
            b.position(b.position() + (int) length);
            boundaries.add(b.position());
        }
        return boundaries;
    }

    static Stream<Arguments> outOfRangeBuilderValues() {
        byte[] cid21 = new byte[21];
        return Stream.<Arguments>of(
                Arguments.of("max_idle_timeout negative",
                        (Executable) () -> TransportParameters.builder().maxIdleTimeoutMillis(-1)),
                Arguments.of("max_idle_timeout 2^62",
                        (Executable) () -> TransportParameters.builder().maxIdleTimeoutMillis(1L << 62)),
                Arguments.of("max_udp_payload_size 1199",
                        (Executable) () -> TransportParameters.builder().maxUdpPayloadSize(1199)),
                Arguments.of("initial_max_data 2^62",
                        (Executable) () -> TransportParameters.builder().initialMaxData(1L << 62)),
                Arguments.of("initial_max_stream_data_bidi_local -1",
                        (Executable) () -> TransportParameters.builder().initialMaxStreamDataBidiLocal(-1)),
                Arguments.of("initial_max_stream_data_bidi_remote -1",
                        (Executable) () -> TransportParameters.builder().initialMaxStreamDataBidiRemote(-1)),
                Arguments.of("initial_max_stream_data_uni -1",
                        (Executable) () -> TransportParameters.builder().initialMaxStreamDataUni(-1)),
                Arguments.of("initial_max_streams_bidi 2^60 + 1",
                        (Executable) () -> TransportParameters.builder().initialMaxStreamsBidi((1L << 60) + 1)),
                Arguments.of("initial_max_streams_uni -1",
                        (Executable) () -> TransportParameters.builder().initialMaxStreamsUni(-1)),
                Arguments.of("ack_delay_exponent 21",
                        (Executable) () -> TransportParameters.builder().ackDelayExponent(21)),
                Arguments.of("ack_delay_exponent -1",
                        (Executable) () -> TransportParameters.builder().ackDelayExponent(-1)),
                Arguments.of("max_ack_delay 2^14",
                        (Executable) () -> TransportParameters.builder().maxAckDelayMillis(1 << 14)),
                Arguments.of("active_connection_id_limit 1",
                        (Executable) () -> TransportParameters.builder().activeConnectionIdLimit(1)),
                Arguments.of("stateless_reset_token of 15 bytes",
                        (Executable) () -> TransportParameters.builder().statelessResetToken(new byte[15])),
                Arguments.of("original_destination_connection_id of 21 bytes",
                        (Executable) () -> TransportParameters.builder().originalDestinationConnectionId(cid21)),
                Arguments.of("initial_source_connection_id of 21 bytes",
                        (Executable) () -> TransportParameters.builder().initialSourceConnectionId(cid21)),
                Arguments.of("retry_source_connection_id of 21 bytes",
                        (Executable) () -> TransportParameters.builder().retrySourceConnectionId(cid21)),
                Arguments.of("version_information chosen 0", (Executable) () -> VersionInformation.of(0, 1)),
                Arguments.of("version_information available 0", (Executable) () -> VersionInformation.of(1, 0)),
                Arguments.of("preferred_address without addresses",
                        (Executable) () -> PreferredAddress.of(null, null, new byte[4], new byte[16])),
                Arguments.of("preferred_address with IPv6 as IPv4", (Executable) () -> PreferredAddress.of(
                        new InetSocketAddress(InetAddress.getByName("::1"), 1), null, new byte[4], new byte[16])),
                Arguments.of("preferred_address with an unresolved address", (Executable) () -> PreferredAddress.of(
                        InetSocketAddress.createUnresolved("example.com", 1), null, new byte[4], new byte[16])),
                Arguments.of("preferred_address with an empty connection ID", (Executable) () -> PreferredAddress.of(
                        new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1), null, new byte[0],
                        new byte[16])),
                Arguments.of("preferred_address with a 15-byte token", (Executable) () -> PreferredAddress.of(
                        new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1), null, new byte[4],
                        new byte[15])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfRangeBuilderValues")
    void outOfRangeValuesAreRefusedWhenBuilding(String scenario, Executable setter) {
        assertThrows(IllegalArgumentException.class, setter);
    }

    @Test
    void preferredAddressWithOneFamilyReadsTheOtherAsEmpty() throws Exception {
        PreferredAddress v6Only = PreferredAddress.of(null,
                new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 443), Hex.decode("01"), TOKEN);
        TransportParameters tp = TransportParameters.builder().preferredAddress(v6Only).build();
        byte[] encoded = tp.encode();
        assertEquals(Hex.encode(Hex.decode("0d 2a" // preferred_address, 4 + 2 + 16 + 2 + 1 + 1 + 16 = 42 bytes
                + "00000000 0000" // 0.0.0.0:0
                + "20010db8000000000000000000000002 01bb" // [2001:db8::2]:443
                + "01 01" // connection ID
                + "000102030405060708090a0b0c0d0e0f")), Hex.encode(encoded)); // stateless reset token
        PreferredAddress decoded = TransportParameters.decode(ByteBuffer.wrap(encoded), Role.SERVER)
                .preferredAddress().orElseThrow();
        assertEquals(Optional.empty(), decoded.ipv4Address());
        assertEquals(443, decoded.ipv6Address().orElseThrow().getPort());
        assertEquals(v6Only, decoded);
    }

    @Test
    void anAllZeroAddressWithAPortIsStillAnAddress() throws Exception {
        byte[] blob = Hex.decode("0d 2a" // preferred_address, 42 bytes
                + "00000000 01bb" // 0.0.0.0:443: not the all-zero "no IPv4" marker, the port is set
                + "00000000000000000000000000000000 0000" // [::]:0, no IPv6 address
                + "01 01" // connection ID
                + "000102030405060708090a0b0c0d0e0f"); // stateless reset token
        PreferredAddress pa = TransportParameters.decode(ByteBuffer.wrap(blob), Role.SERVER).preferredAddress()
                .orElseThrow();
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 443), pa.ipv4Address().orElseThrow());
        assertEquals(Optional.empty(), pa.ipv6Address());
        assertTrue(pa.toString().contains("ipv6=none"), pa::toString);
    }

    @Test
    void valuesAreCopiedInAndOut() throws Exception {
        byte[] cid = Hex.decode("01020304");
        TransportParameters tp = TransportParameters.builder().initialSourceConnectionId(cid).build();
        cid[0] = 9;
        tp.initialSourceConnectionId().orElseThrow()[1] = 9;
        assertEquals("01020304", Hex.encode(tp.initialSourceConnectionId().orElseThrow()));
    }

    @Test
    void everyParameterTakesPartInEquality() throws Exception {
        TransportParameters base = everyServerParameter();
        List<TransportParameters> changed = List.of(
                base.toBuilder().originalDestinationConnectionId(null).build(),
                base.toBuilder().maxIdleTimeoutMillis(1).build(),
                base.toBuilder().statelessResetToken(PREFERRED_TOKEN).build(),
                base.toBuilder().maxUdpPayloadSize(1201).build(),
                base.toBuilder().initialMaxData(1).build(),
                base.toBuilder().initialMaxStreamDataBidiLocal(1).build(),
                base.toBuilder().initialMaxStreamDataBidiRemote(1).build(),
                base.toBuilder().initialMaxStreamDataUni(1).build(),
                base.toBuilder().initialMaxStreamsBidi(1).build(),
                base.toBuilder().initialMaxStreamsUni(1).build(),
                base.toBuilder().ackDelayExponent(1).build(),
                base.toBuilder().maxAckDelayMillis(1).build(),
                TransportParameters.decode(ByteBuffer.wrap(Hex.decode(
                        EVERY_SERVER_PARAMETER_HEX.replace("7fff0c 00", "7fff"))), Role.SERVER),
                base.toBuilder().preferredAddress(null).build(),
                base.toBuilder().activeConnectionIdLimit(3).build(),
                base.toBuilder().initialSourceConnectionId(null).build(),
                base.toBuilder().retrySourceConnectionId(new byte[0]).build(),
                base.toBuilder().versionInformation(null).build());
        for (TransportParameters other : changed) {
            assertNotEquals(base, other, other::toString);
        }
        assertEquals(base, base.toBuilder().build());
    }

    @Test
    void toStringNamesTheParametersThatDifferFromTheirDefaults() {
        TransportParameters tp = TransportParameters.builder().maxIdleTimeoutMillis(30_000)
                .initialSourceConnectionId(Hex.decode("0102")).disableActiveMigration().build();
        assertEquals("TransportParameters{max_idle_timeout=30000, disable_active_migration, "
                + "initial_source_connection_id=0102}", tp.toString());
    }
}
