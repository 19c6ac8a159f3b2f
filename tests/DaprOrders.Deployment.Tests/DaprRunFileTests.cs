using DaprOrders.Deployment.Validation;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests;

public sealed class DaprRunFileTests(ITestOutputHelper output)
{
    private static readonly RepositoryLayout s_repository = RepositoryLayout.Locate();

    private static (DaprRunFile? File, IReadOnlyList<Finding> Findings) LoadRepositoryRunFile() =>
        DaprRunFile.Load(s_repository.RunFile, "dapr.yaml");

    [Fact]
    public void Run_file_uses_known_keys_unique_ports_and_existing_paths()
    {
        var (_, findings) = LoadRepositoryRunFile();
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Empty(findings);
    }

    [Fact]
    public void Run_file_starts_the_five_services_with_their_fixed_ports_and_loopback_urls()
    {
        var file = LoadRepositoryRunFile().File!;

        Assert.Equal(DaprOrdersSystem.AppIds, file.Apps.Select(a => a.AppId));
        foreach (var (app, expected) in file.Apps.Zip(DaprOrdersSystem.Apps))
        {
            Assert.Equal("./" + expected.Directory, app.AppDirPath);
            Assert.Equal(expected.AppPort, app.AppPort);
            Assert.Equal(expected.DaprHttpPort, app.DaprHttpPort);
            if (expected.IsDotNet)
            {
                // Six apps must not build the shared projects at once: the run uses what one solution build produced.
                Assert.Equal(["dotnet", "run", "--no-build", "-c", "Release", "--no-launch-profile"], app.Command);
                Assert.Equal($"http://127.0.0.1:{expected.AppPort}", app.Env["ASPNETCORE_URLS"]);
            }
            else
            {
                // JavaScript: dapr run sets APP_PORT and DAPR_HTTP_PORT, which is all the app reads.
                Assert.Equal(["node", "server.mjs"], app.Command);
            }

            Assert.Empty(app.ResourcesPaths);

            // The command runs inside appDirPath, so the project must sit right there.
            Assert.True(File.Exists(Path.Combine(s_repository.Root, expected.Directory, expected.Project)), $"{expected.Directory} has no {expected.Project}");
        }
    }

    [Fact]
    public void Run_file_defaults_to_the_in_memory_set_and_the_shared_configuration()
    {
        var file = LoadRepositoryRunFile().File!;

        Assert.Equal(
            DaprOrdersSystem.ResourceSets["in-memory"].Select(p => "./" + p),
            file.CommonResourcesPaths);
        Assert.Equal("./components/config/config.yaml", file.ConfigFilePath);
    }

    [Fact]
    public void Every_app_of_the_run_file_loads_the_components_it_needs()
    {
        var file = LoadRepositoryRunFile().File!;
        var set = ResourceSet.Load("dapr.yaml", s_repository.Root, [.. file.CommonResourcesPaths], []);

        foreach (var app in file.Apps.Select(a => a.AppId))
        {
            Assert.True(ResourceSet.IsVisibleTo(set.Component("pubsub")!, app));
            Assert.True(ResourceSet.IsVisibleTo(set.Component("statestore")!, app));
            Assert.Equal(app == "ordering", ResourceSet.IsVisibleTo(set.Component("orderstore")!, app));
        }

        // Every component scope names an app the run file starts.
        Assert.All(set.Resources.SelectMany(ResourceSet.ScopesOf), scope => Assert.Contains(scope, file.Apps.Select(a => a.AppId)));
    }

    [Fact]
    public void Run_file_checks_report_unknown_keys_shared_key_misuse_duplicate_and_ephemeral_ports()
    {
        var directory = Directory.CreateTempSubdirectory("daprorders-runfile-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "a"));
            var path = Path.Combine(directory.FullName, "dapr.yaml");
            File.WriteAllText(path,
                """
                version: 1
                common:
                  appPort: 1
                  resourcesPaths: [./missing]
                apps:
                  - appID: a
                    appDirPath: ./a
                    appPort: 5100
                    daprHTTPPort: 5100
                    daprGRPCPort: 50001
                    comand: ["dotnet", "run"]
                  - appID: b
                    appDirPath: ./b
                    command: dotnet run
                """);

            var messages = DaprRunFile.Load(path, "dapr.yaml").Findings.Select(f => f.Message).ToList();

            Assert.Equal(
                [
                    "'appPort' is per-app and not allowed under common",
                    "resources path './missing' does not exist",
                    "unknown app key 'comand'",
                    "app 'a': daprHTTPPort 5100 is already used by a.appPort",
                    "app 'a': daprGRPCPort 50001 is in the ephemeral range (from 32768), where the OS may have handed it to another socket",
                    "app 'a': command must be a non-empty list of strings (it runs inside appDirPath)",
                    "app 'b': appDirPath './b' does not exist",
                    "app 'b': command must be a non-empty list of strings (it runs inside appDirPath)",
                ],
                messages);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
