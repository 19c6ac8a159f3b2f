using System.Globalization;
using System.Text.Json;
using DaprOrders.Emulator.PubSub;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprOrders.Emulator.Resources;

/// <summary>
/// Reads the resources paths and configuration file the way daprd does in self-hosted mode: every *.yaml / *.yml file
/// directly inside each path, several documents per file, top-level scopes. What the emulator cannot honour (component
/// types other than the in-memory ones, unknown metadata, unknown spec fields, CEL outside the supported subset) stops
/// startup with an error naming the file and field, so a test never passes against a configuration it ignored.
/// </summary>
internal static class EmulatorResourceLoader
{
    /// <summary>Component types the emulator implements.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> SupportedComponentMetadata = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // components-contrib metadata.yaml lists no metadata for the in-memory components; the rest are daprd built-ins.
        ["pubsub.in-memory"] = ["publishingScopes", "subscriptionScopes", "allowedTopics", "protectedTopics", "consumerID"],
        ["state.in-memory"] = ["actorStateStore", "keyPrefix", "outboxPublishPubsub", "outboxPublishTopic", "outboxPubsub", "outboxDiscardWhenMissingState"],
        ["secretstores.local.env"] = ["prefix"],
        ["secretstores.local.file"] = ["secretsFile", "nestedSeparator", "multiValued"],
    };

    public static EmulatorResources Load(EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var resources = new EmulatorResources();

        // Apps with their own resources paths see only those (as dapr run -f resolves them per app).
        var groups = options.Apps
            .GroupBy(a => string.Join('\n', (a.ResourcesPaths.Count > 0 ? a.ResourcesPaths : options.ResourcesPaths).Select(Path.GetFullPath)))
            .ToList();
        if (groups.Count == 0)
        {
            LoadPaths(options.ResourcesPaths, null, resources);
        }
        else
        {
            foreach (var group in groups)
            {
                var paths = group.Key.Length == 0 ? [] : group.Key.Split('\n');
                IReadOnlyList<string>? onlyFor = groups.Count == 1 ? null : group.Select(a => a.AppId).ToList();
                LoadPaths(paths, onlyFor, resources);
            }
        }

        if (!string.IsNullOrEmpty(options.ConfigFilePath))
        {
            resources.Configuration = LoadConfiguration(options.ConfigFilePath, resources.Warnings);
        }

        return resources;
    }

    private static void LoadPaths(IReadOnlyList<string> paths, IReadOnlyList<string>? onlyFor, EmulatorResources resources)
    {
        var pending = new List<PendingComponent>();
        foreach (var directory in paths)
        {
            if (!Directory.Exists(directory))
            {
                throw new ResourceLoadException($"resources path '{directory}' does not exist");
            }

            var files = Directory.EnumerateFiles(directory)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                foreach (var document in ReadDocuments(file))
                {
                    LoadDocument(document, onlyFor, pending, resources);
                }
            }
        }

        var duplicate = pending.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ResourceLoadException($"component '{duplicate.Key}' is defined twice ({string.Join(", ", duplicate.Select(d => d.File))})");
        }

        // Secret stores first: other components' secretKeyRefs resolve through them, as in daprd.
        var secretStores = pending
            .Where(c => c.Type.StartsWith("secretstores.", StringComparison.Ordinal))
            .ToDictionary(c => c.Name, c => LocalSecretStore.Create(c.Type, c.Resolve(null), c.File), StringComparer.Ordinal);
        foreach (var component in pending)
        {
            var store = component.SecretStore is null ? null : secretStores.GetValueOrDefault(component.SecretStore)
                ?? throw new ResourceLoadException($"{component.File}: component '{component.Name}' refers to secret store '{component.SecretStore}', which is not defined");
            resources.Components.Add(new ComponentDefinition(component.Name, component.Type, component.Version, component.Resolve(store), component.Scopes)
            {
                SourceFile = component.File,
            });
        }
    }

    private static IEnumerable<ResourceNode> ReadDocuments(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ResourceLoadException($"{file}: invalid YAML: {ex.Message}", ex);
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode { Children.Count: > 0 })
            {
                yield return new ResourceNode(document.RootNode, string.Empty, file);
            }
        }
    }

    private static void LoadDocument(ResourceNode document, IReadOnlyList<string>? onlyFor, List<PendingComponent> components, EmulatorResources resources)
    {
        var kind = document.OptionalString("kind") ?? throw document.Error("document has no 'kind'");
        var apiVersion = document.OptionalString("apiVersion") ?? string.Empty;
        var metadata = document.Required("metadata");
        var name = metadata.RequiredString("name");
        metadata.Accept("namespace", "labels", "annotations", "creationTimestamp", "uid", "resourceVersion", "generation");
        metadata.RejectUnknownFields(kind);
        var declaredScopes = document.StringList("scopes");
        var scopes = Scope(declaredScopes, onlyFor);
        if (scopes is null)
        {
            return;
        }

        switch (kind)
        {
            case "Component":
                RequireApiVersion(document, apiVersion, "dapr.io/v1alpha1");
                components.Add(LoadComponent(document, name, scopes));
                break;
            case "Subscription":
                resources.Subscriptions.Add(LoadSubscription(document, apiVersion, name, scopes));
                break;
            case "Resiliency":
                RequireApiVersion(document, apiVersion, "dapr.io/v1alpha1");
                resources.Resiliencies.Add(LoadResiliency(document, name, scopes));
                break;
            case "Configuration":
                // daprd reads Configuration only from --config, never from the resources path.
                document.Accept("apiVersion", "spec");
                resources.Warnings.Add($"{document.File}: Configuration '{name}' in a resources path is ignored (as daprd does); pass it as the config file");
                return;
            default:
                throw document.Error($"resource kind '{kind}' is not supported by the emulator (supported: Component, Subscription, Resiliency; Configuration via the config file)");
        }

        document.Accept("apiVersion");
        document.RejectUnknownFields(kind);
    }

    private static void RequireApiVersion(ResourceNode document, string apiVersion, string expected)
    {
        if (apiVersion != expected)
        {
            throw document.Error($"apiVersion '{apiVersion}' is not supported (expected {expected})");
        }
    }

    /// <summary>Declared scopes narrowed to the apps that load this path; null when no app loads it.</summary>
    private static List<string>? Scope(IReadOnlyList<string> declared, IReadOnlyList<string>? onlyFor)
    {
        if (onlyFor is null)
        {
            return [.. declared];
        }

        var effective = declared.Count == 0 ? [.. onlyFor] : declared.Intersect(onlyFor, StringComparer.Ordinal).ToList();
        return effective.Count == 0 ? null : effective;
    }

    private static PendingComponent LoadComponent(ResourceNode document, string name, List<string> scopes)
    {
        var spec = document.Required("spec");
        var type = spec.RequiredString("type");
        var version = spec.OptionalString("version") ?? "v1";
        if (!SupportedComponentMetadata.TryGetValue(type, out var allowedMetadata))
        {
            throw document.Error(
                $"component '{name}': component type {type} is not supported by the emulator; use components/in-memory or real Dapr " +
                $"(supported: {string.Join(", ", SupportedComponentMetadata.Keys)})");
        }

        if (version != "v1")
        {
            throw document.Error($"component '{name}': version '{version}' of {type} is not supported (expected v1)");
        }

        var items = new List<PendingMetadata>();
        foreach (var item in spec.Optional("metadata")?.Sequence() ?? [])
        {
            var itemName = item.RequiredString("name");
            var canonical = allowedMetadata.FirstOrDefault(a => string.Equals(a, itemName, StringComparison.OrdinalIgnoreCase))
                ?? throw item.Error($"component '{name}': metadata '{itemName}' is not supported for {type} by the emulator (supported: {string.Join(", ", allowedMetadata)})");
            var secretRef = item.Optional("secretKeyRef");
            string? secretName = null;
            string? secretKey = null;
            if (secretRef is not null)
            {
                secretName = secretRef.RequiredString("name");
                secretKey = secretRef.OptionalString("key");
                secretRef.RejectUnknownFields("secretKeyRef");
            }

            items.Add(new PendingMetadata(itemName, item.OptionalString("value"), secretName, secretKey, item.OptionalString("envRef")));
            _ = canonical;
            item.RejectUnknownFields($"component '{name}' metadata item");
        }

        // initTimeout and ignoreErrors change how daprd reacts to a failing init, which in-memory components never have.
        spec.Accept("initTimeout", "ignoreErrors");
        spec.RejectUnknownFields("Component spec");
        var auth = document.Optional("auth");
        var secretStore = auth?.OptionalString("secretStore");
        auth?.RejectUnknownFields("Component auth");
        if (items.Any(i => i.SecretName is not null) && string.IsNullOrEmpty(secretStore))
        {
            throw document.Error($"component '{name}': metadata uses secretKeyRef but auth.secretStore is not set (self-hosted daprd has no default secret store)");
        }

        return new PendingComponent(name, type, version, items, items.Any(i => i.SecretName is not null) ? secretStore : null, scopes, document.File);
    }

    private static SubscriptionDefinition LoadSubscription(ResourceNode document, string apiVersion, string name, List<string> scopes)
    {
        var spec = document.Required("spec");
        var pubsub = spec.RequiredString("pubsubname");
        var topic = spec.RequiredString("topic");
        var rules = new List<SubscriptionRule>();
        switch (apiVersion)
        {
            case "dapr.io/v2alpha1":
                var routes = spec.Required("routes");
                foreach (var rule in routes.Optional("rules")?.Sequence() ?? [])
                {
                    rules.Add(new SubscriptionRule(rule.OptionalString("match") ?? string.Empty, rule.RequiredString("path")));
                    rule.RejectUnknownFields("Subscription route rule");
                }

                if (routes.OptionalString("default") is { Length: > 0 } fallback)
                {
                    rules.Add(new SubscriptionRule(string.Empty, fallback));
                }

                routes.RejectUnknownFields("Subscription routes");
                break;
            case "dapr.io/v1alpha1":
                rules.Add(new SubscriptionRule(string.Empty, spec.RequiredString("route")));
                break;
            default:
                throw document.Error($"Subscription apiVersion '{apiVersion}' is not supported (expected dapr.io/v2alpha1 or dapr.io/v1alpha1)");
        }

        foreach (var rule in rules.Where(r => r.Match.Length > 0))
        {
            try
            {
                RoutingExpression.Parse(rule.Match);
            }
            catch (FormatException ex)
            {
                throw document.Error($"Subscription '{name}': {ex.Message}");
            }
        }

        if (rules.Count == 0)
        {
            throw document.Error($"Subscription '{name}' has no routes (daprd would discard it)");
        }

        var metadata = spec.Optional("metadata")?.Entries().ToDictionary(e => e.Key, e => e.Value.Scalar(), StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var bulk = spec.Optional("bulkSubscribe") is { } bulkNode ? LoadBulkSubscribe(bulkNode) : null;

        var deadLetterTopic = spec.OptionalString("deadLetterTopic");
        spec.RejectUnknownFields("Subscription spec");
        return new SubscriptionDefinition(name, pubsub, topic, rules, string.IsNullOrEmpty(deadLetterTopic) ? null : deadLetterTopic,
            metadata, bulk, scopes, document.File);
    }

    private static BulkSubscribeOptions LoadBulkSubscribe(ResourceNode node)
    {
        var options = new BulkSubscribeOptions(
            bool.TryParse(node.OptionalString("enabled"), out var enabled) && enabled,
            int.TryParse(node.OptionalString("maxMessagesCount"), CultureInfo.InvariantCulture, out var count) && count > 0 ? count : 100,
            int.TryParse(node.OptionalString("maxAwaitDurationMs"), CultureInfo.InvariantCulture, out var wait) && wait > 0 ? wait : 1000);
        node.RejectUnknownFields("bulkSubscribe");
        return options;
    }

    private static ResiliencyDefinition LoadResiliency(ResourceNode document, string name, List<string> scopes)
    {
        var spec = document.Required("spec");
        var policies = spec.Optional("policies");
        var timeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var retries = new Dictionary<string, RetryPolicy>(StringComparer.Ordinal);
        var breakers = new Dictionary<string, CircuitBreakerPolicy>(StringComparer.Ordinal);
        if (policies is not null)
        {
            foreach (var (policyName, value) in policies.Optional("timeouts")?.Entries() ?? [])
            {
                timeouts[policyName] = Duration(value, value.Scalar());
            }

            foreach (var (policyName, value) in policies.Optional("retries")?.Entries() ?? [])
            {
                retries[policyName] = LoadRetry(policyName, value);
            }

            foreach (var (policyName, value) in policies.Optional("circuitBreakers")?.Entries() ?? [])
            {
                breakers[policyName] = LoadCircuitBreaker(policyName, value);
            }

            policies.RejectUnknownFields("Resiliency policies");
        }

        var apps = new Dictionary<string, ResiliencyTargetRef>(StringComparer.Ordinal);
        var actors = new Dictionary<string, ResiliencyTargetRef>(StringComparer.Ordinal);
        var components = new Dictionary<string, ComponentResiliencyTargets>(StringComparer.Ordinal);
        var targets = spec.Optional("targets");
        if (targets is not null)
        {
            foreach (var (target, value) in targets.Optional("apps")?.Entries() ?? [])
            {
                apps[target] = LoadTarget(value, allowActorFields: false);
            }

            foreach (var (target, value) in targets.Optional("actors")?.Entries() ?? [])
            {
                actors[target] = LoadTarget(value, allowActorFields: true);
            }

            foreach (var (target, value) in targets.Optional("components")?.Entries() ?? [])
            {
                var outbound = value.Optional("outbound") is { } o ? LoadTarget(o, false) : null;
                var inbound = value.Optional("inbound") is { } i ? LoadTarget(i, false) : null;
                value.RejectUnknownFields("Resiliency component target");
                components[target] = new ComponentResiliencyTargets(outbound, inbound);
            }

            targets.RejectUnknownFields("Resiliency targets");
        }

        spec.RejectUnknownFields("Resiliency spec");
        var definition = new ResiliencyDefinition(name, timeouts, retries, breakers, apps, actors, components, scopes, document.File);
        ValidateReferences(document, definition);
        return definition;
    }

    private static void ValidateReferences(ResourceNode document, ResiliencyDefinition definition)
    {
        var refs = definition.Apps.Values.Concat(definition.Actors.Values)
            .Concat(definition.Components.Values.SelectMany(c => new[] { c.Inbound, c.Outbound }).OfType<ResiliencyTargetRef>());
        foreach (var target in refs)
        {
            if (target.Timeout is { } t && !definition.Timeouts.ContainsKey(t))
            {
                throw document.Error($"Resiliency '{definition.Name}': timeout policy '{t}' is not defined");
            }

            if (target.Retry is { } r && !definition.Retries.ContainsKey(r))
            {
                throw document.Error($"Resiliency '{definition.Name}': retry policy '{r}' is not defined");
            }

            if (target.CircuitBreaker is { } c && !definition.CircuitBreakers.ContainsKey(c))
            {
                throw document.Error($"Resiliency '{definition.Name}': circuit breaker policy '{c}' is not defined");
            }
        }
    }

    private static RetryPolicy LoadRetry(string name, ResourceNode node)
    {
        var policy = node.OptionalString("policy") ?? "constant";
        var backoff = policy switch
        {
            "constant" => RetryBackoff.Constant,
            "exponential" => RetryBackoff.Exponential,
            _ => throw node.Error($"retry policy '{name}': policy '{policy}' is not supported (constant or exponential)"),
        };
        var duration = node.Optional("duration") is { } d ? Duration(d, d.Scalar()) : TimeSpan.FromSeconds(5);
        var maxInterval = node.Optional("maxInterval") is { } m ? Duration(m, m.Scalar()) : TimeSpan.FromSeconds(60);
        var maxRetriesText = node.OptionalString("maxRetries");
        var maxRetries = -1; // daprd's default when omitted: retry forever
        if (maxRetriesText is not null && !int.TryParse(maxRetriesText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxRetries))
        {
            throw node.Error($"retry policy '{name}': maxRetries '{maxRetriesText}' is not an integer");
        }

        HttpStatusCodeSet? statusCodes = null;
        if (node.Optional("matching") is { } matching)
        {
            if (matching.OptionalString("httpStatusCodes") is { Length: > 0 } codes)
            {
                try
                {
                    statusCodes = HttpStatusCodeSet.Parse(codes);
                }
                catch (FormatException ex)
                {
                    throw node.Error($"retry policy '{name}': {ex.Message}");
                }
            }

            // gRPC codes filter gRPC errors only; the emulator speaks HTTP, so they never apply.
            matching.Accept("gRPCStatusCodes");
            matching.RejectUnknownFields("retry matching");
        }

        node.RejectUnknownFields($"retry policy '{name}'");
        return new RetryPolicy(name, backoff, duration, maxInterval, maxRetries, statusCodes);
    }

    private static CircuitBreakerPolicy LoadCircuitBreaker(string name, ResourceNode node)
    {
        var maxRequests = int.TryParse(node.OptionalString("maxRequests"), CultureInfo.InvariantCulture, out var m) ? m : 1;
        var interval = node.Optional("interval") is { } i ? Duration(i, i.Scalar()) : TimeSpan.Zero;
        var timeout = node.Optional("timeout") is { } t ? Duration(t, t.Scalar()) : TimeSpan.FromSeconds(60);
        var trip = node.OptionalString("trip") ?? "consecutiveFailures > 5";
        var match = System.Text.RegularExpressions.Regex.Match(trip, @"^\s*consecutiveFailures\s*(>=|>)\s*(\d+)\s*$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            throw node.Error($"circuit breaker '{name}': trip expression '{trip}' is not supported by the emulator (only 'consecutiveFailures > N')");
        }

        var threshold = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) - (match.Groups[1].Value == ">=" ? 1 : 0);
        node.RejectUnknownFields($"circuit breaker '{name}'");
        return new CircuitBreakerPolicy(name, maxRequests, interval, timeout, threshold);
    }

    private static ResiliencyTargetRef LoadTarget(ResourceNode node, bool allowActorFields)
    {
        var target = new ResiliencyTargetRef(
            node.OptionalString("timeout"),
            node.OptionalString("retry"),
            node.OptionalString("circuitBreaker"),
            allowActorFields ? node.OptionalString("circuitBreakerScope") : null,
            int.TryParse(node.OptionalString("circuitBreakerCacheSize"), CultureInfo.InvariantCulture, out var size) ? size : null);
        node.RejectUnknownFields("Resiliency target");
        return target;
    }

    private static TimeSpan Duration(ResourceNode node, string text) =>
        GoDuration.TryParseResiliency(text, out var duration)
            ? duration
            : throw node.Error($"'{text}' at '{node.Path}' is not a duration (Go format, e.g. 5s, 500ms, 1m30s)");

    private static ConfigurationDefinition LoadConfiguration(string file, List<string> warnings)
    {
        if (!File.Exists(file))
        {
            throw new ResourceLoadException($"configuration file '{file}' does not exist");
        }

        // Self-hosted daprd expands $VAR references in the config file.
        var text = Environment.ExpandEnvironmentVariables(System.Text.RegularExpressions.Regex.Replace(
            File.ReadAllText(file), @"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", m => Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? string.Empty,
            System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)));
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ResourceLoadException($"{file}: invalid YAML: {ex.Message}", ex);
        }

        var document = stream.Documents.Select(d => new ResourceNode(d.RootNode, string.Empty, file))
            .FirstOrDefault(d => d.IsMapping && d.OptionalString("kind") == "Configuration")
            ?? throw new ResourceLoadException($"{file}: no document of kind Configuration");
        var metadata = document.Required("metadata");
        var name = metadata.RequiredString("name");
        metadata.Accept("namespace", "labels", "annotations");
        metadata.RejectUnknownFields("Configuration");
        var spec = document.Optional("spec");
        var samplingRate = 0.0001;
        var features = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (spec is not null)
        {
            List<string> ignoredSettings = [];
            if (spec.Optional("tracing") is { } tracing)
            {
                if (tracing.OptionalString("samplingRate") is { } rate)
                {
                    samplingRate = double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1
                        ? parsed
                        : throw tracing.Error($"tracing.samplingRate '{rate}' is not a number between 0 and 1");
                }

                ignoredSettings.AddRange(new[] { "stdout", "otel", "zipkin" }.Where(tracing.Has).Select(exporter => $"tracing.{exporter}"));

                tracing.Accept("stdout", "otel", "zipkin");
                tracing.RejectUnknownFields("Configuration tracing");
            }

            foreach (var feature in spec.Optional("features")?.Sequence() ?? [])
            {
                features[feature.RequiredString("name")] = bool.TryParse(feature.OptionalString("enabled"), out var on) && on;
                feature.RejectUnknownFields("Configuration feature");
            }

            ignoredSettings.AddRange(new[] { "metric", "metrics", "logging", "secrets" }.Where(spec.Has));
            // One line for all of them: nothing here is for the user to fix, so it is said once.
            if (ignoredSettings.Count > 0)
            {
                warnings.Add($"{file}: {string.Join(", ", ignoredSettings)} accepted but without effect (the emulator propagates trace context but exports no telemetry and has no secrets API)");
            }

            spec.Accept("metric", "metrics", "logging", "secrets");
            spec.RejectUnknownFields("Configuration spec");
        }

        document.Accept("apiVersion", "kind", "scopes");
        document.RejectUnknownFields("Configuration");
        return new ConfigurationDefinition(name, samplingRate, features);
    }

    private sealed record PendingMetadata(string Name, string? Value, string? SecretName, string? SecretKey, string? EnvRef);

    private sealed record PendingComponent(
        string Name,
        string Type,
        string Version,
        IReadOnlyList<PendingMetadata> Items,
        string? SecretStore,
        List<string> Scopes,
        string File)
    {
        public Dictionary<string, string> Resolve(LocalSecretStore? secrets)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in Items)
            {
                if (item.SecretName is not null)
                {
                    values[item.Name] = secrets!.Get(item.SecretName, item.SecretKey)
                        ?? throw new ResourceLoadException($"{File}: component '{Name}': secret '{item.SecretName}' (key '{item.SecretKey ?? item.SecretName}') not found in secret store '{SecretStore}'");
                }
                else if (item.EnvRef is not null)
                {
                    values[item.Name] = Environment.GetEnvironmentVariable(item.EnvRef) ?? string.Empty;
                }
                else
                {
                    values[item.Name] = item.Value ?? string.Empty;
                }
            }

            return values;
        }
    }
}

