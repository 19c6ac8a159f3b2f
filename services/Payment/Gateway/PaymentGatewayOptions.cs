namespace DaprOrders.Payment.Gateway;

/// <summary>Configuration section <c>PaymentGateway</c> of the simulated gateway (rules in services/Payment/README.md).</summary>
public sealed class PaymentGatewayOptions
{
    public const string SectionName = "PaymentGateway";

    /// <summary>Charges above this many minor units are declined with <c>amount-over-limit</c> (default 10,000.00).</summary>
    public long DeclineAboveMinorUnits { get; set; } = 1_000_000;

    /// <summary>Added to every gateway call (chaos).</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>Share of charge attempts (0..1) that fail transiently at random (chaos); drawn from <see cref="Seed"/>.</summary>
    public double TransientFailureRate { get; set; }

    /// <summary>Seed of the random transient failures, so a chaos run can be repeated.</summary>
    public int Seed { get; set; }

    internal bool IsValid(out string error)
    {
        error = DeclineAboveMinorUnits < 0 ? "PaymentGateway:DeclineAboveMinorUnits must be 0 or more."
            : Latency < TimeSpan.Zero ? "PaymentGateway:Latency must not be negative."
            : TransientFailureRate is < 0 or > 1 || double.IsNaN(TransientFailureRate) ? "PaymentGateway:TransientFailureRate must be between 0 and 1."
            : string.Empty;
        return error.Length == 0;
    }
}
