using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaprOrders.ServiceDefaults;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// The one way a service reads its settings: <typeparamref name="TOptions"/> bound once from configuration section
    /// <paramref name="sectionName"/> (each options class names it <c>SectionName</c>) and checked when the host starts by
    /// <typeparamref name="TValidator"/>, usually generated from the class's data annotations with
    /// <see cref="OptionsValidatorAttribute"/>. A bad setting stops the start with every error it finds.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateOnStart();
    }
}
