using System.Net;
using System.Net.Sockets;

namespace DaprOrders.Sidecar.Tests.Infrastructure;

public static class TcpPorts
{
    /// <summary>A loopback port nothing listens on (bound once by the OS, then released).</summary>
    public static int Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
