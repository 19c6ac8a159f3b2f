using System.Security.Cryptography;

namespace DaprOrders.Emulator.PubSub;

/// <summary>W3C trace context as daprd propagates it: each hop is a child span (same trace-id, new span-id).</summary>
public readonly record struct TraceContext(string TraceId, string SpanId, string Flags)
{
    public string TraceParent => $"00-{TraceId}-{SpanId}-{Flags}";

    public static bool TryParse(string? traceParent, out TraceContext context)
    {
        context = default;
        var parts = traceParent?.Split('-');
        if (parts is not { Length: 4 } || parts[1].Length != 32 || parts[2].Length != 16 || parts[3].Length != 2)
        {
            return false;
        }

        context = new TraceContext(parts[1], parts[2], parts[3]);
        return true;
    }

    /// <summary>The span daprd starts for a call: a child of the incoming traceparent, or a new trace.</summary>
    public static TraceContext ChildOf(string? parentTraceParent) =>
        TryParse(parentTraceParent, out var parent)
            ? new TraceContext(parent.TraceId, NewSpanId(), parent.Flags)
            : new TraceContext(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), NewSpanId(), "01");

    private static string NewSpanId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
