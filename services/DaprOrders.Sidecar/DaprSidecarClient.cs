using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DaprOrders.Sidecar;

/// <summary>
/// Client for the Dapr sidecar's HTTP API v1.0 (daprd 1.15–1.18). Register with
/// <see cref="DaprSidecarServiceCollectionExtensions.AddDaprSidecar"/>; it is a typed HttpClient, so instances are
/// cheap and share one pooled handler. Method names follow the official Dapr .NET SDK.
/// </summary>
public sealed partial class DaprSidecarClient
{
    internal const string ApiTokenHeader = "dapr-api-token";
    internal const string ReentrancyIdHeader = "Dapr-Reentrancy-Id";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeHeaderValue CloudEventsMediaType = new("application/cloudevents+json");

    private readonly HttpClient _http;
    private readonly DaprSidecarOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string _baseUrl;

    public DaprSidecarClient(HttpClient httpClient, IOptions<DaprSidecarOptions> options,
        ILogger<DaprSidecarClient>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _baseUrl = _options.HttpEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The sidecar base URL this client talks to.</summary>
    public Uri Endpoint => _options.HttpEndpoint;

    internal DaprSidecarOptions Options => _options;

    // ---------------------------------------------------------------- health and metadata

    /// <summary>
    /// Polls <c>GET /v1.0/healthz/outbound</c> until it answers 2xx or <see cref="DaprSidecarOptions.StartupTimeout"/>
    /// passes. Outbound health turns ready before daprd waits for the app port, so this is safe to call while the app
    /// is starting. Throws <see cref="DaprSidecarUnavailableException"/> naming the URL and the variables to check.
    /// </summary>
    public async Task WaitForSidecarAsync(CancellationToken cancellationToken = default)
    {
        var timeout = _options.StartupTimeout;
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        string lastOutcome = "no answer yet";
        Exception? lastError = null;
        var attempts = 0;

        while (true)
        {
            attempts++;
            try
            {
                using var request = CreateRequest(HttpMethod.Get, "/v1.0/healthz/outbound");
                using var response = await _http.SendAsync(request, linked.Token);
                if (response.IsSuccessStatusCode)
                {
                    Log.SidecarReady(_logger, _options.HttpEndpoint, attempts);
                    return;
                }

                lastOutcome = $"HTTP {(int)response.StatusCode}";
                lastError = null;
            }
            catch (HttpRequestException ex)
            {
                lastOutcome = ex.Message;
                lastError = ex;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            Log.SidecarNotReady(_logger, _options.HttpEndpoint, lastOutcome);
            try
            {
                await Task.Delay(_options.StartupPollInterval, _timeProvider, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new DaprSidecarUnavailableException(_options.HttpEndpoint,
            $"The Dapr sidecar at {_options.HttpEndpoint} did not become ready (GET /v1.0/healthz/outbound) within " +
            $"{timeout.TotalSeconds:0.###} s after {attempts} attempt(s); last result: {lastOutcome}. Check that daprd is running " +
            $"and that {DaprSidecarOptions.HttpEndpointVariable} or {DaprSidecarOptions.HttpPortVariable} point to its HTTP port.",
            lastError);
    }

    /// <summary><c>GET /v1.0/healthz</c>: true once daprd finished initialising (including the app channel).</summary>
    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync("/v1.0/healthz", cancellationToken);

    /// <summary><c>GET /v1.0/healthz/outbound</c>: true once components and the API are up.</summary>
    public Task<bool> CheckOutboundHealthAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync("/v1.0/healthz/outbound", cancellationToken);

    /// <summary><c>GET /v1.0/metadata</c>.</summary>
    public async Task<DaprMetadata> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, "/v1.0/metadata");
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        return await ReadJsonAsync(response, SidecarJsonContext.Default.DaprMetadata, cancellationToken)
            ?? throw new DaprApiException("GET /v1.0/metadata returned an empty body.");
    }

    private async Task<bool> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = CreateRequest(HttpMethod.Get, path);
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- plumbing shared by every API

    private HttpRequestMessage CreateRequest(HttpMethod method, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl + pathAndQuery, UriKind.Absolute));
        if (!string.IsNullOrEmpty(_options.ApiToken))
        {
            request.Headers.TryAddWithoutValidation(ApiTokenHeader, _options.ApiToken);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Log.SendingRequest(_logger, request.Method, request.RequestUri!.AbsolutePath);
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprSidecarUnavailableException(_options.HttpEndpoint,
                $"Could not reach the Dapr sidecar at {_options.HttpEndpoint} for {Describe(request)}: {ex.Message}. " +
                $"Check that daprd is running and that {DaprSidecarOptions.HttpEndpointVariable} or " +
                $"{DaprSidecarOptions.HttpPortVariable} point to its HTTP port.", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(request, response, eTagMismatchOnConflict: false, cancellationToken);
        }
    }

    internal static async Task<DaprApiException> ReadErrorAsync(HttpRequestMessage request, HttpResponseMessage response,
        bool eTagMismatchOnConflict, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = response.StatusCode;
        string? errorCode = null;
        var message = body;

        if (TryParseError(body, out var parsed))
        {
            errorCode = parsed.ErrorCode;
            message = parsed.Message ?? body;
        }
        else if (status == HttpStatusCode.Unauthorized)
        {
            message = $"the sidecar rejected the API token ('{body.Trim()}'). Set {DaprSidecarOptions.ApiTokenVariable} " +
                      "for this app to the token daprd was started with.";
        }
        else if (body.Length == 0)
        {
            message = "(empty body)";
        }

        return eTagMismatchOnConflict && status == HttpStatusCode.Conflict
            ? new DaprETagMismatchException(status, errorCode, message, body, Describe(request))
            : new DaprApiException(status, errorCode, message, body, Describe(request));
    }

    private static bool TryParseError(string body, out DaprErrorBody error)
    {
        error = null!;
        if (body.Length == 0 || body[0] != '{')
        {
            return false;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body, SidecarJsonContext.Default.DaprErrorBody);
            if (parsed?.ErrorCode is null)
            {
                return false;
            }

            error = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(HttpRequestMessage request) => $"{request.Method} {request.RequestUri?.AbsolutePath}";

    private static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return bytes.Length == 0 ? default : JsonSerializer.Deserialize(bytes, typeInfo);
    }

    private static ByteArrayContent JsonBody(byte[] utf8Json) => Body(utf8Json, JsonMediaType);

    private static ByteArrayContent Body(byte[] bytes, MediaTypeHeaderValue contentType)
    {
        var content = new ByteArrayContent(bytes);
        // Exactly "application/json" (no charset): daprd copies Content-Type verbatim into datacontenttype.
        content.Headers.ContentType = contentType;
        return content;
    }

    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    /// <summary>Escapes each segment but keeps '/', for values daprd routes as "the rest of the path" (topics).</summary>
    private static string PathTail(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return string.Join('/', value.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>Builds "?a=b&amp;metadata.c=d" with RFC 3986 escaping.</summary>
    private sealed class QueryBuilder
    {
        private readonly StringBuilder _query = new();

        public QueryBuilder Add(string name, string? value)
        {
            if (value is null)
            {
                return this;
            }

            _query.Append(_query.Length == 0 ? '?' : '&')
                .Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            return this;
        }

        public QueryBuilder AddMetadata(IReadOnlyDictionary<string, string>? metadata)
        {
            if (metadata is not null)
            {
                foreach (var (key, value) in metadata)
                {
                    Add("metadata." + key, value);
                }
            }

            return this;
        }

        public override string ToString() => _query.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Dapr sidecar request {Method} {Path}")]
        public static partial void SendingRequest(ILogger logger, HttpMethod method, string path);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Dapr sidecar at {Endpoint} is ready after {Attempts} probe(s)")]
        public static partial void SidecarReady(ILogger logger, Uri endpoint, int attempts);

        [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Dapr sidecar at {Endpoint} not ready yet: {Outcome}")]
        public static partial void SidecarNotReady(ILogger logger, Uri endpoint, string outcome);
    }
}
