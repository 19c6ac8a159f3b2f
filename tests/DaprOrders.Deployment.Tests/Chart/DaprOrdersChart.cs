using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>The files of charts/dapr-orders, read as data (nothing here needs helm).</summary>
internal static class DaprOrdersChart
{
    public static readonly RepositoryLayout Repository = RepositoryLayout.Locate();

    public static string Directory { get; } = Path.Combine(Repository.Root, "charts", "dapr-orders");

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    public static string RepositoryPath(string relative) => Path.Combine(Repository.Root, relative);

    public static IReadOnlyList<string> ValuesFiles { get; } = ["values.yaml", "values-dev.yaml", "values-prod.yaml"];

    public static JObject ReadYaml(string path)
    {
        var findings = new List<Finding>();
        var document = YamlResourceReader.ReadFile(path, Path.GetFileName(path), findings).Single();
        Assert.Empty(findings);
        return (JObject)document.Json;
    }

    public static JObject Values => ReadYaml(PathOf("values.yaml"));

    /// <summary>values.yaml with an override file merged over it the way Helm does.</summary>
    public static JObject ValuesWith(string overrideFile) =>
        overrideFile == "values.yaml" ? Values : (JObject)HelmValuesValidator.Merge(Values, ReadYaml(PathOf(overrideFile)));

    public static JObject ChartYaml => ReadYaml(PathOf("Chart.yaml"));

    public static JObject Schema => JObject.Parse(File.ReadAllText(PathOf("values.schema.json")));

    /// <summary>Every template file (templates/**), relative to the chart directory.</summary>
    public static IReadOnlyList<string> TemplateFiles { get; } =
        [.. System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "templates"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static IReadOnlyList<string> EnumOf(string schemaPath) =>
        [.. ((JArray)Schema.SelectToken(schemaPath + ".enum")!).Select(v => (string)v!)];

    /// <summary>The Dapr resource files for a broker and a store, as templates/_helpers.tpl "dapr-orders.daprResourceFiles" lists them.</summary>
    public static IReadOnlyList<string> DaprResourceFiles(string pubsubType, string stateType) =>
    [
        "files/dapr/configuration.yaml",
        "files/dapr/resiliency.yaml",
        $"files/dapr/pubsub/{pubsubType}.yaml",
        $"files/dapr/state/{stateType}/statestore.yaml",
        $"files/dapr/state/{stateType}/orderstore.yaml",
    ];

    /// <summary>The components/ folder holding the self-hosted original of a chart pub/sub or state type.</summary>
    public static string ComponentsFolderOf(string type) => type switch
    {
        "nats" => "components/jetstream",
        _ => "components/" + type,
    };
}
