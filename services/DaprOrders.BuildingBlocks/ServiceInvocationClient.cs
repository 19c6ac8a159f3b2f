using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr.Client;

namespace DaprOrders.BuildingBlocks;

/// <summary>
/// Service invocation the way the SDK supports it (its <c>InvokeMethodAsync</c> overloads are obsolete): an
/// <see cref="HttpClient"/> from <see cref="DaprClient.CreateInvokeHttpClient"/>, whose requests to
/// <c>http://{app-id}/{method}</c> go through the sidecar's <c>/v1.0/invoke/{app-id}/method/{method}</c> with the API token.
/// Dapr docs: developing-applications/sdks/dotnet/dotnet-client (service invocation with HttpClient).
/// </summary>
public sealed class ServiceInvocationClient(HttpClient http)
{
    /// <summary>Sends a GET to <paramref name="methodPath"/> of <paramref name="appId"/>; the caller reads and disposes the response.</summary>
    public Task<HttpResponseMessage> GetAsync(string appId, string methodPath, CancellationToken cancellationToken = default) =>
        http.GetAsync(MethodUri(appId, methodPath), cancellationToken);

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="methodPath"/> of <paramref name="appId"/>; the caller reads and disposes the response.</summary>
    public Task<HttpResponseMessage> PostAsJsonAsync<T>(string appId, string methodPath, T body, JsonTypeInfo<T> jsonTypeInfo,
        CancellationToken cancellationToken = default) =>
        http.PostAsync(MethodUri(appId, methodPath), JsonContent.Create(body, jsonTypeInfo), cancellationToken);

    private static Uri MethodUri(string appId, string methodPath) => new($"http://{appId}/{methodPath.TrimStart('/')}");
}
