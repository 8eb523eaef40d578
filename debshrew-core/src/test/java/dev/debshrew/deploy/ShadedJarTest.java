package dev.debshrew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar carries native libraries for the supported platforms only (Linux x86_64 and aarch64,
 * glibc): the package phase runs after the tests, so this checks the jar of the previous
 * {@code mvn package} and is skipped, with a message, when there is none newer than the pom.
 */
class ShadedJarTest {

    private static final Set<String> NATIVES = Set.of(
            "librocksdbjni-linux64.so",
            "librocksdbjni-linux-aarch64.so",
            "linux/amd64/libzstd-jni-*.so",
            "linux/aarch64/libzstd-jni-*.so",
            "org/xerial/snappy/native/Linux/x86_64/libsnappyjava.so",
            "org/xerial/snappy/native/Linux/aarch64/libsnappyjava.so",
            "net/jpountz/util/linux/amd64/liblz4-java.so",
            "net/jpountz/util/linux/aarch64/liblz4-java.so");

    @Test
    void shadedJarCarriesNativesOnlyForTheSupportedPlatforms() throws Exception {
        Path jar = DeployFiles.root().resolve("debshrew-core/target/debshrew.jar");
        Path pom = DeployFiles.file("debshrew-core/pom.xml");
        Assumptions.assumeTrue(Files.isRegularFile(jar)
                        && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(pom)) > 0,
                "no debshrew.jar newer than debshrew-core/pom.xml: run mvn package first");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> natives = Collections.list(zip.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.matches(".*\\.(so|dll|dylib|jnilib|a)$")).toList();
            assertThat(natives).allSatisfy(n -> assertThat(NATIVES).as(n)
                    .anyMatch(p -> n.matches(p.replace(".", "\\.").replace("*", "[^/]*"))));
            assertThat(NATIVES).allSatisfy(p -> assertThat(natives).as("natives contain %s", p)
                    .anyMatch(n -> n.matches(p.replace(".", "\\.").replace("*", "[^/]*"))));
            assertThat(zip.getEntry("org/rocksdb/RocksDB.class")).isNotNull();
        }
        assertThat(Files.size(jar)).as("jar size").isLessThan(40L * 1024 * 1024);
    }
}
