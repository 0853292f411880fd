# The Sayso gateway image. docker-compose.yml runs it against Postgres (pgvector) and Redis.

# 1. The browser bundles (home page, <sayso-widget>, the SDK) need the dev dependencies to build.
FROM node:20-bookworm-slim AS bundles
WORKDIR /app
COPY package.json package-lock.json rollup.config.mjs tsconfig.base.json ./
COPY protocol protocol
COPY sdk sdk
COPY widget widget
COPY server/package.json server/
COPY extension/package.json extension/
COPY examples/package.json examples/
RUN npm ci --no-audit --no-fund --ignore-scripts && npx rollup -c

# 2. The gateway, with production dependencies and the built bundles it serves at /.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Local speech-to-text (a warm pocketsphinx worker in Python) and flite's letter-to-sound for hint words.
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pocketsphinx pocketsphinx-en-us flite \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY server/package.json server/
COPY sdk/package.json sdk/
COPY widget/package.json widget/
COPY extension/package.json extension/
COPY examples/package.json examples/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY protocol protocol
COPY server server
COPY --from=bundles /app/widget/dist widget/dist
COPY --from=bundles /app/sdk/dist sdk/dist
USER node
EXPOSE 8787
CMD ["node_modules/.bin/tsx", "server/src/main.ts"]
