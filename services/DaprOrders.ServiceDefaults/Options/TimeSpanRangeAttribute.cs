using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace DaprOrders.ServiceDefaults.Options;

/// <summary>
/// A <see cref="TimeSpan"/> setting within [minimum, maximum] (constant "c" format, e.g. <c>"00:00:01"</c>).
/// <c>[Range(typeof(TimeSpan), …)]</c> converts through TypeDescriptor, which trimming and native AOT cannot keep.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.ParseExact(minimum, "c", CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.ParseExact(maximum, "c", CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, "The field {0} must be between {1:c} and {2:c}.", name, Minimum, Maximum);
}
