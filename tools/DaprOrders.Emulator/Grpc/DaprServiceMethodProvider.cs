using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprOrders.Emulator.Grpc;

/// <summary>
/// Binds dapr.proto.runtime.v1.Dapr without generated server code: the service definition is the descriptor that
/// Dapr.Protos embeds, the messages are Dapr.Protos' own types. Served RPCs go to <see cref="DaprGrpcApi"/>; every
/// other method of the service answers UNIMPLEMENTED, saying so in the emulator's name.
/// </summary>
internal sealed class DaprServiceMethodProvider : IServiceMethodProvider<DaprGrpcApi>
{
    public static ServiceDescriptor Service { get; } =
        DaprReflection.Descriptor.Services.Single(s => s.FullName == "dapr.proto.runtime.v1.Dapr");

    private static readonly Marshaller<byte[]> Opaque = Marshallers.Create<byte[]>(bytes => bytes, bytes => bytes);

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcApi> context)
    {
        var served = new HashSet<string>(StringComparer.Ordinal);

        void Unary<TRequest, TResponse>(string name, MessageParser<TRequest> parser, UnaryServerMethod<DaprGrpcApi, TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            var method = Service.FindMethodByName(name)
                ?? throw new InvalidOperationException($"Dapr.Protos has no method {Service.FullName}/{name}");
            var responseParser = (MessageParser<TResponse>)method.OutputType.Parser;
            context.AddUnaryMethod(
                new Method<TRequest, TResponse>(MethodType.Unary, Service.FullName, name,
                    Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom),
                    Marshallers.Create(m => m.ToByteArray(), responseParser.ParseFrom)),
                [],
                handler);
            served.Add(name);
        }

        Unary<GetStateRequest, GetStateResponse>("GetState", GetStateRequest.Parser, (api, r, c) => api.GetState(r, c));
        Unary<GetBulkStateRequest, GetBulkStateResponse>("GetBulkState", GetBulkStateRequest.Parser, (api, r, c) => api.GetBulkState(r, c));
        Unary<SaveStateRequest, Empty>("SaveState", SaveStateRequest.Parser, (api, r, c) => api.SaveState(r, c));
        Unary<DeleteStateRequest, Empty>("DeleteState", DeleteStateRequest.Parser, (api, r, c) => api.DeleteState(r, c));
        Unary<DeleteBulkStateRequest, Empty>("DeleteBulkState", DeleteBulkStateRequest.Parser, (api, r, c) => api.DeleteBulkState(r, c));
        Unary<ExecuteStateTransactionRequest, Empty>("ExecuteStateTransaction", ExecuteStateTransactionRequest.Parser, (api, r, c) => api.ExecuteStateTransaction(r, c));
        Unary<PublishEventRequest, Empty>("PublishEvent", PublishEventRequest.Parser, (api, r, c) => api.PublishEvent(r, c));
        Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEvent", BulkPublishRequest.Parser, (api, r, c) => api.BulkPublishEvent(r, c));
        Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEventAlpha1", BulkPublishRequest.Parser, (api, r, c) => api.BulkPublishEvent(r, c));
        Unary<GetMetadataRequest, GetMetadataResponse>("GetMetadata", GetMetadataRequest.Parser, (api, r, c) => api.GetMetadata(r, c));
        Unary<SetMetadataRequest, Empty>("SetMetadata", SetMetadataRequest.Parser, (api, r, c) => api.SetMetadata(r, c));

        foreach (var method in Service.Methods.Where(m => !served.Contains(m.Name)))
        {
            var unimplemented = new RpcException(new Status(StatusCode.Unimplemented,
                $"{Service.FullName}/{method.Name} is not implemented by the DaprOrders emulator (tools/DaprOrders.Emulator); it serves state, pub/sub and metadata"));
            var type = (method.IsClientStreaming, method.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (true, false) => MethodType.ClientStreaming,
                (false, true) => MethodType.ServerStreaming,
                _ => MethodType.DuplexStreaming,
            };
            var definition = new Method<byte[], byte[]>(type, Service.FullName, method.Name, Opaque, Opaque);
            switch (type)
            {
                case MethodType.Unary:
                    context.AddUnaryMethod(definition, [], (_, _, _) => throw unimplemented);
                    break;
                case MethodType.ClientStreaming:
                    context.AddClientStreamingMethod(definition, [], (_, _, _) => throw unimplemented);
                    break;
                case MethodType.ServerStreaming:
                    context.AddServerStreamingMethod(definition, [], (_, _, _, _) => throw unimplemented);
                    break;
                default:
                    context.AddDuplexStreamingMethod(definition, [], (_, _, _, _) => throw unimplemented);
                    break;
            }
        }
    }
}
