using DaprOrders.Contracts;

namespace DaprOrders.EndToEnd.Tests.Infrastructure;

/// <summary>Submissions for the scenarios. Customer ids steer the simulated payment gateway (services/Payment/README.md).</summary>
public static class TestOrders
{
    public const string Currency = "EUR";

    /// <summary>A customer the gateway approves.</summary>
    public static string Customer() => "customer-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A customer the gateway declines (<c>declined-*</c>).</summary>
    public static string DeclinedCustomer() => "declined-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A customer whose first <paramref name="failures"/> charge attempts fail transiently (<c>flaky-N-*</c>).</summary>
    public static string FlakyCustomer(int failures) => $"flaky-{failures}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A SKU no other test uses.</summary>
    public static string NewSku() => "e2e-" + Guid.NewGuid().ToString("N")[..12];

    public static OrderSubmission Order(string customerId, params (string Sku, int Quantity, long UnitPrice)[] lines) => new()
    {
        CustomerId = customerId,
        Currency = Currency,
        Lines = [.. lines.Select(l => new OrderSubmissionLine { Sku = l.Sku, Quantity = l.Quantity, UnitPrice = l.UnitPrice })],
    };
}
