namespace DaprOrders.Emulator.Resources;

/// <summary>Reads the resources paths and configuration file the way daprd does in self-hosted mode.</summary>
internal static class EmulatorResourceLoader
{
    public static EmulatorResources Load(EmulatorOptions options)
    {
        var resources = new EmulatorResources();
        // Component, Subscription, Resiliency and Configuration loading lands here.
        _ = options;
        return resources;
    }
}
