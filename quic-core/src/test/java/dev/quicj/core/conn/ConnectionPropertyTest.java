package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;

import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The connection properties with seeded randomness, so every {@code mvn test} explores fresh inputs. The seed is
 * printed; rerun one with {@code -Dquicj.seed=N}.
 */
class ConnectionPropertyTest {
    private static final long SEED = Long.getLong("quicj.seed", System.nanoTime());
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    @Test
    void arbitraryDatagramsOnlyEverThrowQuicExceptionAndDropsChangeNothing() throws Exception {
        System.out.println("ConnectionPropertyTest seed " + SEED + " (rerun with -Dquicj.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        for (int i = 0; i < 300; i++) {
            byte[] dg;
            if (random.nextBoolean()) {
                dg = new byte[random.nextInt(1500)];
                random.nextBytes(dg);
            } else {
                // a valid Initial with a few bytes changed: reaches decryption and frame decoding
                dg = initial.clone();
                for (int k = random.nextInt(1, 6); k > 0; k--) {
                    dg[random.nextInt(dg.length)] = (byte) random.nextInt(256);
                }
            }
            for (QuicConnection c : ConnectionProperties.targets()) {
                ConnectionProperties.receiveArbitrary(c, dg);
            }
        }
    }

    @Test
    void aServerNeverSendsMoreThanThreeTimesWhatItReceived() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        for (int i = 0; i < 500; i++) {
            ConnectionProperties.amplification(random.split(), initial);
        }
    }

    /**
     * Datagrams of one to three coalesced packets that authenticate (null crypto) at every level, in both directions,
     * with frames of every kind this core reads, a few bytes changed and sometimes cut short, each fed twice to
     * connections in eight states: only QuicException escapes, and a dropped datagram changes nothing. (A packet
     * that throws may follow a processed one in the same datagram, so the state is not compared after a throw.)
     */
    @Test
    void mutatedCoalescedPacketsOfEveryLevelOnlyEverThrowQuicExceptionAndDropsChangeNothing() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        List<byte[]> packets = authenticatingPackets();
        for (int i = 0; i < 1000; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int k = random.nextInt(1, 4); k > 0; k--) {
                out.writeBytes(packets.get(random.nextInt(packets.size())));
            }
            byte[] dg = out.toByteArray();
            for (int k = random.nextInt(4); k > 0; k--) {
                dg[random.nextInt(dg.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                dg = Arrays.copyOf(dg, random.nextInt(1, dg.length + 1));
            }
            List<QuicConnection> targets = List.of(ConnectionFixtures.client(NULL),
                    ConnectionFixtures.clientWithHandshakeKeys(NULL), ConnectionFixtures.clientPostHandshake(NULL),
                    ConnectionFixtures.clientConfirmed(NULL),
                    ConnectionFixtures.serverBuilder(NULL).build(ConnectionFixtures.T0),
                    ConnectionFixtures.server(NULL), ConnectionFixtures.serverAllKeys(NULL),
                    ConnectionFixtures.serverConfirmed(NULL));
            for (QuicConnection c : targets) {
                ConnectionProperties.receiveCoalesced(c, dg);
                ConnectionProperties.receiveCoalesced(c, dg);
            }
        }
    }

    /** Packets each fixture peer could send, at every level and packet number length, with assorted frames. */
    private static List<byte[]> authenticatingPackets() throws Exception {
        byte[] odcid = CLIENT_ODCID.toByteArray();
        PacketProtection serverInitial = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.serverSecret(QuicVersion.V1, odcid));
        PacketProtection clientInitial = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.clientSecret(QuicVersion.V1, odcid));
        PacketProtection serverHandshake = ConnectionFixtures.peerProtection(NULL, SERVER_HANDSHAKE_SECRET);
        PacketProtection clientHandshake = ConnectionFixtures.peerProtection(NULL, CLIENT_HANDSHAKE_SECRET);
        String[] frames = {"01", "00000001", "0200000000", "0300000000000000", "0206020101", "06000401020304",
            "1c00000161", "1c0a0bff", "1d0000", "1e", "0703010203", "08000161", "1a0102030405060708",
            "1b0102030405060708", "18010010" + "aa".repeat(16) + "bb".repeat(16)};
        List<byte[]> packets = new ArrayList<>();
        for (String hex : frames) {
            byte[] f = Hex.decode(hex);
            for (long pn : new long[] {0, 1, 300}) {
                packets.add(ConnectionFixtures.peerLongPacket(serverInitial, LongPacketType.INITIAL, CLIENT_SCID,
                        SERVER_SCID, pn, f, 0));
                packets.add(ConnectionFixtures.peerLongPacket(clientInitial, LongPacketType.INITIAL, CLIENT_ODCID,
                        CLIENT_SCID, pn, f, 0));
                packets.add(ConnectionFixtures.peerLongPacket(clientInitial, LongPacketType.INITIAL, SERVER_SCID,
                        CLIENT_SCID, pn, f, 1200));
                packets.add(ConnectionFixtures.peerLongPacket(serverHandshake, LongPacketType.HANDSHAKE, CLIENT_SCID,
                        SERVER_SCID, pn, f, 0));
                packets.add(ConnectionFixtures.peerLongPacket(clientHandshake, LongPacketType.HANDSHAKE, SERVER_SCID,
                        CLIENT_SCID, pn, f, 0));
                packets.add(ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, pn, f));
                packets.add(ConnectionFixtures.peerShortPacket(NULL, CLIENT_1RTT_SECRET, SERVER_SCID, pn, f));
            }
        }
        packets.add(ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, new byte[] {1, 2},
                CLIENT_ODCID));
        return packets;
    }
}
