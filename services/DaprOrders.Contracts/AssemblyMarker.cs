namespace DaprOrders.Contracts;

internal static class AssemblyMarker;
