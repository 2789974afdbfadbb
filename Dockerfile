# The worker image: Node 24 slim, production dependencies only, non-root, with a health check on the metrics endpoint.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-workflow-bundle.ts scripts/make-bins-executable.ts scripts/
COPY src src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-slim
# Memory: fewer malloc arenas, a capped V8 heap and a small young generation keep the worker's RSS in check (README,
# Performance: bursts of activities grew the default young generation to ~100 MB that was never given back).
ENV NODE_ENV=production \
    METRICS_BIND_ADDRESS=0.0.0.0:9464 \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS="--max-old-space-size=384 --max-semi-space-size=2"
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
# The image's "node" user by number: Kubernetes can only verify runAsNonRoot against a numeric user.
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/worker.js"]
