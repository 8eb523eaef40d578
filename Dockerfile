# debshrew container image (docs/operations.md#docker).
#
#   docker build -t debshrew .
#   docker run -v debshrew-data:/var/lib/debshrew -p 127.0.0.1:9464:9464 debshrew \
#       run --config /etc/debshrew/config.json --metashrew-url http://metashrew:8080
#
# Stage 1 compiles the reactor (incl. the AssemblyScript examples) with Maven + Node; stage 2 runs the
# shaded jar on a JRE as a non-root user. Supported platforms: linux/amd64 and linux/arm64 (glibc),
# the only ones whose RocksDB natives the jar carries (README.md#supported-platforms).

FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependency-cache layer: only the build descriptors, so a source change does not download everything
# again. Maven resolves every plugin and dependency of `package` on the empty modules (the npm steps
# of the examples module skipped: -Dexec.skip); npm fills its cache from the lock file.
COPY pom.xml /src/pom.xml
COPY debshrew-support/pom.xml /src/debshrew-support/pom.xml
COPY debshrew-runtime-host/pom.xml /src/debshrew-runtime-host/pom.xml
COPY debshrew-sinks/pom.xml /src/debshrew-sinks/pom.xml
COPY debshrew-devnet/pom.xml /src/debshrew-devnet/pom.xml
COPY debshrew-core/pom.xml /src/debshrew-core/pom.xml
COPY debshrew-connect/pom.xml /src/debshrew-connect/pom.xml
COPY debshrew-bench/pom.xml /src/debshrew-bench/pom.xml
COPY examples/pom.xml /src/examples/pom.xml
COPY examples/assemblyscript/package.json examples/assemblyscript/package-lock.json /src/examples/assemblyscript/
RUN mvn -B -q package -DskipTests -Dexec.skip=true \
    && (cd /src/examples/assemblyscript && npm ci --no-audit --no-fund)

# Sources, then the real build.
COPY debshrew-support/src /src/debshrew-support/src
COPY debshrew-runtime-host/src /src/debshrew-runtime-host/src
COPY debshrew-sinks/src /src/debshrew-sinks/src
COPY debshrew-devnet/src /src/debshrew-devnet/src
COPY debshrew-core/src /src/debshrew-core/src
COPY debshrew-connect/src /src/debshrew-connect/src
COPY debshrew-bench/src /src/debshrew-bench/src
COPY examples/assemblyscript /src/examples/assemblyscript
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre-noble
# curl is only for the HEALTHCHECK below.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system debshrew \
    && useradd --system --gid debshrew --home-dir /var/lib/debshrew --shell /usr/sbin/nologin debshrew \
    && mkdir -p /var/lib/debshrew /etc/debshrew /opt/debshrew/transforms \
    && chown debshrew:debshrew /var/lib/debshrew
COPY --from=build /src/debshrew-core/target/debshrew.jar /opt/debshrew/debshrew.jar
COPY --from=build /src/examples/assemblyscript/build/blocks.wasm /opt/debshrew/transforms/blocks.wasm
COPY --from=build /src/examples/assemblyscript/build/txindex.wasm /opt/debshrew/transforms/txindex.wasm
COPY config/docker/debshrew.json /etc/debshrew/config.json
COPY config/docker/entrypoint.sh /opt/debshrew/entrypoint.sh
RUN chmod 0755 /opt/debshrew/entrypoint.sh && chmod 0644 /etc/debshrew/config.json

# Extra JVM options, e.g. -e JAVA_OPTS="-Xmx1g"; the entrypoint passes them to java.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75"
USER debshrew:debshrew
WORKDIR /var/lib/debshrew
# State store, reorg journal and compile cache (data_dir /var/lib/debshrew/data in the sample config).
VOLUME ["/var/lib/debshrew"]
# Admin server (GET /health, /status, /metrics), bound to 0.0.0.0 inside the container by the sample config.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9464/health"]
# SIGTERM from `docker stop` finishes the current block and closes the sinks cleanly (exec: java is PID 1).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/debshrew/entrypoint.sh"]
CMD ["run", "--config", "/etc/debshrew/config.json"]
