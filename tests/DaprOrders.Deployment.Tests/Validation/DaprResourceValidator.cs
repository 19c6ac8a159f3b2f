using System.Globalization;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Validates single YAML documents: Dapr resources (Component, Subscription, Resiliency, Configuration,
/// HTTPEndpoint) against the strict CRD schemas plus Dapr semantics, Kubernetes objects against the
/// v1.33.1 standalone-strict schemas, kind/ctlptl cluster configs against theirs. Reusable by any suite that
/// has YAML (components, k8s manifests, rendered Helm output).
/// </summary>
public sealed class DaprResourceValidator
{
    private static readonly string[] s_retryPolicies = ["constant", "exponential"];
    private static readonly string[] s_circuitBreakerScopes = ["type", "id", "both"];

    private readonly ResourceSchemaCatalog _schemas;
    private readonly ComponentMetadataValidator _components;

    public DaprResourceValidator(ResourceSchemaCatalog schemas, ComponentMetadataCatalog components)
    {
        _schemas = schemas;
        _components = new ComponentMetadataValidator(components);
    }

    /// <summary>Creates a validator over a schema directory laid out as tools/fetch-schemas.sh writes it.</summary>
    public static DaprResourceValidator FromSchemaDirectory(string schemaDirectory) =>
        new(new ResourceSchemaCatalog(schemaDirectory), new ComponentMetadataCatalog(schemaDirectory));

    public ResourceSchemaCatalog Schemas => _schemas;

    public IReadOnlyList<Finding> Validate(YamlResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!resource.IsResource)
        {
            return [resource.Finding(FindingSeverity.Error, FindingCodes.NotAResource, null, "document has no apiVersion and kind")];
        }

        var schema = _schemas.SchemaFor(resource.ApiVersion!, resource.Kind!);
        if (schema is null)
        {
            return [resource.Finding(FindingSeverity.Error, FindingCodes.NoSchema, resource.Json["kind"],
                $"no schema for {resource.Kind} {resource.ApiVersion} in the schema set; add one or fix apiVersion/kind")];
        }

        var findings = new List<Finding>(SchemaFindings(resource, schema));
        if (resource.ApiVersion!.StartsWith("dapr.io/", StringComparison.Ordinal))
        {
            switch (resource.Kind)
            {
                case "Component":
                    findings.AddRange(_components.Validate(resource));
                    break;
                case "Resiliency":
                    findings.AddRange(ResiliencySemantics(resource));
                    break;
                case "Configuration":
                    findings.AddRange(ConfigurationSemantics(resource));
                    break;
            }
        }

        return findings;
    }

    /// <summary>Validates a document against any JSON schema (used for Helm values and tests).</summary>
    public static IEnumerable<Finding> SchemaFindings(YamlResource resource, JsonSchema schema)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(schema);
        return Flatten(schema.Validate(resource.Json)).Select(error =>
        {
            var path = error.Path?.TrimStart('#', '/') ?? "";
            var at = SelectByPath(resource.Json, path);
            var what = error.Kind switch
            {
                ValidationErrorKind.NoAdditionalPropertiesAllowed => $"unknown field '{error.Property}'",
                ValidationErrorKind.PropertyRequired => $"required field '{error.Property}' is missing",
                ValidationErrorKind.StringExpected => $"expected a string, got {Describe(at)}",
                ValidationErrorKind.IntegerExpected => $"expected an integer, got {Describe(at)}",
                ValidationErrorKind.NumberExpected => $"expected a number, got {Describe(at)}",
                ValidationErrorKind.BooleanExpected => $"expected a boolean, got {Describe(at)}",
                ValidationErrorKind.ArrayExpected => $"expected a list, got {Describe(at)}",
                ValidationErrorKind.ObjectExpected => $"expected a mapping, got {Describe(at)}",
                ValidationErrorKind.NotInEnumeration => $"{Describe(at)} is not one of the allowed values",
                _ => $"{error.Kind}{(string.IsNullOrEmpty(error.Property) ? "" : $" ('{error.Property}')")}",
            };
            return new Finding(FindingSeverity.Error, FindingCodes.Schema, resource.File, resource.Document,
                Math.Max(YamlResource.LineOf(at), resource.Line), path, what);
        });
    }

    private static string Describe(JToken? token) => token switch
    {
        null => "nothing",
        JValue { Type: JTokenType.String } s => $"the string \"{(string?)s}\"",
        JValue { Type: JTokenType.Null } => "null",
        JValue v => $"{v.Type.ToString().ToLowerInvariant()} {v.ToString(Newtonsoft.Json.Formatting.None)}",
        JArray => "a list",
        _ => "a mapping",
    };

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is MultiTypeValidationError multi && multi.Errors.Count > 0)
            {
                // "type: [array, null]" and the like: report the branch of the non-null type that came closest.
                var best = multi.Errors
                    .OrderBy(e => e.Key.HasFlag(JsonObjectType.Null) ? 1 : 0)
                    .ThenBy(e => e.Value.Count)
                    .First().Value;
                foreach (var inner in Flatten(best))
                {
                    yield return inner;
                }

                continue;
            }

            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                // oneOf/anyOf: report the branch that came closest (fewest errors).
                var best = child.Errors.Values.OrderBy(e => e.Count).First();
                foreach (var inner in Flatten(best))
                {
                    yield return inner;
                }

                continue;
            }

            yield return error;
        }
    }

    private static JToken? SelectByPath(JToken start, string path)
    {
        // NJsonSchema reports JToken paths, which start at the document root even for a validated sub-tree.
        var root = start.Root;
        for (var candidate = path; ; candidate = candidate[..Math.Max(0, candidate.LastIndexOfAny(['.', '[']))])
        {
            try
            {
                if (candidate.Length == 0)
                {
                    return root;
                }

                if (root.SelectToken(candidate) is { } token)
                {
                    return token;
                }
            }
            catch (Newtonsoft.Json.JsonException)
            {
                // not a Newtonsoft path (keys with dots); fall back to the parent
            }

            if (candidate.LastIndexOfAny(['.', '[']) < 0)
            {
                return root;
            }
        }
    }

    private static IEnumerable<Finding> ResiliencySemantics(YamlResource resource)
    {
        var policies = resource.Json.SelectToken("spec.policies") as JObject;
        var timeouts = policies?["timeouts"] as JObject ?? [];
        var retries = policies?["retries"] as JObject ?? [];
        var breakers = policies?["circuitBreakers"] as JObject ?? [];
        var findings = new List<Finding>();
        void Error(JToken at, string message) => findings.Add(resource.Finding(FindingSeverity.Error, FindingCodes.ResiliencyValue, at, message));
        void Warn(JToken at, string message) => findings.Add(resource.Finding(FindingSeverity.Warning, FindingCodes.ResiliencyValue, at, message));

        foreach (var (name, value) in timeouts)
        {
            if (value is JValue { Type: JTokenType.Integer })
            {
                Warn(value, $"timeout '{name}' is a bare integer, which daprd reads as MILLISECONDS; write a Go duration such as \"5s\"");
            }
            else if (value?.Type != JTokenType.String || !GoValueSyntax.TryParseDuration((string)value!, out _))
            {
                Error(value ?? timeouts, $"timeout '{name}' must be a Go duration such as \"5s\"");
            }
        }

        foreach (var (name, value) in retries)
        {
            if (value is not JObject retry)
            {
                continue;
            }

            var policy = (string?)retry["policy"] ?? "constant";
            if (!s_retryPolicies.Contains(policy))
            {
                Error(retry["policy"]!, $"retry '{name}': policy must be constant or exponential (Dapr has no other back-off shapes)");
            }

            foreach (var durationKey in new[] { "duration", "maxInterval" })
            {
                if (retry[durationKey] is { } d && (d.Type != JTokenType.String || !GoValueSyntax.TryParseDuration((string)d!, out _)))
                {
                    Error(d, $"retry '{name}': {durationKey} must be a Go duration");
                }
            }

            if (policy == "exponential" && retry["duration"] is { } ignored)
            {
                Warn(ignored, $"retry '{name}': duration is ignored by exponential retries (fixed 500 ms initial interval)");
            }

            if (policy == "constant" && retry["maxInterval"] is { } ignoredMax)
            {
                Warn(ignoredMax, $"retry '{name}': maxInterval only applies to exponential retries");
            }

            if (retry["maxRetries"] is null)
            {
                Warn(retry, $"retry '{name}': maxRetries omitted means -1, retry FOREVER; set it explicitly");
            }
            else if (retry["maxRetries"]!.Type == JTokenType.Integer && (long)retry["maxRetries"]! < -1)
            {
                Error(retry["maxRetries"]!, $"retry '{name}': maxRetries must be -1 (unlimited), 0 or positive");
            }

            CheckCodes(retry.SelectToken("matching.httpStatusCodes"), 100, 599, name);
            CheckCodes(retry.SelectToken("matching.gRPCStatusCodes"), 0, 16, name);
        }

        foreach (var (name, value) in breakers)
        {
            if (value is not JObject breaker)
            {
                continue;
            }

            foreach (var durationKey in new[] { "interval", "timeout" })
            {
                if (breaker[durationKey] is { } d && (d.Type != JTokenType.String || !GoValueSyntax.TryParseDuration((string)d!, out _)))
                {
                    Error(d, $"circuit breaker '{name}': {durationKey} must be a Go duration");
                }
            }

            if (breaker["trip"] is { Type: JTokenType.String } trip && string.IsNullOrWhiteSpace((string?)trip))
            {
                Error(trip, $"circuit breaker '{name}': trip must be an expression such as \"consecutiveFailures > 5\"");
            }
        }

        var targets = resource.Json.SelectToken("spec.targets") as JObject;
        IEnumerable<(string Kind, string Name, JObject Target)> Targets()
        {
            foreach (var (name, t) in targets?["apps"] as JObject ?? [])
            {
                if (t is JObject o)
                {
                    yield return ("app", name, o);
                }
            }

            foreach (var (name, t) in targets?["actors"] as JObject ?? [])
            {
                if (t is JObject o)
                {
                    yield return ("actor", name, o);
                }
            }

            foreach (var (name, t) in targets?["components"] as JObject ?? [])
            {
                foreach (var direction in new[] { "inbound", "outbound" })
                {
                    if (t?[direction] is JObject o)
                    {
                        yield return ($"component {direction}", name, o);
                    }
                }
            }
        }

        foreach (var (kind, name, target) in Targets())
        {
            Reference(target, "timeout", timeouts, kind, name);
            Reference(target, "retry", retries, kind, name);
            Reference(target, "circuitBreaker", breakers, kind, name);
            if (kind == "actor" && target["circuitBreaker"] is not null
                && !s_circuitBreakerScopes.Contains((string?)target["circuitBreakerScope"] ?? ""))
            {
                findings.Add(resource.Finding(FindingSeverity.Error, FindingCodes.ResiliencyReference, target,
                    $"actor target '{name}' has a circuitBreaker, so circuitBreakerScope must be type, id or both"));
            }
        }

        return findings;

        void Reference(JObject target, string key, JObject defined, string kind, string name)
        {
            if (target[key] is { Type: JTokenType.String } reference && defined[(string)reference!] is null)
            {
                findings.Add(resource.Finding(FindingSeverity.Error, FindingCodes.ResiliencyReference, reference,
                    $"{kind} target '{name}' refers to {key} policy '{(string?)reference}', which spec.policies does not define"));
            }
        }

        void CheckCodes(JToken? codes, int min, int max, string retryName)
        {
            if (codes?.Type != JTokenType.String)
            {
                return;
            }

            foreach (var part in ((string)codes!).Split(',', StringSplitOptions.TrimEntries))
            {
                var bounds = part.Split('-');
                var ok = bounds.Length is 1 or 2 && bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c >= min && c <= max);
                if (!ok)
                {
                    Error(codes, $"retry '{retryName}': '{part}' is not a status code or range within {min}-{max}");
                }
            }
        }
    }

    private static IEnumerable<Finding> ConfigurationSemantics(YamlResource resource)
    {
        if (resource.Json.SelectToken("spec.tracing.samplingRate") is { Type: JTokenType.String } rate
            && !(double.TryParse((string?)rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1))
        {
            yield return resource.Finding(FindingSeverity.Error, FindingCodes.ConfigurationValue, rate, "tracing.samplingRate must be a number between \"0\" and \"1\"");
        }

        if (resource.Json.SelectToken("spec.tracing.otel") is JObject otel)
        {
            var protocol = (string?)otel["protocol"];
            if (protocol is not ("grpc" or "http"))
            {
                yield return resource.Finding(FindingSeverity.Error, FindingCodes.ConfigurationValue, otel["protocol"] ?? otel, "tracing.otel.protocol must be grpc or http");
            }

            if (protocol == "grpc" && ((string?)otel["endpointAddress"] ?? "").Contains("://", StringComparison.Ordinal))
            {
                yield return resource.Finding(FindingSeverity.Error, FindingCodes.ConfigurationValue, otel["endpointAddress"],
                    "an OTLP/gRPC endpointAddress is host:port without a scheme");
            }
        }
    }
}
