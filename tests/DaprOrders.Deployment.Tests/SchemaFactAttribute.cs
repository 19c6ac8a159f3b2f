using DaprOrders.Deployment.Validation;

namespace DaprOrders.Deployment.Tests;

/// <summary>
/// A fact that needs the upstream schemas. xunit 2 has no dynamic skip, so the skip is decided when the
/// attribute is constructed: without <c>DAPRORDERS_SCHEMAS_DIR</c> the test is reported as skipped with the
/// reason telling how to get the schemas. This is the only skip in the repository.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SchemaFactAttribute : FactAttribute
{
    public SchemaFactAttribute()
    {
        if (SchemaDirectory.Locate() is null)
        {
            Skip = SchemaDirectory.MissingReason;
        }
    }
}

/// <summary>The theory counterpart of <see cref="SchemaFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SchemaTheoryAttribute : TheoryAttribute
{
    public SchemaTheoryAttribute()
    {
        if (SchemaDirectory.Locate() is null)
        {
            Skip = SchemaDirectory.MissingReason;
        }
    }
}
