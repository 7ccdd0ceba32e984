using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// Picks, when a Native AOT program starts, the build of it that suits the CPU. Native AOT fixes the instruction set at
/// publish time, and from an x86-64-v3 (AVX2) baseline it cannot compile AVX-512 code behind a run-time check (the
/// compiler never treats AVX-512 as opportunistic), so a v3 binary runs NnGen's kernels at 256 bits even on CPUs with
/// AVX-512, where the JIT uses 512. The NnGen package therefore publishes an x64 Linux program twice (build/NnGen.targets):
/// <c>&lt;program&gt;</c> for x86-64-v3, which starts on every x64 CPU since 2013, and beside it
/// <c>&lt;program&gt;</c><see cref="Suffix"/> for x86-64-v4. At start-up the v3 binary replaces itself with the v4 one
/// (execv: same process id, arguments, environment and open files) when the CPU and the kernel support AVX-512, and
/// otherwise simply runs.
/// </summary>
/// <remarks>
/// Nothing happens under the JIT, in a binary that has AVX-512 already, without the sibling file, off Linux x64, or when
/// <c>DOTNET_EnableAVX512F=0</c> or <c>DOTNET_EnableAVX512=0</c> is set (the runtime's switches to keep AVX-512 off,
/// which a Native AOT binary does not read itself). If execv fails, the v3 binary carries on.
/// </remarks>
internal static partial class NativeVariant
{
    /// <summary>The x86-64-v4 build's file name is the program's followed by this (build/NnGen.targets writes it).</summary>
    public const string Suffix = ".avx512";

    /// <summary>The CPU features of x86-64-v4 beyond v3, as Linux lists them in /proc/cpuinfo once it has enabled their state.</summary>
    internal static readonly string[] RequiredFlags = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];

    // Native AOT runs module initializers before Main, which is the only moment a process can still be replaced unseen.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Choosing the binary must happen before the program runs; it acts only in a v3 Native AOT binary with a v4 sibling.")]
    internal static void SelectAtStartup()
    {
        // Constant in a Native AOT binary, so a JIT process or a v4 binary compiles this to nothing.
        if (RuntimeFeature.IsDynamicCodeSupported || Vector512.IsHardwareAccelerated || Avx512F.IsSupported ||
            !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        try
        {
            string? variant = Environment.ProcessPath is { } path ? path + Suffix : null;
            if (variant is not null && ShouldSwitch(Environment.GetEnvironmentVariable, File.Exists(variant), CpuIdHasV4(), ReadCpuFlags()))
            {
                Exec(variant, Environment.GetCommandLineArgs());
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No /proc, no permission: the v3 binary is correct everywhere, only slower.
        }
    }

    /// <summary>
    /// Whether to replace a v3 binary with its v4 sibling: the sibling exists, the CPU reports the x86-64-v4 features and
    /// the kernel has enabled them (it lists them in /proc/cpuinfo only then), and no switch keeps AVX-512 off.
    /// </summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="variantExists">Whether the v4 build is beside the program.</param>
    /// <param name="cpuIdHasV4">Whether CPUID reports every x86-64-v4 feature (<see cref="CpuIdHasV4"/>).</param>
    /// <param name="cpuFlags">The flags line of /proc/cpuinfo (null when there is none).</param>
    internal static bool ShouldSwitch(Func<string, string?> environment, bool variantExists, bool cpuIdHasV4, string? cpuFlags)
    {
        if (!variantExists || !cpuIdHasV4 || cpuFlags is null || environment("DOTNET_EnableAVX512F") == "0" || environment("DOTNET_EnableAVX512") == "0")
        {
            return false;
        }

        string[] flags = cpuFlags.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return Array.TrueForAll(RequiredFlags, required => Array.IndexOf(flags, required) >= 0);
    }

    /// <summary>
    /// Whether CPUID leaf 7 reports AVX512F, DQ, CD, BW and VL, the features x86-64-v4 adds. Asked as well as /proc/cpuinfo
    /// because an emulator (qemu-user) reports its emulated CPU here while /proc/cpuinfo shows the host's.
    /// </summary>
    internal static bool CpuIdHasV4()
    {
        if (!X86Base.IsSupported || X86Base.CpuId(0, 0).Eax < 7)
        {
            return false;
        }

        const int V4 = (1 << 16) | (1 << 17) | (1 << 28) | (1 << 30) | unchecked((int)(1u << 31));
        return (X86Base.CpuId(7, 0).Ebx & V4) == V4;
    }

    /// <summary>The first "flags" line of /proc/cpuinfo, after its colon; null when there is none.</summary>
    private static string? ReadCpuFlags()
    {
        using var reader = new StreamReader("/proc/cpuinfo");
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0)
            {
                return line[(colon + 1)..];
            }
        }

        return null;
    }

    private static unsafe void Exec(string path, string[] arguments)
    {
        // argv[0] stays what the user typed; the v4 binary finds itself through /proc/self/exe.
        nint file = Marshal.StringToCoTaskMemUTF8(path);
        nint* argv = stackalloc nint[arguments.Length + 1];
        for (int i = 0; i < arguments.Length; i++)
        {
            argv[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
        }

        argv[arguments.Length] = 0;
        Execv((byte*)file, (byte**)argv);

        // Only reached when execv failed (the file is not executable, say): free the strings and run this binary.
        Marshal.FreeCoTaskMem(file);
        for (int i = 0; i < arguments.Length; i++)
        {
            Marshal.FreeCoTaskMem(argv[i]);
        }
    }

    [LibraryImport("libc", EntryPoint = "execv")]
    private static unsafe partial int Execv(byte* path, byte** argv);
}
