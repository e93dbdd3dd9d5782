# syntax=docker/dockerfile:1
# Haulbox in a container. Build: docker build --build-arg HAULBOX_COMMIT=$(git rev-parse --short HEAD) -t haulbox .
# Run:   docker run -p 8080:8080 -p 1883:1883 -v haulbox-data:/var/lib/haulbox haulbox
# With no volume or config at all it runs the built-in default config (the demo on); mount a
# folder with haulbox.yaml at /etc/haulbox to configure it, GGUF models at /etc/haulbox/models.
# See compose.example.yaml for Mosquitto and Ollama beside it.

# ── build: the official Bun image, the same Bun as package.json pins (the binary embeds it) ──────
FROM oven/bun:1.4.5 AS build
WORKDIR /src
# Dependencies first, so a source change does not reinstall them. bun reads package-lock.json
# (its overrides keep the GPU and other-platform builds of node-llama-cpp out), and runs no
# install scripts (node-llama-cpp's would try to compile llama.cpp; its prebuilt library is used).
COPY package.json package-lock.json ./
RUN bun install --frozen-lockfile
COPY tsconfig.json LICENSE config.example.yaml ./
COPY src ./src
COPY views ./views
COPY plugins ./plugins
COPY scripts ./scripts
COPY models/README.md ./models/README.md
# A build context has no .git: the commit `haulbox version` prints comes in as an argument.
ARG HAULBOX_COMMIT=unknown
# The binary and its llama/ sidecar (the embedded assistant) go to /out, with what the bundle carries.
RUN HAULBOX_COMMIT="${HAULBOX_COMMIT}" bun scripts/build.ts --outfile /out/haulbox \
 && mkdir -p /out/models \
 && cp LICENSE config.example.yaml /out/ \
 && cp models/README.md /out/models/

# ── run: a slim Debian (glibc, which the binary and the llama library need), as a non-root user ──
FROM debian:bookworm-slim
# CA certificates for load boards and notifiers over HTTPS; nothing else is needed at run time.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/haulbox --shell /usr/sbin/nologin haulbox \
 && mkdir -p /var/lib/haulbox /etc/haulbox/models \
 && chown haulbox:haulbox /var/lib/haulbox
COPY --from=build /out/ /opt/haulbox/
# Listen on every interface inside the container (the published ports decide who reaches it), keep
# data in the data volume. A haulbox.yaml in /etc/haulbox (the working folder) is read when present;
# these variables win over it for these three settings.
ENV HAULBOX_LISTEN=0.0.0.0:8080 \
    HAULBOX_MQTT_LISTEN=0.0.0.0:1883 \
    HAULBOX_DATA_DIR=/var/lib/haulbox
WORKDIR /etc/haulbox
USER haulbox
VOLUME ["/var/lib/haulbox", "/etc/haulbox", "/etc/haulbox/models"]
# 8080: web UI and API; 1883: the embedded MQTT broker for trucks' gateways and phone trackers.
EXPOSE 8080 1883
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/haulbox/haulbox", "healthcheck", "--timeout", "4"]
# SIGTERM stops ingest, writes what is queued and checkpoints the database (exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/haulbox/haulbox"]
CMD ["serve"]
