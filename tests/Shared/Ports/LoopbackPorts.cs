using System.Net;
using System.Net.Sockets;

namespace DaprOrders.Testing;

internal static class LoopbackPorts
{
    private const int LowestPort = 10_000;

    /// <summary>
    /// The block of the AppHost launch profile's fixed ports (the Aspire dashboard, its OTLP and resource endpoints),
    /// never picked here: the AppHost tests bind them while other test assemblies run. The Deployment tests check that
    /// every port of the profile falls in it.
    /// </summary>
    public static bool IsAppHostPort(int port) => port is >= 18_880 and < 18_900;

    /// <summary>
    /// Distinct loopback ports that are free now, for listeners that start a moment later. They are taken below the
    /// kernel's ephemeral range when it leaves room: a port the kernel hands out for "port 0" listeners and outgoing
    /// connections (which every other test running in parallel makes) cannot then be handed out again in between.
    /// </summary>
    public static int[] Free(int count)
    {
        var ephemeralStart = EphemeralRangeStart();
        var ports = new List<int>(count);
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var attempt = 0; ports.Count < count && ephemeralStart - LowestPort > 1_000 && attempt < count * 20; attempt++)
            {
                var port = Random.Shared.Next(LowestPort, ephemeralStart);
                if (!IsAppHostPort(port) && !ports.Contains(port) && TryListen(port) is { } listener)
                {
                    listeners.Add(listener);
                    ports.Add(port);
                }
            }

            // No room below the ephemeral range (or unlucky): the kernel's choice; all listeners are open at once,
            // so it cannot hand out one twice.
            while (ports.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                ports.Add(((IPEndPoint)listener.LocalEndpoint).Port);
            }

            return [.. ports];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static TcpListener? TryListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Stop();
            return null;
        }
    }

    /// <summary>The first port of Linux's ip_local_port_range; elsewhere IANA's dynamic range start.</summary>
    private static int EphemeralRangeStart()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            if (File.Exists(RangeFile)
                && int.TryParse(File.ReadAllText(RangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0],
                    System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var start))
            {
                return start;
            }
        }
        catch (IOException)
        {
            // Unreadable: fall through.
        }

        return 49_152;
    }
}
