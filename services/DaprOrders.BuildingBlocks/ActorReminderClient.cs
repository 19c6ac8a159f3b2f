using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapr;

namespace DaprOrders.BuildingBlocks;

/// <summary>
/// The sidecar's actor reminders API (<c>POST|DELETE /v1.0/actors/{type}/{id}/reminders/{name}</c>, Dapr docs:
/// reference/api/actors_api), for code outside an actor turn: the Dapr .NET SDK registers reminders only from inside
/// an actor (<c>Actor.RegisterReminderAsync</c>), which would cost an actor call and a turn just to reach it. daprd
/// takes a reminder on any sidecar whose app hosts the actor type, whether the actor is active or not, and fires it
/// into a host of the type when due, activating the actor (dapr/dapr v1.17.13 pkg/actors/reminders/reminders.go with
/// the Scheduler).
/// </summary>
public sealed class ActorReminderClient(HttpClient http)
{
    /// <summary>A client on the Dapr HTTP endpoint with the <c>dapr-api-token</c> the SDK sends (none when empty).</summary>
    public static ActorReminderClient Create(Uri daprHttpEndpoint, string? daprApiToken, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(daprHttpEndpoint);
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = daprHttpEndpoint;
        if (!string.IsNullOrEmpty(daprApiToken))
        {
            http.DefaultRequestHeaders.Add("dapr-api-token", daprApiToken);
        }

        return new ActorReminderClient(http);
    }

    /// <summary>
    /// Creates (or replaces: daprd overwrites by default) a reminder with no data that fires <paramref name="dueIn"/>
    /// from now, then every <paramref name="period"/> until it is deleted (once only without a period).
    /// </summary>
    /// <exception cref="DaprException">The sidecar refused the reminder or could not be reached.</exception>
    public Task CreateAsync(string actorType, string actorId, string name, TimeSpan dueIn, TimeSpan? period = null,
        CancellationToken cancellationToken = default)
    {
        // Durations in the Go form the SDK writes ("0h2m0s0ms"); no period member makes a one-shot reminder.
        var body = period is { } every
            ? $$"""{"dueTime":"{{GoDuration(dueIn)}}","period":"{{GoDuration(every)}}"}"""
            : $$"""{"dueTime":"{{GoDuration(dueIn)}}"}""";
        return SendAsync(HttpMethod.Post, actorType, actorId, name, new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            cancellationToken);
    }

    /// <summary>Deletes a reminder; deleting one that does not exist (fired already, or never created) succeeds too.</summary>
    /// <exception cref="DaprException">The sidecar refused the call or could not be reached.</exception>
    public Task DeleteAsync(string actorType, string actorId, string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, actorType, actorId, name, content: null, cancellationToken);

    private async Task SendAsync(HttpMethod method, string actorType, string actorId, string name, HttpContent? content,
        CancellationToken cancellationToken)
    {
        var path = $"v1.0/actors/{Uri.EscapeDataString(actorType)}/{Uri.EscapeDataString(actorId)}/reminders/{Uri.EscapeDataString(name)}";
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprApiException($"The Dapr sidecar could not be reached for {method} {path}.", ex, errorCode: string.Empty, isTransient: true);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // daprd answers errors as {"errorCode":"ERR_...","message":"..."}; the body is kept whole for the log.
                var error = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new DaprApiException(
                    string.Create(CultureInfo.InvariantCulture, $"{method} {path} answered {(int)response.StatusCode}: {error}"),
                    ErrorCode(error), isTransient: (int)response.StatusCode >= 500);
            }
        }
    }

    private static string ErrorCode(string body)
    {
        try
        {
            using var error = JsonDocument.Parse(body);
            return error.RootElement.ValueKind == JsonValueKind.Object && error.RootElement.TryGetProperty("errorCode", out var code)
                ? code.GetString() ?? string.Empty
                : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }

    private static string GoDuration(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h{value.Minutes}m{value.Seconds}s{value.Milliseconds}ms");
}
