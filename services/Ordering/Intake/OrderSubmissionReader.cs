using System.Runtime.InteropServices;
using System.Text.Json;
using CloudNative.CloudEvents;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Intake;

/// <summary>A submission that passed every check, ready to be stored.</summary>
public sealed record ValidSubmission(CloudEvent CloudEvent, OrderSubmission Submission)
{
    /// <summary>The idempotency key's source, exactly as the client wrote it.</summary>
    public string Source => CloudEvent.Source!.OriginalString;

    public string Id => CloudEvent.Id!;
}

/// <summary>
/// Checks what <see cref="CloudEventHttpBinding"/> read against the intake contract: CloudEvent type
/// <c>daprorders.order.submitted.v1</c> and data accepted by <see cref="OrderSubmissionValidator"/>. Errors are named
/// like the request: <c>type</c>, <c>data.lines[0].quantity</c>; in a batch prefixed with the index (<c>[2].type</c>);
/// in binary mode attributes are headers (<c>ce-type</c>).
/// </summary>
public static class OrderSubmissionReader
{
    public static IReadOnlyList<ValidSubmission> Validate(CloudEventReadResult read, CloudEventErrors errors)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(errors);
        var valid = new List<ValidSubmission>(read.Events.Count);
        for (var i = 0; i < read.Events.Count; i++)
        {
            var cloudEvent = read.Events[i];
            var (attributePrefix, dataPrefix) = read.Mode switch
            {
                CloudEventMode.Batch => ($"[{i}].", $"[{i}].data"),
                CloudEventMode.Binary => ("ce-", "data"),
                _ => ("", "data"),
            };

            var typeOk = cloudEvent.Type == EventTypes.OrderSubmitted;
            if (!typeOk)
            {
                errors.Add(attributePrefix + "type", $"The CloudEvent type must be '{EventTypes.OrderSubmitted}'.");
            }

            if (!OrderSubmissionValidator.TryParse(JsonMarshal.GetRawUtf8Value((JsonElement)cloudEvent.Data!), out var submission, out var fieldErrors))
            {
                foreach (var error in fieldErrors)
                {
                    var field = error.Field == OrderSubmissionValidator.BodyField ? dataPrefix : $"{dataPrefix}.{error.Field}";
                    errors.Add(field, error.Message);
                }
            }
            else if (typeOk)
            {
                valid.Add(new ValidSubmission(cloudEvent, submission));
            }
        }

        return valid;
    }

    /// <summary>The order a valid submission becomes: id from source+id, fingerprint of the payload, status Submitted.</summary>
    public static OrderDocument ToOrder(ValidSubmission valid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var submission = valid.Submission;
        var requested = submission.Lines!;
        var lines = new OrderLine[requested.Count];
        for (var i = 0; i < lines.Length; i++)
        {
            // The validator guarantees every member is present and quantity fits in int.
            var line = requested[i]!;
            lines[i] = new OrderLine(line.Sku!, (int)line.Quantity!.Value, line.UnitPrice!.Value);
        }

        var customerId = submission.CustomerId!;
        var currency = submission.Currency!;
        return new OrderDocument(
            OrderIdentity.DeriveOrderId(valid.Source, valid.Id),
            customerId,
            currency,
            lines,
            new Money(OrderIdentity.Total(lines), currency),
            OrderStatus.Submitted,
            CancellationReason: null,
            History: [new OrderHistoryEntry(OrderStatus.Submitted, now)],
            CreatedAt: now,
            UpdatedAt: now,
            new OrderSubmissionKey(valid.Source, valid.Id, OrderIdentity.HashPayload(customerId, currency, lines)));
    }
}
