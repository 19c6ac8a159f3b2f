namespace DaprOrders.Emulator;

internal static class AssemblyMarker;
