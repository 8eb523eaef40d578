# Multi-stage build: compile the reactor (incl. the AssemblyScript examples) with Maven + Node,
# then run the shaded jar on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/debshrew debshrew && mkdir -p /var/lib/debshrew /etc/debshrew \
    && chown debshrew /var/lib/debshrew
COPY --from=build /src/debshrew-core/target/debshrew.jar /opt/debshrew/debshrew.jar
COPY --from=build /src/examples/assemblyscript/build/ /opt/debshrew/examples/
COPY config/debshrew.example.json /etc/debshrew/config.json
USER debshrew
WORKDIR /var/lib/debshrew
# SIGTERM from `docker stop` finishes the current block and closes the sinks cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/debshrew/debshrew.jar"]
CMD ["run", "--config", "/etc/debshrew/config.json"]
