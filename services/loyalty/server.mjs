// Loyalty: awards points for completed orders. A Dapr app in JavaScript that joins DaprOrders from the contract
// alone (services/DaprOrders.Contracts/asyncapi.yaml and schemas/*.json): no C# code, only its own Dapr sidecar.
//
// Env (as `dapr run` and the Kubernetes chart set them): APP_PORT (default 5105), DAPR_HTTP_PORT (default 3500) or
// DAPR_HTTP_ENDPOINT, DAPR_API_TOKEN (app -> sidecar), APP_API_TOKEN (sidecar -> app, checked on the Dapr routes).
import { timingSafeEqual } from "node:crypto";
import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer, LogLevel } from "@dapr/dapr";
import { LoyaltyLedger } from "./src/loyalty-ledger.mjs";
import { pointsFor, readOrderCompleted } from "./src/points.mjs";

const pubsubName = "pubsub";
const orderCompletedTopic = "order-completed";
const deadLetterTopic = "deadletters";
const orderCompletedType = "daprorders.order.completed.v1";

const appPort = process.env.APP_PORT ?? "5105";
const appToken = process.env.APP_API_TOKEN ?? "";
const clientOptions = {
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  daprApiToken: process.env.DAPR_API_TOKEN || undefined,
  logger: { level: LogLevel.Warn },
  // The SDK reads DAPR_HTTP_ENDPOINT itself only when neither host nor port is given.
  ...(process.env.DAPR_HTTP_ENDPOINT ? {} : { daprHost: "127.0.0.1", daprPort: process.env.DAPR_HTTP_PORT ?? "3500" }),
};

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: appPort,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions,
  logger: { level: LogLevel.Warn },
});
const ledger = new LoyaltyLedger(server.client);
const http = server.daprServer.getServer();

// daprd sends dapr-api-token on every call into the app when APP_API_TOKEN is set (https://docs.dapr.io/operations/security/app-api-token/).
http.use((req, res, next) => {
  const sidecarFacing = req.path === "/dapr/subscribe" || req.path.startsWith("/pubsub--");
  if (!appToken || !sidecarFacing) {
    return next();
  }
  const sent = Buffer.from(String(req.headers["dapr-api-token"] ?? ""));
  const expected = Buffer.from(appToken);
  if (sent.length === expected.length && timingSafeEqual(sent, expected)) {
    return next();
  }
  res.status(401).type("application/problem+json").send({ title: "Unauthorized", status: 401, detail: "dapr-api-token is missing or wrong" });
});

// One subscription, on the topic that carries only order.completed (one topic per event type, per the AsyncAPI
// document). The CEL rule still checks the type, and there is no default route: a foreign type on this topic matches
// nothing, so daprd acknowledges it without calling us and copies it to the dead letters, in front of an operator.
await server.pubsub.subscribeWithOptions(pubsubName, orderCompletedTopic, {
  route: {
    rules: [{ match: `event.type == "${orderCompletedType}"`, path: "order-completed" }],
  },
  deadLetterTopic,
});

server.pubsub.subscribeToRoute(pubsubName, orderCompletedTopic, "order-completed", async (data) => {
  const { order, problem } = readOrderCompleted(data);
  if (problem) {
    // Can never succeed on retry: DROP acks it and daprd copies it to `deadletters`.
    console.warn(JSON.stringify({ level: "warn", message: "order.completed.v1 dropped", problem }));
    return DaprPubSubStatusEnum.DROP;
  }
  const points = pointsFor(order.amount, order.currency);
  try {
    const outcome = await ledger.award({ orderId: order.orderId, customerId: order.customerId, points });
    return outcome === "conflict" ? DaprPubSubStatusEnum.RETRY : DaprPubSubStatusEnum.SUCCESS;
  } catch (error) {
    // The SDK answers SUCCESS for a handler that throws, which would lose the award: ask for a retry instead.
    console.warn(JSON.stringify({ level: "warn", message: "order.completed.v1 retried", orderId: order.orderId, error: String(error?.message ?? error) }));
    return DaprPubSubStatusEnum.RETRY;
  }
});

http.get("/points/:customerId", async (req, res) => {
  try {
    res.json(await ledger.balance(req.params.customerId));
  } catch (error) {
    res.status(503).type("application/problem+json").send({ title: "State store unavailable", status: 503, detail: String(error?.message ?? error) });
  }
});

http.get("/healthz", (_req, res) => res.status(200).send("Healthy"));

await server.start();
console.log(JSON.stringify({ level: "info", message: "loyalty listening", appPort, subscriptions: `${pubsubName}/${orderCompletedTopic}` }));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await server.stop().catch(() => {});
    process.exit(0);
  });
}
