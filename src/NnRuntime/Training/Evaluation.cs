namespace NnGen;

/// <summary>How well a network fits a data set, from <see cref="Trainer.Evaluate"/>.</summary>
/// <param name="Cost">J of the network's loss, in double precision (see <see cref="Losses"/>).</param>
/// <param name="Accuracy">
/// For a sigmoid output: the fraction of output values on the right side of 0.5 (prediction &gt; 0.5 exactly when
/// label &gt; 0.5), in [0, 1]. For any other output activation there is no threshold to apply, so it is
/// <see cref="double.NaN"/>.
/// </param>
/// <param name="Examples">m, the number of examples evaluated.</param>
public sealed record Evaluation(double Cost, double Accuracy, int Examples);
