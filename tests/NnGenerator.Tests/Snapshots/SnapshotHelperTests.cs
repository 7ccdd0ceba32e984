using System;
using NnGen.Generator.Emit;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Snapshots;

/// <summary>The snapshot helper itself: the version placeholder and a diff that points at the changed line.</summary>
public sealed class SnapshotHelperTests
{
    [Fact]
    public void Normalize_GeneratedSource_ReplacesTheRealGeneratorVersionOnly()
    {
        string generated = GeneratorHarness.Run(TestArchitecture.Planar.Source()).SingleSource;
        string version = typeof(NnGenerator).Assembly.GetName().Version!.ToString();

        Assert.Equal(version, NetworkEmitter.GeneratorVersion);
        Assert.Contains($"GeneratedCode(\"NnGenerator\", \"{version}\")", generated, StringComparison.Ordinal);
        string normalized = Snapshot.Normalize(generated);
        Assert.Contains($"GeneratedCode(\"NnGenerator\", \"{Snapshot.VersionPlaceholder}\")", normalized, StringComparison.Ordinal);
        Assert.DoesNotContain(version, normalized, StringComparison.Ordinal);
        Assert.Equal(generated.Length - version.Length + Snapshot.VersionPlaceholder.Length, normalized.Length);
    }

    [Fact]
    public void Normalize_WindowsLineEndings_BecomeLineFeeds()
    {
        Assert.Equal("a\nb\n", Snapshot.Normalize("a\r\nb\r\n"));
    }

    [Fact]
    public void Diff_OneChangedLine_NamesItsNumberWithExpectedAndActual()
    {
        string diff = Snapshot.Diff("one\ntwo\nthree\nfour", "one\ntwo\nTHREE\nfour");

        Assert.Contains("First difference at line 3; 1 differing line(s)", diff, StringComparison.Ordinal);
        Assert.Contains("3 expected: | three", diff, StringComparison.Ordinal);
        Assert.Contains("3 actual:   | THREE", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("four", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_GeneratedLonger_ShowsEndOfFileOnTheBaselineSide()
    {
        string diff = Snapshot.Diff("one", "one\ntwo");

        Assert.Contains("2 expected: | <end of file>", diff, StringComparison.Ordinal);
        Assert.Contains("2 actual:   | two", diff, StringComparison.Ordinal);
    }
}
