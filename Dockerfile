# Rubrica: the GitHub App (default) and the `rubrica` CLI, on Node 24.
# Build:  docker build -t rubrica .
# It starts sandboxes on the host's Docker engine: see README, "Security: the Docker socket".

# 1. Dependencies, installed once without dev tools (no build step: Node runs the TypeScript).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 2. The runtime: only what the app needs, as a non-root user.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
COPY rubrics ./rubrics
# The embedded store (SQLite) lives here unless DATABASE_URL names PostgreSQL: keep it on a volume.
RUN mkdir -p /app/data && chown node:node /app/data
ENV RUBRICA_DATA_DIR=/app/data
VOLUME /app/data
USER node
EXPOSE 3000
# The app; the CLI is `docker run --rm rubrica node bin/rubrica.js check --week 1 /repo`;
# a worker without the webhook server is `node bin/rubrica.js worker` (with DATABASE_URL).
CMD ["node", "bin/serve.js"]
