using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DaprOrders.Contracts;

/// <summary>
/// A problem with one field of a submission. <see cref="Field"/> is a path such as <c>customerId</c> or
/// <c>lines[0].quantity</c>; <c>$</c> names the whole body.
/// </summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Validates an <see cref="OrderSubmission"/> with exactly the rules of <c>schemas/order-submitted.v1.json</c>, so a
/// client validating against the schema and the Ordering service never disagree (a test holds them together).
/// Any change here must be made in the schema too, and vice versa.
/// </summary>
public static partial class OrderSubmissionValidator
{
    public const int MaxCustomerIdLength = 128;
    public const int MinLines = 1;
    public const int MaxLines = 100;
    public const int MinQuantity = 1;
    public const int MaxQuantity = 10_000;
    public const long MinUnitPrice = 0;
    public const long MaxUnitPrice = 1_000_000_000;

    /// <summary>The SKU pattern as written in the schema (ECMA-262 semantics).</summary>
    public const string SkuPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    /// <summary>Root-level field name used when the body itself is wrong.</summary>
    public const string BodyField = "$";

    /// <summary>
    /// Deserializes and validates a UTF-8 JSON body. Type mismatches (a string quantity, a number beyond int64)
    /// are reported against the offending field, like the schema would.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> utf8Json,
        [NotNullWhen(true)] out OrderSubmission? submission,
        out IReadOnlyList<FieldError> errors)
    {
        try
        {
            submission = JsonSerializer.Deserialize(utf8Json, ContractsJsonContext.Default.OrderSubmission);
        }
        catch (JsonException ex)
        {
            submission = null;
            errors = [new FieldError(FieldFromJsonPath(ex.Path), "has the wrong JSON type, is out of range or is not valid JSON")];
            return false;
        }

        errors = Validate(submission);
        if (errors.Count > 0)
        {
            submission = null;
            return false;
        }

        return submission is not null;
    }

    /// <summary>Returns every rule violation; an empty list means the submission is acceptable.</summary>
    public static IReadOnlyList<FieldError> Validate(OrderSubmission? submission)
    {
        if (submission is null)
        {
            return [new FieldError(BodyField, "a JSON object is required")];
        }

        var errors = new List<FieldError>();
        ValidateCustomerId(submission.CustomerId, errors);

        if (submission.Currency is null)
        {
            errors.Add(new FieldError("currency", "is required"));
        }
        else if (!Currencies.IsKnown(submission.Currency))
        {
            errors.Add(new FieldError("currency", "must be a supported ISO 4217 code in upper case"));
        }

        ValidateLines(submission.Lines, errors);
        return errors;
    }

    private static void ValidateCustomerId(string? customerId, List<FieldError> errors)
    {
        if (customerId is null)
        {
            errors.Add(new FieldError("customerId", "is required"));
            return;
        }

        // JSON Schema maxLength counts code points, not UTF-16 units.
        var length = 0;
        foreach (var rune in customerId.EnumerateRunes())
        {
            length++;
            if (Rune.IsControl(rune))
            {
                errors.Add(new FieldError("customerId", "must not contain control characters"));
                return;
            }
        }

        if (length == 0)
        {
            errors.Add(new FieldError("customerId", "must not be empty"));
        }
        else if (length > MaxCustomerIdLength)
        {
            errors.Add(new FieldError("customerId", $"must be at most {MaxCustomerIdLength} characters"));
        }
    }

    private static void ValidateLines(IReadOnlyList<OrderSubmissionLine?>? lines, List<FieldError> errors)
    {
        if (lines is null)
        {
            errors.Add(new FieldError("lines", "is required"));
            return;
        }

        if (lines.Count is < MinLines or > MaxLines)
        {
            errors.Add(new FieldError("lines", $"must contain {MinLines} to {MaxLines} lines"));
            return;
        }

        var errorsBefore = errors.Count;
        for (var i = 0; i < lines.Count; i++)
        {
            ValidateLine(lines[i], $"lines[{i}]", errors);
        }

        // The per-line bounds keep the total below 10^15, so this only fires if the bounds are ever relaxed
        // without thinking about the total; the schema cannot express it and relies on the same bounds.
        if (errors.Count == errorsBefore && !TryComputeTotal(lines!, out _))
        {
            errors.Add(new FieldError("lines", "the order total does not fit in a 64-bit integer"));
        }
    }

    private static void ValidateLine(OrderSubmissionLine? line, string path, List<FieldError> errors)
    {
        if (line is null)
        {
            errors.Add(new FieldError(path, "must be an object"));
            return;
        }

        if (line.Sku is null)
        {
            errors.Add(new FieldError($"{path}.sku", "is required"));
        }
        else if (!Sku().IsMatch(line.Sku))
        {
            errors.Add(new FieldError($"{path}.sku", $"must match {SkuPattern}"));
        }

        if (line.Quantity is null)
        {
            errors.Add(new FieldError($"{path}.quantity", "is required"));
        }
        else if (line.Quantity is < MinQuantity or > MaxQuantity)
        {
            errors.Add(new FieldError($"{path}.quantity", $"must be between {MinQuantity} and {MaxQuantity}"));
        }

        if (line.UnitPrice is null)
        {
            errors.Add(new FieldError($"{path}.unitPrice", "is required"));
        }
        else if (line.UnitPrice is < MinUnitPrice or > MaxUnitPrice)
        {
            errors.Add(new FieldError($"{path}.unitPrice", $"must be between {MinUnitPrice} and {MaxUnitPrice} minor units"));
        }
    }

    /// <summary>Sum of quantity × unit price in minor units; false on int64 overflow or a missing value.</summary>
    public static bool TryComputeTotal(IEnumerable<OrderSubmissionLine> lines, out long total)
    {
        ArgumentNullException.ThrowIfNull(lines);
        total = 0;
        foreach (var line in lines)
        {
            if (line.Quantity is not { } quantity || line.UnitPrice is not { } unitPrice)
            {
                return false;
            }

            var product = Int128.CreateTruncating(quantity) * unitPrice;
            var sum = total + product;
            if (sum > long.MaxValue || sum < long.MinValue)
            {
                return false;
            }

            total = (long)sum;
        }

        return true;
    }

    // \z rather than $: .NET's $ also matches before a trailing newline, ECMA-262's (the schema's) does not.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Sku();

    private static string FieldFromJsonPath(string? path) =>
        path is null or "$" ? BodyField : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
