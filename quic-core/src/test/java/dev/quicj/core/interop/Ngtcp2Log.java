package dev.quicj.core.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the debug log of ngtcp2's example client and server (libngtcp2 0.12.1, Debian 12), as written by
 * {@link Ngtcp2Server} and {@link Ngtcp2Client}. Pure functions of the log text.
 */
public final class Ngtcp2Log {
    private static final Pattern CLOSE = Pattern.compile(
            "^I[0-9]+ 0x[0-9a-f]* frm (rx|tx) ([0-9]+) (\\S+) CONNECTION_CLOSE\\(0x([0-9a-f]+)\\) "
                    + "error_code=(\\S*)\\(0x([0-9a-f]+)\\) frame_type=([0-9a-f]+) reason_len=([0-9]+) "
                    + "reason=\\[(.*)\\]$");
    private static final Pattern UNEXPECTED = Pattern.compile("Unexpected packet received: length=([0-9]+)");
    private static final Pattern ERROR_LINE =
            Pattern.compile("^(ngtcp2_[a-z_]+: |Unexpected |[^I].*(ERR_|[Ee]rror)).*");

    private Ngtcp2Log() {
    }

    /** Every CONNECTION_CLOSE frame line (received and sent), in log order. */
    public static List<Ngtcp2Close> closes(String log) {
        List<Ngtcp2Close> out = new ArrayList<>();
        String[] lines = log.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripCr(lines[i]);
            if (!line.contains("CONNECTION_CLOSE(0x")) {
                continue;
            }
            Matcher m = CLOSE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(5);
            if (name.isEmpty() || name.equals("(unknown)")) {
                name = "unknown";
            }
            out.add(new Ngtcp2Close(
                    m.group(1).equals("rx") ? Ngtcp2Close.Direction.RECEIVED : Ngtcp2Close.Direction.SENT,
                    Ngtcp2Close.Level.fromLog(m.group(3)),
                    Long.parseUnsignedLong(m.group(4), 16),
                    Long.parseUnsignedLong(m.group(6), 16),
                    name,
                    Long.parseUnsignedLong(m.group(7), 16),
                    Long.parseUnsignedLong(m.group(2)),
                    Integer.parseInt(m.group(8)),
                    m.group(9),
                    i + 1,
                    line));
        }
        return out;
    }

    /** The CONNECTION_CLOSE frames received from the peer ({@code frm rx}), in log order. */
    public static List<Ngtcp2Close> received(String log) {
        return filter(closes(log), Ngtcp2Close.Direction.RECEIVED);
    }

    /** The CONNECTION_CLOSE frames sent to the peer ({@code frm tx}), in log order. */
    public static List<Ngtcp2Close> sent(String log) {
        return filter(closes(log), Ngtcp2Close.Direction.SENT);
    }

    /**
     * The lengths N of every {@code Unexpected packet received: length=N} line: the server dropped a datagram that
     * could not start a connection (e.g. a client's first datagram shorter than 1200 bytes).
     */
    public static List<Integer> unexpectedPacketLengths(String log) {
        List<Integer> out = new ArrayList<>();
        Matcher m = UNEXPECTED.matcher(log);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /**
     * The last line that looks like an error ({@code ngtcp2_...: ERR_...}, {@code Unexpected ...}, or a non-frame
     * line mentioning an error), like the {@code detail} of {@code ngtcp2-client-expect-close.sh}.
     */
    public static Optional<String> lastErrorLine(String log) {
        String found = null;
        for (String raw : log.split("\n")) {
            String line = stripCr(raw);
            if (ERROR_LINE.matcher(line).matches()) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }

    private static List<Ngtcp2Close> filter(List<Ngtcp2Close> all, Ngtcp2Close.Direction direction) {
        List<Ngtcp2Close> out = new ArrayList<>();
        for (Ngtcp2Close c : all) {
            if (c.direction() == direction) {
                out.add(c);
            }
        }
        return out;
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
