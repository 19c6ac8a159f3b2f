using DaprOrders.Bench.Apps;
using DaprOrders.BuildingBlocks;

// One executable, three roles, each a Dapr app behind an emulated sidecar (APP_ID, DAPR_HTTP_PORT, DAPR_GRPC_PORT as
// daprd sets them), on the Dapr .NET SDK through the services' own building blocks:
//   seeds-front   the seeds' "Ordering": POST /sync/orders invokes inventory, payment and notification in turn
//                 (service invocation); POST /async/orders publishes one event and answers 202.
//   seeds-worker  a downstream service doing WORK_MS of simulated work, by invocation (POST /work) or per event.
//   observer      timestamps order.completed / order.cancelled events for the whole-saga benchmark.
var role = args.Length > 0 ? args[0] : throw new ArgumentException("role missing: seeds-front | seeds-worker | observer");
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddDaprApp(BenchAppsJsonContext.Default);
builder.Services.AddTerminalOrderLog();
var app = builder.Build();
app.UseDaprApp();
app.MapGet("/healthz", () => Results.Ok());

switch (role)
{
    case "seeds-front":
        app.MapSeedsFront();
        break;
    case "seeds-worker":
        app.MapSeedsWorker(TimeSpan.FromMilliseconds(int.Parse(app.Configuration["WORK_MS"] ?? "0", System.Globalization.CultureInfo.InvariantCulture)));
        break;
    case "observer":
        app.MapObserver();
        break;
    default:
        throw new ArgumentException($"unknown role '{role}'");
}

app.MapSubscribeHandler().RequireDaprApp();
app.Run();
