# Image of authtrail's apps (deploy/docker-compose.yml, deploy/k8s): one image, the
# command picks the app — `dist/apps/api/src/main.js`, `dist/apps/worker/src/main.js`, or
# the CLI (default: `serve`, the embedded all-in-one mode).
FROM node:24-bookworm-slim AS build
# Native addons (better-sqlite3, chdb) ship prebuilt binaries; the toolchain is for a
# platform they do not cover, where they build from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
# The `node` user of the base image (uid 1000), as the k8s manifests' securityContext expects.
USER node
EXPOSE 8080
CMD ["node", "dist/apps/cli/src/main.js", "serve"]
