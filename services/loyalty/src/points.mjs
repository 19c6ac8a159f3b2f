// Points for a completed order, from the contract alone (services/DaprOrders.Contracts/schemas/order-completed.v1.json):
// total = { amount: integer minor units, currency: ISO 4217 code from the schema's enum }.
// The schema does not say how many minor units a currency has, so this table carries the ISO 4217 exponents of
// exactly the currencies the schema's enum lists. A currency outside it is a contract change: the event is dropped
// (dead-lettered) instead of being awarded with a guessed exponent.
export const minorUnitDigits = Object.freeze({
  AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2,
  INR: 2, JPY: 0, KRW: 0, KWD: 3, MXN: 2, NOK: 2, NZD: 2, PLN: 2, SEK: 2, SGD: 2, USD: 2, ZAR: 2,
});

const customerIdPattern = /^[^\u0000-\u001F\u007F-\u009F]+$/;

/**
 * Reads the data of a daprorders.order.completed.v1 event. Returns { order } or { problem } naming the bad member.
 * Members the schema does not list are ignored (AsyncAPI: consumers must ignore unknown members).
 */
export function readOrderCompleted(data) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { problem: "data is not a JSON object" };
  }
  const { orderId, customerId, total } = data;
  if (typeof orderId !== "string" || orderId.length < 1 || orderId.length > 64) {
    return { problem: "orderId must be a string of 1 to 64 characters" };
  }
  if (typeof customerId !== "string" || customerId.length < 1 || customerId.length > 128 || !customerIdPattern.test(customerId)) {
    return { problem: "customerId must be 1 to 128 characters without control characters" };
  }
  if (total === null || typeof total !== "object") {
    return { problem: "total must be an object" };
  }
  // JSON numbers arrive as doubles: only safe integers are exact. Ordering's own limits (100 lines x 10000 units x
  // 10^9 minor units) keep every total below 10^15 < 2^53.
  if (!Number.isSafeInteger(total.amount) || total.amount < 0) {
    return { problem: "total.amount must be a non-negative integer below 2^53" };
  }
  if (!Object.hasOwn(minorUnitDigits, total.currency)) {
    return { problem: `total.currency ${JSON.stringify(total.currency)} is not a currency of the contract` };
  }
  return { order: { orderId, customerId, amount: total.amount, currency: total.currency } };
}

/** One point per whole currency unit: EUR 19.99 (1999 minor units) earns 19, JPY 1999 earns 1999, KWD 1.999 earns 1. */
export function pointsFor(amount, currency) {
  return Math.floor(amount / 10 ** minorUnitDigits[currency]);
}
