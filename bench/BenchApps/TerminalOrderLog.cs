using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;

namespace DaprOrders.Bench.Apps;

/// <summary>When an order's terminal event reached this app, on <see cref="Stopwatch.GetTimestamp"/> (CLOCK_MONOTONIC on Linux, comparable across processes).</summary>
public sealed record ObservedOrder(string OrderId, string Status, long Timestamp);

/// <summary>First sighting per order wins: redeliveries must not move the time.</summary>
public sealed class TerminalOrderLog
{
    private readonly ConcurrentDictionary<string, ObservedOrder> _orders = new(StringComparer.Ordinal);

    public int Count => _orders.Count;

    public void Record(string orderId, string status) =>
        _orders.TryAdd(orderId, new ObservedOrder(orderId, status, Stopwatch.GetTimestamp()));

    public ObservedOrder[] Snapshot() => [.. _orders.Values];

    public void Clear() => _orders.Clear();
}

public static class ObserverEndpoints
{
    public const string CompletedType = "daprorders.order.completed.v1";
    public const string CancelledType = "daprorders.order.cancelled.v1";

    public static IServiceCollection AddTerminalOrderLog(this IServiceCollection services) => services.AddSingleton<TerminalOrderLog>();

    public static void MapObserver(this IEndpointRouteBuilder app)
    {
        var events = app.MapTopicEndpoints();
        events.MapPost("/orders/completed", (JsonElement data, TerminalOrderLog log) => Observe(data, log, "Completed"))
            .WithTopic(TopicSubscriptions.OfType("pubsub", "order-completed", CompletedType, deadLetterTopic: null));
        events.MapPost("/orders/cancelled", (JsonElement data, TerminalOrderLog log) => Observe(data, log, "Cancelled"))
            .WithTopic(TopicSubscriptions.OfType("pubsub", "order-cancelled", CancelledType, deadLetterTopic: null));
        // The two terminal topics only, one type each: the measuring app costs one delivery per order. No dead-letter
        // topic: a foreign type on them is dropped by the sidecar, not counted in the system's dead letters.

        app.MapGet("/observed/count", (TerminalOrderLog log) => TypedResults.Ok(log.Count));
        app.MapGet("/observed", (TerminalOrderLog log) => TypedResults.Ok(log.Snapshot()));
        app.MapDelete("/observed", (TerminalOrderLog log) =>
        {
            log.Clear();
            return TypedResults.NoContent();
        });
    }

    private static TopicResponse Observe(JsonElement data, TerminalOrderLog log, string status)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("orderId", out var id) || id.GetString() is not { } orderId)
        {
            return TopicResponse.Drop();
        }

        log.Record(orderId, status);
        return TopicResponse.Success();
    }
}
