using System;
using System.Collections.Generic;

namespace NnGen.Samples.AmpModel;

/// <summary>Plays a whole signal through a network from its state at rest: one sample in, one out, in order.</summary>
/// <param name="input">The samples in.</param>
/// <param name="output">Receives as many samples out.</param>
public delegate void AmpPlayer(ReadOnlySpan<float> input, Span<float> output);

/// <summary>
/// What the experiment needs of a generated amp network beyond training: its typed <c>Process</c>, from the state at
/// rest, as the network and as its frozen copy. The generated <c>State</c> and <c>Frozen</c> are nested in each network,
/// so each network's partial declaration implements this in a few lines.
/// </summary>
public interface IAmpNetwork : ISequenceNetwork
{
    /// <summary>Plays <paramref name="input"/> through <c>Process</c> from <c>default(State)</c>.</summary>
    /// <param name="input">The samples in.</param>
    /// <param name="output">Receives as many samples out.</param>
    void PlayFromRest(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Freezes the network as it is now (<c>Freeze()</c>) and plays through the frozen copy's <c>Process</c>.</summary>
    /// <returns>A player that starts every signal from <c>default(State)</c>.</returns>
    AmpPlayer FreezeForPlaying();
}

/// <summary>One of the sample's networks: what it is called, what it is, and how to make one.</summary>
/// <param name="Key">A short name for file names and HTML keys: <c>gru</c> or <c>conv</c>.</param>
/// <param name="Title">The name printed and shown in the report.</param>
/// <param name="Description">What the network is, in words.</param>
/// <param name="Summary">The generated <c>Summary</c> of its type.</param>
/// <param name="TargetEsr">The held-out ESR a full run promises (<see cref="AmpSettings.Full"/>); the program exits with 2 when it is missed.</param>
/// <param name="Create">A new network with the given seed.</param>
public sealed record AmpModel(string Key, string Title, string Description, string Summary, double TargetEsr, Func<int, IAmpNetwork> Create)
{
    /// <summary>The recurrent model, <see cref="AmpModelNet"/>.</summary>
    public static AmpModel Gru { get; } = new(
        "gru", "GRU", $"a GRU of {AmpModelNet.Layer1Units} units with a linear read-out", AmpModelNet.Summary, 0.01, seed => new AmpModelNet(seed));

    /// <summary>The causal dilated convolutional model, <see cref="AmpConvNet"/>.</summary>
    public static AmpModel Conv { get; } = new(
        "conv",
        "Conv1D",
        $"{AmpConvNet.LayerCount - 1} causal convolutions of {AmpConvNet.Channels} channels, kernel 3, dilations 1 to 16, tanh, with a linear read-out (it sees the last {AmpConvNet.ReceptiveField} samples)",
        AmpConvNet.Summary,
        AmpConvNet.TargetEsr,
        seed => new AmpConvNet(seed));

    /// <summary>Every model the sample trains, in the order it trains and reports them.</summary>
    public static IReadOnlyList<AmpModel> All { get; } = [Gru, Conv];
}
