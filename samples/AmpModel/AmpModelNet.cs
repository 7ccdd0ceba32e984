using System;

namespace NnGen.Samples.AmpModel;

/// <summary>
/// The recurrent amp model: one sample in, a GRU of 16 units that carries what the effect remembers (the envelope that
/// sets the drive, the filter's past samples), and a linear read-out of one sample out, at every step. 16 units reached a
/// lower held-out ESR than 8 and the same as 32 at half the training time; a GRU of 16 reached about ten times lower than
/// an LSTM of 16 or 32 in the same budget (docs/samples.md gives the figures).
/// </summary>
[Network(Inputs = 1)]
[Gru(16)]
[Dense(1, Activation.Linear)]
public sealed partial class AmpModelNet : IAmpNetwork
{
    /// <inheritdoc/>
    public void PlayFromRest(ReadOnlySpan<float> input, Span<float> output)
    {
        State state = default;
        Process(input, output, ref state);
    }

    /// <inheritdoc/>
    public AmpPlayer FreezeForPlaying()
    {
        Frozen frozen = Freeze();
        return (input, output) =>
        {
            State state = default;
            frozen.Process(input, output, ref state);
        };
    }
}
