# syntax=docker/dockerfile:1
# One image for all seven services: the entrypoint preloads telemetry, the command names the service
# (Kubernetes sets it per Deployment in `args`). Build: docker build -t streamplane:0.1.0 .

# ---- build: generate the proto types and compile every package, exactly as `npm run build` does locally ----
FROM node:24.18.0-bookworm-slim AS build
WORKDIR /src
# Dependencies from the lockfile and the workspaces' package.json files alone first, so this layer is reused
# until one of them changes. No dependency needs its install script (README, "Development").
COPY package.json package-lock.json ./
COPY libs/platform/package.json libs/platform/
COPY libs/contracts/package.json libs/contracts/
COPY libs/streaming/package.json libs/streaming/
COPY libs/testkit/package.json libs/testkit/
COPY services/catalog/package.json services/catalog/
COPY services/profiles/package.json services/profiles/
COPY services/recommendations/package.json services/recommendations/
COPY services/playback-authorization/package.json services/playback-authorization/
COPY services/subtitles/package.json services/subtitles/
COPY services/billing/package.json services/billing/
COPY services/steering/package.json services/steering/
COPY services/edge/package.json services/edge/
COPY services/control-room/package.json services/control-room/
COPY scripts/package.json scripts/
COPY bench/package.json bench/
COPY test/package.json test/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The packages the services run, with their compiled output only (no tests: they compile in test
# projects of their own), assembled in /app; then the development dependencies leave node_modules.
RUN npm run build \
    && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
    && mkdir /app \
    && for package in libs/platform libs/contracts libs/streaming services/* scripts; do \
         cp -r --parents "$package/package.json" "$package/dist" /app; \
       done \
    && cp -r --parents services/control-room/public /app \
    && find /app -name '*.tsbuildinfo' -delete \
    && cp -r --parents package.json package-lock.json node_modules proto /app

# ---- runtime: production dependencies, the compiled JavaScript and the protos, nothing else ----
FROM node:24.18.0-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="streamplane" \
      org.opencontainers.image.description="Streamplane's seven gRPC services (one image, the command picks the service)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
# A numeric, non-root user: Kubernetes can check runAsNonRoot against it without a passwd lookup.
RUN groupadd --system --gid 10001 streamplane \
    && useradd --system --uid 10001 --gid streamplane --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin streamplane
# Read at run time: proto-loader.ts looks for proto/streamplane above its own directory, i.e. /app/proto.
# Mints account tokens in the cluster: kubectl exec deploy/playback-authorization -- node scripts/dist/token.js acct-0001
COPY --from=build /app ./
# Everything above belongs to root and is read-only to the service.
USER 10001:10001
EXPOSE 50051-50057 9451-9457 8080 9480 9400
ENTRYPOINT ["node", "--require", "/app/libs/contracts/dist/register-telemetry.js"]
CMD ["/app/services/catalog/dist/main.js"]
