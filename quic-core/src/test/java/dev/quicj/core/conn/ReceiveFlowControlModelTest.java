package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ReceiveFlowControl} against a straightforward model of RFC 9000 §4.1 and §4.5 (a map of streams, copied per
 * packet): 3000 seeded runs of 40 packets of up to 5 frames, refused packets included; the error of each packet and
 * the committed total must agree.
 */
class ReceiveFlowControlModelTest {
    private record StreamState(long highest, long finalSize) {}

    @Test
    void agreesWithAModelOfTheRfcRules() throws Exception {
        for (long seed = 0; seed < 3000; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long streamLimit = r.nextInt(1, 50);
        long connLimit = r.nextInt(1, 200);
        ReceiveFlowControl f = new ReceiveFlowControl();
        Map<Long, StreamState> model = new HashMap<>();
        long total = 0;
        for (int p = 0; p < 40; p++) {
            f.beginPacket();
            Map<Long, StreamState> m = new HashMap<>(model);
            long t = total;
            int frames = r.nextInt(1, 6);
            Long expected = null;
            Long actual = null;
            long[][] fr = new long[frames][];
            for (int i = 0; i < frames; i++) {
                long id = 4L * r.nextInt(0, 40) + (r.nextBoolean() ? 0 : 2);
                long end = r.nextInt(0, 60);
                boolean fin = r.nextInt(4) == 0;
                fr[i] = new long[] {id, end, fin ? 1 : 0};
            }
            for (int i = 0; i < frames && expected == null; i++) {
                long id = fr[i][0], end = fr[i][1];
                boolean fin = fr[i][2] == 1;
                StreamState s = m.getOrDefault(id, new StreamState(0, -1));
                if (s.finalSize >= 0 && (fin && end != s.finalSize || end > s.finalSize)) {
                    expected = TransportErrorCode.FINAL_SIZE_ERROR;
                } else if (s.finalSize < 0 && fin && end < s.highest) {
                    expected = TransportErrorCode.FINAL_SIZE_ERROR;
                } else if (end > streamLimit) {
                    expected = TransportErrorCode.FLOW_CONTROL_ERROR;
                } else {
                    long before = Math.max(s.highest, s.finalSize);
                    long after = Math.max(before, end);
                    if (t + after - before > connLimit) {
                        expected = TransportErrorCode.FLOW_CONTROL_ERROR;
                    } else {
                        t += after - before;
                        m.put(id, new StreamState(Math.max(s.highest, end), fin ? end : s.finalSize));
                    }
                }
            }
            for (int i = 0; i < frames && actual == null; i++) {
                try {
                    f.check(0x0f, fr[i][0], fr[i][1], fr[i][2] == 1, streamLimit, connLimit);
                } catch (QuicException e) {
                    actual = e.errorCode();
                }
            }
            assertEquals(expected, actual, "seed " + seed + " packet " + p);
            if (expected == null) {
                for (long[] x : fr) {
                    f.apply(x[0], x[1], x[2] == 1);
                }
                model = m;
                total = t;
            }
            assertEquals(total, f.total(), "seed " + seed + " packet " + p);
        }
    }
}
