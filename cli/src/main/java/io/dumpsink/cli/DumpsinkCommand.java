package io.dumpsink.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/**
 * The {@code dumpsink} command: global options (where the bucket is) and the subcommands. Holds what every
 * subcommand shares: the options, the streams, the environment.
 */
@Command(name = "dumpsink", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = DumpsinkCommand.Version.class,
        description = "Find, fetch and verify heap dumps that the dumpsink agent stored in S3.",
        footer = ExitCodes.HELP,
        subcommands = {LsCommand.class, ShowCommand.class, GetCommand.class, VerifyCommand.class, LinkCommand.class,
                CompletionCommand.class})
final class DumpsinkCommand {
    @Mixin
    GlobalOptions global;

    final PrintStream out;
    final PrintStream err;
    /** Where {@code get -o -} writes the dump: the raw standard output. */
    final OutputStream data;
    final Map<String, String> environment;
    /** Whether people watch stderr: a progress bar is drawn only then. */
    final boolean interactive;

    DumpsinkCommand(PrintStream out, PrintStream err, OutputStream data, Map<String, String> environment,
            boolean interactive) {
        this.out = out;
        this.err = err;
        this.data = data;
        this.environment = environment;
        this.interactive = interactive;
    }

    /** Opens the store the options name; the caller closes it. */
    Store openStore(int connections) {
        return new Store(settings(), connections);
    }

    /** The store's settings from the options, the environment and {@code --config}. */
    io.dumpsink.core.config.S3Settings settings() {
        global.environment = environment;
        return global.settings();
    }

    /** The jar's version, "dev" when run from classes. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DumpsinkCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dumpsink " + (version == null ? "dev" : version)};
        }
    }
}
