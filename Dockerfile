# syntax=docker/dockerfile:1
# Tarjotin: a multi-stage build. The builder compiles the release binary; the
# runtime image has only the binary, Voikko (Finnish analysis) and CA
# certificates, and runs as an unprivileged user.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# Dependencies first: built against empty crates, so that a change to the
# code alone reuses this layer.
COPY Cargo.toml Cargo.lock ./
COPY api/Cargo.toml api/Cargo.toml
COPY entity/Cargo.toml entity/Cargo.toml
COPY migration/Cargo.toml migration/Cargo.toml
RUN mkdir -p src api/src entity/src migration/src benches tests/it \
    && echo 'fn main() {}' > src/main.rs \
    && touch api/src/lib.rs entity/src/lib.rs migration/src/lib.rs \
    && echo 'fn main() {}' > benches/search.rs \
    && echo '' > tests/it/main.rs \
    && cargo build --release --locked --bin tarjotin
COPY . .
RUN touch src/main.rs api/src/lib.rs entity/src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked --bin tarjotin \
    && strip target/release/tarjotin

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates curl libvoikko1 voikko-fi \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 tarjotin \
    && useradd --system --uid 10001 --gid tarjotin --home-dir /data --shell /usr/sbin/nologin tarjotin \
    && mkdir -p /data \
    && chown tarjotin:tarjotin /data
COPY --from=builder /src/target/release/tarjotin /usr/local/bin/tarjotin
USER tarjotin:tarjotin
WORKDIR /data
ENV TARJOTIN_BIND=0.0.0.0:8080 \
    TARJOTIN_DATA_DIR=/data \
    TARJOTIN_LOG_FORMAT=json \
    TARJOTIN_ANALYZER=voikko
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tarjotin"]
CMD ["serve"]
