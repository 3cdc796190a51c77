# syntax=docker/dockerfile:1

# summitbot: a static binary on distroless, running as non-root.
#
#   docker build -t summitbot .
#   docker run --rm -p 8080:8080 --env-file deploy/summitbot.env summitbot
#
# The knowledge base built into the binary is the default. To serve a
# moderators' folder instead, mount it at /kb and set SUMMITBOT_KB=/kb; edits
# are picked up live (or send SIGHUP).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so they stay cached while the code changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/summitbot ./cmd/summitbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/summitbot /summitbot
# Recorded questions and feedback go to /data/summitbot.db by default
# (SUMMITBOT_DATABASE_URL unset); mount a volume there to keep them, or set
# SUMMITBOT_DATABASE_URL to postgres://... or off.
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
VOLUME /data
ENV SUMMITBOT_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["/summitbot", "healthcheck"]
ENTRYPOINT ["/summitbot"]
CMD ["serve"]