/// <summary>The secretstores.local.env and secretstores.local.file components, used to resolve secretKeyRef at load time.</summary>
internal sealed class LocalSecretStore(Func<string, string?> lookup)
{
    public string? Get(string name, string? key)
    {
        // Single-valued local stores return {name: value}; daprd then picks the key (defaults to the name).
        var effectiveKey = string.IsNullOrEmpty(key) ? name : key;
        return effectiveKey == name ? lookup(name) : null;
    }

    public static LocalSecretStore Create(string type, Dictionary<string, string> metadata, string file)
    {
        if (type == "secretstores.local.env")
        {
            var prefix = metadata.GetValueOrDefault("prefix") ?? string.Empty;
            return new LocalSecretStore(name => Environment.GetEnvironmentVariable(prefix + name));
        }

        var secretsFile = metadata.FirstOrDefault(m => m.Key.Equals("secretsFile", StringComparison.OrdinalIgnoreCase)).Value
            ?? throw new ResourceLoadException($"{file}: secretstores.local.file requires metadata 'secretsFile'");
        var separator = metadata.FirstOrDefault(m => m.Key.Equals("nestedSeparator", StringComparison.OrdinalIgnoreCase)).Value ?? ":";
        // daprd resolves the path against its working directory; the emulator also tries the component's folder.
        var path = File.Exists(secretsFile) ? secretsFile : Path.Combine(Path.GetDirectoryName(file) ?? ".", secretsFile);
        if (!File.Exists(path))
        {
            throw new ResourceLoadException($"{file}: secrets file '{secretsFile}' does not exist");
        }

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Flatten(json.RootElement, string.Empty, separator, secrets);
        return new LocalSecretStore(secrets.GetValueOrDefault);
    }

    private static void Flatten(JsonElement element, string prefix, string separator, Dictionary<string, string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + separator + property.Name, separator, into);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, prefix + separator + index.ToString(CultureInfo.InvariantCulture), separator, into);
                    index++;
                }

                break;
            case JsonValueKind.String:
                into[prefix] = element.GetString()!;
                break;
            default:
                into[prefix] = element.GetRawText();
                break;
        }
    }
}
