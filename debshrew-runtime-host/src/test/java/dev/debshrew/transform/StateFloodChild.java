package dev.debshrew.transform;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Child JVM of {@link StateLimitTest}: runs a state-flooding module for one block under a given
 * {@code maxStateBytes}, prints the outcome, then loads and runs a second, well-behaved module to
 * show the JVM is still healthy.
 *
 * <p>Arguments: the flooding module, {@code maxStateBytes}, the well-behaved module (ABI v1
 * {@code output} fixture). Prints {@code FLOOD <kind>: <message>} and {@code NEXT <n> messages}.
 */
public final class StateFloodChild {

    private StateFloodChild() {
    }

    public static void main(String[] args) throws Exception {
        TransformLimits limits = TransformLimits.builder().maxStateBytes(Long.parseLong(args[1]))
                .blockTimeout(Duration.ofSeconds(120)).build();
        try (Transform flood = Transform.load(Path.of(args[0]), limits)) {
            flood.process(new BlockContext(7, new byte[32]), (n, i, h) -> new byte[0], StateReader.EMPTY);
            System.out.println("FLOOD completed");
        } catch (TransformExecutionException e) {
            System.out.println("FLOOD " + e.kind() + ": " + e.getMessage());
        }
        System.out.flush();
        try (Transform next = Transform.load(Path.of(args[2]), TransformLimits.defaults())) {
            BlockOutput out = next.process(new BlockContext(1, new byte[32]), (n, i, h) -> new byte[0],
                    StateReader.EMPTY);
            System.out.println("NEXT " + out.messages().size() + " messages");
        }
    }
}
