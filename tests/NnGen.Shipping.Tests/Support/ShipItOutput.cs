using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace NnGen.Shipping.Tests.Support;

/// <summary>Runs the ShipIt sample (samples/ShipIt), built beside these tests, and reads its prediction lines.</summary>
internal static partial class ShipItOutput
{
    public static string JitAssembly => Path.Combine(AppContext.BaseDirectory, "ShipIt.dll");

    /// <summary>The probes' inputs and outputs as float bits, in order.</summary>
    public static List<(float X1, float X2, int OutputBits)> Predictions(string output)
    {
        var result = new List<(float, float, int)>();
        foreach (Match match in PredictLine().Matches(output))
        {
            result.Add((
                BitConverter.Int32BitsToSingle(int.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)),
                BitConverter.Int32BitsToSingle(int.Parse(match.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)),
                int.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return result;
    }

    /// <summary>The lines two builds must print identically: predictions and accuracy, not the runtime description.</summary>
    public static string Comparable(string output) => string.Join("\n", ComparableLine().Matches(output).Select(m => m.Value.TrimEnd()));

    [GeneratedRegex(@"bits=\(([0-9A-F]{8}), ([0-9A-F]{8})\) -> \S+ bits=([0-9A-F]{8})")]
    private static partial Regex PredictLine();

    [GeneratedRegex(@"^(predict|accuracy) .*$", RegexOptions.Multiline)]
    private static partial Regex ComparableLine();
}
