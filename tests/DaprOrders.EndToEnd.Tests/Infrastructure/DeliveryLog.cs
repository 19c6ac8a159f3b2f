using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One CloudEvent as a sidecar delivered it into an app: the exact bytes the broker held, or for an entry of a bulk
/// delivery its <c>event</c> object.
/// </summary>
public sealed record Delivery(string AppId, string Path, byte[] Body)
{
    public JsonObject Event => JsonNode.Parse(Body) as JsonObject ?? throw new InvalidOperationException("delivery body is not a JSON object");

    public string? Type => Event["type"]?.GetValue<string>();

    public string? Id => Event["id"]?.GetValue<string>();

    public string? Topic => Event["topic"]?.GetValue<string>();

    public string? OrderId => Event["data"]?["orderId"]?.GetValue<string>();

    public override string ToString() => $"{AppId} {Path} {Type} {OrderId}";
}

/// <summary>
/// A wire tap on the app side of every sidecar: records each pub/sub delivery (requests daprd marks with the
/// <c>pubsubname</c> header) before the service sees it. Audit subscribes to every topic, so its deliveries are every
/// event the services published; this needs nothing from the emulator or the services.
/// </summary>
public sealed class DeliveryLog
{
    private readonly ConcurrentQueue<Delivery> _deliveries = new();

    public IReadOnlyList<Delivery> All => [.. _deliveries];

    /// <summary>Deliveries into <paramref name="appId"/>, redeliveries and duplicates included.</summary>
    public IReadOnlyList<Delivery> To(string appId) => [.. _deliveries.Where(d => d.AppId == appId)];

    /// <summary>Every distinct CloudEvent published by a service (seen by audit; de-duplicated on source + id).</summary>
    public IReadOnlyList<JsonObject> PublishedEvents() =>
    [
        .. To(DaprOrders.Contracts.AppIds.Audit)
            .Select(d => d.Event)
            .DistinctBy(e => (e["source"]?.GetValue<string>(), e["id"]?.GetValue<string>())),
    ];

    internal void Add(Delivery delivery) => _deliveries.Enqueue(delivery);

    internal IStartupFilter StartupFilterFor(string appId) => new TapStartupFilter(appId, this);

    private sealed class TapStartupFilter(string appId, DeliveryLog log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (HttpMethods.IsPost(context.Request.Method) && context.Request.Headers.ContainsKey("pubsubname"))
                {
                    context.Request.EnableBuffering();
                    using var copy = new MemoryStream();
                    await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
                    context.Request.Body.Position = 0;
                    foreach (var body in Events(copy.ToArray()))
                    {
                        log.Add(new Delivery(appId, context.Request.Path, body));
                    }
                }

                await nextMiddleware(context);
            });
            next(app);
        };

        // A bulk delivery (daprd's com.dapr.event.sent.bulk envelope) carries one CloudEvent per entry.
        private static IEnumerable<byte[]> Events(byte[] body)
        {
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
                return [body];
            }

            return parsed is JsonObject envelope && envelope["type"] is JsonValue type && envelope["entries"] is JsonArray entries
                && type.GetValueKind() == System.Text.Json.JsonValueKind.String && type.GetValue<string>() == "com.dapr.event.sent.bulk"
                ? [.. entries.Select(e => System.Text.Encoding.UTF8.GetBytes(e!["event"]!.ToJsonString()))]
                : [body];
        }
    }
}
