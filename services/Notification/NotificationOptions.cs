using System.ComponentModel.DataAnnotations;
using DaprOrders.Contracts;

namespace DaprOrders.Notification;

/// <summary>Settings of the <c>Notification</c> configuration section.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string SectionName = "Notification";

    /// <summary>Built-in channel names accepted by <see cref="Channel"/>.</summary>
    public const string StoredChannel = "stored";
    public const string WebhookChannel = "webhook";

    /// <summary><c>stored</c> (default: keep the message in the state store and log it) or <c>webhook</c> (Dapr HTTP output binding).</summary>
    [Required]
    public string Channel { get; set; } = StoredChannel;

    /// <summary>Name of the Dapr output binding (<c>bindings.http</c>) the webhook channel invokes.</summary>
    public string? BindingName { get; set; }

    /// <summary>Path appended to the binding's base URL (<c>metadata.path</c>).</summary>
    public string WebhookPath { get; set; } = "/notifications";

    public string StateStore { get; set; } = "statestore";

    public string PubsubName { get; set; } = PubSub.Name;

    /// <summary>
    /// How long a delivery owns a Pending notification before another delivery may take over. It bounds the window in
    /// which a crashed sender blocks the notification; a live sender finishes well within it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of an ETag read-modify-write loop before the delivery is answered with RETRY.</summary>
    [Range(1, 100)]
    public int MaxConcurrencyAttempts { get; set; } = 10;

    /// <summary>How many recently sent notifications <c>GET /notifications</c> can return.</summary>
    [Range(1, 10_000)]
    public int RecentLimit { get; set; } = 100;

    /// <summary>Pause between background writes of the recent list, so that under load notifications gather into batches.</summary>
    public TimeSpan RecentFlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Channel is not (StoredChannel or WebhookChannel))
        {
            yield return new ValidationResult($"{SectionName}:Channel must be '{StoredChannel}' or '{WebhookChannel}'.", [nameof(Channel)]);
        }
        else if (Channel == WebhookChannel && string.IsNullOrWhiteSpace(BindingName))
        {
            yield return new ValidationResult(
                $"{SectionName}:BindingName is required when {SectionName}:Channel is '{WebhookChannel}'.", [nameof(BindingName)]);
        }
    }
}

/// <summary>Checks the data annotations of <see cref="NotificationOptions"/> with generated code (no reflection at start-up).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class NotificationOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<NotificationOptions>;
