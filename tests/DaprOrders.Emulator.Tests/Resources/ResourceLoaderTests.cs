using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.Tests.Resources;

// dapr/dapr release-1.17 pkg/apis/{subscriptions,resiliency,components}/ and pkg/config/configuration.go; daprd's
// self-hosted disk loader: every *.yaml/*.yml directly in each resources path, several documents per file.
public sealed class ResourceLoaderTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    private static EmulatorResources Load(string folder, string? config = null, params string[] apps)
    {
        var options = new EmulatorOptions { ConfigFilePath = config };
        options.ResourcesPaths.Add(folder);
        foreach (var app in apps)
        {
            options.Apps.Add(new EmulatedAppOptions { AppId = app });
        }

        return EmulatorResourceLoader.Load(options);
    }

    [Fact]
    public void Components_subscriptions_and_resiliency_load_from_multi_document_files_with_secrets_resolved()
    {
        Environment.SetEnvironmentVariable("EMULATOR_FIXTURE_KEY_PREFIX", "fixture-prefix");
        Environment.SetEnvironmentVariable("EMULATOR_FIXTURE_TOPIC", "orders");

        var resources = Load(Fixture("valid"));

        Assert.Equal(["pubsub", "envsecrets", "statestore"], resources.Components.Select(c => c.Name).ToArray());
        var store = resources.Components.Single(c => c.Name == "statestore");
        Assert.Equal("fixture-prefix", store.GetMetadata("KEYPREFIX"));
        Assert.Equal("orders", store.GetMetadata("outboxPublishTopic"));
        Assert.Equal("true", store.GetMetadata("actorStateStore"));
        Assert.Equal(["checkout"], store.Scopes);
        Assert.False(store.IsVisibleTo("shipping"));

        var orders = resources.Subscriptions.Single(s => s.Name == "orders");
        Assert.Equal(["/orders/big", "/orders"], orders.Rules.Select(r => r.Path).ToArray());
        Assert.Equal("orders-dlq", orders.DeadLetterTopic);
        Assert.Equal(["shipping"], orders.Scopes);
        var legacy = resources.Subscriptions.Single(s => s.Name == "legacy");
        Assert.Equal("/legacy", Assert.Single(legacy.Rules).Path);
        Assert.Empty(legacy.Scopes);

        var resiliency = Assert.Single(resources.Resiliencies);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), resiliency.Timeouts["bare"]);
        Assert.Equal(-1, resiliency.Retries["expo"].MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(15), resiliency.Retries["expo"].MaxInterval);
        Assert.True(resiliency.Retries["expo"].RetryOnHttpStatus!.Contains(503));
        Assert.False(resiliency.Retries["expo"].RetryOnHttpStatus!.Contains(400));
        Assert.Equal(8, resiliency.CircuitBreakers["cb"].TripAfterConsecutiveFailures);
        Assert.Equal("both", resiliency.Actors["OrderActor"].CircuitBreakerScope);
        Assert.Equal("pubsubRetry", resiliency.Components["pubsub"].Inbound!.Retry);
    }

    [Fact]
    public void Configuration_sets_sampling_and_features()
    {
        var resources = Load(Fixture("valid"), Path.Combine(Fixture("config"), "config.yaml"));

        Assert.False(resources.Configuration.TracingEnabled);
        Assert.True(resources.Configuration.IsFeatureEnabled("ActorStateTTL"));
        Assert.False(resources.Configuration.IsFeatureEnabled("HotReload"));
    }

    [Fact]
    public void Local_file_secret_store_resolves_nested_keys()
    {
        var resources = Load(Fixture("secrets"));

        Assert.Equal("from-file", resources.Components.Single(c => c.Name == "statestore").GetMetadata("keyPrefix"));
    }

    [Theory]
    [InlineData("rabbitmq", "component type pubsub.rabbitmq is not supported by the emulator; use components/in-memory or real Dapr")]
    [InlineData("unknown-metadata", "metadata 'redisHost' is not supported for state.in-memory")]
    [InlineData("unknown-spec-field", "field 'spec.policies.retries.r.backoff'")]
    [InlineData("bad-cel", "event.type.startsWith(\"order\")")]
    [InlineData("bad-trip", "trip expression 'totalFailures > 5 && requests > 10' is not supported")]
    public void Unsupported_resources_stop_startup_naming_the_file_and_field(string fixture, string expected)
    {
        var error = Assert.Throws<ResourceLoadException>(() => Load(Fixture(fixture)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("fixtures", fixture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_emulator_refuses_to_start_on_an_unsupported_resource()
    {
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Fixture("rabbitmq"));

        await Assert.ThrowsAsync<ResourceLoadException>(() => DaprEmulator.StartAsync(options));
    }

    [Fact]
    public void The_repositorys_in_memory_resources_and_configuration_load()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "repo-components");
        var options = new EmulatorOptions { ConfigFilePath = Path.Combine(root, "config", "config.yaml") };
        options.ResourcesPaths.Add(Path.Combine(root, "in-memory"));
        options.ResourcesPaths.Add(Path.Combine(root, "shared"));

        var resources = EmulatorResourceLoader.Load(options);

        Assert.Equal(["orderstore", "pubsub", "statestore"], resources.Components.Select(c => c.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["ordering"], resources.Components.Single(c => c.Name == "orderstore").Scopes);
        Assert.Single(resources.Resiliencies);
        Assert.True(resources.Configuration.TracingEnabled);
    }

    [Fact]
    public void Per_app_resources_paths_load_only_for_that_app()
    {
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Fixture("secrets"));
        options.Apps.Add(new EmulatedAppOptions { AppId = "shared-app" });
        var own = new EmulatedAppOptions { AppId = "own-app" };
        own.ResourcesPaths.Add(Fixture("valid"));
        options.Apps.Add(own);
        Environment.SetEnvironmentVariable("EMULATOR_FIXTURE_KEY_PREFIX", "fixture-prefix");

        var resources = EmulatorResourceLoader.Load(options);

        Assert.Equal(["filesecrets", "statestore"], resources.ComponentsFor("shared-app").Select(c => c.Name).ToArray());
        Assert.Equal(["pubsub", "envsecrets"], resources.ComponentsFor("own-app").Select(c => c.Name).ToArray());
    }
}
