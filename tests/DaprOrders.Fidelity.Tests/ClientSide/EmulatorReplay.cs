using System.Net.Http.Headers;
using DaprOrders.Emulator;
using DaprOrders.Fidelity.Tests.Infrastructure;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.Actors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DaprOrders.Testing;

namespace DaprOrders.Fidelity.Tests.ClientSide;

/// <summary>
/// Replays recorded client requests, byte for byte, against a fresh emulator whose "ordering" app serves the
/// invocation targets and hosts CounterActor (written with DaprOrders.Sidecar), and returns the status the emulator
/// answered per operation. Replaying our requests and the JS SDK's against identical fresh emulators shows whether
/// the emulator treats both forms alike.
/// </summary>
internal static class EmulatorReplay
{
    private static readonly HashSet<string> TransportHeaders = new(StringComparer.Ordinal)
    {
        "host", "content-length", "connection", "keep-alive", "transfer-encoding", "content-type", "accept-encoding",
    };

    public static async Task<IReadOnlyDictionary<string, int>> StatusesAsync(IReadOnlyList<RecordedRequest> requests)
    {
        var ports = LoopbackPorts.Free(3);
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Repository.PathOf("tests", "DaprOrders.Fidelity.Tests", "components", "client-replay"));
        options.Apps.Add(new EmulatedAppOptions { AppId = "client", DaprHttpPort = ports[0] });
        options.Apps.Add(new EmulatedAppOptions { AppId = "ordering", AppPort = ports[1], DaprHttpPort = ports[2] });
        await using var emulator = await DaprEmulator.StartAsync(options);
        await using var target = await StartTargetAppAsync(ports[1], emulator["ordering"].HttpEndpoint);
        await emulator.WaitForAppsReadyAsync(TimeSpan.FromSeconds(60));

        using var http = new HttpClient { BaseAddress = emulator["client"].HttpEndpoint };
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var recorded in requests.Where(r => r.Operation != SidecarRecorder.StartupOperation))
        {
            using var request = new HttpRequestMessage(new HttpMethod(recorded.Method), recorded.Path + recorded.Query);
            if (recorded.Body.Length > 0 || recorded.ContentType is not null)
            {
                request.Content = new ByteArrayContent(recorded.Body);
                if (recorded.ContentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(recorded.ContentType);
                }
            }

            foreach (var (name, value) in recorded.Headers.Where(h => !TransportHeaders.Contains(h.Key)))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request);
            statuses[recorded.Operation] = (int)response.StatusCode;
        }

        return statuses;
    }

    private static async Task<WebApplication> StartTargetAppAsync(int port, Uri sidecar)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddDaprSidecar(o => o.HttpEndpoint = sidecar);
        builder.Services.AddDaprActors(o => o.RegisterActor<CounterActor>());
        var app = builder.Build();
        app.MapPost("/orders", () => TypedResults.Ok(new FidelityCustomer("c-1")));
        app.MapGet("/orders/{id}", (string id) => TypedResults.Ok(new FidelityOrder(id)));
        app.MapDaprActors();
        await app.StartAsync();
        return app;
    }

    /// <summary>The .NET convention (as the .NET SDK's non-remoting actors): one JSON argument, the result as JSON.</summary>
    internal sealed class CounterActor : Actor
    {
        public Task<int> Increment(int by) => Task.FromResult(by + 1);
    }
}
