using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Payment.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaprOrders.Payment.Tests;

/// <summary>The service end to end on the emulator: subscriptions, the payment record and the simulated gateway.</summary>
public sealed class PaymentServiceTests : IAsyncLifetime
{
    private const string Succeeded = "daprorders.payment.succeeded.v1";
    private const string Failed = "daprorders.payment.failed.v1";
    private const string Refunded = "daprorders.payment.refunded.v1";

    private PaymentHost _host = null!;

    public async Task InitializeAsync() => _host = await PaymentHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_payment_request_charges_once_and_announces_success()
    {
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        var succeeded = Assert.Single(await _host.PublishedAsync());
        Assert.Equal(("payment-succeeded", Succeeded), (succeeded.Topic, succeeded.Type));
        Assert.Equal("o1", succeeded.Data.GetProperty("orderId").GetString());
        Assert.Equal("""{"amount":1999,"currency":"EUR"}""", succeeded.Data.GetProperty("amount").GetRawText());
        var record = await _host.GetPaymentAsync("o1");
        Assert.Equal("Charged", record.GetProperty("status").GetString());
        Assert.Equal(succeeded.Data.GetProperty("paymentId").GetString(), record.GetProperty("paymentId").GetString());
        Assert.Equal(1, record.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_first_payment_request_costs_one_read_one_write_and_one_publish()
    {
        var before = _host.Faults.Calls.Count;

        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        // The read is what keeps a tombstone from being charged; the one write records the gateway's answer.
        Assert.Equal(["/dapr.proto.runtime.v1.Dapr/GetState", "/dapr.proto.runtime.v1.Dapr/SaveState", "/dapr.proto.runtime.v1.Dapr/PublishEvent"],
            _host.Faults.Calls.Skip(before).Select(c => c.Path));
        Assert.Equal([PaymentHistory.Charging, PaymentHistory.Charged], PaymentHistory.Of(await _host.GetPaymentAsync("o1")));
    }

    [Fact]
    public async Task A_duplicate_request_republishes_the_same_outcome_without_charging_again()
    {
        await _host.PaymentRequestedAsync("o1");
        await _host.PaymentRequestedAsync("o1");

        // The repeat is the same event: same data and the same CloudEvent id, so subscribers drop it as a duplicate.
        var events = await _host.PublishedOfTypeAsync(Succeeded);
        Assert.Equal(2, events.Count);
        Assert.Equal(events[0].Data.GetRawText(), events[1].Data.GetRawText());
        Assert.Equal(["payment-succeeded-o1", "payment-succeeded-o1"], events.Select(e => e.Id));
        Assert.Equal(1, (await _host.GetLedgerSummaryAsync()).GetProperty("count").GetInt32());

        // The first repeat marked the record; a later one only reads it: no publish, no write, no charge.
        var before = _host.Faults.Calls.Count;
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));
        Assert.Equal(["/dapr.proto.runtime.v1.Dapr/GetState"], _host.Faults.Calls.Skip(before).Select(c => c.Path));
        Assert.Equal(2, (await _host.PublishedOfTypeAsync(Succeeded)).Count);
    }

