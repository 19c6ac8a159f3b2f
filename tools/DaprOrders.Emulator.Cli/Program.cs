using System.CommandLine;
using DaprOrders.Emulator.Cli;
using Microsoft.Extensions.Logging;

var runFile = new Option<string>("--run-file", "-f")
{
    Description = "A Dapr CLI multi-app run template (dapr.yaml), or a folder holding one",
    Required = true,
};
var resourcesPaths = new Option<string[]>("--resources-path")
{
    Description = "Resources folder for every app, replacing what the template resolves (repeatable)",
    AllowMultipleArgumentsPerToken = true,
};
var config = new Option<string?>("--config")
{
    Description = "Dapr Configuration file for every app, replacing what the template resolves",
};
var logLevel = new Option<string?>("--log-level")
{
    Description = "debug, info, warn or error (default: the template's logLevel, else info)",
};
logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error", "fatal");
var sidecarsOnly = new Option<bool>("--sidecars-only")
{
    Description = "Serve every app's sidecar but start no app command (the apps are started elsewhere, e.g. by services/DaprOrders.AppHost)",
};

var run = new Command("run", "Run every app of a dapr.yaml template, each with an emulated sidecar, until Ctrl-C")
{
    runFile, resourcesPaths, config, logLevel, sidecarsOnly,
};
run.SetAction((parseResult, cancellationToken) => RunCommand.ExecuteAsync(
    parseResult.GetValue(runFile)!,
    new RunOverrides(parseResult.GetValue(resourcesPaths) ?? [], parseResult.GetValue(config), parseResult.GetValue(sidecarsOnly)),
    parseResult.GetValue(logLevel),
    cancellationToken));

var root = new RootCommand("dapr-emulator: an in-process stand-in for daprd (HTTP API) that runs a dapr.yaml template locally")
{
    run,
};
// RunCommand handles SIGINT/SIGTERM itself: the sidecars' ASP.NET Core hosts listen for them too, and a forced exit
// after a timeout would deadlock against their shutdown.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
