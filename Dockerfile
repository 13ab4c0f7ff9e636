# One image for every app process; docker-compose.yml picks the process with `command`.
# Build stage: dev dependencies, tsc to dist/ and the prebuilt workflow bundle (npm run build).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build

# Production dependencies, on the full image: nothing compiles today, and a native dependency that did would find
# python3, make and g++ here, which the slim runtime image does not carry. Same Node, same Debian as the runtime.
FROM node:24-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and compiled JavaScript only (no TypeScript sources, no tsx), non-root.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ENV CATERING_DATA_DIR=/data
# Owned by the unprivileged user before it becomes a volume, so a named volume starts out writable.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# The order worker loads dist/workflow-bundle.js (no webpack at start); SIGTERM drains within WORKER_SHUTDOWN_GRACE.
CMD ["node", "--max-old-space-size=1024", "dist/src/bin/order-worker.js"]
