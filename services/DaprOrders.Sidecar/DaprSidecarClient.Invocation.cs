using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

public sealed partial class DaprSidecarClient
{
    /// <summary>
    /// A request for <c>/v1.0/invoke/{appId}/method/{methodPath}</c> carrying the API token; path and query of
    /// <paramref name="methodPath"/> are kept. Send it with <see cref="InvokeMethodWithResponseAsync"/>.
    /// Dapr docs: reference/api/service_invocation_api#invoke-a-method-on-a-remote-dapr-app
    /// </summary>
    public HttpRequestMessage CreateInvokeMethodRequest(HttpMethod method, string appId, string methodPath)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(methodPath);
        return CreateRequest(method, $"/v1.0/invoke/{Segment(appId)}/method/{methodPath.TrimStart('/')}");
    }

    /// <summary>Sends an invocation request and returns the response as is (no exception for non-2xx).</summary>
    public Task<HttpResponseMessage> InvokeMethodWithResponseAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>Invokes with a JSON body and reads a JSON response; non-2xx ⇒ <see cref="DaprApiException"/>.</summary>
    public async Task<TResponse?> InvokeMethodAsync<TRequest, TResponse>(HttpMethod method, string appId, string methodPath,
        TRequest request, JsonTypeInfo<TRequest> requestTypeInfo, JsonTypeInfo<TResponse> responseTypeInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestTypeInfo);
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        using var message = CreateInvokeMethodRequest(method, appId, methodPath);
        message.Content = JsonBody(JsonSerializer.SerializeToUtf8Bytes(request, requestTypeInfo));
        using var response = await SendAsync(message, cancellationToken);
        await EnsureSuccessAsync(message, response, cancellationToken);
        return await ReadJsonAsync(response, responseTypeInfo, cancellationToken);
    }

    /// <summary>Invokes without a body and reads a JSON response.</summary>
    public async Task<TResponse?> InvokeMethodAsync<TResponse>(HttpMethod method, string appId, string methodPath,
        JsonTypeInfo<TResponse> responseTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        using var message = CreateInvokeMethodRequest(method, appId, methodPath);
        using var response = await SendAsync(message, cancellationToken);
        await EnsureSuccessAsync(message, response, cancellationToken);
        return await ReadJsonAsync(response, responseTypeInfo, cancellationToken);
    }

    /// <summary>Invokes with a JSON body and ignores the response body.</summary>
    public async Task InvokeMethodAsync<TRequest>(HttpMethod method, string appId, string methodPath,
        TRequest request, JsonTypeInfo<TRequest> requestTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestTypeInfo);
        using var message = CreateInvokeMethodRequest(method, appId, methodPath);
        message.Content = JsonBody(JsonSerializer.SerializeToUtf8Bytes(request, requestTypeInfo));
        using var response = await SendAsync(message, cancellationToken);
        await EnsureSuccessAsync(message, response, cancellationToken);
    }
}
