package dev.debshrew.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A Dockerfile parsed into stages of instructions (continuation lines joined, comments dropped). */
record ParsedDockerfile(List<Stage> stages) {

    /** One instruction, e.g. {@code COPY --from=build /a /b}: keyword, flags ({@code --x=y}) and arguments. */
    record Instruction(String keyword, List<String> flags, List<String> args, String raw) {

        String flag(String name) {
            return flags.stream().filter(f -> f.startsWith("--" + name + "=")).map(f -> f.substring(name.length() + 3))
                    .findFirst().orElse(null);
        }
    }

    /** A {@code FROM ... [AS name]} stage and its instructions. */
    record Stage(String image, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        int indexOf(Instruction i) {
            return instructions.indexOf(i);
        }
    }

    static ParsedDockerfile parse(Path file) throws Exception {
        List<String> logical = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.startsWith("#")) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
            } else {
                cur.append(t);
                logical.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        List<Stage> stages = new ArrayList<>();
        for (String l : logical) {
            String[] words = l.split("\\s+");
            String keyword = words[0].toUpperCase(Locale.ROOT);
            List<String> flags = new ArrayList<>();
            List<String> args = new ArrayList<>();
            for (String w : Arrays.asList(words).subList(1, words.length)) {
                (args.isEmpty() && w.startsWith("--") ? flags : args).add(w);
            }
            if (keyword.equals("FROM")) {
                String name = args.size() >= 3 && args.get(1).equalsIgnoreCase("AS") ? args.get(2) : null;
                stages.add(new Stage(args.get(0), name, new ArrayList<>()));
            } else {
                if (stages.isEmpty()) {
                    throw new IllegalStateException(file + ": " + keyword + " before the first FROM");
                }
                stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, flags, args, l));
            }
        }
        return new ParsedDockerfile(stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }
}
