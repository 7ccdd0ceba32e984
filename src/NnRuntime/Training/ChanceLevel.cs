using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen;

/// <summary>
/// The cost of guessing: the cross-entropy of always predicting the training labels' frequencies, which is the best any
/// network that ignores its inputs can do. For a categorical cross-entropy that is the entropy of the class frequencies,
/// −Σ p_c ln p_c (ln 10 ≈ 2.303 for ten balanced classes); for a binary cross-entropy the sum over the outputs of
/// −p ln p − (1 − p) ln(1 − p) (ln 2 ≈ 0.693 for one balanced output). A run that ends no better has learned nothing.
/// </summary>
internal sealed class ChanceLevel
{
    /// <summary>
    /// A final cost above (1 − this) × the chance-level cost counts as no better than chance: a network that learned
    /// something beats guessing by more than a percent, while one stuck at chance lands within float noise of it.
    /// </summary>
    public const double Margin = 0.01;

    // Below this the labels are (nearly) all one class: every cost is "no better" than a zero entropy, so say nothing.
    private const double Negligible = 1e-6;

    private readonly Loss _loss;
    private readonly double[] _sums;
    private long _examples;

    public ChanceLevel(Loss loss, int outputs)
    {
        _loss = loss;
        _sums = loss is Loss.BinaryCrossEntropy or Loss.CategoricalCrossEntropy ? new double[outputs] : [];
    }

    /// <summary>Counts the label rows of <paramref name="labels"/> (m × n[L]); each example is counted once per run.</summary>
    public void Observe(ReadOnlySpan<float> labels)
    {
        if (_sums.Length == 0)
        {
            return;
        }

        int n = _sums.Length;
        int examples = labels.Length / n;
        for (int e = 0; e < examples; e++)
        {
            ReadOnlySpan<float> row = labels.Slice(e * n, n);
            for (int j = 0; j < n; j++)
            {
                _sums[j] += row[j];
            }
        }

        _examples += examples;
    }

    /// <summary>The examples counted so far.</summary>
    public long Examples => _examples;

    /// <summary>The chance-level cost of the labels counted, or <see langword="null"/> for a regression loss, no labels, or labels of one class.</summary>
    public double? Cost()
    {
        if (_sums.Length == 0 || _examples == 0)
        {
            return null;
        }

        double entropy = 0;
        foreach (double sum in _sums)
        {
            double p = Math.Clamp(sum / _examples, 0, 1);
            entropy -= XLogX(p);
            if (_loss == Loss.BinaryCrossEntropy)
            {
                entropy -= XLogX(1 - p);
            }
        }

        return entropy > Negligible ? entropy : null;
    }

    /// <summary>The frequencies the chance-level cost comes from, for the message: "p = 0.35" or "10 classes, 7.8 % to 12.1 %".</summary>
    public string Describe()
    {
        var frequencies = new double[_sums.Length];
        for (int j = 0; j < frequencies.Length; j++)
        {
            frequencies[j] = _sums[j] / _examples;
        }

        if (_loss == Loss.CategoricalCrossEntropy)
        {
            double least = TensorPrimitives.Min<double>(frequencies), most = TensorPrimitives.Max<double>(frequencies);
            return most - least < 5e-4
                ? string.Create(CultureInfo.InvariantCulture, $"the entropy of {frequencies.Length} equally frequent classes, ln {frequencies.Length}")
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"the entropy of the {frequencies.Length} class frequencies, {least:P1} to {most:P1} of the training labels; ln {frequencies.Length} = {Math.Log(frequencies.Length):G4} when balanced");
        }

        return frequencies.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"the entropy of the labels' share of 1s, {frequencies[0]:P1}; ln 2 = {Math.Log(2):G4} when balanced")
            : string.Create(CultureInfo.InvariantCulture, $"the summed entropies of the {frequencies.Length} outputs' shares of 1s, {TensorPrimitives.Min<double>(frequencies):P1} to {TensorPrimitives.Max<double>(frequencies):P1}");
    }

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0;
}
