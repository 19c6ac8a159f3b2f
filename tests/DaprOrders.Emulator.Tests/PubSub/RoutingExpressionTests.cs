using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;

namespace DaprOrders.Emulator.Tests.PubSub;

// https://docs.dapr.io/developing-applications/building-blocks/pubsub/howto-route-messages/: routing rules are CEL over the CloudEvent as `event`. The emulator evaluates a documented subset.
public sealed class RoutingExpressionTests
{
    private static readonly JsonObject Event = JsonNode.Parse("""
        {"type":"widget.created","source":"shop","priority":"high","data":{"priority":7,"urgent":true,"customer":{"tier":"gold"}}}
        """)!.AsObject();

    [Theory]
    [InlineData("event.type == \"widget.created\"", true)]
    [InlineData("event.type != 'widget.created'", false)]
    [InlineData("event.data.priority > 5", true)]
    [InlineData("event.data.priority >= 7 && event.data.priority <= 7", true)]
    [InlineData("event.data.priority < 5 || event.source == \"shop\"", true)]
    [InlineData("!(event.data.urgent == true)", false)]
    [InlineData("event.data.customer.tier == \"gold\" && (event.type == \"a\" || event.priority == \"high\")", true)]
    [InlineData("event.data.urgent", true)]
    [InlineData("event.type < \"x\"", true)]
    [InlineData("event.data.priority == 7.0", true)]
    public void Supported_expressions_evaluate_like_cel(string expression, bool expected) =>
        Assert.Equal(expected, RoutingExpression.Parse(expression).Evaluate(Event));

    [Theory]
    [InlineData("size(event.data) > 0")]
    [InlineData("event.type.startsWith(\"widget\")")]
    [InlineData("event.data.priority + 1 > 5")]
    [InlineData("event.type in [\"a\", \"b\"]")]
    [InlineData("event[\"type\"] == \"a\"")]
    [InlineData("has(event.data)")]
    [InlineData("other.type == \"a\"")]
    public void Other_cel_is_refused_with_the_expression_named(string expression)
    {
        var error = Assert.Throws<FormatException>(() => RoutingExpression.Parse(expression));
        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_attribute_is_an_evaluation_error_unless_short_circuited()
    {
        Assert.Throws<RoutingEvaluationException>(() => RoutingExpression.Parse("event.data.missing == 1").Evaluate(Event));
        Assert.False(RoutingExpression.Parse("event.type == \"x\" && event.data.missing == 1").Evaluate(Event));
        Assert.True(RoutingExpression.Parse("event.data.missing == 1 || event.type == \"widget.created\"").Evaluate(Event));
    }

    [Fact]
    public void Ordering_across_types_is_an_error_and_equality_across_types_is_false()
    {
        Assert.Throws<RoutingEvaluationException>(() => RoutingExpression.Parse("event.type > 5").Evaluate(Event));
        Assert.False(RoutingExpression.Parse("event.data.priority == \"7\"").Evaluate(Event));
    }
}
