// App-side fidelity: a DaprServer app (official Dapr JS SDK, HTTP) with the same subscriptions and handlers as the
// C# test app in tests/DaprOrders.Fidelity.Tests/AppSide. The emulator delivers to both; the test compares outcomes.
// Env: APP_ID, APP_PORT, DAPR_HTTP_PORT. GET /deliveries answers {deliveries: {path: count}, seen: {route: data}}.
import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer, LogLevel } from "@dapr/dapr";

const appId = process.env.APP_ID;
const appPort = process.env.APP_PORT;
const daprPort = process.env.DAPR_HTTP_PORT;
if (!appId || !appPort || !daprPort) {
  console.error("FAIL setup: APP_ID, APP_PORT and DAPR_HTTP_PORT must be set");
  process.exit(2);
}

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: appPort,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: { daprHost: "127.0.0.1", daprPort, communicationProtocol: CommunicationProtocolEnum.HTTP, logger: { level: LogLevel.Error } },
  logger: { level: LogLevel.Error },
});

// Deliveries are counted per HTTP request (before the SDK's handlers), the data each handler saw separately.
const deliveries = {};
const seen = {};
server.daprServer.getServer().use((req, _res, next) => {
  if (req.method === "POST") {
    deliveries[req.path] = (deliveries[req.path] ?? 0) + 1;
  }
  next();
});
const record = (route, data) => {
  seen[route] = data;
};
const hasOrderId = (data) => typeof data?.orderId === "string";
const deadLetterTopic = `${appId}-dlt`;
const rule = (type, path) => ({ match: `event.type == "${type}"`, path });

await server.pubsub.subscribeWithOptions("pubsub", "fidelity", {
  route: {
    rules: [
      rule("fidelity.success", "success"),
      rule("fidelity.retry", "retry"),
      rule("fidelity.drop", "drop"),
      rule("fidelity.throw", "throw"),
    ],
    default: "other",
  },
  deadLetterTopic,
});
const handlers = {
  success: async (data) => (hasOrderId(data) ? DaprPubSubStatusEnum.SUCCESS : DaprPubSubStatusEnum.DROP),
  retry: async () => DaprPubSubStatusEnum.RETRY,
  drop: async () => DaprPubSubStatusEnum.DROP,
  throw: async () => {
    throw new Error("handler failed");
  },
  other: async () => DaprPubSubStatusEnum.SUCCESS,
};
for (const [route, handler] of Object.entries(handlers)) {
  server.pubsub.subscribeToRoute("pubsub", "fidelity", route, async (data) => {
    record(route, data);
    return handler(data);
  });
}

// rawPayload: the broker message is not a CloudEvent; daprd wraps it with data_base64. The SDK serialises every
// metadata value with JSON.stringify, so the boolean true becomes "true" (a string "true" would become "\"true\"").
await server.pubsub.subscribeWithOptions("pubsub", "fidelity-raw", { route: "raw", metadata: { rawPayload: true }, deadLetterTopic });
server.pubsub.subscribeToRoute("pubsub", "fidelity-raw", "raw", async (data) => {
  record("raw", data);
  return hasOrderId(data) ? DaprPubSubStatusEnum.SUCCESS : DaprPubSubStatusEnum.DROP;
});

server.daprServer.getServer().get("/deliveries", (_req, res) => res.json({ deliveries, seen }));

await server.start();
console.log(`READY ${appId} on ${appPort}`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await server.stop().catch(() => {});
    process.exit(0);
  });
}
