using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The start-up choice of a Native AOT program's x86-64-v4 build (NativeVariant.ShouldSwitch): only with the sibling
/// file, every x86-64-v4 flag in /proc/cpuinfo, and no switch keeping AVX-512 off. The switch itself (execv) is exercised
/// by the published binary in NnGen.Shipping.Tests' AotPublishTests.
/// </summary>
public sealed class NativeVariantTests
{
    // This machine's kind of line (AMD Zen 5), shortened: every x86-64-v4 flag among others.
    private const string Zen5 = " fpu sse sse2 avx f16c fma avx2 bmi1 bmi2 avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512vbmi";
    private const string Zen3 = " fpu sse sse2 avx f16c fma avx2 bmi1 bmi2 sha_ni";

    private static readonly Func<string, string?> NoVariables = _ => null;

    [Fact]
    public void ShouldSwitch_Avx512CpuWithTheSibling_Switches() =>
        Assert.True(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: true, Zen5));

    [Fact]
    public void ShouldSwitch_Avx2OnlyCpu_StaysOnV3() =>
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: false, Zen3));

    [Theory]
    [InlineData("avx512f")]
    [InlineData("avx512bw")]
    [InlineData("avx512cd")]
    [InlineData("avx512dq")]
    [InlineData("avx512vl")]
    public void ShouldSwitch_AnyV4FlagMissing_StaysOnV3(string missing) =>
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: true, Zen5.Replace(" " + missing + " ", " ", StringComparison.Ordinal) + " "));

    [Fact]
    public void ShouldSwitch_FlagPrefixOnly_StaysOnV3() =>
        // "avx512f" must be a whole flag, not the start of "avx512fp16".
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: true, Zen5.Replace(" avx512f ", " avx512fp16 ", StringComparison.Ordinal)));

    [Fact]
    public void ShouldSwitch_EmulatedCpuWithoutAvx512OnAnAvx512Host_StaysOnV3() =>
        // qemu-user: CPUID is the emulated CPU's, /proc/cpuinfo the host's.
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: false, Zen5));

    [Fact]
    public void CpuIdHasV4_AgreesWithTheRuntime()
    {
        // Under the JIT the runtime reads the same CPUID bits (and the OS's support) for Avx512F and friends, unless a
        // DOTNET_Enable… variable tells it to use less (DOTNET_EnableAVX512=0 runs the AVX2 paths on an AVX-512 host):
        // then it can only report less than CPUID offers.
        bool runtime = Avx512F.IsSupported && Avx512DQ.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512F.VL.IsSupported;
        bool cpuId = NativeVariant.CpuIdHasV4();
        bool restricted = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Any(name => name.StartsWith("DOTNET_Enable", StringComparison.Ordinal) || name.StartsWith("COMPlus_Enable", StringComparison.Ordinal));
        if (restricted)
        {
            Assert.True(cpuId || !runtime, "the runtime reports AVX-512 (x86-64-v4) that CPUID does not");
        }
        else
        {
            Assert.Equal(runtime, cpuId);
        }
    }

    [Fact]
    public void ShouldSwitch_NoSiblingOrNoFlags_StaysOnV3()
    {
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: false, cpuIdHasV4: true, Zen5));
        Assert.False(NativeVariant.ShouldSwitch(NoVariables, variantExists: true, cpuIdHasV4: true, null));
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512F", "0", false)]
    [InlineData("DOTNET_EnableAVX512", "0", false)]
    [InlineData("DOTNET_EnableAVX512F", "1", true)]
    [InlineData("DOTNET_EnableAVX2", "0", true)]
    public void ShouldSwitch_TheRuntimesAvx512Switches_Honoured(string variable, string value, bool expected)
    {
        var environment = new Dictionary<string, string> { [variable] = value };
        Assert.Equal(expected, NativeVariant.ShouldSwitch(name => environment.GetValueOrDefault(name), variantExists: true, cpuIdHasV4: true, Zen5));
    }
}
