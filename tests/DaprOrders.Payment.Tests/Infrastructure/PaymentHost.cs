using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Payment.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Payment.Tests.Infrastructure;

/// <summary>A published event as the subscriber saw it.</summary>
public sealed record PublishedEvent(string Topic, string Type, string Id, JsonElement Data);

/// <summary>
/// The Payment service on the emulator (<see cref="ServiceOnEmulator{TProgram}"/>), recording what it publishes on
/// <c>payments</c>. <see cref="CrashAfterCharging"/> and <see cref="CrashAfterRefunding"/> stop a delivery right after
/// the gateway did its work, before the service could record it, as a process crash would. <see cref="HoldNextCharge"/>
/// keeps a charge in flight after it landed at the gateway. <see cref="Faults"/> sees (and can fail) every call the
/// service makes to its sidecar.
/// </summary>
public sealed class PaymentHost : IAsyncDisposable
{
    private readonly ServiceOnEmulator<Program> _bed;
    private readonly CrashingGateway _gateway;

    private PaymentHost(ServiceOnEmulator<Program> bed, CrashingGateway gateway, SidecarFaults faults)
    {
        _bed = bed;
        _gateway = gateway;
        Faults = faults;
    }

    public SidecarFaults Faults { get; }

    public HttpClient Client => _bed.Client;

    public SimulatedPaymentGateway Gateway => _bed.Services.GetRequiredService<SimulatedPaymentGateway>();

    /// <summary>How many of the next successful charges crash the delivery afterwards.</summary>
    public int CrashAfterCharging { get => _gateway.CrashesAfterCharge; set => _gateway.CrashesAfterCharge = value; }

    /// <summary>How many of the next refunds crash the delivery afterwards.</summary>
    public int CrashAfterRefunding { get => _gateway.CrashesAfterRefund; set => _gateway.CrashesAfterRefund = value; }

    /// <summary>
    /// Holds the next charge in flight: before it reaches the gateway, or after it landed there
    /// (<paramref name="afterLanding"/>) and before the service sees the answer. The result completes when the charge
    /// is held; it goes on when <paramref name="release"/> completes.
    /// </summary>
    public Task HoldNextCharge(Task release, bool afterLanding)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.HoldNext(new ChargeHold(held, release, afterLanding));
        return held.Task;
    }

    public static async Task<PaymentHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var gateway = new CrashingGateway();
        var faults = new SidecarFaults();
        var bed = await ServiceOnEmulator<Program>.StartAsync("payment", options =>
        {
            options.RecordedTopics.AddRange(EventCatalog.TopicsPublishedBy(AppIds.Payment));
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                options.Settings[key] = value;
            }

            options.ConfigureServices = services =>
            {
                faults.AddDaprClient(services);
                services.AddSingleton<IPaymentGateway>(sp =>
                {
                    gateway.Inner = sp.GetRequiredService<SimulatedPaymentGateway>();
                    return gateway;
                });
            };
        });
        return new PaymentHost(bed, gateway, faults);
    }

    /// <summary>Everything published on <c>payments</c> so far, once the broker delivered what is queued.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync()
    {
        await _bed.Emulator.Services.GetRequiredService<PubSubBroker>().WaitForIdleAsync(TimeSpan.FromSeconds(30));
        return [.. _bed.Published([.. EventCatalog.TopicsPublishedBy(AppIds.Payment)]).Select(e => new PublishedEvent(e.GetProperty("topic").GetString()!,
            e.GetProperty("type").GetString()!, e.GetProperty("id").GetString()!, e.GetProperty("data").Clone()))];
    }

    public async Task<IReadOnlyList<PublishedEvent>> PublishedOfTypeAsync(string type) =>
        [.. (await PublishedAsync()).Where(e => e.Type == type)];

    /// <summary>Delivers a CloudEvent the way daprd does and returns the <c>status</c> the app answered (or the HTTP status).</summary>
    public Task<string> DeliverAsync(string route, string type, JsonNode? data) =>
        _bed.DeliverAsync(route, type, data!);

    public Task<string> PaymentRequestedAsync(string orderId, string customerId = "alice", long amount = 1999, string currency = "EUR") =>
        DeliverAsync("/events/orders/payment-requested", "daprorders.payment.requested.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = customerId,
            ["amount"] = new JsonObject { ["amount"] = amount, ["currency"] = currency },
            ["requestedAt"] = "2026-01-01T00:00:00Z",
        });

    public Task<string> OrderCancelledAsync(string orderId, string customerId = "alice") =>
        DeliverAsync("/events/orders/cancelled", "daprorders.order.cancelled.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = customerId,
            ["reason"] = "deadline-exceeded",
            ["cancelledAt"] = "2026-01-01T00:02:00Z",
        });

    public async Task<JsonElement> GetPaymentAsync(string orderId)
    {
        using var response = await Client.GetAsync(new Uri($"/payments/{orderId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<JsonElement> GetLedgerSummaryAsync() =>
        JsonDocument.Parse(await Client.GetStringAsync(new Uri("/payments/ledger/summary", UriKind.Relative))).RootElement.Clone();

    public async Task<JsonElement> GetSubscriptionsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", _bed.Options.AppApiToken);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    private sealed record ChargeHold(TaskCompletionSource Held, Task Release, bool AfterLanding);

    /// <summary>The simulated gateway, which can crash the delivery right after a charge or refund went through.</summary>
    private sealed class CrashingGateway : IPaymentGateway
    {
        public IPaymentGateway Inner { get; set; } = null!;

        public int CrashesAfterCharge { get; set; }

        public int CrashesAfterRefund { get; set; }

        private ChargeHold? _hold;

        public void HoldNext(ChargeHold hold) => Volatile.Write(ref _hold, hold);

        public async Task<ChargeResult> ChargeAsync(string idempotencyKey, string customerId, Money amount, CancellationToken cancellationToken)
        {
            var hold = Interlocked.Exchange(ref _hold, null);
            if (hold is { AfterLanding: false })
            {
                hold.Held.SetResult();
                await hold.Release.WaitAsync(cancellationToken);
            }

            var result = await Inner.ChargeAsync(idempotencyKey, customerId, amount, cancellationToken);
            if (hold is { AfterLanding: true })
            {
                hold.Held.SetResult();
                await hold.Release.WaitAsync(cancellationToken);
            }

            if (result is ChargeApproved && CrashesAfterCharge > 0)
            {
                CrashesAfterCharge--;
                throw new InvalidOperationException("crashed after charging, before recording the charge");
            }

            return result;
        }

        public Task<ChargeResult?> FindChargeAsync(string idempotencyKey, CancellationToken cancellationToken) =>
            Inner.FindChargeAsync(idempotencyKey, cancellationToken);

        public async Task<RefundReceipt> RefundAsync(string paymentId, Money amount, CancellationToken cancellationToken)
        {
            var receipt = await Inner.RefundAsync(paymentId, amount, cancellationToken);
            if (CrashesAfterRefund > 0)
            {
                CrashesAfterRefund--;
                throw new InvalidOperationException("crashed after refunding, before announcing and recording the refund");
            }

            return receipt;
        }
    }
}
