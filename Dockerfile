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
# projects of their own), assembled in /app; then the development dependencies leave node_modules, and
# with them what only the compiler reads: @types packages (which some runtime dependencies declare as
# dependencies of their own), type declarations, TypeScript sources and source maps. The workspaces' links
# to packages the image leaves out (testkit, bench, the system tests) go too. package-lock.json stays: the
# tools find the root by it (scripts/service-command.ts).
RUN npm run build \
    && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
    && mkdir /app \
    && for package in libs/platform libs/contracts libs/streaming services/* scripts; do \
         cp -r --parents "$package/package.json" "$package/dist" /app; \
       done \
    && cp -r --parents services/control-room/public /app \
    && cp -r --parents package.json package-lock.json node_modules proto /app \
    && find /app/node_modules -depth -type d -name @types -exec rm -rf {} + \
    && find /app -type f \( -name '*.tsbuildinfo' -o -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.d.ts.map' \
         -o -name '*.d.[cm]ts.map' \) -delete \
    && find /app/node_modules -type f \( -name '*.ts' -o -name '*.[cm]ts' -o -name '*.map' \) -delete \
    && find /app/node_modules -xtype l -delete

# ---- node: the base image less what only installs packages or builds native addons ----
# Nothing in the image runs npm, npx, corepack or yarn (the chart and k8s/ run `node …`), and no addon
# compiles at run time, so they go, with Node's C headers.
FROM node:24.18.0-bookworm-slim AS node
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
       /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-v* /usr/local/include/node \
    && groupadd --system --gid 10001 streamplane \
    && useradd --system --uid 10001 --gid streamplane --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin streamplane

# ---- runtime: production dependencies, the compiled JavaScript and the protos, nothing else ----
# From scratch, with the stage above as its one base layer: removing files in a layer of its own would hide
# them but still ship them.
FROM scratch AS runtime
COPY --from=node / /
LABEL org.opencontainers.image.title="streamplane" \
      org.opencontainers.image.description="Streamplane's seven gRPC services (one image, the command picks the service)" \
      org.opencontainers.image.licenses="Apache-2.0"
# What the node image sets, less YARN_VERSION; scratch starts without an environment.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV NODE_VERSION=24.18.0
ENV NODE_ENV=production
WORKDIR /app
# Read at run time: proto-loader.ts looks for proto/streamplane above its own directory, i.e. /app/proto.
# Mints account tokens in the cluster: kubectl exec deploy/playback-authorization -- node scripts/dist/token.js acct-0001
COPY --from=build /app ./
# Everything above belongs to root and is read-only to the service; the user is a numeric, non-root one
# (made in the node stage), so Kubernetes can check runAsNonRoot against it without a passwd lookup.
USER 10001:10001
EXPOSE 50051-50057 9451-9457 8080 9480 9400
ENTRYPOINT ["node", "--require", "/app/libs/contracts/dist/register-telemetry.js"]
CMD ["/app/services/catalog/dist/main.js"]
