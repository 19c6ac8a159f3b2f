using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The chart delivers the operator credential (operatorAccess) to the services and to its own operator call, the
/// helm test's stock count: without it, PUT /stock answers 401 and `helm test` fails.
/// </summary>
public sealed class ChartOperatorAccessTests
{
    public static TheoryData<string> ValuesFiles() => [.. DaprOrdersChart.ValuesFiles];

    [Fact]
    public void Every_service_gets_the_operator_token_from_the_secret_or_the_jwt_settings()
    {
        var deployments = DaprOrdersChart.Text("templates/deployments.yaml");

        // Inside the one container of the range over services, so every service gets it.
        Assert.Matches(@"- name: OperatorAccess__Token\s+valueFrom:\s+secretKeyRef:\s+name: \{\{ \$\.Values\.operatorAccess\.secretName \| quote \}\}\s+key: token", deployments);
        Assert.Contains("- name: OperatorAccess__Jwt__Authority", deployments, StringComparison.Ordinal);
        Assert.True(deployments.IndexOf("OperatorAccess__Token", StringComparison.Ordinal) > deployments.IndexOf("{{- range $name, $svc := .Values.services }}", StringComparison.Ordinal));
    }

    [Fact]
    public void Helm_test_sends_the_operator_token_on_its_stock_count()
    {
        var test = DaprOrdersChart.Text("templates/tests/order-flow.yaml");

        Assert.Contains("name: {{ .Values.operatorAccess.secretName | quote }}", test, StringComparison.Ordinal);
        var stockCount = test[test.IndexOf("-X PUT", StringComparison.Ordinal)..];
        stockCount = stockCount[..stockCount.IndexOf("/stock/$SKU", StringComparison.Ordinal)];
        Assert.Contains("-H \"Authorization: Bearer $OPERATOR_TOKEN\"", stockCount, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void Operator_secret_is_created_by_the_chart_only_with_a_token(string valuesFile)
    {
        var values = DaprOrdersChart.ValuesWith(valuesFile);
        var access = (JObject)values["operatorAccess"]!;

        if ((bool)access["create"]!)
        {
            Assert.False(string.IsNullOrEmpty((string?)access["token"]), $"{valuesFile}: operatorAccess.create without operatorAccess.token");
            Assert.Equal("values-dev.yaml", valuesFile);
        }
        else
        {
            Assert.True(string.IsNullOrEmpty((string?)access["token"]), $"{valuesFile}: a token in a values file that does not create the Secret is plain text for nothing");
        }
    }
}
