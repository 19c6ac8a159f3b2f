// Submits orders to Ordering's POST /orders with the official CloudEvents JavaScript SDK (npm `cloudevents`):
// one in structured mode (HTTP.structured) and one in binary mode (HTTP.binary), sent with fetch.
// Usage: node submit-with-cloudevents-sdk.mjs <ordering-url> <customerId> <sku>
// Prints one line per submission: "SUBMITTED <mode> <status> <Location>"; exits 0 only if both were accepted (202).
import { CloudEvent, HTTP } from "cloudevents";

const [orderingUrl, customerId, sku] = process.argv.slice(2);
if (!orderingUrl || !customerId || !sku) {
  console.error("usage: node submit-with-cloudevents-sdk.mjs <ordering-url> <customerId> <sku>");
  process.exit(2);
}

// data follows services/DaprOrders.Contracts/schemas/order-submitted.v1.json.
const submission = (quantity) => ({ customerId, currency: "EUR", lines: [{ sku, quantity, unitPrice: 1999 }] });

const submissions = [
  ["structured", HTTP.structured, submission(1)],
  ["binary", HTTP.binary, submission(2)],
];

let exitCode = 0;
for (const [mode, encode, data] of submissions) {
  const event = new CloudEvent({
    type: "daprorders.order.submitted.v1",
    source: "urn:daprorders:fidelity:cloudevents-sdk",
    datacontenttype: "application/json",
    data,
  });
  const message = encode(event);
  const response = await fetch(new URL("/orders", orderingUrl), { method: "POST", headers: message.headers, body: message.body });
  const location = response.headers.get("location") ?? "";
  console.log(`SUBMITTED ${mode} ${response.status} ${location}`);
  if (response.status !== 202) {
    console.error(`FAIL ${mode}: ${await response.text()}`);
    exitCode = 1;
  }
}
process.exit(exitCode);
