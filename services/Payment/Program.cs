using System.Text.Json.Serialization;
using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Payment;
using DaprOrders.Payment.Api;
using DaprOrders.Payment.Events;
using DaprOrders.Payment.Gateway;
using DaprOrders.Payment.Payments;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(options =>
{
    // Same shape as the contracts: optional members are omitted rather than written as null.
    options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, PaymentJsonContext.Default);
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
});
builder.AddDaprApp();
builder.Services.AddOptions<PaymentGatewayOptions>()
    .BindConfiguration(PaymentGatewayOptions.SectionName)
    .Validate(o => o.IsValid(out _), "PaymentGateway settings are out of range (see services/Payment/README.md).")
    .ValidateOnStart();
// One instance behind both interfaces: the ledger summary must describe the gateway that charges.
builder.Services.AddSingleton<SimulatedPaymentGateway>();
builder.Services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
builder.Services.AddSingleton<IPaymentLedger>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
builder.Services.AddSingleton(services => new ETaggedStateStore<PaymentRecord>(services.GetRequiredService<DaprClient>(), PaymentRecord.StoreName));
builder.Services.AddSingleton<PaymentProcessor>();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapPaymentApi();
app.MapOrderEvents();
app.Run();

/// <summary>Entry point; public so tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
