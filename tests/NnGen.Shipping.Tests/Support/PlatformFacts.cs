using System;

namespace NnGen.Shipping.Tests.Support;

/// <summary>A fact about Unix permission bits; skipped on Windows, which has none.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix permission bits do not exist on Windows.";
        }
    }
}

/// <summary>A fact that needs root on Linux (to mount a tiny tmpfs); skipped elsewhere, with the reason.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Skip = "Needs root on Linux to mount a tmpfs small enough to fill; AtomicFile_WriterFailsHalfway covers the same path without it.";
        }
    }
}
