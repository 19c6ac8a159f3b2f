namespace DaprOrders.Sidecar;

internal static class AssemblyMarker;
