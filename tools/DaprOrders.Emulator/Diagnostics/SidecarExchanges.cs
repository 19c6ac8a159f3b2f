using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Diagnostics;

/// <summary>How an exchange crossed between an app and its sidecar.</summary>
public enum ExchangeTransport
{
    Http,
    Grpc,
}

/// <summary>What a sidecar sends into its app over the app channel.</summary>
public enum AppDelivery
{
    /// <summary>One CloudEvent to a subscription's route (each attempt, retries included).</summary>
    TopicEvent,

    /// <summary>One bulk subscribe request carrying several entries.</summary>
    TopicBulk,

    /// <summary>PUT /actors/{type}/{id}/method/{name}.</summary>
    ActorMethod,

    /// <summary>PUT /actors/{type}/{id}/method/remind/{name}.</summary>
    ActorReminder,

    /// <summary>PUT /actors/{type}/{id}/method/timer/{name}.</summary>
    ActorTimer,

    /// <summary>DELETE /actors/{type}/{id} after the idle timeout.</summary>
    ActorDeactivation,

    /// <summary>Service invocation forwarded from a caller's sidecar to this app.</summary>
    Invocation,

    /// <summary>GET /dapr/config when the app connects (a probe, not saga work).</summary>
    ConfigProbe,

    /// <summary>GET /dapr/subscribe when the app connects (a probe, not saga work).</summary>
    SubscribeProbe,
}

/// <summary>One counter: how many exchanges of one kind one app had with its sidecar.</summary>
/// <param name="AppId">The app whose sidecar saw the exchange.</param>
/// <param name="Direction">"call" (app → sidecar API) or "delivery" (sidecar → app).</param>
/// <param name="Api">The building block: state, publish, actors, invoke, metadata, healthz, pubsub, probe, ...</param>
/// <param name="Method">The operation within it: get, save, transaction, event, reminder, ...</param>
/// <param name="Transport">"http" or "grpc".</param>
public sealed record ExchangeCount(string AppId, string Direction, string Api, string Method, string Transport, long Count);

/// <summary>
/// The exchanges of one app with its sidecar: every API call the app made (by API, method and transport) and every
/// delivery the sidecar made into the app. Lock-free: a call resolves its counter once per route and verb, then each
/// request is one dictionary read and one interlocked increment, with nothing allocated or logged.
/// </summary>
public sealed class SidecarExchanges
{
    private readonly string _appId;
    private readonly long[] _deliveries = new long[Enum.GetValues<AppDelivery>().Length];
    private readonly ConcurrentDictionary<(string Api, string Method, ExchangeTransport Transport), ExchangeCounter> _calls = new();
    private readonly ConcurrentDictionary<(Endpoint Endpoint, string Verb), ExchangeCounter?> _byRoute = new();
    private readonly ExchangeCounter _unmatched;
    private readonly ExchangeCounter _headerInvocation;

    internal SidecarExchanges(string appId)
    {
        _appId = appId;
        _unmatched = CounterFor(new SidecarCall("unmatched", "any", ExchangeTransport.Http));
        _headerInvocation = CounterFor(new SidecarCall("invoke", "method", ExchangeTransport.Http));
    }

    /// <summary>Counts one API call the app made, classified by the endpoint routing picked for it.</summary>
    internal void CountCall(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        ExchangeCounter? counter;
        if (endpoint is null)
        {
            counter = _unmatched;
        }
        else if (!_byRoute.TryGetValue((endpoint, context.Request.Method), out counter))
        {
            var call = SidecarCall.Classify(endpoint, context.Request.Method);
            counter = call is null ? null : CounterFor(call.Value);
            _byRoute.TryAdd((endpoint, context.Request.Method), counter);
        }

        if (ReferenceEquals(counter, _unmatched) && context.Request.Headers.ContainsKey("dapr-app-id"))
        {
            // The header form of service invocation reaches the fallback route.
            counter = _headerInvocation;
        }

        counter?.Increment();
    }

    /// <summary>Counts one request the sidecar sends into the app (each attempt, retries included).</summary>
    public void CountDelivery(AppDelivery delivery) => Interlocked.Increment(ref _deliveries[(int)delivery]);

    /// <summary>Every counter that is not zero, calls first.</summary>
    public IEnumerable<ExchangeCount> Snapshot()
    {
        foreach (var ((api, method, transport), counter) in _calls)
        {
            if (counter.Value > 0)
            {
                yield return new ExchangeCount(_appId, "call", api, method, TransportName(transport), counter.Value);
            }
        }

        foreach (var delivery in Enum.GetValues<AppDelivery>())
        {
            var count = Interlocked.Read(ref _deliveries[(int)delivery]);
            if (count > 0)
            {
                var (api, method) = DeliveryName(delivery);
                yield return new ExchangeCount(_appId, "delivery", api, method, "http", count);
            }
        }
    }

    private ExchangeCounter CounterFor(SidecarCall call) =>
        _calls.GetOrAdd((call.Api, call.Method, call.Transport), _ => new ExchangeCounter());

    private static string TransportName(ExchangeTransport transport) => transport == ExchangeTransport.Grpc ? "grpc" : "http";

    private static (string Api, string Method) DeliveryName(AppDelivery delivery) => delivery switch
    {
        AppDelivery.TopicEvent => ("pubsub", "event"),
        AppDelivery.TopicBulk => ("pubsub", "bulk"),
        AppDelivery.ActorMethod => ("actors", "method"),
        AppDelivery.ActorReminder => ("actors", "reminder"),
        AppDelivery.ActorTimer => ("actors", "timer"),
        AppDelivery.ActorDeactivation => ("actors", "deactivate"),
        AppDelivery.Invocation => ("invoke", "method"),
        AppDelivery.ConfigProbe => ("probe", "config"),
        AppDelivery.SubscribeProbe => ("probe", "subscribe"),
        _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery, null),
    };

    private sealed class ExchangeCounter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }
}
