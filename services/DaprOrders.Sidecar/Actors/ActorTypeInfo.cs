using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace DaprOrders.Sidecar.Actors;

/// <summary>An actor type and its callable methods, built once by reflection at registration.</summary>
internal sealed class ActorTypeInfo
{
    /// <summary>What the host reflects on: the public methods (the callable table) and constructors (activation).</summary>
    public const DynamicallyAccessedMemberTypes ReflectedMembers =
        DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors;

    private ActorTypeInfo(string name, [DynamicallyAccessedMembers(ReflectedMembers)] Type clrType, IReadOnlyDictionary<string, ActorMethod> methods)
    {
        Name = name;
        ClrType = clrType;
        Methods = methods;
    }

    public string Name { get; }

    [DynamicallyAccessedMembers(ReflectedMembers)]
    public Type ClrType { get; }

    public bool IsRemindable => typeof(IRemindable).IsAssignableFrom(ClrType);

    public IReadOnlyDictionary<string, ActorMethod> Methods { get; }

    public static ActorTypeInfo Create(string name, [DynamicallyAccessedMembers(ReflectedMembers)] Type clrType)
    {
        if (clrType.IsAbstract)
        {
            throw new ArgumentException($"Actor type {clrType} must not be abstract.", nameof(clrType));
        }

        var methods = new Dictionary<string, ActorMethod>(StringComparer.Ordinal);
        foreach (var method in clrType.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.DeclaringType is null || method.DeclaringType == typeof(Actor) || method.DeclaringType == typeof(object)
                || method.IsSpecialName || method.IsGenericMethodDefinition || !ActorMethod.IsAwaitable(method.ReturnType)
                || IsReminderCallback(method))
            {
                continue;
            }

            if (methods.ContainsKey(method.Name))
            {
                throw new InvalidOperationException(
                    $"Actor {clrType.Name} has several public methods named {method.Name}; daprd calls methods by name, so overloads are ambiguous.");
            }

            methods[method.Name] = ActorMethod.Create(method);
        }

        return new ActorTypeInfo(name, clrType, methods);
    }

    private static bool IsReminderCallback(MethodInfo method) =>
        method.Name == nameof(IRemindable.ReceiveReminderAsync)
        && typeof(IRemindable).IsAssignableFrom(method.DeclaringType);
}

/// <summary>A callable actor method: at most one data parameter plus an optional CancellationToken.</summary>
internal sealed class ActorMethod
{
    private static readonly MethodInfo AwaitTaskOfMethod = typeof(ActorMethod).GetMethod(nameof(AwaitTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo AwaitValueTaskOfMethod = typeof(ActorMethod).GetMethod(nameof(AwaitValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly MethodInvoker _invoker;
    private readonly Func<object, Task<object?>> _await;
    private readonly int _parameterCount;
    private readonly int _dataIndex;
    private readonly int _cancellationIndex;

    private ActorMethod(MethodInfo method, MethodInvoker invoker, Func<object, Task<object?>> awaiter, Type? resultType,
        Type? parameterType, int dataIndex, int cancellationIndex)
    {
        Name = method.Name;
        _invoker = invoker;
        _await = awaiter;
        ResultType = resultType;
        ParameterType = parameterType;
        _parameterCount = method.GetParameters().Length;
        _dataIndex = dataIndex;
        _cancellationIndex = cancellationIndex;
    }

    public string Name { get; }

    /// <summary>Type of the JSON body parameter, or null for methods without one.</summary>
    public Type? ParameterType { get; }

    /// <summary>Type of the JSON result, or null for Task/ValueTask.</summary>
    public Type? ResultType { get; }

    public static bool IsAwaitable(Type returnType) =>
        returnType == typeof(Task) || returnType == typeof(ValueTask)
        || (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)));

    public static ActorMethod Create(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var dataIndex = -1;
        var cancellationIndex = -1;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].ParameterType == typeof(CancellationToken) && cancellationIndex < 0)
            {
                cancellationIndex = i;
            }
            else if (dataIndex < 0 && !parameters[i].ParameterType.IsByRef)
            {
                dataIndex = i;
            }
            else
            {
                throw new InvalidOperationException(
                    $"Actor method {method.DeclaringType?.Name}.{method.Name} must take at most one data parameter and an optional CancellationToken.");
            }
        }

        var returnType = method.ReturnType;
        Type? resultType = null;
        Func<object, Task<object?>> awaiter;
        if (returnType == typeof(Task))
        {
            awaiter = AwaitTask;
        }
        else if (returnType == typeof(ValueTask))
        {
            awaiter = AwaitValueTask;
        }
        else
        {
            resultType = returnType.GetGenericArguments()[0];
            awaiter = ResultAwaiter(method, returnType.GetGenericTypeDefinition() == typeof(Task<>), resultType);
        }

        return new ActorMethod(method, MethodInvoker.Create(method), awaiter, resultType,
            dataIndex >= 0 ? parameters[dataIndex].ParameterType : null, dataIndex, cancellationIndex);
    }

    // Native AOT compiles AwaitTaskOf<T> once for every reference type (shared code), but a value-type T would need an
    // instantiation nobody asked the compiler for: such methods are refused at registration instead of on first call.
    [UnconditionalSuppressMessage("AOT", "IL3050:RequiresDynamicCode", Justification = "Value-type results are refused here when dynamic code is unsupported; reference types use the shared instantiation.")]
    [UnconditionalSuppressMessage("Trimming", "IL2060:MakeGenericMethod", Justification = "The generic methods are private, kept by the field initializers that look them up.")]
    private static Func<object, Task<object?>> ResultAwaiter(MethodInfo method, bool isTask, Type resultType)
    {
        if (resultType.IsValueType && !RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new InvalidOperationException(
                $"Actor method {method.DeclaringType?.Name}.{method.Name} returns a value type ({resultType.Name}); under native AOT return a reference type (e.g. a record).");
        }

        var open = isTask ? AwaitTaskOfMethod : AwaitValueTaskOfMethod;
        return open.MakeGenericMethod(resultType).CreateDelegate<Func<object, Task<object?>>>();
    }

    public Task<object?> InvokeAsync(Actor actor, object? data, CancellationToken cancellationToken)
    {
        var arguments = new object?[_parameterCount];
        if (_dataIndex >= 0)
        {
            arguments[_dataIndex] = data;
        }

        if (_cancellationIndex >= 0)
        {
            arguments[_cancellationIndex] = cancellationToken;
        }

        object? returned;
        try
        {
            returned = _invoker.Invoke(actor, arguments.AsSpan());
        }
        catch (Exception ex)
        {
            // MethodInvoker does not wrap exceptions; surface a synchronous throw like an async one.
            return Task.FromException<object?>(ex);
        }

        return _await(returned!);
    }

    private static async Task<object?> AwaitTask(object task)
    {
        await ((Task)task).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitValueTask(object task)
    {
        await ((ValueTask)task).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitTaskOf<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTaskOf<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);
}
