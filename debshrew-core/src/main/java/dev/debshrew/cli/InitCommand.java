package dev.debshrew.cli;

import dev.debshrew.init.ProjectScaffold;
import dev.debshrew.init.ProjectScaffold.Lang;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code debshrew init --lang rust|assemblyscript DIR}: writes a new transform project (SDK,
 * example {@code process_block}, build script, golden test run by {@code debshrew test --expect}).
 * See docs/transforms.md, "Start a project".
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a transform project in DIR (a new or empty directory): the SDK, an example"
                + " process_block, a build script and a golden test run by `debshrew test --expect`.")
final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--lang", required = true, paramLabel = "LANG", description = "rust or assemblyscript.")
    String lang;

    @Parameters(index = "0", paramLabel = "DIR", description = "Project directory (created if missing; must be empty).")
    Path dir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Lang l;
        try {
            l = Lang.of(lang);
        } catch (IllegalArgumentException e) {
            err.println("debshrew init: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        }
        try {
            int n = ProjectScaffold.create(l, dir).size();
            out.println("Created the " + l.id() + " transform project in " + dir + " (" + n + " files). Next:");
            out.println("  cd " + dir);
            if (l == Lang.RUST) {
                out.println("  ./build.sh     # -> build/transform.wasm (needs the wasm32-unknown-unknown target)");
                out.println("  ./test.sh      # golden test: debshrew test --expect expected.jsonl");
            } else {
                out.println("  npm install && npm run build    # -> build/transform.wasm");
                out.println("  npm test                        # golden test: debshrew test --expect expected.jsonl");
            }
            out.println("(test.sh runs `debshrew` from PATH, or $DEBSHREW; see README.md)");
            out.flush();
            return ExitStatus.CLEAN;
        } catch (IllegalArgumentException e) {
            err.println("debshrew init: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        } catch (IOException e) {
            err.println("debshrew init: cannot write " + dir + ": " + e);
            return ExitStatus.CONFIGURATION;
        }
    }
}
