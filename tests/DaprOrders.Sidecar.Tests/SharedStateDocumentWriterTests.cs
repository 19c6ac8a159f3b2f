using System.Text.Json;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprOrders.Sidecar.Tests;

public sealed class SharedStateDocumentWriterTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Queued_updates_are_written_in_one_batch_and_reapplied_on_top_of_a_concurrent_write()
    {
        // First read: {"a":1} at ETag 1; the save with ETag 1 loses to another replica (409); the re-read sees its
        // document {"a":1,"b":5} at ETag 2, and the save with ETag 2 wins.
        var saves = 0;
        _sidecar.RespondWith(request => (request.Method, saves) switch
        {
            ("GET", 0) => ScriptedResponse.Json(200, """{"a":1}""", new Dictionary<string, string> { ["Etag"] = "1" }),
            ("GET", _) => ScriptedResponse.Json(200, """{"a":1,"b":5}""", new Dictionary<string, string> { ["Etag"] = "2" }),
            ("POST", _) when saves++ == 0 => ScriptedResponse.DaprError(409, "ERR_STATE_SAVE", "possible etag mismatch"),
            _ => ScriptedResponse.NoContent,
        });
        using var writer = new CountingWriter(_sidecar.CreateClient());
        Assert.True(writer.Enqueue("a"));
        Assert.True(writer.Enqueue("b"));
        Assert.True(writer.Enqueue("a"));

        await writer.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(_sidecar.Requests.Count(r => r.Method == "POST")), n => n == 2,
            "the lost save and the winning one");

        await writer.StopAsync(CancellationToken.None);

        var posts = _sidecar.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal("/v1.0/state/statestore", posts[0].Path);
        var lost = posts[0].Json()[0];
        Assert.Equal("1", lost.GetProperty("etag").GetString());
        Assert.Equal(3, lost.GetProperty("value").GetProperty("a").GetInt32());
        var won = posts[1].Json()[0];
        Assert.Equal("overview", won.GetProperty("key").GetString());
        Assert.Equal("2", won.GetProperty("etag").GetString());
        Assert.Equal("""{"a":3,"b":6}""", won.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task The_first_write_creates_the_document_with_first_write_concurrency()
    {
        using var writer = new CountingWriter(_sidecar.CreateClient());
        writer.Enqueue("x");

        await writer.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(_sidecar.Requests.Any(r => r.Method == "POST")), "the first save");

        await writer.StopAsync(CancellationToken.None);

        var save = Assert.Single(_sidecar.Requests, r => r.Method == "POST").Json()[0];
        Assert.False(save.TryGetProperty("etag", out _));
        Assert.Equal("first-write", save.GetProperty("options").GetProperty("concurrency").GetString());
        Assert.Equal("""{"x":1}""", save.GetProperty("value").GetRawText());
    }

    private sealed class CountingWriter(DaprSidecarClient sidecar)
        : SharedStateDocumentWriter<string, Dictionary<string, int>>(sidecar, TestJsonContext.Default.DictionaryStringInt32,
            new SharedStateDocumentSettings(100, TimeSpan.Zero), NullLogger.Instance)
    {
        protected override string StoreName => "statestore";

        protected override string Key => "overview";

        protected override Dictionary<string, int> Apply(Dictionary<string, int>? current, IReadOnlyList<string> batch)
        {
            var counts = new Dictionary<string, int>(current ?? [], StringComparer.Ordinal);
            foreach (var name in batch)
            {
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }

            return counts;
        }
    }
}
