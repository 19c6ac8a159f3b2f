using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace DaprOrders.OrderCli;

/// <summary><c>daprorders submit</c>: builds the orders, runs <see cref="OrderRun"/> behind a progress bar, prints the report.</summary>
internal static class SubmitCommand
{
    private static readonly Dictionary<string, SampleKind> Samples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["happy"] = SampleKind.Happy,
        ["out-of-stock"] = SampleKind.OutOfStock,
        ["declined"] = SampleKind.Declined,
        ["flaky"] = SampleKind.Flaky,
    };

    private static readonly Dictionary<string, SubmissionMode> Modes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["structured"] = SubmissionMode.Structured,
        ["binary"] = SubmissionMode.Binary,
        ["batch"] = SubmissionMode.Batch,
    };

    public static Command Create()
    {
        var url = new Option<Uri>("--url")
        {
            Description = "Base URL of the Ordering service.",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:5100"),
            CustomParser = result =>
            {
                var text = result.Tokens[^1].Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }

                result.AddError($"--url must be an absolute http(s) URL, not '{text}'.");
                return null;
            },
        };
        var sample = new Option<string?>("--sample")
        {
            Description = "Submit canned orders that lead to one outcome instead of random orders.",
        };
        sample.AcceptOnlyFromAmong([.. Samples.Keys]);
        var count = new Option<int>("--count", "-n")
        {
            Description = "Number of orders to submit.",
            DefaultValueFactory = _ => 1,
        };
        var concurrency = new Option<int>("--concurrency", "-c")
        {
            Description = "Requests in flight at once.",
            DefaultValueFactory = _ => 8,
        };
        var mode = new Option<string>("--mode")
        {
            Description = "CloudEvents HTTP mode.",
            DefaultValueFactory = _ => "structured",
        };
        mode.AcceptOnlyFromAmong([.. Modes.Keys]);
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Events per request in batch mode (1-100).",
            DefaultValueFactory = _ => 10,
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for every order to become Completed or Cancelled.",
            DefaultValueFactory = _ => 60,
        };
        var skus = new Option<string[]>("--sku")
        {
            Description = "SKUs for random orders (repeatable); default: the demo SKUs Inventory seeds.",
            AllowMultipleArgumentsPerToken = true,
        };
        foreach (var positive in new[] { count, concurrency, batchSize, timeout })
        {
            positive.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{result.Option.Name} must be at least 1.");
                }
            });
        }

        var command = new Command("submit", "Submit orders as CloudEvents (type daprorders.order.submitted.v1, source daprorders-cli) and report their outcomes.")
        {
            url, sample, count, concurrency, mode, batchSize, timeout, skus,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var orders = BuildOrders(parse.GetValue(sample), parse.GetValue(count), parse.GetValue(skus));
            var options = new OrderRunOptions
            {
                Mode = Modes[parse.GetValue(mode)!],
                Concurrency = parse.GetValue(concurrency),
                BatchSize = parse.GetValue(batchSize),
                TerminalTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            };
            return RunAsync(parse.GetValue(url)!, orders, options, cancellationToken);
        });
        return command;
    }

    private static List<OrderSubmissionEvent> BuildOrders(string? sample, int count, string[]? skus)
    {
        if (sample is not null)
        {
            var kind = Samples[sample];
            return [.. Enumerable.Range(0, count).Select(_ => OrderSubmissionEvent.Create(SampleOrders.Create(kind, NewTag())))];
        }

        var submissions = SampleOrders.Random(count, skus is { Length: > 0 } ? skus : DemoCatalog.Skus, new Random());
        return [.. submissions.Select(s => OrderSubmissionEvent.Create(s))];
    }

    private static string NewTag() => Guid.NewGuid().ToString("N")[..12];

    private static async Task<int> RunAsync(Uri url, List<OrderSubmissionEvent> orders, OrderRunOptions options, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        var run = new OrderRun(new OrderIntakeClient(http), TimeProvider.System);
        AnsiConsole.MarkupLineInterpolated($"Submitting [bold]{orders.Count}[/] order(s) to [link]{url}[/] ({options.Mode.ToString().ToLowerInvariant()} mode, concurrency {options.Concurrency})");

        OrderRunReport report;
        try
        {
            report = await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var submitting = context.AddTask("Submitted", maxValue: orders.Count);
                    var finishing = context.AddTask("Completed or cancelled", maxValue: orders.Count);
                    var progress = new ProgressBars(submitting, finishing);
                    var result = await run.RunAsync(orders, options, progress, cancellationToken);
                    submitting.StopTask();
                    finishing.StopTask();
                    return result;
                });
        }
        catch (HttpRequestException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Cannot reach Ordering at {url}:[/] {ex.Message}");
            return 3;
        }

        Render(report);
        return report.AllTerminal ? 0 : 2;
    }

    private static void Render(OrderRunReport report)
    {
        var outcomes = new Table().Title("Outcomes").AddColumn("Outcome").AddColumn(new TableColumn("Orders").RightAligned());
        foreach (var row in report.Outcomes)
        {
            outcomes.AddRow(Markup.Escape(row.Outcome), row.Count.ToString(CultureInfo.InvariantCulture));
        }

        var timings = new Table().Title("Timings").AddColumn("Measure").AddColumn(new TableColumn("p50").RightAligned()).AddColumn(new TableColumn("p99").RightAligned());
        timings.AddRow("Submit latency", Ms(report.SubmitLatencyP50), Ms(report.SubmitLatencyP99));
        timings.AddRow("Time to terminal", Ms(report.TimeToTerminalP50), Ms(report.TimeToTerminalP99));
        AnsiConsole.Write(outcomes);
        AnsiConsole.Write(timings);

        foreach (var result in report.Results.Where(r => r.Outcome == OrderOutcome.Rejected).Take(5))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Rejected[/] {result.Event.Id}: {(int)result.SubmitStatus} {result.Event.Data.CustomerId}");
        }

        foreach (var result in report.Results.Where(r => r.OrderId is not null).Take(10))
        {
            AnsiConsole.MarkupLineInterpolated($"  order {result.OrderId}: {OrderRunReport.Label(result)}");
        }

        AnsiConsole.MarkupLineInterpolated($"Done in {report.Elapsed.TotalSeconds:0.0} s.");
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Sets the bars directly (ProgressTask is thread-safe); Progress&lt;T&gt; would post and lag behind.</summary>
    private sealed class ProgressBars(ProgressTask submitting, ProgressTask finishing) : IProgress<OrderRunProgress>
    {
        public void Report(OrderRunProgress value)
        {
            submitting.Value = value.Submitted;
            finishing.Value = value.Finished;
        }
    }
}
