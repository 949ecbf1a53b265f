# serin controller image. Two stages: build with the dev dependencies, then a runtime holding only
# the compiled build, the bin and the production dependencies, run as a non-root user.
# test/image/image-content.test.ts assembles what the runtime stage copies and runs it, since no
# registry is reachable from CI to build and pull this image.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: prepare would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
RUN npm run build
# The runtime's node_modules: production dependencies only.
RUN rm -rf node_modules && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the process (readOnlyRootFilesystem in deploy/ needs no writes).
COPY --from=build /src/package.json package.json
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
COPY bin/serin.js bin/serin.js
# distroless' "nonroot" uid; no shell is needed, the entrypoint is exec form.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/serin.js", "controller"]
