namespace DaprOrders.Deployment.Validation;

/// <summary>
/// What daprd or the component's Go code rejects at init beyond metadata.yaml, per the "runtimeChecks" notes
/// of the schema set's index.json (read from contrib v1.18.4 source) and the runtime built-ins listed in
/// <see cref="DaprRuntimeMetadata"/> (keyPrefix, outbox, topic scopes). Only values set inline can be checked; a value from a
/// secret store is taken on trust.
/// </summary>
public static class ComponentRuntimeRules
{
    private static readonly string[] s_kafkaAuthTypes = ["none", "password", "oidc", "oidc_private_key_jwt", "mtls", "certificate", "awsiam"];

    /// <param name="inline">Inline value of a metadata name (case-insensitive), null when absent or from a secret.</param>
    /// <param name="isSet">Whether a name is set at all (inline non-empty, secretKeyRef or envRef).</param>
    /// <returns>(metadata name the problem is about, message).</returns>
    public static IEnumerable<(string Field, string Message)> Check(ComponentVersion component, Func<string, string?> inline, Func<string, bool> isSet)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(inline);
        ArgumentNullException.ThrowIfNull(isSet);
        var problems = new List<(string, string)>();
        void Pair(string a, string b)
        {
            if (isSet(a) != isSet(b))
            {
                problems.Add((isSet(a) ? a : b, $"'{a}' and '{b}' must be set together"));
            }
        }

        switch (component.SpecType)
        {
            case "pubsub.rabbitmq":
                if (inline("deliveryMode") is { Length: > 0 } mode && (!int.TryParse(mode, out var m) || m is < 0 or > 2))
                {
                    problems.Add(("deliveryMode", $"deliveryMode must be 0, 1 or 2 (2 = persistent), got '{mode}'"));
                }

                if (inline("connectionString") is { Length: > 0 } uri
                    && !uri.StartsWith("amqp://", StringComparison.Ordinal) && !uri.StartsWith("amqps://", StringComparison.Ordinal))
                {
                    problems.Add(("connectionString", "connectionString must be an amqp:// or amqps:// URI"));
                }

                if (GoValueSyntax.ParseBool(inline("saslExternal") ?? "") == true && !(isSet("caCert") && isSet("clientCert") && isSet("clientKey")))
                {
                    problems.Add(("saslExternal", "saslExternal \"true\" requires caCert, clientCert and clientKey"));
                }

                break;
            case "pubsub.kafka":
                if (!isSet("authType"))
                {
                    problems.Add(("authType", "authType must be set (\"none\" for no authentication); the component fails to init without it"));
                }
                else if (inline("authType") is { Length: > 0 } auth && !s_kafkaAuthTypes.Contains(auth, StringComparer.Ordinal))
                {
                    problems.Add(("authType", $"authType '{auth}' is not accepted; accepted: {string.Join(", ", s_kafkaAuthTypes)}"));
                }

                break;
            case "pubsub.jetstream":
                if (!isSet("natsURL"))
                {
                    problems.Add(("natsURL", "natsURL must be set (\"missing nats URL\")"));
                }

                Pair("jwt", "seedKey");
                Pair("tls_client_cert", "tls_client_key");
                break;
            case "state.postgresql":
                if (inline("timeout") is { Length: > 0 } timeout && GoValueSyntax.TryParseDuration(timeout, out var t) && t <= TimeSpan.FromSeconds(1))
                {
                    problems.Add(("timeout", $"timeout must be greater than 1s, got '{timeout}'"));
                }

                break;
            case "bindings.smtp":
                if (!isSet("port") || inline("port") == "0")
                {
                    problems.Add(("port", "bindings.smtp needs a non-zero port at init despite the documented default 587"));
                }

                Pair("user", "password");
                break;
        }

        if (component.Category == "pubsub")
        {
            foreach (var name in new[] { "publishingScopes", "subscriptionScopes" })
            {
                foreach (var error in TopicAccessControl.ScopeSyntaxErrors(inline(name) ?? ""))
                {
                    problems.Add((name, $"{name}: {error}"));
                }
            }
        }

        if (component.Category == "state")
        {
            if (inline("keyPrefix") is { } prefix && prefix.Contains("||", StringComparison.Ordinal))
            {
                problems.Add(("keyPrefix", "keyPrefix must not contain '||' (daprd uses it as the separator)"));
            }

            Pair("outboxPublishPubsub", "outboxPublishTopic");
            if (isSet("outboxPubsub") && !isSet("outboxPublishPubsub"))
            {
                problems.Add(("outboxPubsub", "outboxPubsub has no effect without outboxPublishPubsub and outboxPublishTopic"));
            }

            if (component.Capabilities.Count > 0)
            {
                if (GoValueSyntax.ParseBool(inline("actorStateStore") ?? "") == true && !component.Capabilities.Contains("actorStateStore"))
                {
                    problems.Add(("actorStateStore", $"{component.SpecType} cannot be an actor state store"));
                }

                if (isSet("outboxPublishPubsub") && !component.Capabilities.Contains("transactional"))
                {
                    problems.Add(("outboxPublishPubsub", $"the outbox needs a transactional store; {component.SpecType} is not"));
                }
            }
        }

        return problems;
    }
}
