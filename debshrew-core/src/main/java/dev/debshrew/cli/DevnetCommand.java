package dev.debshrew.cli;

import dev.debshrew.devnet.DevnetMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code debshrew devnet}: a standalone metashrew simulator (docs/devnet.md). Its options are parsed
 * by {@link DevnetMain}: {@code --port P --scenario FILE --version-line L --blocks N
 * --block-interval-ms MS --seed S}.
 */
@Command(name = "devnet", description = "Run the metashrew simulator on 127.0.0.1 (options: --help).")
final class DevnetCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return DevnetMain.run(args.toArray(String[]::new));
    }
}
