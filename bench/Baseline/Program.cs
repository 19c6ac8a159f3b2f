using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Roles: `endpoint` (POST /orders reads the body, makes one awaited POST of it to the stand-in sidecar, answers 202)
// and `sidecar` (answers 204 to every POST, like daprd's state transaction, and, on GRPC_PORT, every call of the Dapr
// gRPC API with an empty message, which the Dapr .NET SDK's state transaction gets back from daprd). Both are as small
// as Kestrel allows, so the pair measures what one loopback hop costs on this machine: the floor for Ordering's intake.
var role = args.Length > 0 ? args[0] : "endpoint";
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (role == "sidecar" && builder.Configuration["GRPC_PORT"] is { Length: > 0 } grpcPort)
{
    // gRPC without TLS needs an HTTP/2-only listener; the HTTP API keeps HTTP/1.1 on HTTP_PORT.
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.ListenLocalhost(int.Parse(builder.Configuration["HTTP_PORT"]!, System.Globalization.CultureInfo.InvariantCulture));
        kestrel.ListenLocalhost(int.Parse(grpcPort, System.Globalization.CultureInfo.InvariantCulture), listen => listen.Protocols = HttpProtocols.Http2);
    });
}

var app = builder.Build();

if (role == "sidecar")
{
    // A gRPC answer carrying an empty message: ExecuteStateTransaction's Empty, or a GetState of a missing key.
    app.MapPost("/dapr.proto.runtime.v1.Dapr/{method}", async (HttpContext context) =>
    {
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    });
    app.MapPost("/{**path}", async (HttpRequest request) =>
    {
        // Drain the body as a real sidecar would before answering.
        await request.Body.CopyToAsync(Stream.Null);
        return Results.NoContent();
    });
    // Health checks answer ready; state reads answer "not found" (204), as daprd does for a missing key.
    app.MapGet("/{**path}", () => Results.NoContent());
}
else
{
    var sidecar = new Uri(app.Configuration["SIDECAR_URL"] ?? "http://127.0.0.1:3500");
    var transaction = new Uri(sidecar, "/v1.0/state/orderstore/transaction");
    // Not `using`: it must outlive this block, it lives as long as the process.
    var client = new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
        UseProxy = false,
    });

    app.MapPost("/orders", async (HttpRequest request, CancellationToken cancellationToken) =>
    {
        var length = (int)(request.ContentLength ?? 4096);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            using var content = new ReadOnlyMemoryContent(buffer.AsMemory(0, read));
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(transaction, content, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent ? Results.StatusCode(202) : Results.StatusCode(503);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    });
    app.MapGet("/healthz", () => Results.Ok());
}

app.Run();
