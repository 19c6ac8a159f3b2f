using System.Net;
using System.Net.Sockets;

namespace DaprOrders.Testing;

internal static class LoopbackPorts
{
    /// <summary>Distinct free loopback ports: all listeners are open at once, so the kernel cannot hand out one twice.</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
