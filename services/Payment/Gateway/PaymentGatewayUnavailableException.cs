namespace DaprOrders.Payment.Gateway;

/// <summary>The provider could not be reached or answered with a transient error; the same call may succeed later.</summary>
public sealed class PaymentGatewayUnavailableException : Exception
{
    public PaymentGatewayUnavailableException()
        : this("The payment gateway is temporarily unavailable.")
    {
    }

    public PaymentGatewayUnavailableException(string message)
        : base(message)
    {
    }

    public PaymentGatewayUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
