# One image for every role: web, worker and the one-shot migrate step. It carries production
# dependencies only; web and worker run the JavaScript `npm run build` compiled (build/web.js,
# build/worker.js). The migrate step still runs TypeScript through tsx (a production dependency):
# migrations and the seed are read as .ts files.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# patches/ is applied to node_modules by npm ci's postinstall (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY . .
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/build ./build
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "build/web.js"]
