namespace DaprOrders.Emulator.Tests.Infrastructure;

/// <summary>A temporary resources path (daprd's --resources-path) holding the YAML files a test writes.</summary>
public sealed class ResourceFolder : IDisposable
{
    public ResourceFolder()
    {
        Path = Directory.CreateTempSubdirectory("emulator-resources-").FullName;
    }

    public string Path { get; }

    public ResourceFolder Write(string fileName, string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), yaml);
        return this;
    }

    public ResourceFolder WithPubSub(string name = "pubsub", string metadata = "", string scopes = "") =>
        Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: pubsub.in-memory
              version: v1
            {(metadata.Length > 0 ? "  metadata:\n" + metadata : string.Empty)}
            {scopes}
            """);

    public ResourceFolder WithStateStore(string name = "statestore", string metadata = "", string scopes = "") =>
        Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: state.in-memory
              version: v1
            {(metadata.Length > 0 ? "  metadata:\n" + metadata : string.Empty)}
            {scopes}
            """);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans temp folders.
        }
    }
}

/// <summary>Lets a test own a <see cref="ResourceFolder"/> with await using when no test bed takes it over.</summary>
public sealed class OwnedResourceFolder(ResourceFolder folder) : IAsyncDisposable
{
    public ResourceFolder Folder { get; } = folder;

    public ValueTask DisposeAsync()
    {
        Folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

public static class ResourceFolderExtensions
{
    public static OwnedResourceFolder AsDisposable(this ResourceFolder folder) => new(folder);
}
