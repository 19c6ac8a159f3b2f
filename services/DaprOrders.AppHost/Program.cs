using DaprOrders.AppHost;
using Microsoft.Extensions.DependencyInjection;

// The embedded default run (docs/running.md): dapr.yaml's apps, each beside an emulated sidecar, with the Aspire
// dashboard showing their logs, traces and metrics. dapr.yaml stays the one place that names apps, ports and
// components; `dapr run -f .` reads the same file.
var builder = DistributedApplication.CreateBuilder(args);
var template = builder.AddDaprRunTemplate(Path.Combine(builder.AppHostDirectory, "..", "..", "dapr.yaml"));
builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<RunSummary>(services, template));
builder.Build().Run();
