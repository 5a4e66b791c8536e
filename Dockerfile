# The agent's and the presigner's images, in one file so that the base image is named in exactly one place.
# Build both with tools/images/build.sh (podman or docker; README "Images"); by hand, from the repository root
# after `mvn -B -DskipTests package`:
#   podman build --target agent -t dumpsink-agent .   /   podman build --target presigner -t dumpsink-presigner .

# The production base: a small, maintained JRE 17 image. Where no registry is reachable, build.sh passes
# --build-arg BASE_IMAGE=<a stand-in made from Debian packages> and says so.
ARG BASE_IMAGE=docker.io/library/eclipse-temurin:17-jre
# org.opencontainers.image.version, .revision and .source differ per build: build.sh sets them with --label
# (build arguments in LABEL lines would be stale: podman's layer cache does not see their values change).

FROM ${BASE_IMAGE} AS agent
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="dumpsink-agent" \
      org.opencontainers.image.description="dumpsink node agent: ships JVM heap dumps from a node folder to S3" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
COPY agent/target/dumpsink-agent.jar /app/dumpsink-agent.jar
# Root on purpose: it reads and deletes dumps that other users' pods wrote. The Helm chart runs it unprivileged:
# every capability dropped but DAC_READ_SEARCH, DAC_OVERRIDE and FOWNER, no privilege escalation, and a
# read-only root file system (with /tmp as an emptyDir: zstd-jni unpacks its native library there).
USER 0:0
EXPOSE 9400
ENTRYPOINT ["java", "-Dconfig.file=/etc/dumpsink/dumpsink.conf", "-jar", "/app/dumpsink-agent.jar"]

FROM ${BASE_IMAGE} AS presigner
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="dumpsink-presigner" \
      org.opencontainers.image.description="dumpsink presigner: download links for stored heap dumps, chat notifications" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
COPY presigner/target/dumpsink-presigner.jar /app/dumpsink-presigner.jar
# Never root, with a fixed numeric uid so that Kubernetes' runAsNonRoot can check it without a passwd entry.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-Dconfig.file=/etc/dumpsink/dumpsink.conf", "-jar", "/app/dumpsink-presigner.jar"]
