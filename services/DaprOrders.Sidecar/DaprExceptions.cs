using System.Net;

namespace DaprOrders.Sidecar;

/// <summary>
/// The sidecar answered with an error. <see cref="ErrorCode"/> is daprd's <c>errorCode</c> (e.g.
/// <c>ERR_STATE_TRANSACTION</c>); key on it and <see cref="StatusCode"/>, never on the message text.
/// </summary>
public class DaprApiException : Exception
{
    public DaprApiException()
        : this("The Dapr sidecar returned an error.")
    {
    }

    public DaprApiException(string message)
        : this(message, innerException: null)
    {
    }

    public DaprApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
        DaprMessage = message;
        RawBody = string.Empty;
    }

    public DaprApiException(HttpStatusCode statusCode, string? errorCode, string daprMessage, string rawBody, string requestDescription)
        : base(FormatMessage(statusCode, errorCode, daprMessage, requestDescription))
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        DaprMessage = daprMessage;
        RawBody = rawBody;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>daprd's <c>errorCode</c>, or null when the body was not a Dapr error (plain text, app response).</summary>
    public string? ErrorCode { get; }

    /// <summary>daprd's <c>message</c> (or the plain-text body).</summary>
    public string DaprMessage { get; }

    /// <summary>The response body exactly as received.</summary>
    public string RawBody { get; }

    private static string FormatMessage(HttpStatusCode statusCode, string? errorCode, string daprMessage, string requestDescription) =>
        errorCode is null
            ? $"Dapr sidecar answered {(int)statusCode} to {requestDescription}: {daprMessage}"
            : $"Dapr sidecar answered {(int)statusCode} {errorCode} to {requestDescription}: {daprMessage}";
}

/// <summary>Save or delete rejected because the ETag no longer matches (daprd answers 409).</summary>
public sealed class DaprETagMismatchException : DaprApiException
{
    public DaprETagMismatchException()
    {
    }

    public DaprETagMismatchException(string message)
        : base(message)
    {
    }

    public DaprETagMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public DaprETagMismatchException(HttpStatusCode statusCode, string? errorCode, string daprMessage, string rawBody, string requestDescription)
        : base(statusCode, errorCode, daprMessage, rawBody, requestDescription)
    {
    }
}

/// <summary>The sidecar could not be reached (nothing listening, or not ready before the deadline).</summary>
public sealed class DaprSidecarUnavailableException : Exception
{
    public DaprSidecarUnavailableException()
        : this("The Dapr sidecar is not reachable.")
    {
    }

    public DaprSidecarUnavailableException(string message)
        : this(message, innerException: null)
    {
    }

    public DaprSidecarUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public DaprSidecarUnavailableException(Uri endpoint, string message, Exception? innerException)
        : base(message, innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>The sidecar URL that was tried.</summary>
    public Uri? Endpoint { get; }
}
