using System.Net;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.OperationsPage.Tests;

/// <summary>Body of <c>POST /advance</c>.</summary>
public sealed record AdvanceRequest(double Seconds);

/// <summary>
/// What the browser script may do to the system besides using it: make Inventory fail deliveries on <c>orders</c>
/// (so the next order's <c>order.created</c> ends up in the dead letters), heal it, let the outbox's second pass after
/// a submission, let the system come to rest (Audit's bulk windows flush on the clock), and move the emulator's virtual
/// clock so the retries run out. Lives in the test process on 127.0.0.1 with an ephemeral port.
/// </summary>
/// <remarks>
/// The emulator's fault rules match an app and a topic, not one message: while poisoned, every delivery on
/// <c>orders</c> to Inventory fails. The script poisons only after the earlier orders settled and heals once the poisoned
/// order's event is dead-lettered, which makes it exactly "that order's order.created".
/// </remarks>
public sealed class TestControlServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private IDisposable? _poison;

    private TestControlServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<TestControlServer> StartAsync(OrderSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TestControlServer(app);

        app.MapPost("/poison", async () =>
        {
            // Whatever is still moving (e.g. order.completed of earlier orders) must not be caught by the fault.
            await system.Broker.WaitForSettledAsync(TimeSpan.FromSeconds(30));
            lock (server._lock)
            {
                server._poison ??= system.Faults.Fail(appId: AppIds.Inventory, topic: Topics.OrderCreated);
            }

            return TypedResults.NoContent();
        });
        app.MapPost("/heal", () =>
        {
            lock (server._lock)
            {
                server._poison?.Dispose();
                server._poison = null;
            }

            return TypedResults.NoContent();
        });
        app.MapPost("/release-outbox", async () =>
        {
            // The virtual clock stands still, so daprd's outbox second (an order's order.created follows its commit by
            // ~1 s) passes only when the script says an order was submitted: as the other harnesses do after a POST.
            await system.Emulator.ReleaseOutboxAsync(TimeSpan.FromSeconds(30));
            return TypedResults.NoContent();
        });
        app.MapPost("/settle", async () =>
        {
            // Real time would have flushed Audit's bulk windows (and run any retries): let the virtual clock do it.
            await system.QuiesceAsync();
            return TypedResults.NoContent();
        });
        app.MapPost("/advance", async (AdvanceRequest request) =>
        {
            if (request.Seconds is <= 0 or > 600)
            {
                return Results.Problem(statusCode: (int)HttpStatusCode.BadRequest, title: "seconds must be in (0, 600]");
            }

            // One virtual second at a time, letting the broker settle in between, so every retry timer fires on time.
            await system.AdvanceClockAsync(TimeSpan.FromSeconds(request.Seconds), TimeSpan.FromSeconds(1));
            return Results.Ok(new { virtualTime = system.Clock.GetUtcNow() });
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Address = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _poison?.Dispose();
            _poison = null;
        }

        await _app.DisposeAsync();
    }
}
