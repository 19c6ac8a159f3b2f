using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Chaos.Harness;

/// <summary>
/// Poison events: every delivery of a chosen order's event of <see cref="EventType"/> into <see cref="AppId"/> fails
/// with 500 before the service sees it, as a handler that crashes on that message would. The emulator's fault
/// injection works per app and topic, not per message, so this sits on the app side of the sidecar (like a wire
/// tap) and needs nothing from the service. daprd retries per the resiliency policy, then dead-letters the event.
/// <see cref="Heal"/> stops it, as deploying a fix would.
/// </summary>
public sealed class PoisonedDeliveries(string appId, string eventType)
{
    private readonly ConcurrentDictionary<string, int> _orders = new(StringComparer.Ordinal);
    private volatile bool _healed;

    public string AppId => appId;

    public string EventType => eventType;

    public IReadOnlyCollection<string> Orders => [.. _orders.Keys];

    /// <summary>Failed deliveries so far, per poisoned order.</summary>
    public IReadOnlyDictionary<string, int> FailedDeliveries => _orders;

    public void Poison(string orderId) => _orders.TryAdd(orderId, 0);

    public void Heal() => _healed = true;

    internal IStartupFilter StartupFilterFor(string hostAppId) => new PoisonStartupFilter(hostAppId == appId ? this : null);

    private async Task<bool> IsPoisonedAsync(HttpContext context)
    {
        if (_healed || !HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.ContainsKey("pubsubname"))
        {
            return false;
        }

        context.Request.EnableBuffering();
        string? type = null;
        string? orderId = null;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                orderId = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty("orderId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not ours to judge: the service answers malformed deliveries itself.
        }
        finally
        {
            context.Request.Body.Position = 0;
        }

        if (type != eventType || orderId is null || !_orders.ContainsKey(orderId))
        {
            return false;
        }

        _orders.AddOrUpdate(orderId, 1, (_, n) => n + 1);
        return true;
    }

    private sealed class PoisonStartupFilter(PoisonedDeliveries? poison) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (poison is not null)
            {
                app.Use(async (context, nextMiddleware) =>
                {
                    if (await poison.IsPoisonedAsync(context))
                    {
                        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                        return;
                    }

                    await nextMiddleware(context);
                });
            }

            next(app);
        };
    }
}
