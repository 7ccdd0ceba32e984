namespace NnGen;

/// <summary>
/// A network whose architecture is known at run time, so its parameters can be saved, loaded and exported with
/// every tensor checked against it. Every generated network implements it.
/// </summary>
public interface ISerializableNetwork : ITrainableNetwork
{
    /// <summary>The layer sizes and activations the parameters belong to.</summary>
    NetworkArchitecture Architecture { get; }
}
