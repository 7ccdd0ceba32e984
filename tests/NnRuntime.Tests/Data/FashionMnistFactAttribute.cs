using NnGen.Data;

namespace NnGen.Tests.Data;

/// <summary>
/// A <see cref="FactAttribute"/> that reports the test as skipped, with the reason, when Debian's
/// <c>dataset-fashion-mnist</c> files are not installed; CI installs them (<c>.ci/setup.d/20-fashion-mnist.sh</c>).
/// </summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    /// <summary>Requires the four files in <see cref="FashionMnist.DebianDirectory"/>.</summary>
    public FashionMnistFactAttribute()
    {
        if (FashionMnist.TryFindDirectory(null, out string missing) is null)
        {
            Skip = missing;
        }
    }
}
