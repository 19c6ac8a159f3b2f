using DaprOrders.BuildingBlocks.State;
using DaprOrders.Payment.Gateway;
using DaprOrders.Payment.Payments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprOrders.Payment.Api;

public static class PaymentEndpoints
{
    public static RouteGroupBuilder MapPaymentApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/payments").WithTags("Payments");

        group.MapGet("/{orderId}", GetAsync)
            .WithName("GetPayment")
            .WithSummary("Gets the payment record of an order (status, payment id, attempts, history)");

        group.MapGet("/ledger/summary", GetLedgerSummary)
            .WithName("GetPaymentLedgerSummary")
            .WithSummary("Totals charged and refunded by the payment gateway, per currency");

        return group;
    }

    private static async Task<Results<Ok<PaymentRecord>, ProblemHttpResult>> GetAsync(string orderId, ETaggedStateStore<PaymentRecord> records,
        CancellationToken cancellationToken)
    {
        var entry = await records.ReadAsync(PaymentRecord.KeyFor(orderId), cancellationToken);
        return entry.Value is { } record
            ? TypedResults.Ok(record)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown payment",
                detail: $"No payment was requested or cancelled for order '{orderId}'.");
    }

    private static Ok<PaymentLedgerSummary> GetLedgerSummary(IPaymentLedger ledger) => TypedResults.Ok(ledger.GetSummary());
}
