using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.Emit;

/// <summary>
/// The same declarations give byte-identical sources on every run, in every source order and under any culture.
/// The test project runs with InvariantGlobalization (Directory.Build.props), so named cultures such as ar-SA or fr-FR
/// cannot be created here; the culture test then uses cultures built from the invariant one with the traits that
/// break careless formatting (U+2212 minus, comma decimal separator, narrow no-break space grouping, Arabic percent),
/// and adds the named cultures whenever globalization data is available.
/// </summary>
public sealed class DeterminismTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scenarios => new(EmitScenarios.All.Keys);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Generate_TwiceFromFreshCompilations_ByteIdenticalSources(string scenario)
    {
        string[] sources = EmitScenarios.All[scenario].Sources;

        var first = Generate(sources);
        var second = Generate(sources);

        Assert.Equal(first.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        foreach ((string hintName, byte[] bytes) in first)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(second[hintName]), $"{hintName} differs between two runs.");
        }
    }

    [Fact]
    public void Generate_SourceFilesInReverseOrder_SameHintNamesAndBytes()
    {
        string[] sources = EmitScenarios.All["AllCatalogueNetworksTogether"].Sources;

        var forward = Generate(sources);
        var reversed = Generate(sources.Reverse().ToArray());

        Assert.Equal(forward.Keys.Order(StringComparer.Ordinal), reversed.Keys.Order(StringComparer.Ordinal));
        foreach ((string hintName, byte[] bytes) in forward)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(reversed[hintName]), $"{hintName} depends on the order of the source files.");
        }
    }

    [Fact]
    public void Generate_UnderForeignCultures_IdenticalToInvariantCulture()
    {
        string[] sources = [.. EmitScenarios.All.Where(pair => pair.Key != "AllCatalogueNetworksTogether").SelectMany(pair => pair.Value.Sources).Distinct()];
        var invariant = WithCulture(CultureInfo.InvariantCulture, () => GenerateEach(sources));
        List<CultureInfo> cultures = ForeignCultures();
        output.WriteLine($"Globalization invariant mode: {IsInvariantMode()}; cultures tested: {string.Join(", ", cultures.Select(Describe))}");

        foreach (CultureInfo culture in cultures)
        {
            var localized = WithCulture(culture, () => GenerateEach(sources));
            Assert.Equal(invariant.Count, localized.Count);
            foreach ((string hintName, string text) in invariant)
            {
                Assert.True(
                    string.Equals(text, localized[hintName], StringComparison.Ordinal),
                    $"{hintName} differs under culture {Describe(culture)}:\n{Snapshots.Snapshot.Diff(text, localized[hintName])}");
            }
        }
    }

    [Fact]
    public void ForeignCultures_CustomCulture_ReallyFormatsDifferently()
    {
        // Guards the culture test against a culture that formats like the invariant one and so proves nothing.
        CultureInfo culture = ForeignCultures()[0];
        Assert.NotEqual((-1.5).ToString(CultureInfo.InvariantCulture), (-1.5).ToString(culture));
        Assert.NotEqual((-3).ToString(CultureInfo.InvariantCulture), (-3).ToString(culture));
    }

    private static Dictionary<string, byte[]> Generate(string[] sources)
    {
        GeneratorOutput run = GeneratorHarness.Run(sources);
        Assert.Empty(run.GeneratorDiagnostics);
        return run.Result.Results.SelectMany(result => result.GeneratedSources)
            .ToDictionary(source => source.HintName, source => Encoding.UTF8.GetBytes(source.SourceText.ToString()), StringComparer.Ordinal);
    }

    /// <summary>Each source in its own compilation (two scenarios declare types with the same names).</summary>
    private static Dictionary<string, string> GenerateEach(string[] sources)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string source in sources)
        {
            foreach (GeneratedSourceResult generated in GeneratorHarness.Run(source).Result.Results.SelectMany(result => result.GeneratedSources))
            {
                texts.Add(generated.HintName, generated.SourceText.ToString());
            }
        }

        Assert.NotEmpty(texts);
        return texts;
    }

    private static T WithCulture<T>(CultureInfo culture, Func<T> action)
    {
        CultureInfo culturePrevious = CultureInfo.CurrentCulture;
        CultureInfo uiPrevious = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culturePrevious;
            CultureInfo.CurrentUICulture = uiPrevious;
        }
    }

    private static List<CultureInfo> ForeignCultures()
    {
        var custom = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        custom.NumberFormat.NegativeSign = "\u2212";
        custom.NumberFormat.PositiveSign = "\u002B\u200E";
        custom.NumberFormat.NumberDecimalSeparator = ",";
        custom.NumberFormat.NumberGroupSeparator = "\u202F";
        custom.NumberFormat.CurrencyDecimalSeparator = ",";
        custom.NumberFormat.PercentSymbol = "\u066A";
        custom.NumberFormat.NaNSymbol = "\u0644\u064A\u0633\u00A0\u0631\u0642\u0645";
        custom.NumberFormat.PositiveInfinitySymbol = "\u221E";

        var cultures = new List<CultureInfo> { custom };
        foreach (string name in new[] { "ar-SA", "fr-FR", "tr-TR", "fa-IR", "sv-SE" })
        {
            try
            {
                var named = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
                if (named.NumberFormat.NumberDecimalSeparator != CultureInfo.InvariantCulture.NumberFormat.NumberDecimalSeparator ||
                    named.NumberFormat.NegativeSign != CultureInfo.InvariantCulture.NumberFormat.NegativeSign)
                {
                    cultures.Add(named);
                }
            }
            catch (CultureNotFoundException)
            {
                // Invariant globalization mode: only the invariant culture's data exists.
            }
        }

        return cultures;
    }

    private static bool IsInvariantMode() => AppContext.TryGetSwitch("System.Globalization.Invariant", out bool invariant) && invariant;

    private static string Describe(CultureInfo culture) =>
        culture.Name.Length > 0 ? culture.Name : $"custom(minus U+{(int)culture.NumberFormat.NegativeSign[0]:X4}, decimal '{culture.NumberFormat.NumberDecimalSeparator}')";
}
