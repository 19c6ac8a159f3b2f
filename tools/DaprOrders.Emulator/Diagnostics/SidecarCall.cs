using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Diagnostics;

/// <summary>
/// The API and method of a sidecar route, named after Dapr's building blocks
/// (https://docs.dapr.io/reference/api/): state get/bulk-get/save/delete/bulk-delete/transaction, publish
/// event/bulk, actors invoke/state-get/state-transaction, reminders and timers create/get/delete, invoke, metadata,
/// healthz. gRPC methods of dapr.proto.runtime.v1.Dapr map onto the same names.
/// </summary>
internal readonly record struct SidecarCall(string Api, string Method, ExchangeTransport Transport)
{
    private const string DaprGrpcService = "/dapr.proto.runtime.v1.Dapr/";

    /// <summary>Null for the emulator's own diagnostics routes, which are not Dapr exchanges.</summary>
    public static SidecarCall? Classify(Endpoint endpoint, string verb)
    {
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? string.Empty;
        if (pattern.StartsWith("/emulator/", StringComparison.Ordinal))
        {
            return null;
        }

        if (pattern.StartsWith(DaprGrpcService, StringComparison.Ordinal))
        {
            return Grpc(pattern[DaprGrpcService.Length..]);
        }

        if (pattern.StartsWith("/grpc.reflection.", StringComparison.Ordinal))
        {
            // The SDK's bulk publish asks reflection which methods the sidecar has.
            return new("grpc-reflection", "info", ExchangeTransport.Grpc);
        }

        return Http(pattern, verb);
    }

    private static SidecarCall Grpc(string method) => method switch
    {
        "GetState" => new("state", "get", ExchangeTransport.Grpc),
        "GetBulkState" => new("state", "bulk-get", ExchangeTransport.Grpc),
        "SaveState" => new("state", "save", ExchangeTransport.Grpc),
        "DeleteState" => new("state", "delete", ExchangeTransport.Grpc),
        "DeleteBulkState" => new("state", "bulk-delete", ExchangeTransport.Grpc),
        "ExecuteStateTransaction" => new("state", "transaction", ExchangeTransport.Grpc),
        "PublishEvent" => new("publish", "event", ExchangeTransport.Grpc),
        "BulkPublishEvent" or "BulkPublishEventAlpha1" => new("publish", "bulk", ExchangeTransport.Grpc),
        "GetMetadata" => new("metadata", "get", ExchangeTransport.Grpc),
        "SetMetadata" => new("metadata", "set", ExchangeTransport.Grpc),
        "InvokeService" => new("invoke", "method", ExchangeTransport.Grpc),
        "InvokeActor" => new("actors", "invoke", ExchangeTransport.Grpc),
        // Unimplemented by the emulator (it answers UNIMPLEMENTED) but still a round trip the app paid for.
        _ when !method.Contains('{', StringComparison.Ordinal) => new("grpc-other", method, ExchangeTransport.Grpc),
        _ => new("unmatched", "any", ExchangeTransport.Grpc),
    };

    private static SidecarCall Http(string pattern, string verb)
    {
        var write = HttpMethods.IsPost(verb) || HttpMethods.IsPut(verb);
        return pattern switch
        {
            "/v1.0/state/{store}" => new("state", "save", ExchangeTransport.Http),
            "/v1.0/state/{store}/bulk" => new("state", "bulk-get", ExchangeTransport.Http),
            "/v1.0/state/{store}/transaction" => new("state", "transaction", ExchangeTransport.Http),
            "/v1.0/state/{store}/{key}" => new("state", HttpMethods.IsDelete(verb) ? "delete" : "get", ExchangeTransport.Http),
            _ when pattern.StartsWith("/v1.0/publish/bulk/", StringComparison.Ordinal)
                || pattern.StartsWith("/v1.0-alpha1/publish/bulk/", StringComparison.Ordinal) => new("publish", "bulk", ExchangeTransport.Http),
            _ when pattern.StartsWith("/v1.0/publish/", StringComparison.Ordinal) => new("publish", "event", ExchangeTransport.Http),
            _ when pattern.StartsWith("/v1.0/actors/", StringComparison.Ordinal) => Actors(pattern, verb, write),
            _ when pattern.StartsWith("/v1.0/invoke/", StringComparison.Ordinal) => new("invoke", "method", ExchangeTransport.Http),
            "/v1.0/metadata" => new("metadata", "get", ExchangeTransport.Http),
            "/v1.0/metadata/{key}" => new("metadata", "set", ExchangeTransport.Http),
            "/v1.0/healthz" => new("healthz", "get", ExchangeTransport.Http),
            "/v1.0/healthz/outbound" => new("healthz", "outbound", ExchangeTransport.Http),
            _ => new("unmatched", "any", ExchangeTransport.Http),
        };
    }

    private static SidecarCall Actors(string pattern, string verb, bool write)
    {
        var api = pattern.Contains("/reminders/", StringComparison.Ordinal) ? "reminders"
            : pattern.Contains("/timers/", StringComparison.Ordinal) ? "timers"
            : "actors";
        var method = api switch
        {
            "actors" when pattern.Contains("/method/", StringComparison.Ordinal) => "invoke",
            "actors" when pattern.EndsWith("/state/{key}", StringComparison.Ordinal) => "state-get",
            "actors" when pattern.EndsWith("/state", StringComparison.Ordinal) => "state-transaction",
            "actors" => "other",
            _ when write => "create",
            _ when HttpMethods.IsDelete(verb) => "delete",
            _ => "get",
        };
        return new(api, method, ExchangeTransport.Http);
    }
}
