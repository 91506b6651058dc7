package dev.quicj.core.tls;

import dev.quicj.core.Role;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cheap stand-in for the fuzz targets of ngtcp2 and quiche: arbitrary and mutated input to every decoder of this
 * package may only ever raise {@link QuicException}. Seeded; the seed is printed and named in every failure, and
 * {@code -Dquicj.fuzz.seed=N} replays a run.
 */
class TlsFuzzTest {
    private static final int ROUNDS = 20_000;
    private static long seed;

    @BeforeAll
    static void chooseSeed() {
        seed = Long.getLong("quicj.fuzz.seed", System.nanoTime());
        System.out.println("TlsFuzzTest seed " + seed + " (replay with -Dquicj.fuzz.seed=" + seed + ")");
    }

    /** The decoders under test. */
    private interface Decoder {
        void decode(byte[] input) throws QuicException;
    }

    private static final List<Decoder> DECODERS = List.of(
            input -> TransportParameters.decode(ByteBuffer.wrap(input), Role.CLIENT),
            input -> TransportParameters.decode(ByteBuffer.wrap(input), Role.SERVER),
            input -> ClientHelloInfo.decode(ByteBuffer.wrap(input)),
            input -> ServerHelloInfo.decode(ByteBuffer.wrap(input)),
            input -> {
                TlsHandshakeReader reader = new TlsHandshakeReader(4096);
                reader.add(ByteBuffer.wrap(input));
                HandshakeMessage message;
                while ((message = reader.poll()) != null) {
                    if (message.type() == TlsCodepoints.CLIENT_HELLO) {
                        ClientHelloInfo.decode(message);
                    } else {
                        ServerHelloInfo.decode(message);
                    }
                }
            });

    private static void feedEveryDecoder(byte[] input, String origin) {
        feed(DECODERS, input, origin);
    }

    private static void feed(List<Decoder> decoders, byte[] input, String origin) {
        for (int d = 0; d < decoders.size(); d++) {
            try {
                decoders.get(d).decode(input);
            } catch (QuicException expected) {
                // The only failure allowed.
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ", decoder " + d + ", " + origin + ", input "
                        + Hex.encode(input) + ": " + e, e);
            }
        }
    }

    @Test
    void randomBytesOnlyRaiseQuicException() {
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = new byte[random.nextInt(300)];
            random.nextBytes(input);
            // Give the message decoders a plausible header now and then, so they get past the first checks.
            if (input.length >= 4 && random.nextBoolean()) {
                input[0] = (byte) (1 + random.nextInt(2));
                int length = input.length - 4 + random.nextInt(3) - 1;
                input[1] = (byte) (length >>> 16);
                input[2] = (byte) (length >>> 8);
                input[3] = (byte) length;
            }
            feedEveryDecoder(input, "random round " + round);
        }
    }

    @Test
    void mutatedValidMessagesOnlyRaiseQuicException() throws Exception {
        List<byte[]> seeds = List.of(
                TlsTestSupport.vector("rfc9001-A.2-client-hello.hex"),
                TlsTestSupport.vector("rfc9001-A.3-server-hello.hex"),
                TlsTestSupport.vector("google-quiche-client-params.hex"),
                TlsTestSupport.vector("google-quiche-server-params.hex"),
                ClientHello.builder().serverName("example.com").applicationProtocols("h3", "hq-interop")
                        .transportParameters(ClientHelloTest.clientParameters()).build().encode());
        Random random = new Random(seed ^ 0x5eed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] original = seeds.get(random.nextInt(seeds.size()));
            byte[] input = mutate(original, random);
            feedEveryDecoder(input, "mutation round " + round);
        }
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] input = original.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(4)) {
                case 0: // flip a byte
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    break;
                case 1: // extreme values, the likely length fields
                    input[random.nextInt(input.length)] = (byte) (random.nextBoolean() ? 0xff : 0x00);
                    break;
                case 2: // cut
                    input = Arrays.copyOf(input, 1 + random.nextInt(input.length));
                    break;
                default: { // duplicate a run of bytes
                    int from = random.nextInt(input.length);
                    int n = 1 + random.nextInt(Math.min(16, input.length - from));
                    byte[] longer = Arrays.copyOf(input, input.length + n);
                    System.arraycopy(input, from, longer, from + n, input.length - from);
                    input = longer;
                    break;
                }
            }
        }
        return input;
    }

    /** The harness itself: any exception other than QuicException fails the run and names the seed. */
    @Test
    void failuresNameTheSeed() {
        Decoder broken = input -> {
            throw new IllegalStateException("not a QuicException");
        };
        try {
            feed(List.of(broken), new byte[] {1}, "the harness check");
            fail("an IllegalStateException went unnoticed");
        } catch (AssertionError e) {
            if (!e.getMessage().contains("seed " + seed + ", decoder 0, the harness check, input 01")) {
                throw e;
            }
        }
    }
}
