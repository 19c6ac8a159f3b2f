using Dapr.Client;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// One app ("sdkapp") behind the emulator, with the stores and topics the services use, and the official .NET SDK's
/// DaprClient pointed at the app's sidecar: gRPC for state, pub/sub and metadata, HTTP for health and invocation.
/// The app records what the sidecar delivers: "orders" arrive on /orders, the orderstore outbox on /outbox, "raw"
/// (a rawPayload subscription) on /raw.
/// </summary>
internal sealed class SdkTestBed : IAsyncDisposable
{
    public const string AppId = "sdkapp";

    private SdkTestBed(EmulatorTestBed bed, TestApp app, DaprClient client)
    {
        Bed = bed;
        App = app;
        Client = client;
    }

    public EmulatorTestBed Bed { get; }

    public TestApp App { get; }

    public DaprClient Client { get; }

    public AppSidecar Sidecar => Bed.Emulator[AppId];

    public static async Task<SdkTestBed> StartAsync(string? apiToken = null)
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""
            [{"pubsubname":"pubsub","topic":"orders","route":"/orders"},
             {"pubsubname":"pubsub","topic":"orders-outbox","route":"/outbox"},
             {"pubsubname":"pubsub","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}]
            """));
        var resources = new ResourceFolder()
            .WithPubSub()
            .WithStateStore(metadata: "    - name: actorStateStore\n      value: \"true\"\n")
            .WithStateStore("orderstore", metadata: """
                    - name: outboxPublishPubsub
                      value: pubsub
                    - name: outboxPublishTopic
                      value: orders-outbox

                """);
        var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { [AppId] = app },
            configure: options => options.Apps[0].DaprApiToken = apiToken);
        return new SdkTestBed(bed, app, NewClient(bed.Emulator[AppId], apiToken));
    }

    /// <summary>A DaprClient for <paramref name="sidecar"/>, as an app gets one from DAPR_GRPC_ENDPOINT, DAPR_HTTP_ENDPOINT and DAPR_API_TOKEN.</summary>
    public static DaprClient NewClient(AppSidecar sidecar, string? apiToken)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(sidecar.GrpcEndpoint.ToString())
            .UseHttpEndpoint(sidecar.HttpEndpoint.ToString());
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Bed.DisposeAsync();
    }
}
