# One image for every GovGraph process; docker-compose.yml picks the command.
# Build: compile with swc. Run: production dependencies, dist/ and schema/.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20.19-bookworm-slim
ENV NODE_ENV=production GOVGRAPH_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY schema ./schema
USER node
EXPOSE 4000
# Every service serves GET /readiness; compose runs this as its health check.
HEALTHCHECK --interval=5s --timeout=3s --retries=20 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.GATEWAY_PORT||4000)+'/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
