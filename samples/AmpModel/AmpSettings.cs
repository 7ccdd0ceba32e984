namespace NnGen.Samples.AmpModel;

/// <summary>
/// What the sample generates and how it trains, as amp modellers train: sequences cut from one long recording, the first
/// steps of each only warming the state up, Adam with a decaying rate, gradients clipped by their global norm, and early
/// stopping on held-out playing. Each segment is its own performance (its own seed) starting from silence, so the
/// held-out segment is played through each model from a fresh <c>State</c> exactly as the effect
/// played it from rest.
/// </summary>
/// <param name="TrainingSeconds">Seconds of playing the network is trained on.</param>
/// <param name="ValidationSeconds">Seconds of other playing that early stopping watches (never trained on).</param>
/// <param name="TestSeconds">Seconds of yet other playing the final ESR and the real-time factor are measured on.</param>
/// <param name="SequenceSteps">Samples per training sequence (T): backpropagation through time runs over each whole sequence.</param>
/// <param name="WarmUp">The first samples of each sequence, run to settle the state but left out of the loss.</param>
/// <param name="BatchSize">Sequences per Adam step.</param>
/// <param name="Epochs">The most passes over the training sequences.</param>
/// <param name="LearningRate">Adam's α at the first pass.</param>
/// <param name="Decay">α is multiplied by this after every pass.</param>
/// <param name="ClipGradientNorm">The largest global gradient norm an update may use.</param>
/// <param name="Patience">Passes without a better validation loss before training stops (the best parameters are kept).</param>
public sealed record AmpSettings(
    int TrainingSeconds,
    int ValidationSeconds,
    int TestSeconds,
    int SequenceSteps,
    int WarmUp,
    int BatchSize,
    int Epochs,
    float LearningRate,
    double Decay,
    float ClipGradientNorm,
    int Patience)
{
    /// <summary>The sample: 20 s of training playing, about a minute of training on two cores.</summary>
    public static AmpSettings Full { get; } = new(
        TrainingSeconds: 20, ValidationSeconds: 2, TestSeconds: 5, SequenceSteps: 2048, WarmUp: 512, BatchSize: 8,
        Epochs: 100, LearningRate: 0.01f, Decay: 0.98, ClipGradientNorm: 1f, Patience: 10);

    /// <summary>A shortened run for tests (<c>--quick</c>): the same pipeline on 3 s of playing for 6 passes.</summary>
    public static AmpSettings Quick { get; } = Full with { TrainingSeconds = 3, ValidationSeconds = 1, TestSeconds = 1, Epochs = 6 };

    /// <summary>Seeds the training playing; validation and test playing use the next two seeds.</summary>
    public const int DataSeed = 1;

    /// <summary>Seeds the initial weights and the shuffling of the sequences.</summary>
    public const int TrainingSeed = 1;

    /// <summary>Samples of <paramref name="seconds"/> at the effect's rate.</summary>
    public static int Samples(int seconds) => checked(seconds * Data.SyntheticAmp.SampleRate);
}
