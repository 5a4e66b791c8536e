package io.dumpsink.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dumpsink verify}: reads a dump back and checks it against its manifest, writing nothing. */
@Command(name = "verify", description = "Download and decompress a dump without writing it, and check its size and"
        + " SHA-256 against the manifest. Exit 1 when they differ.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    DumpsinkCommand root;

    @Mixin
    DumpSelection selection;

    @Option(names = "--parallel", paramLabel = "N", description = "Ranged GETs (and decompressions) at once;"
            + " default ${DEFAULT-VALUE}.")
    int parallel = GetCommand.defaultParallel();

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        try (Store store = root.openStore(parallel + 2)) {
            String key = selection.resolve(store);
            DumpFetcher fetcher = new DumpFetcher(store, parallel);
            DumpFetcher.Plan plan = fetcher.plan(key);
            Verifier verifier = new Verifier();
            Progress progress = new Progress(root.err, root.interactive && !quiet, plan.manifest().originalSize(), 0);
            fetcher.fetch(plan, 0, List.of(verifier::update), progress);
            progress.finish();
            verifier.check(plan, "the stored dump is not the one the agent read");
            root.out.println("ok " + key + " sha256 " + plan.manifest().sha256() + " ("
                    + Sizes.human(plan.manifest().originalSize()) + ")");
            return ExitCodes.OK;
        }
    }
}
