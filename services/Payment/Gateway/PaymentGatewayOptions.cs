using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DaprOrders.Payment.Gateway;

/// <summary>Configuration section <c>PaymentGateway</c> of the simulated gateway (rules in services/Payment/README.md).</summary>
public sealed class PaymentGatewayOptions
{
    public const string SectionName = "PaymentGateway";

    /// <summary>Charges above this many minor units are declined with <c>amount-over-limit</c> (default 10,000.00).</summary>
    [Range(0, long.MaxValue)]
    public long DeclineAboveMinorUnits { get; set; } = 1_000_000;

    /// <summary>Added to every gateway call (chaos).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>Share of charge attempts (0..1) that fail transiently at random (chaos); drawn from <see cref="Seed"/>.</summary>
    [Range(0.0, 1.0)]
    public double TransientFailureRate { get; set; }

    /// <summary>Seed of the random transient failures, so a chaos run can be repeated.</summary>
    public int Seed { get; set; }
}

/// <summary>Checks the data annotations of <see cref="PaymentGatewayOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class PaymentGatewayOptionsValidator : IValidateOptions<PaymentGatewayOptions>;
