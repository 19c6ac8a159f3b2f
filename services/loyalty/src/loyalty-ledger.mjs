// Loyalty points kept in Dapr state (component `statestore`, keys prefixed with the app id by daprd).
//   account-{customerId}  { customerId, points, orders }   the balance, ETag-protected
//   award-{orderId}       { orderId, customerId, points }  marks an order as awarded (idempotency per orderId)
// Both are written in ONE state transaction: the award is inserted with first-write and no ETag (fails if it
// exists) and the account with its current ETag (or first-write when new). A concurrent writer makes the whole
// transaction fail (daprd answers 500 ERR_STATE_TRANSACTION inside transactions), and the loop reads again.
import { setTimeout as sleep } from "node:timers/promises";
import { StateConcurrencyEnum, StateConsistencyEnum } from "@dapr/dapr";

const storeName = "statestore";
// Concurrent deliveries for one customer race for the same account: one wins per round, the others read again after
// a random pause (full jitter, 10 ms doubling up to 200 ms) so they do not collide again in lockstep.
const maxAttempts = 20;
const backoffMs = (attempt) => Math.random() * Math.min(200, 10 * 2 ** attempt);
// The SDK maps these enums to "first-write"/"strong" and silently drops anything else (a plain "first-write" string
// would be sent as no concurrency at all, i.e. last-write-wins).
const firstWrite = { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE, consistency: StateConsistencyEnum.CONSISTENCY_STRONG };

// daprd rejects keys containing "||"; customer ids may contain any printable character.
const accountKey = (customerId) => `account-${encodeURIComponent(customerId)}`;
const awardKey = (orderId) => `award-${encodeURIComponent(orderId)}`;

export class LoyaltyLedger {
  constructor(daprClient) {
    this.state = daprClient.state;
  }

  /** Awards points for an order once. Returns "awarded", "duplicate" or "conflict" (retry later). */
  async award({ orderId, customerId, points }) {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      // getBulk is the JS SDK's way to read ETags over HTTP (state.get returns only the value).
      const [account, award] = await this.state.getBulk(storeName, [accountKey(customerId), awardKey(orderId)]);
      if (award?.data !== undefined && award?.data !== null && award.data !== "") {
        return "duplicate";
      }
      const current = account?.data && typeof account.data === "object" ? account.data : null;
      const next = {
        customerId,
        points: (current?.points ?? 0) + points,
        orders: (current?.orders ?? 0) + 1,
      };
      const accountWrite = current
        ? { key: accountKey(customerId), value: next, etag: account.etag, options: { ...firstWrite } }
        : { key: accountKey(customerId), value: next, options: { ...firstWrite } };
      try {
        await this.state.transaction(storeName, [
          { operation: "upsert", request: { key: awardKey(orderId), value: { orderId, customerId, points }, options: { ...firstWrite } } },
          { operation: "upsert", request: accountWrite },
        ]);
        return "awarded";
      } catch {
        // ETag or first-write conflict (or a transient store error): read again.
        await sleep(backoffMs(attempt));
      }
    }
    return "conflict";
  }

  async balance(customerId) {
    const account = await this.state.get(storeName, accountKey(customerId));
    const data = account && typeof account === "object" ? account : null;
    return { customerId, points: data?.points ?? 0, orders: data?.orders ?? 0 };
  }
}
