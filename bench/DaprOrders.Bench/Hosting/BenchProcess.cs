using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DaprOrders.Bench.Hosting;

/// <summary>CPU time and memory of one process, read from /proc (Linux).</summary>
internal sealed record ProcessSample(double CpuSeconds, long RssBytes, long PeakRssBytes);

/// <summary>
/// A child process of the benchmark (a service, the emulator, a bench app): started with <c>dotnet app.dll</c>, its
/// output kept in a log file, killed with its tree on dispose.
/// </summary>
internal sealed class BenchProcess : IAsyncDisposable
{
    private static readonly double ClockTicksPerSecond = 100; // USER_HZ: 100 on every mainstream Linux kernel
    private readonly Process _process;
    private readonly StreamWriter _log;

    private BenchProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static BenchProcess Start(string name, BenchExecutable executable, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(executable);
        var dll = BuildOutputs.DllOf(executable);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add(dll);

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, name + ".log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BenchProcess(name, process, log, logPath);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process outlived its log during shutdown.
            }
        }
    }

    /// <summary>utime+stime from /proc/{pid}/stat, VmRSS and VmHWM from /proc/{pid}/status.</summary>
    public ProcessSample Sample()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kilobytes(line) * 1024;
                }
            }

            return new ProcessSample(cpu, rss, hwm);
        }
        catch (IOException)
        {
            return new ProcessSample(0, 0, 0);
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    public string LogTail(int lines = 30)
    {
        lock (_log)
        {
            try
            {
                return string.Join(Environment.NewLine, File.ReadLines(LogPath).TakeLast(lines));
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or it did not die in time: nothing more to do from here.
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    /// <summary>Distinct free loopback ports: all listeners are open at once, so none is handed out twice.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx; fails with the process's log tail otherwise.</summary>
    public static async Task WaitForHttpAsync(HttpClient client, Uri url, TimeSpan timeout, BenchProcess owner)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(owner);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (owner.HasExited)
            {
                throw new InvalidOperationException($"{owner.Name} exited while starting:{Environment.NewLine}{owner.LogTail()}");
            }

            try
            {
                using var response = await client.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too slow to answer on a busy machine: ask again.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{url} not ready after {timeout} ({owner.Name}):{Environment.NewLine}{owner.LogTail()}");
            }

            await Task.Delay(100);
        }
    }
}
