// The official Dapr JavaScript SDK run against a sidecar (the emulator in the xunit test JsSdkConformanceTests).
// It is an independent client: if the emulator drifts from daprd's HTTP API, this SDK notices.
// Env: DAPR_HTTP_PORT (sidecar), APP_PORT (where this script's DaprServer listens), DAPR_HTTP_ENDPOINT (optional).
// Prints one "PASS <check>" line per check; exits 0 only if every check passed.
import {
  AbstractActor,
  ActorId,
  ActorProxyBuilder,
  CommunicationProtocolEnum,
  DaprClient,
  DaprServer,
  LogLevel,
  StateConcurrencyEnum,
} from "@dapr/dapr";

const daprHost = "127.0.0.1";
const daprPort = process.env.DAPR_HTTP_PORT;
const appPort = process.env.APP_PORT;
const sidecar = process.env.DAPR_HTTP_ENDPOINT ?? `http://${daprHost}:${daprPort}`;
const deadlineMs = 20_000;

if (!daprPort || !appPort) {
  console.error("FAIL setup: DAPR_HTTP_PORT and APP_PORT must be set");
  process.exit(2);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function eventually(condition, what) {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// An actor with state: the SDK saves state changes through PUT /v1.0/actors/{type}/{id}/state after each call,
// which daprd only accepts for an active actor.
class CounterActor extends AbstractActor {
  async increment(payload) {
    const by = Array.isArray(payload) ? payload[0] : payload;
    const [found, current] = await this.getStateManager().tryGetState("count");
    const next = (found ? current : 0) + by;
    await this.getStateManager().setState("count", next);
    return next;
  }
}

const clientOptions = { daprHost, daprPort, communicationProtocol: CommunicationProtocolEnum.HTTP, logger: { level: LogLevel.Error } };
const client = new DaprClient(clientOptions);
const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: appPort,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions,
  logger: { level: LogLevel.Error },
});

const received = [];
let exitCode = 0;
try {
  await server.pubsub.subscribe("pubsub", "orders", async (data) => {
    received.push(data);
  });
  await server.actor.init();
  await server.actor.registerActor(CounterActor);
  await server.start();

  // The sidecar is ready once it has read /dapr/config and /dapr/subscribe from this app.
  await eventually(async () => (await fetch(`${sidecar}/v1.0/healthz`)).status === 204, "sidecar healthz");
  console.log("PASS startup: DaprServer started and the sidecar read its actor config and subscriptions");

  // (1) publish -> subscribe through the DaprServer's subscription.
  await client.pubsub.publish("pubsub", "orders", { orderId: 7, note: "from the js sdk" });
  await eventually(async () => received.some((d) => d?.orderId === 7), "the published order to be delivered");
  console.log("PASS pubsub: published {orderId:7} was delivered to server.pubsub.subscribe");

  // (2) state with ETags and a transaction.
  check(!(await client.state.save("statestore", [{ key: "order-7", value: { qty: 1 } }])).error, "first save failed");
  const saved = await client.state.get("statestore", "order-7");
  check(saved?.qty === 1, `get returned ${JSON.stringify(saved)}`);
  const [bulk] = await client.state.getBulk("statestore", ["order-7"]);
  check(typeof bulk?.etag === "string" && bulk.etag.length > 0, `no etag in ${JSON.stringify(bulk)}`);
  const withEtag = await client.state.save("statestore", [
    { key: "order-7", value: { qty: 2 }, etag: bulk.etag, options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE } },
  ]);
  check(!withEtag.error, `save with the current etag failed: ${withEtag.error}`);
  const stale = await client.state.save("statestore", [
    { key: "order-7", value: { qty: 3 }, etag: bulk.etag, options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE } },
  ]);
  check(stale.error && String(stale.error).includes("409"), `save with a stale etag was not rejected with 409: ${stale.error}`);
  check((await client.state.get("statestore", "order-7"))?.qty === 2, "stale write changed the value");
  console.log("PASS state-etag: save, get, etag from getBulk, first-write with current etag ok, stale etag 409");

  await client.state.transaction("statestore", [
    { operation: "upsert", request: { key: "order-8", value: "eight" } },
    { operation: "delete", request: { key: "order-7" } },
  ]);
  check((await client.state.get("statestore", "order-8")) === "eight", "transaction upsert missing");
  check(!(await client.state.get("statestore", "order-7")), "transaction delete did not delete");
  console.log("PASS state-transaction: upsert and delete applied together");

  // (3) an actor call through ActorProxyBuilder, twice, so the second sees the state the first saved.
  const counter = new ActorProxyBuilder(CounterActor, client).build(new ActorId("counter-1"));
  const first = await counter.increment(2);
  const second = await counter.increment(3);
  check(Number(first) === 2 && Number(second) === 5, `counter returned ${first}, ${second}`);
  console.log("PASS actor: CounterActor.increment via ActorProxyBuilder returned 2 then 5 (state saved between calls)");
  console.log("ALL CHECKS PASSED");
} catch (error) {
  console.error(`FAIL ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  await Promise.race([server.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
}
process.exit(exitCode);
