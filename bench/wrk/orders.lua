-- wrk cross-check for B1: POSTs structured CloudEvents (daprorders.order.submitted.v1), each with a unique id,
-- because Ordering treats a repeated source+id as a duplicate (cheaper: no state transaction, no event).
--   wrk -t2 -c32 -d20s --latency -s bench/wrk/orders.lua http://127.0.0.1:<port>/orders
-- Start the target first: `daprorders-bench intake` prints nothing to attach to, so run Ordering behind
-- `dapr-emulator run -f <template>` yourself (docs/benchmarks.md, "wrk cross-check").
local counter = 0
local run = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000))

function setup(thread)
  thread:set("prefix", run .. "-t" .. tostring(counter))
  counter = counter + 1
end

function init(args)
  sequence = 0
  skus = { "sku-1", "sku-2", "sku-3", "sku-4", "sku-5" }
end

function request()
  sequence = sequence + 1
  local body = '{"specversion":"1.0","id":"wrk-' .. prefix .. '-' .. sequence ..
    '","source":"daprorders-bench-wrk","type":"daprorders.order.submitted.v1","datacontenttype":"application/json",' ..
    '"data":{"customerId":"customer-bench-' .. (sequence % 97) .. '","currency":"EUR","lines":[{"sku":"' ..
    skus[(sequence % 5) + 1] .. '","quantity":1,"unitPrice":499}]}}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/cloudevents+json" }, body)
end
