using NnGen.Generator.Model;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// A baking problem as data: the NNG id (one of the NNG0024–NNG0028 descriptors) and its message arguments. It holds no
    /// location: the pipeline caches it, and the diagnostic is placed at the <c>Weights</c> argument when reported.
    /// </summary>
    internal sealed record BakeProblem(string DescriptorId, EquatableArray<string> MessageArgs)
    {
        public static BakeProblem Create(string descriptorId, params string[] messageArgs) => new(descriptorId, new EquatableArray<string>(messageArgs));
    }

    /// <summary>
    /// One candidate weights file among the AdditionalFiles: the path the user knows it by (the .safetensors file, also
    /// when NnGen.targets passed it on as base64 text) and either its bytes or why they could not be recovered.
    /// </summary>
    internal sealed record WeightsFileContent(string LogicalPath, EquatableBytes? Bytes, BakeProblem? ReadProblem);

    /// <summary>
    /// What one network's baking sees: the <c>Weights</c> name, and only the file it matched (or the problem in matching).
    /// Equal when that file's content is unchanged, so an edit to any other file leaves the network's later steps cached.
    /// </summary>
    internal sealed record BakeInput(string Weights, WeightsFileContent? File, BakeProblem? MatchProblem);

    /// <summary>
    /// The outcome of baking one network: either the parameters as little-endian F32 bytes in the network's parameter
    /// order (W1, b1, W2, b2, …) with the tensor layout for the emitted documentation, and the extra tensors saved beside
    /// them, or the one problem that stops it. <paramref name="HasStandardizer"/>: the extras hold a standardizer the
    /// runtime's <c>Standardizer.FromWeights</c> would accept for this network, so a baked one is emitted.
    /// </summary>
    internal sealed record BakedWeights(
        string Weights,
        string FileName,
        EquatableBytes? Parameters,
        EquatableArray<string> Layout,
        BakeProblem? Problem,
        EquatableArray<BakedTensor> Extras = default,
        bool HasStandardizer = false);

    /// <summary>
    /// One extra tensor of the file (any tensor that is not a parameter), checked F32 and finite: its name in the file, its
    /// shape, and its values as little-endian F32 bytes, row-major.
    /// </summary>
    internal sealed record BakedTensor(string Name, EquatableArray<long> Shape, EquatableBytes Data)
    {
        public int Count => Data.Length / 4;
    }
}
