namespace DaprOrders.Contracts.Tests;

public sealed class AsyncApiDocumentTests
{
    private readonly Dictionary<object, object> _document = ContractFiles.AsyncApi();

    [Fact]
    public void Is_an_AsyncAPI_3_document_whose_info_covers_the_operational_rules()
    {
        Assert.Equal("3.0.0", _document.Text("asyncapi"));
        Assert.Equal("application/cloudevents+json", _document.Text("defaultContentType"));
        var description = _document.Map("info").Text("description");
        foreach (var topic in new[] { "deadletters", "traceparent", "pubsubname", "source", "orderId", "POST /orders", "cloudevents-batch+json", "ce-" })
        {
            Assert.Contains(topic, description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_catalog_event_has_a_message_named_after_its_type_and_vice_versa()
    {
        var messages = _document.Map("components").Map("messages");
        var names = messages.Entries().Select(m => m.Value.Text("name")).Order(StringComparer.Ordinal);

        Assert.Equal(EventCatalog.All.Select(e => e.Type).Order(StringComparer.Ordinal), names);
        Assert.All(messages.Entries(), m => Assert.Equal(m.Value.Text("name"), m.Value.Text("title")));
    }

    [Fact]
    public void Every_message_payload_references_its_schema_file_relatively()
    {
        foreach (var (_, message) in _document.Map("components").Map("messages").Entries())
        {
            var contract = EventCatalog.Get(message.Text("name"));
            var payload = message.Map("payload");
            string dataRef;
            if (contract.Topic is null)
            {
                Assert.Equal("application/json", message.Text("contentType"));
                dataRef = payload.Ref();
            }
            else
            {
                Assert.Equal("application/cloudevents+json", message.Text("contentType"));
                var allOf = payload.List("allOf").Cast<Dictionary<object, object>>().ToList();
                Assert.Equal("./schemas/" + ContractSchemas.CloudEvent, allOf[0].Ref());
                var properties = allOf[1].Map("properties");
                Assert.Equal(contract.Type, properties.Map("type").Text("const"));
                dataRef = properties.Map("data").Ref();
            }

            Assert.Equal("./schemas/" + contract.SchemaName, dataRef);
            Assert.True(File.Exists(Path.Combine(ContractFiles.Directory, dataRef)), dataRef);
        }
    }

    [Fact]
    public void Channels_are_the_topics_plus_the_http_intake()
    {
        var channels = _document.Map("channels");
        var pubSubChannels = channels.Entries().Where(c => c.Value.ContainsKey("x-dapr")).ToList();

        Assert.Equal(Topics.All.Order(StringComparer.Ordinal), pubSubChannels.Select(c => c.Value.Text("address")).Order(StringComparer.Ordinal));
        Assert.All(pubSubChannels, c => Assert.Equal(PubSub.Name, c.Value.Map("x-dapr").Text("pubsubname")));
        Assert.All(pubSubChannels.Where(c => c.Key != Topics.DeadLetters),
            c => Assert.Equal(Topics.DeadLetters, c.Value.Map("x-dapr").Text("deadLetterTopic")));
        Assert.Equal("/orders", channels.Map("orderIntake").Text("address"));

        foreach (var (key, channel) in pubSubChannels.Where(c => c.Key != Topics.DeadLetters))
        {
            var types = channel.Map("messages").Entries().Select(m => MessageType(m.Value));
            Assert.Equal(EventCatalog.OnTopic(key).Select(e => e.Type).Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Send_operations_match_the_catalog_publishers()
    {
        var expected = EventCatalog.Published.Select(e => $"{e.Publisher} -> {e.Type} @ {e.Topic}");

        Assert.Equal(expected.Order(StringComparer.Ordinal), OperationRows("send").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Receive_operations_match_the_catalog_subscribers_and_audit_reads_dead_letters()
    {
        var expected = EventCatalog.All
            .SelectMany(e => e.Subscribers.Select(app => $"{app} -> {e.Type} @ {e.Topic ?? "/orders"}"))
            .Concat(EventCatalog.Published.Select(e => $"{AppIds.Audit} -> {e.Type} @ {Topics.DeadLetters}"));

        Assert.Equal(expected.Order(StringComparer.Ordinal), OperationRows("receive").Order(StringComparer.Ordinal));
    }

    private IEnumerable<string> OperationRows(string action)
    {
        foreach (var (_, operation) in _document.Map("operations").Entries().Where(o => o.Value.Text("action") == action))
        {
            var channel = ContractFiles.Resolve(_document, operation.Map("channel").Ref());
            foreach (var messageRef in operation.List("messages").Cast<Dictionary<object, object>>())
            {
                Assert.StartsWith(operation.Map("channel").Ref() + "/messages/", messageRef.Ref(), StringComparison.Ordinal);
                var message = ContractFiles.Resolve(_document, messageRef.Ref());
                yield return $"{operation.Text("x-dapr-app-id")} -> {MessageType(message)} @ {channel.Text("address")}";
            }
        }
    }

    private string MessageType(Dictionary<object, object> channelMessage) =>
        ContractFiles.Resolve(_document, channelMessage.Ref()).Text("name");
}
