using System.Text.Json;

namespace DaprOrders.Emulator.Actors;

/// <summary>How daprd runs one actor type, from the hosting app's GET /dapr/config (dapr/dapr release-1.17 pkg/actors/targets/app/app.go).</summary>
public sealed record ActorTypeSettings(
    string ActorType,
    TimeSpan IdleTimeout,
    TimeSpan DrainOngoingCallTimeout,
    bool ReentrancyEnabled,
    int MaxStackDepth)
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);

    /// <summary>daprd 1.17's default (60 s in 1.15/1.16).</summary>
    public static readonly TimeSpan DefaultDrainOngoingCallTimeout = TimeSpan.FromSeconds(2);

    public const int DefaultMaxStackDepth = 32;
}

/// <summary>The actor part of an app's GET /dapr/config answer: the types it hosts and their settings.</summary>
public sealed record ActorHostConfig(IReadOnlyList<ActorTypeSettings> Types, IReadOnlyList<string> Warnings)
{
    public static readonly ActorHostConfig None = new([], []);

    /// <summary>
    /// Parses the body the way daprd does: Go JSON decoding (field names case-insensitive, unknown fields ignored),
    /// Go durations, per-type overrides from entitiesConfig. Bad durations keep the default and are reported as warnings.
    /// </summary>
    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static ActorHostConfig Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return None;
        }

        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("the app configuration is not a JSON object");
        }

        var warnings = new List<string>();
        var idle = Duration(root, "actorIdleTimeout", ActorTypeSettings.DefaultIdleTimeout, warnings);
        var drain = Duration(root, "drainOngoingCallTimeout", ActorTypeSettings.DefaultDrainOngoingCallTimeout, warnings);
        var (reentrant, depth) = Reentrancy(root, (false, ActorTypeSettings.DefaultMaxStackDepth));

        var types = new List<ActorTypeSettings>();
        foreach (var entity in Strings(root, "entities"))
        {
            if (types.All(t => t.ActorType != entity))
            {
                types.Add(new ActorTypeSettings(entity, idle, drain, reentrant, depth));
            }
        }

        if (Property(root, "entitiesConfig") is { ValueKind: JsonValueKind.Array } perType)
        {
            foreach (var entry in perType.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                foreach (var entity in Strings(entry, "entities"))
                {
                    var index = types.FindIndex(t => t.ActorType == entity);
                    if (index < 0)
                    {
                        warnings.Add($"entitiesConfig names actor type '{entity}', which the app does not host; ignored");
                        continue;
                    }

                    var current = types[index];
                    var (typeReentrant, typeDepth) = Reentrancy(entry, (current.ReentrancyEnabled, current.MaxStackDepth));
                    types[index] = current with
                    {
                        IdleTimeout = Duration(entry, "actorIdleTimeout", current.IdleTimeout, warnings),
                        DrainOngoingCallTimeout = Duration(entry, "drainOngoingCallTimeout", current.DrainOngoingCallTimeout, warnings),
                        ReentrancyEnabled = typeReentrant,
                        MaxStackDepth = typeDepth,
                    };
                }
            }
        }

        return new ActorHostConfig(types, warnings);
    }

    private static JsonElement? Property(JsonElement element, string name) => GoJsonFields.Property(element, name);

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(s => s.Length > 0).ToList()
            : [];

    private static TimeSpan Duration(JsonElement element, string name, TimeSpan fallback, List<string> warnings)
    {
        if (Property(element, name) is not { ValueKind: JsonValueKind.String } value || value.GetString() is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (DaprDuration.TryParseGo(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        warnings.Add($"{name} '{text}' is not a positive Go duration; using {fallback}");
        return fallback;
    }

    private static (bool Enabled, int MaxStackDepth) Reentrancy(JsonElement element, (bool Enabled, int MaxStackDepth) fallback)
    {
        if (Property(element, "reentrancy") is not { ValueKind: JsonValueKind.Object } reentrancy)
        {
            return fallback;
        }

        var enabled = Property(reentrancy, "enabled") is { ValueKind: JsonValueKind.True };
        var depth = Property(reentrancy, "maxStackDepth") is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var d) && d > 0
            ? d
            : ActorTypeSettings.DefaultMaxStackDepth;
        return (enabled, depth);
    }
}
