# Wegwijzer: a multi-stage build. The knowledge base is baked in at /app/knowledge and can be
# replaced by mounting a directory over it; data (the SQLite file) lives in the /data volume.
# Untested here: Docker cannot run on the machine this was written on (see docs/deploy.md).
#
#   docker build -t wegwijzer .
#   docker run -p 8080:8080 -v wegwijzer-data:/data wegwijzer

FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY benches ./benches
RUN cargo build --release --locked --bin wegwijzer

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin wegwijzer \
 && mkdir -p /data && chown wegwijzer:wegwijzer /data
WORKDIR /app
COPY --from=build /src/target/release/wegwijzer /usr/local/bin/wegwijzer
COPY knowledge ./knowledge
# Refuse to build an image whose knowledge base has errors.
RUN wegwijzer check --knowledge-dir /app/knowledge
USER wegwijzer
ENV WEGWIJZER_ADDR=0.0.0.0:8080 \
    WEGWIJZER_KNOWLEDGE_DIR=/app/knowledge \
    DATABASE_URL=sqlite:///data/wegwijzer.db?mode=rwc \
    WEGWIJZER_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# SIGTERM stops accepting and finishes requests in flight.
STOPSIGNAL SIGTERM
ENTRYPOINT ["wegwijzer"]
CMD ["serve"]
