# syntax=docker/dockerfile:1
# Plenary's image: built in a Rust image, run on a distroless base with no
# shell; `plenary healthcheck` is the health check, so no curl is needed.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p plenary \
    && install -D -m 0755 target/release/plenary /out/usr/bin/plenary \
    && install -d -m 0750 /out/var/lib/plenary

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/usr/bin/plenary /usr/bin/plenary
COPY --from=build --chown=65532:65532 /out/var/lib/plenary /var/lib/plenary
ENV PLENARY_DATABASE_URL=sqlite:///var/lib/plenary/plenary.db \
    PLENARY_LISTEN=0.0.0.0:8080 \
    PLENARY_LOG_FORMAT=json
USER 65532:65532
WORKDIR /var/lib/plenary
VOLUME ["/var/lib/plenary"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=6s --start-period=20s --retries=3 \
    CMD ["/usr/bin/plenary", "healthcheck", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/usr/bin/plenary"]
CMD ["serve"]
