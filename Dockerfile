# One image for both workers; docker-compose.yml picks the process with `command`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies are left out; tsx (a runtime dependency) runs the TypeScript entry points.
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
ENV CATERING_DATA_DIR=/data
# Owned by the unprivileged user before it becomes a volume, so a named volume starts out writable.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
CMD ["npm", "run", "worker"]
