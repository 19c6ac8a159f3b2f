// Client-side fidelity: the official Dapr JS SDK (@dapr/dapr, HTTP protocol) performs the same sidecar operations as
// the C# test ClientRequestFidelityTests does with DaprOrders.Sidecar, against the same recording endpoint.
// Before each operation it POSTs {RECORDER_URL}/__op/{name}, so the recorder can file the SDK's requests under it.
// Env: RECORDER_URL (http://127.0.0.1:<port>), DAPR_API_TOKEN. Prints "DONE" and exits 0 when every operation ran.
import {
  ActorId,
  ActorProxyBuilder,
  AbstractActor,
  CommunicationProtocolEnum,
  DaprClient,
  HttpMethod,
  LogLevel,
  StateConcurrencyEnum,
  StateConsistencyEnum,
} from "@dapr/dapr";

const recorder = process.env.RECORDER_URL;
if (!recorder) {
  console.error("FAIL setup: RECORDER_URL must be set");
  process.exit(2);
}
const { hostname, port } = new URL(recorder);

const client = new DaprClient({
  daprHost: hostname,
  daprPort: port,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  daprApiToken: process.env.DAPR_API_TOKEN,
  logger: { level: LogLevel.Error },
});

// The proxy needs a class with the method (named as the C# actor's method); the SDK sends the call's arguments as a
// JSON array.
class CounterActor extends AbstractActor {
  async Increment(_by) {}
}

const order = { orderId: "o-1", total: { amount: 1999, currency: "EUR" } };
const cloudEvent = {
  specversion: "1.0",
  id: "e-1",
  source: "fidelity",
  type: "daprorders.order.completed.v1",
  datacontenttype: "application/json",
  data: order,
};

const operations = [
  ["publish-json", () => client.pubsub.publish("pubsub", "orders", order)],
  ["publish-cloudevent-type-and-id", () =>
    client.pubsub.publish("pubsub", "orders", order, { metadata: { "cloudevent.type": "daprorders.order.completed.v1", "cloudevent.id": "e-1" } })],
  ["publish-ttl", () => client.pubsub.publish("pubsub", "orders", order, { metadata: { ttlInSeconds: "60" } })],
  ["publish-raw-payload", () => client.pubsub.publish("pubsub", "orders", order, { metadata: { rawPayload: "true" } })],
  ["publish-text", () => client.pubsub.publish("pubsub", "orders", "order o-1 completed")],
  ["publish-cloudevent-passthrough", () => client.pubsub.publish("pubsub", "orders", cloudEvent)],
  ["state-save", () => client.state.save("statestore", [{ key: "order-1", value: { qty: 1 } }])],
  ["state-save-etag-first-write-strong", () =>
    client.state.save("statestore", [{
      key: "order-1",
      value: { qty: 2 },
      etag: "1",
      options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE, consistency: StateConsistencyEnum.CONSISTENCY_STRONG },
    }])],
  ["state-save-ttl-metadata", () => client.state.save("statestore", [{ key: "order-1", value: { qty: 1 } }], { metadata: { ttlInSeconds: "120" } })],
  ["state-get", () => client.state.get("statestore", "order-1")],
  ["state-get-strong", () => client.state.get("statestore", "order-1", { consistency: StateConsistencyEnum.CONSISTENCY_STRONG })],
  ["state-get-bulk", () => client.state.getBulk("statestore", ["order-1", "order-2"], { parallelism: 10 })],
  ["state-delete-etag-first-write-strong", () =>
    client.state.delete("statestore", "order-1", {
      etag: "1",
      concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
      consistency: StateConsistencyEnum.CONSISTENCY_STRONG,
    })],
  ["state-transaction", () =>
    client.state.transaction("statestore", [
      { operation: "upsert", request: { key: "order-1", value: { qty: 3 }, etag: "1", options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE } } },
      { operation: "delete", request: { key: "order-2" } },
    ])],
  ["actor-invoke", () => new ActorProxyBuilder(CounterActor, client).build(new ActorId("counter-1")).Increment(2)],
  ["invoke-post-json", () => client.invoker.invoke("ordering", "orders", HttpMethod.POST, { customerId: "c-1" })],
  ["invoke-get-with-query", () => client.invoker.invoke("ordering", "orders/o-1?view=summary", HttpMethod.GET)],
];

let exitCode = 0;
try {
  // The SDK starts lazily on its first call (GET /v1.0/metadata until the sidecar answers); start it up front so the
  // recorder files that under start-up. The actor proxy builds its own client, which starts again on first use.
  await client.start();
  for (const [name, operation] of operations) {
    const marked = await fetch(`${recorder}/__op/${name}`, { method: "POST" });
    if (marked.status !== 204) {
      throw new Error(`marker for ${name} answered ${marked.status}`);
    }
    const result = await operation();
    if (result?.error) {
      throw new Error(`${name} failed: ${result.error}`);
    }
  }
  console.log("DONE");
} catch (error) {
  console.error(`FAIL ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  await client.stop().catch(() => {});
}
process.exit(exitCode);
