package dev.quicj.examples;

import dev.quicj.core.QuicVersion;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The runnable jar's entry point: {@code java -jar quic-examples.jar <command> [options]}. Commands:
 * {@code write-close}, {@code decode}.
 */
public final class Main {
    static final String USAGE = "usage: java -jar quic-examples.jar <command> [options]\n"
            + "commands:\n"
            + "  write-close   print the hex of an Initial CONNECTION_CLOSE datagram\n"
            + "  decode        decode a QUIC datagram (Initial keys from --odcid)\n";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String usage;
        switch (command) {
            case "write-close":
                usage = WriteCloseCommand.USAGE;
                break;
            case "decode":
                usage = DecodeCommand.USAGE;
                break;
            default:
                err.println("error: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
        }
        if (rest.length == 1 && (rest[0].equals("-h") || rest[0].equals("--help"))) {
            out.println(usage);
            return 0;
        }
        try {
            switch (command) {
                case "write-close":
                    return WriteCloseCommand.run(rest, out);
                default:
                    return DecodeCommand.run(rest, out);
            }
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(usage);
            return 2;
        }
    }

    /** Parses {@code 1} / {@code 2} (or the wire value) into a version. */
    static QuicVersion version(String text) throws UsageException {
        switch (text.trim()) {
            case "1":
            case "0x00000001":
            case "0x1":
                return QuicVersion.V1;
            case "2":
            case "0x6b3343cf":
                return QuicVersion.V2;
            default:
                throw new UsageException("--version must be 1 or 2: '" + text + "'");
        }
    }
}
