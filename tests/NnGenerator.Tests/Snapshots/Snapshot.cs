using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace NnGen.Generator.Tests.Snapshots;

/// <summary>
/// Compares generated sources with checked-in baselines at <c>Baselines/&lt;Scenario&gt;/&lt;HintName&gt;.txt</c> beside
/// the calling test file. Baselines are read from the source tree (found through [CallerFilePath]), never copied to the
/// output, so re-accepting writes the files a reviewer sees in the diff.
/// </summary>
internal static partial class Snapshot
{
    /// <summary>Set to 1 to write the current output as the new baselines (the test then passes).</summary>
    public const string AcceptVariable = "NNGEN_ACCEPT_BASELINES";

    /// <summary>Stands for the generator's assembly version, which changes with every release.</summary>
    public const string VersionPlaceholder = "{version}";

    private const int ContextLines = 3;
    private const int MaxDifferingLines = 5;

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>
    /// Verifies every source in <paramref name="result"/> against <c>Baselines/<paramref name="scenario"/>/</c>, and that
    /// the folder holds no baseline for a hint name that is no longer generated.
    /// </summary>
    public static void Verify(string scenario, GeneratorDriverRunResult result, [CallerFilePath] string callerFilePath = "")
    {
        Assert.Empty(result.Diagnostics);
        var sources = result.Results.SelectMany(run => run.GeneratedSources).ToList();
        Assert.NotEmpty(sources);

        var failures = new List<string>();
        foreach (GeneratedSourceResult source in sources)
        {
            string? failure = Compare(scenario, source.HintName, source.SourceText.ToString(), callerFilePath);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        string directory = ScenarioDirectory(scenario, callerFilePath);
        var expectedFiles = sources.Select(source => BaselineFileName(source.HintName)).ToHashSet(StringComparer.Ordinal);
        foreach (string stale in Directory.EnumerateFiles(directory, "*.txt").Where(path => !path.EndsWith(".received.txt", StringComparison.Ordinal)))
        {
            if (expectedFiles.Contains(Path.GetFileName(stale)))
            {
                continue;
            }

            if (Accepting)
            {
                File.Delete(stale);
            }
            else
            {
                failures.Add($"Baseline {stale} has no generated source any more (delete it, or re-accept with {AcceptVariable}=1).");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Verifies one generated file against <c>Baselines/<paramref name="scenario"/>/<paramref name="hintName"/>.txt</c>.</summary>
    public static void Verify(string scenario, string hintName, string generated, [CallerFilePath] string callerFilePath = "")
    {
        string? failure = Compare(scenario, hintName, generated, callerFilePath);
        Assert.True(failure is null, failure);
    }

    /// <summary>The text as stored in a baseline: '\n' line endings and the version replaced by <see cref="VersionPlaceholder"/>.</summary>
    public static string Normalize(string generated) =>
        GeneratedCodeVersion().Replace(generated.ReplaceLineEndings("\n"), "${prefix}" + VersionPlaceholder + "${suffix}");

    /// <summary>The scenario's baseline folder, beside the test file that called <see cref="Verify(string, GeneratorDriverRunResult, string)"/>.</summary>
    public static string ScenarioDirectory(string scenario, string callerFilePath)
    {
        // A PathMap'd (CI, deterministic) build turns the path into /_/…; a clear failure beats a baseline written elsewhere.
        string? testDirectory = Path.GetDirectoryName(callerFilePath);
        if (string.IsNullOrEmpty(testDirectory) || !Directory.Exists(testDirectory))
        {
            throw new InvalidOperationException(
                $"Snapshot baselines are read from the source tree, but the caller's path '{callerFilePath}' does not exist on this machine " +
                "(was the test project built with a PathMap, e.g. ContinuousIntegrationBuild?).");
        }

        string directory = Path.Combine(testDirectory, "Baselines", scenario);
        if (Accepting)
        {
            Directory.CreateDirectory(directory);
        }

        return directory;
    }

    private static string BaselineFileName(string hintName) => hintName + ".txt";

    private static string? Compare(string scenario, string hintName, string generated, string callerFilePath)
    {
        string actual = Normalize(generated);
        string directory = ScenarioDirectory(scenario, callerFilePath);
        string baselinePath = Path.Combine(directory, BaselineFileName(hintName));
        string receivedPath = Path.Combine(directory, hintName + ".received.txt");

        if (Accepting)
        {
            File.WriteAllText(baselinePath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Delete(receivedPath);
            return null;
        }

        string acceptHint = $"If the change is intended, re-accept: {AcceptVariable}=1 dotnet test tests/NnGenerator.Tests (see Snapshots/README.md).";
        if (!File.Exists(baselinePath))
        {
            WriteReceived(receivedPath, actual);
            return $"Missing baseline {baselinePath} for {scenario}/{hintName}; the output was written to {receivedPath}.\n{acceptHint}";
        }

        string expected = File.ReadAllText(baselinePath).ReplaceLineEndings("\n");
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            File.Delete(receivedPath);
            return null;
        }

        WriteReceived(receivedPath, actual);
        return $"Generated {hintName} differs from baseline {baselinePath}:\n{Diff(expected, actual)}\nThe full output was written to {receivedPath}.\n{acceptHint}";
    }

    private static void WriteReceived(string path, string text)
    {
        if (Directory.Exists(Path.GetDirectoryName(path)))
        {
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
    }

    /// <summary>
    /// The first differing lines as numbered expected/actual pairs, after a little context. Lines are paired by number,
    /// so after an inserted or deleted line every later line differs; the first pair is the one to read.
    /// </summary>
    internal static string Diff(string expected, string actual)
    {
        string[] expectedLines = expected.Split('\n');
        string[] actualLines = actual.Split('\n');
        int lines = Math.Max(expectedLines.Length, actualLines.Length);
        var differing = Enumerable.Range(0, lines)
            .Where(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i])
            .ToList();
        var text = new StringBuilder();
        if (differing.Count == 0)
        {
            return "The texts are equal line by line.";
        }

        int first = differing[0];
        text.Append($"First difference at line {first + 1}; {differing.Count} differing line(s); baseline has {expectedLines.Length} lines, generated has {actualLines.Length}.\n");
        for (int i = Math.Max(0, first - ContextLines); i < first; i++)
        {
            text.Append($"  {i + 1,5}           | {expectedLines[i]}\n");
        }

        foreach (int i in differing.Take(MaxDifferingLines))
        {
            text.Append($"  {i + 1,5} expected: | {(i < expectedLines.Length ? expectedLines[i] : "<end of file>")}\n");
            text.Append($"  {i + 1,5} actual:   | {(i < actualLines.Length ? actualLines[i] : "<end of file>")}\n");
        }

        if (differing.Count > MaxDifferingLines)
        {
            text.Append($"  … and {differing.Count - MaxDifferingLines} more.\n");
        }

        return text.ToString();
    }

    [GeneratedRegex("(?<prefix>GeneratedCode\\(\"NnGenerator\", \")[^\"]*(?<suffix>\"\\))")]
    private static partial Regex GeneratedCodeVersion();
}
