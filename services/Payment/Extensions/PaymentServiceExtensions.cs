using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Payment.Gateway;
using DaprOrders.Payment.Payments;
using DaprOrders.ServiceDefaults;

namespace DaprOrders.Payment.Extensions;

public static class PaymentServiceExtensions
{
    /// <summary>Everything Payment registers: the Dapr app, its settings (checked at start), the gateway and the processor.</summary>
    public static void AddPaymentServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDaprApp(ContractsJsonContext.Default, PaymentJsonContext.Default);

        builder.Services.AddValidatedOptions<PaymentGatewayOptions, PaymentGatewayOptionsValidator>(PaymentGatewayOptions.SectionName);

        // One instance behind both interfaces: the ledger summary must describe the gateway that charges.
        builder.Services.AddSingleton<SimulatedPaymentGateway>();
        builder.Services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        builder.Services.AddSingleton<IPaymentLedger>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        builder.Services.AddSingleton(sp => new ETaggedStateStore<PaymentRecord>(sp.GetRequiredService<DaprClient>(), PaymentRecord.StoreName));
        builder.Services.AddSingleton<PaymentProcessor>();
    }
}
