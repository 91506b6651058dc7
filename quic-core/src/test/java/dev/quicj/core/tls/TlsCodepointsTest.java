package dev.quicj.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsCodepointsTest {
    // RFC 8446 §4.2 and RFC 9001 §8.2, written out independently of the class under test.
    private static final Map<Integer, String> EXTENSIONS = Map.ofEntries(
            Map.entry(0, "server_name"),
            Map.entry(10, "supported_groups"),
            Map.entry(13, "signature_algorithms"),
            Map.entry(16, "application_layer_protocol_negotiation"),
            Map.entry(41, "pre_shared_key"),
            Map.entry(42, "early_data"),
            Map.entry(43, "supported_versions"),
            Map.entry(44, "cookie"),
            Map.entry(45, "psk_key_exchange_modes"),
            Map.entry(51, "key_share"),
            Map.entry(57, "quic_transport_parameters"));
    // RFC 8446 §4.2.7.
    private static final Map<Integer, String> GROUPS = Map.of(
            0x0017, "secp256r1",
            0x0018, "secp384r1",
            0x0019, "secp521r1",
            0x001d, "x25519",
            0x001e, "x448");

    @Test
    void everyExtensionTypeIsNamedOrUnknown() {
        for (int type = 0; type <= 0xffff; type++) {
            String expected = EXTENSIONS.getOrDefault(type, "unknown(0x" + Integer.toHexString(type) + ")");
            assertEquals(expected, TlsCodepoints.extensionName(type));
        }
    }

    @Test
    void everyNamedGroupIsNamedOrUnknown() {
        for (int group = 0; group <= 0xffff; group++) {
            String expected = GROUPS.getOrDefault(group, "unknown(0x" + Integer.toHexString(group) + ")");
            assertEquals(expected, TlsCodepoints.groupName(group));
        }
    }

    @Test
    void constantsHaveTheirRfcValues() {
        assertEquals(0x39, TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS);
        assertEquals(0x0304, TlsCodepoints.TLS_1_3);
        assertEquals(0x132, dev.quicj.core.TransportErrorCode.cryptoError(TlsCodepoints.ALERT_DECODE_ERROR));
        assertEquals(0x16d, dev.quicj.core.TransportErrorCode.cryptoError(TlsCodepoints.ALERT_MISSING_EXTENSION));
    }
}
