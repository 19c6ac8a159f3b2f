using System.Text.RegularExpressions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The final stage of a Dockerfile, read the way the image's config comes out of it: the user the container runs as
/// (after ENV expansion) and the paths the build writes into the image that the process reads at run time.
/// Only the instructions our Dockerfiles use are understood (FROM, WORKDIR, ENV, USER, COPY, ADD).
/// </summary>
internal sealed partial record DockerfileImage(string File, string BaseImage, string? User, IReadOnlyList<string> WrittenPaths)
{
    /// <summary>
    /// Environment that base images define and our Dockerfiles refer to. The .NET runtime images set APP_UID to
    /// their non-root "app" user (https://learn.microsoft.com/dotnet/core/docker/container-images: "app" user, UID 1654).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> s_baseImageEnvironment =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["mcr.microsoft.com/dotnet/aspnet:10.0"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["APP_UID"] = "1654" },
        };

    public static DockerfileImage Read(string path, string displayPath) => Parse(System.IO.File.ReadAllText(path), displayPath);

    /// <summary>
    /// <paramref name="text"/> with every reference to a build argument declared before the first FROM replaced by its
    /// default, as a build without <c>--build-arg</c> sees it (a stage's bare <c>ARG NAME</c> takes the global default).
    /// </summary>
    public static string WithArgumentDefaults(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Instructions(text))
        {
            var (instruction, arguments) = SplitInstruction(line);
            if (instruction == "FROM")
            {
                break;
            }

            if (instruction == "ARG" && EnvPairPattern().Match(arguments) is { Success: true } pair)
            {
                defaults[pair.Groups["name"].Value] = pair.Groups["value"].Value.Trim('"');
            }
        }

        return VariablePattern().Replace(text, m =>
            defaults.GetValueOrDefault(m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value, m.Value));
    }

    public static DockerfileImage Parse(string text, string displayPath)
    {
        string? baseImage = null;
        string? user = null;
        var workdir = "/";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var written = new List<string>();

        foreach (var line in Instructions(text))
        {
            var (instruction, arguments) = SplitInstruction(line);
            switch (instruction)
            {
                case "FROM":
                    // A new stage starts from scratch: only the last one becomes the image.
                    baseImage = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    user = null;
                    workdir = "/";
                    environment = new Dictionary<string, string>(
                        s_baseImageEnvironment.GetValueOrDefault(baseImage) ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                    written.Clear();
                    break;
                case "ENV":
                    foreach (Match pair in EnvPairPattern().Matches(arguments))
                    {
                        environment[pair.Groups["name"].Value] = Expand(pair.Groups["value"].Value, environment);
                    }

                    break;
                case "WORKDIR":
                    workdir = Combine(workdir, Expand(arguments, environment));
                    written.Add(workdir);
                    break;
                case "USER":
                    user = Expand(arguments, environment);
                    break;
                case "COPY" or "ADD":
                    var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
                    written.Add(Combine(workdir, Expand(parts[^1], environment)));
                    break;
                default:
                    break;
            }
        }

        return new DockerfileImage(displayPath, baseImage ?? throw new InvalidOperationException($"{displayPath} has no FROM"), user, [.. written.Distinct()]);
    }

    /// <summary>
    /// Whether the kubelet can prove the user is not root when a pod demands runAsNonRoot without runAsUser: it must be
    /// a number other than 0 (kubelet, pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot: "image has
    /// non-numeric user (...), cannot verify user is non-root"). No USER at all means root.
    /// </summary>
    public bool RunsAsVerifiableNonRoot =>
        User is not null && NumericUserPattern().Match(User) is { Success: true } match && long.Parse(match.Groups["uid"].Value, System.Globalization.CultureInfo.InvariantCulture) != 0;

    private static IEnumerable<string> Instructions(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            yield return (current + line).Trim();
            current = "";
        }
    }

    private static (string Instruction, string Arguments) SplitInstruction(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line.ToUpperInvariant(), "") : (line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
    }

    private static string Expand(string value, IReadOnlyDictionary<string, string> environment) =>
        VariablePattern().Replace(value.Trim('"'), m => environment.GetValueOrDefault(m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value, m.Value));

    private static string Combine(string directory, string path)
    {
        var combined = path.StartsWith('/') ? path : directory.TrimEnd('/') + "/" + path;
        var segments = new List<string>();
        foreach (var segment in combined.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return "/" + string.Join('/', segments);
    }

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex EnvPairPattern();

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<plain>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^(?<uid>\d+)(:\d+)?$")]
    private static partial Regex NumericUserPattern();
}