    [Fact]
    public async Task Racing_duplicate_deliveries_charge_exactly_once()
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => _host.PaymentRequestedAsync("o1")));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        var summary = await _host.GetLedgerSummaryAsync();
        Assert.Equal(1, summary.GetProperty("count").GetInt32());
        Assert.Equal("""[{"amount":1999,"currency":"EUR"}]""", summary.GetProperty("charged").GetRawText());
        var paymentIds = (await _host.PublishedOfTypeAsync(Succeeded)).Select(e => e.Data.GetProperty("paymentId").GetString()).Distinct();
        Assert.Single(paymentIds);
    }

    [Fact]
    public async Task A_declined_charge_announces_the_failure_with_its_code()
    {
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1", customerId: "declined-bob"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o2", amount: 2_000_000));

        var failures = (await _host.PublishedOfTypeAsync(Failed)).ToDictionary(e => e.Data.GetProperty("orderId").GetString()!);
        Assert.Equal("card-declined", failures["o1"].Data.GetProperty("declineCode").GetString());
        Assert.Equal("amount-over-limit", failures["o2"].Data.GetProperty("declineCode").GetString());
        Assert.Equal("Declined", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
        Assert.Equal(0, (await _host.GetLedgerSummaryAsync()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_transient_gateway_failure_asks_for_redelivery_and_the_retry_succeeds()
    {
        Assert.Equal("RETRY", await _host.PaymentRequestedAsync("o1", customerId: "flaky-2-carol"));
        Assert.Equal("RETRY", await _host.PaymentRequestedAsync("o1", customerId: "flaky-2-carol"));
        Assert.Empty(await _host.PublishedAsync());

        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1", customerId: "flaky-2-carol"));

        Assert.Single(await _host.PublishedOfTypeAsync(Succeeded));
        var record = await _host.GetPaymentAsync("o1");
        Assert.Equal(3, record.GetProperty("attempts").GetInt32());
        Assert.Equal(1, _host.Gateway.GetSummary().Count);
    }

    [Fact]
    public async Task A_crash_between_charging_and_recording_charges_once_on_redelivery()
    {
        _host.CrashAfterCharging = 1;

        Assert.Equal("500", await _host.PaymentRequestedAsync("o1"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        var succeeded = Assert.Single(await _host.PublishedOfTypeAsync(Succeeded));
        Assert.Equal(1, (await _host.GetLedgerSummaryAsync()).GetProperty("count").GetInt32());
        Assert.Equal(1, _host.Gateway.GetSummary().Count);
        Assert.Equal(succeeded.Data.GetProperty("paymentId").GetString(), (await _host.GetPaymentAsync("o1")).GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task Cancelling_a_charged_order_refunds_it_once()
    {
        await _host.PaymentRequestedAsync("o1");

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        var refunded = Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Equal((await _host.PublishedOfTypeAsync(Succeeded))[0].Data.GetProperty("paymentId").GetString(),
            refunded.Data.GetProperty("paymentId").GetString());
        Assert.Equal("Refunded", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
        var summary = await _host.GetLedgerSummaryAsync();
        Assert.Equal((1, 1), (summary.GetProperty("count").GetInt32(), summary.GetProperty("refundCount").GetInt32()));
    }

    [Fact]
    public async Task A_duplicate_cancellation_refunds_and_announces_nothing_more()
    {
        await _host.PaymentRequestedAsync("o1");
        await _host.OrderCancelledAsync("o1");

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Equal(1, _host.Gateway.GetSummary().RefundCount);
    }

    [Fact]
    public async Task A_crash_after_refunding_refunds_once_and_announces_on_redelivery()
    {
        await _host.PaymentRequestedAsync("o1");
        _host.CrashAfterRefunding = 1;

        Assert.Equal("500", await _host.OrderCancelledAsync("o1"));
        Assert.Empty(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Equal(1, _host.Gateway.GetSummary().RefundCount);
        Assert.Equal("Refunded", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Racing_cancellations_refund_once()
    {
        await _host.PaymentRequestedAsync("o1");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _host.OrderCancelledAsync("o1")));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        Assert.Equal(1, (await _host.GetLedgerSummaryAsync()).GetProperty("refundCount").GetInt32());
        Assert.NotEmpty(await _host.PublishedOfTypeAsync(Refunded));
    }

    [Fact]
    public async Task A_cancellation_before_the_request_leaves_a_tombstone_so_nothing_is_ever_charged()
    {
        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        Assert.Empty(await _host.PublishedAsync());
        Assert.Equal("CancelledBeforeCharge", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
        Assert.Equal(0, (await _host.GetLedgerSummaryAsync()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Cancelling_a_declined_order_does_nothing()
    {
        await _host.PaymentRequestedAsync("o1", customerId: "declined-bob");

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Empty(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Equal("Declined", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_cancellation_while_a_charge_landed_unrecorded_refunds_it()
    {
        // The charge reaches the gateway but the delivery stops before recording it: no record exists.
        _host.CrashAfterCharging = 1;
        Assert.Equal("500", await _host.PaymentRequestedAsync("o1"));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync(new Uri("/payments/o1", UriKind.Relative))).StatusCode);

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));

        Assert.Equal("Refunded", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
        // The history tells the charge that was found and its refund.
        Assert.Equal([PaymentHistory.CancelledBeforeCharge, PaymentHistory.Charged, PaymentHistory.Refunded],
            PaymentHistory.Of(await _host.GetPaymentAsync("o1")));
        Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
        Assert.Empty(await _host.PublishedOfTypeAsync(Succeeded));
        var summary = await _host.GetLedgerSummaryAsync();
        Assert.Equal((1, 1), (summary.GetProperty("count").GetInt32(), summary.GetProperty("refundCount").GetInt32()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cancellation_while_the_charge_is_in_flight_ends_refunded_and_never_announces_success(bool afterLanding)
    {
        // The request read no record and is charging; the cancellation comes in before the request records anything.
        // Before landing: the cancellation finds no charge and writes the tombstone, which refuses the request's record,
        // so the request refunds its own charge. After landing: the cancellation finds the charge and refunds it, and the
        // request finds Refunded.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = _host.HoldNextCharge(release.Task, afterLanding);
        var request = _host.PaymentRequestedAsync("o1");
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        release.SetResult();
        Assert.Equal("SUCCESS", await request);

        var record = await _host.GetPaymentAsync("o1");
        Assert.Equal("Refunded", record.GetProperty("status").GetString());
        Assert.Equal([PaymentHistory.CancelledBeforeCharge, PaymentHistory.Charged, PaymentHistory.Refunded], PaymentHistory.Of(record));
        Assert.Empty(await _host.PublishedOfTypeAsync(Succeeded));
        Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
        var summary = _host.Gateway.GetSummary();
        Assert.Equal((1, 1), (summary.Count, summary.RefundCount));

        // Redeliveries of both change nothing.
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1"));
        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal((1, 1), (_host.Gateway.GetSummary().Count, _host.Gateway.GetSummary().RefundCount));
        Assert.Single(await _host.PublishedOfTypeAsync(Refunded));
    }

    [Fact]
    public async Task A_cancellation_while_charging_with_nothing_charged_stops_further_charges()
    {
        Assert.Equal("RETRY", await _host.PaymentRequestedAsync("o1", customerId: "flaky-1-dave"));

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1", customerId: "flaky-1-dave"));
        Assert.Equal("SUCCESS", await _host.PaymentRequestedAsync("o1", customerId: "flaky-1-dave"));

        Assert.Equal("CancelledBeforeCharge", (await _host.GetPaymentAsync("o1")).GetProperty("status").GetString());
        Assert.Empty(await _host.PublishedAsync());
        // flaky-1 fails only its first attempt: a second one would have been an approved charge.
        Assert.Equal(0, _host.Gateway.GetSummary().Count);
    }

    [Fact]
    public async Task Payment_requests_and_cancellations_racing_never_leave_money_taken()
    {
        await Task.WhenAll(Enumerable.Range(0, 30).SelectMany(i => new[]
        {
            _host.PaymentRequestedAsync($"o{i}"),
            _host.OrderCancelledAsync($"o{i}"),
        }));
        // Redeliveries settle whatever was left mid-way.
        for (var i = 0; i < 30; i++)
        {
            await _host.PaymentRequestedAsync($"o{i}");
            await _host.OrderCancelledAsync($"o{i}");
        }

        var summary = _host.Gateway.GetSummary();
        Assert.Equal(summary.Count, summary.RefundCount);
        Assert.Equal(summary.Charged, summary.Refunded);
        for (var i = 0; i < 30; i++)
        {
            Assert.Contains((await _host.GetPaymentAsync($"o{i}")).GetProperty("status").GetString(), new[] { "Refunded", "CancelledBeforeCharge" });
        }
    }

    [Fact]
    public async Task Malformed_event_data_is_dropped()
    {
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/payment-requested", "daprorders.payment.requested.v1",
            new JsonObject { ["orderId"] = "o1", ["amount"] = "lots" }));
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/payment-requested", "daprorders.payment.requested.v1",
            JsonNode.Parse("""{"orderId":"","customerId":"a","amount":{"amount":1,"currency":"EUR"},"requestedAt":"2026-01-01T00:00:00Z"}""")));
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/cancelled", "daprorders.order.cancelled.v1", null));
        Assert.Empty(await _host.PublishedAsync());
    }

    [Fact]
    public async Task Subscribes_only_to_the_topics_of_the_types_it_handles_one_rule_each()
    {
        var subscriptions = TypedSubscriptions.Read(await _host.GetSubscriptionsAsync());

        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["payment-requested"] = (TypedSubscriptions.Match("daprorders.payment.requested.v1"), "events/orders/payment-requested"),
            ["order-cancelled"] = (TypedSubscriptions.Match("daprorders.order.cancelled.v1"), "events/orders/cancelled"),
        }, subscriptions);
    }

    [Fact]
    public async Task An_unknown_payment_is_a_404_problem()
    {
        using var response = await _host.Client.GetAsync(new Uri("/payments/nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_ledger_summary_totals_per_currency()
    {
        await _host.PaymentRequestedAsync("o1", amount: 100, currency: "EUR");
        await _host.PaymentRequestedAsync("o2", amount: 250, currency: "EUR");
        await _host.PaymentRequestedAsync("o3", amount: 500, currency: "JPY");

        var summary = await _host.GetLedgerSummaryAsync();

        Assert.Equal("""[{"amount":350,"currency":"EUR"},{"amount":500,"currency":"JPY"}]""", summary.GetProperty("charged").GetRawText());
        Assert.Equal("[]", summary.GetProperty("refunded").GetRawText());
        Assert.Equal(3, summary.GetProperty("count").GetInt32());
    }
}

public sealed class KestrelHostingTests
{
    [Fact]
    public async Task The_service_runs_on_a_real_port_under_WebApplicationFactory()
    {
        // No sidecar is needed to start: DaprClient connects on first use.
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.UseSetting("urls", "http://127.0.0.1:0")
                .UseSetting("Logging:LogLevel:Default", "Warning"));
        factory.UseKestrel();
        factory.StartServer();
        var address = Assert.Single(factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses);
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var openApi = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/payments/ledger/summary", "/payments/{orderId}"], paths.Order(StringComparer.Ordinal));
    }
}

public sealed class PaymentConfigurationTests
{
    [Fact]
    public async Task Gateway_settings_come_from_configuration()
    {
        await using var host = await PaymentHost.StartAsync(new Dictionary<string, string?> { ["PaymentGateway:DeclineAboveMinorUnits"] = "10" });

        Assert.Equal("SUCCESS", await host.PaymentRequestedAsync("o1", amount: 11));

        Assert.Single(await host.PublishedOfTypeAsync("daprorders.payment.failed.v1"));
    }

    [Fact]
    public async Task Out_of_range_gateway_settings_stop_the_service_at_startup()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() =>
            PaymentHost.StartAsync(new Dictionary<string, string?> { ["PaymentGateway:TransientFailureRate"] = "1.5" }));
    }
}

/// <summary>The statuses of a payment record's history, in order.</summary>
internal static class PaymentHistory
{
    public const string Charging = "Charging";
    public const string Charged = "Charged";
    public const string Refunded = "Refunded";
    public const string CancelledBeforeCharge = "CancelledBeforeCharge";

    public static IReadOnlyList<string?> Of(JsonElement record) =>
        [.. record.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString())];
}
