# PeerCompute root: the HTTPS server (client, /.well-known, signed bundles) and the root's libp2p node.
#   docker build -t peercompute/root .          (or: docker compose build)
# Plain Dockerfile syntax only (no BuildKit-only features), so the classic builder, BuildKit and
# docker-compose 1.29 all build it.

# Image the build stage starts from. The default installs dependencies with `npm ci` from the
# registry. e2e/docker/composeTest passes an image that already holds /app/node_modules (made from
# this machine's installed, patched node_modules), because its containers cannot use the registry.
ARG BUILD_IMAGE=node:20-bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
COPY signing/package.json signing/
COPY kernel/package.json kernel/
COPY world-sdk/package.json world-sdk/
COPY content/package.json content/
COPY client/package.json client/
COPY root-server/package.json root-server/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
# `npm ci` runs the postinstall (patch-package), which applies patches/. Prebuilt node_modules were
# patched where they were installed; patch-package is run again to be sure (it skips applied patches).
RUN if [ -d node_modules ]; then npx --no-install patch-package; else npm ci --no-audit --no-fund; fi
COPY . .
# What the root needs (root-server and the packages it references, the content bundles, the
# client), not all of `npm run build`: the tests and benchmarks stay out of the image. Pruning
# peer-only packages drops ~150 MB of React Native that react-native-webrtc (under @libp2p/webrtc)
# asks for and Node never loads, and the webgpu package's Dawn builds for other systems (~100 MB).
RUN npx tsc -b root-server \
 && npm run build -w @peercompute/content \
 && npm run build -w @peercompute/client \
 && npm prune --omit=dev --omit=peer --no-audit --no-fund \
 && rm -rf node_modules/@peercompute/e2e node_modules/@peercompute/bench node_modules/.cache \
 && for d in node_modules/webgpu/dist/*/; do \
      case "$d" in */linux-$(node -p process.arch)/) ;; *) rm -rf "$d" ;; esac; \
    done

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PEERCOMPUTE_DATA=/data \
    PEERCOMPUTE_HOST=0.0.0.0 \
    PEERCOMPUTE_PORT=8443 \
    PEERCOMPUTE_P2P_PORT=8444
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/signing/package.json ./signing/
COPY --from=build /app/signing/dist ./signing/dist
COPY --from=build /app/kernel/package.json ./kernel/
COPY --from=build /app/kernel/dist ./kernel/dist
COPY --from=build /app/world-sdk/package.json ./world-sdk/
COPY --from=build /app/world-sdk/dist ./world-sdk/dist
COPY --from=build /app/world-sdk/bin ./world-sdk/bin
COPY --from=build /app/content/package.json ./content/
COPY --from=build /app/content/dist ./content/dist
COPY --from=build /app/root-server/package.json ./root-server/
COPY --from=build /app/root-server/dist ./root-server/dist
COPY --from=build /app/client/package.json ./client/
COPY --from=build /app/client/dist ./client/dist
# The data folder (keys, certificate, bundles) belongs to the unprivileged user the root runs as.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8443 8444
# The root answers on its own self-signed certificate (Caddy, when used, sits in front of it), so
# this one probe, and nothing else in the image, skips certificate checks: it asks the process in
# this very container over loopback, where there is nobody to impersonate it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD NODE_TLS_REJECT_UNAUTHORIZED=0 node -e "fetch('https://127.0.0.1:' + (process.env.PEERCOMPUTE_PORT || 8443) + '/healthz', { signal: AbortSignal.timeout(4000) }).then(async (r) => { const b = await r.json(); process.exit(r.ok && b.status === 'ok' ? 0 : 1) }, () => process.exit(1))" 2>/dev/null
CMD ["node", "root-server/dist/cli.js"]
