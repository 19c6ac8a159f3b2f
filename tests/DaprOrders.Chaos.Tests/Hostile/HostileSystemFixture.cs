using System.Net;
using System.Text;
using DaprOrders.Chaos.Harness;
using DaprOrders.Chaos.Run;
using DaprOrders.Contracts;

namespace DaprOrders.Chaos.Tests.Hostile;

/// <summary>
/// One running system for the whole corpus, with DAPR_API_TOKEN and APP_API_TOKEN set, and one order already
/// submitted (for the duplicate-id case). The corpus must leave every store and the broker exactly as they are.
/// </summary>
public sealed class HostileSystemFixture : IAsyncLifetime
{
    public const string AppToken = "hostile-app-token-5f1d0c";
    public const string ApiToken = "hostile-api-token-9a7e42";

    public ChaosSystem System { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new ChaosSystemOptions { AppApiToken = AppToken, DaprApiToken = ApiToken };
        System = await ChaosSystem.StartAsync(options);
        var existing = SystemApi.SubmittedEvent(HostileCase.ExistingSource, HostileCase.ExistingId, "customer-1", "EUR", [("sku-1", 1, 1500)]);
        var (status, _) = await new SystemApi(System).SubmitAsync(existing);
        Assert.Equal(HttpStatusCode.Accepted, status);
        await System.DriveUntilIdleAsync(TimeSpan.FromMinutes(5));
        await WaitForQuietStateAsync();
    }

    public async Task DisposeAsync() => await System.DisposeAsync();

    /// <summary>Every key with its ETag in every state store, and the publish counters: all a request could change.</summary>
    public string Snapshot()
    {
        var text = new StringBuilder();
        foreach (var store in System.StateStores.All.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var key in store.Store.Keys().Order(StringComparer.Ordinal))
            {
                text.Append(store.Name).Append(' ').Append(key).Append(' ').AppendLine(store.Store.Get(key)?.ETag);
            }
        }

        foreach (var (topic, count) in System.Broker.PublishedCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("published ").Append(topic).Append(' ').Append(count).AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Background writers (e.g. Ordering's order index) finish after the broker is idle: wait for a stable state.</summary>
    private async Task WaitForQuietStateAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var previous = Snapshot();
        var stableChecks = 0;
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (stableChecks < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "state did not settle within 30 s after the setup order");
            await ticks.WaitForNextTickAsync();
            var current = Snapshot();
            stableChecks = current == previous ? stableChecks + 1 : 0;
            previous = current;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileSystemFixture>
{
    public const string Name = "hostile system";
}
