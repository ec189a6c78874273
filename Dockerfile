# syntax=docker/dockerfile:1
# One image for all seven services: the entrypoint preloads telemetry, the command names the service
# (Kubernetes sets it per Deployment in `args`). Build: docker build -t streamplane:0.1.0 .

# ---- build: generate the proto types and compile everything, exactly as `npm run build` does locally ----
FROM node:24.18.0-bookworm-slim AS build
WORKDIR /src
# Dependencies from the lockfile alone first, so this layer is reused until package-lock.json changes.
# No dependency needs its install script (README, "Development").
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# One tsconfig compiles the tests too; they stay out of the image.
RUN npm run build \
    && find dist -type d -name test -prune -exec rm -rf {} + \
    && rm -rf dist/bench

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
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
# Read at run time: proto-loader.ts looks for proto/streamplane above dist/, i.e. /app/proto.
COPY proto ./proto
COPY --from=build /src/dist/libs ./dist/libs
COPY --from=build /src/dist/services ./dist/services
# Mints account tokens in the cluster: kubectl exec deploy/playback-authorization -- node dist/scripts/token.js acct-0001
COPY --from=build /src/dist/scripts/token.js ./dist/scripts/token.js
# Everything above belongs to root and is read-only to the service.
USER 10001:10001
EXPOSE 50051-50057 9451-9457
ENTRYPOINT ["node", "--require", "/app/dist/libs/platform/src/telemetry/register.js"]
CMD ["/app/dist/services/catalog/src/main.js"]
