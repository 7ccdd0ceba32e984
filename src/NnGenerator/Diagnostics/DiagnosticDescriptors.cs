using Microsoft.CodeAnalysis;

namespace NnGen.Generator.Diagnostics
{
    /// <summary>
    /// Every NnGen diagnostic, in one catalog. Ids are stable: never renumber, only append
    /// (and record the change in AnalyzerReleases.Unshipped.md). Each id has a section in docs/diagnostics.md.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string DeclarationCategory = "NnGen.Declaration";
        private const string DesignCategory = "NnGen.Design";
        private const string UsageCategory = "NnGen.Usage";
        private const string HelpLinkBase = "https://github.com/nngen/NnGen/blob/main/docs/diagnostics.md#";

        // Declared before the descriptors: static fields initialize in textual order.
        private static readonly string[] NotConfigurable = { WellKnownDiagnosticTags.NotConfigurable };

        public static readonly DiagnosticDescriptor NetworkNotPartial = Error(
            DiagnosticIds.NetworkNotPartial,
            "Network class must be partial",
            "The network class '{0}' must be declared 'partial' so NnGen can generate its members");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
            DiagnosticIds.ContainingTypeNotPartial,
            "Type containing a network must be partial",
            "The type '{0}', which contains the network class '{1}', must be declared 'partial' so NnGen can generate the network's members inside it");

        public static readonly DiagnosticDescriptor InvalidInputs = Error(
            DiagnosticIds.InvalidInputs,
            "Network needs a positive Inputs count",
            "Network '{0}' must set Inputs to the number of input features (at least 1); {1}");

        public static readonly DiagnosticDescriptor InvalidUnits = Error(
            DiagnosticIds.InvalidUnits,
            "Layer needs at least one unit",
            "Layer {0} of network '{1}' has {2} units; a layer needs at least 1");

        public static readonly DiagnosticDescriptor NoLayers = Error(
            DiagnosticIds.NoLayers,
            "Network has no layers",
            "Network '{0}' declares no [Layer]; add at least one, e.g. [Layer(1, Activation.Sigmoid)] for logistic regression");

        public static readonly DiagnosticDescriptor UnknownEnumValue = Error(
            DiagnosticIds.UnknownEnumValue,
            "Unknown enum value",
            "{0} of network '{1}' is {2}, which is not a defined {3} value; expected one of {4}");

        public static readonly DiagnosticDescriptor StaticNetwork = Error(
            DiagnosticIds.StaticNetwork,
            "Network class cannot be static",
            "The network class '{0}' is static, but a network is an object that holds its parameters; remove 'static'");

        public static readonly DiagnosticDescriptor NetworkTooLarge = Error(
            DiagnosticIds.NetworkTooLarge,
            "Network is too large to generate",
            "{0} of network '{1}' has {2} {3}, more than the limit of {4}");

        public static readonly DiagnosticDescriptor LayersInSeveralDeclarations = Error(
            DiagnosticIds.LayersInSeveralDeclarations,
            "Layers declared across partial declarations",
            "Network '{0}' declares [Layer] attributes on {1} partial declarations, so their order is ambiguous; declare all layers on one declaration");

        // {0} "the network" or "layer 2"; {1}, {2} the zero matrices on both sides of the hidden layer.
        public static readonly DiagnosticDescriptor ZeroInitSymmetry = Create(
            DiagnosticIds.ZeroInitSymmetry,
            "Zero initialization leaves a hidden layer symmetric",
            "Init.Zeros on {0} starts both {1} and {2} at zero, so the {3} of hidden layer {4} of network '{5}' get identical gradients and stay identical; remove Init to use the default initializer",
            DesignCategory,
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor LinearHiddenLayer = Create(
            DiagnosticIds.LinearHiddenLayer,
            "Linear activation on a hidden layer",
            "Layer {0} of network '{1}' is a hidden layer with Activation.Linear, so {2}; use Activation.ReLU or Activation.Tanh",
            DesignCategory,
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor SigmoidHiddenLayer = Create(
            DiagnosticIds.SigmoidHiddenLayer,
            "Sigmoid activation on a hidden layer",
            "Layer {0} of network '{1}' is a hidden layer with Activation.Sigmoid; Activation.Tanh (zero-centred) or Activation.ReLU (no saturation for z > 0) usually trains faster",
            DesignCategory,
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor LossOutputMismatch = Create(
            DiagnosticIds.LossOutputMismatch,
            "Loss does not suit the output activation",
            "Network '{0}' uses Loss.{1} with an Activation.{2} output layer (layer {3}, {4}); {5}",
            DesignCategory,
            DiagnosticSeverity.Warning);

        // Worded like NnGen.Guard's runtime exceptions, which this diagnostic moves to compile time.
        public static readonly DiagnosticDescriptor BufferLengthMismatch = Create(
            DiagnosticIds.BufferLengthMismatch,
            "Constant-length buffer does not fit the network",
            "{0}.{1}: {2} has {3} floats, {4}",
            UsageCategory,
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor WeightsZeroed = Create(
            DiagnosticIds.WeightsZeroed,
            "Generated weights zeroed in a network with a hidden layer",
            "{0}.{1}.{2} zeroes {3}; a hidden layer whose weights in and out are both zero keeps identical units during training, so draw random weights with Initialize(seed) instead",
            UsageCategory,
            DiagnosticSeverity.Warning);

        // {0} the name, {1} what it is ("a method", "a type parameter", "a property inherited from 'Base'"), {2} the network.
        public static readonly DiagnosticDescriptor GeneratedNameConflict = Error(
            DiagnosticIds.GeneratedNameConflict,
            "A name in the network class clashes with a generated member",
            "'{0}' is {1} of network '{2}', but NnGen generates {3}; rename it");

        public static readonly DiagnosticDescriptor PrimaryConstructor = Error(
            DiagnosticIds.PrimaryConstructor,
            "Network class cannot have a primary constructor",
            "Network '{0}' has a primary constructor, which the generated constructors ({0}() and {0}(int seed)) would have to call; declare an ordinary constructor that calls this(seed) instead");

        public static readonly DiagnosticDescriptor UnsupportedBaseType = Error(
            DiagnosticIds.UnsupportedBaseType,
            "Network class derives from an unsupported base class",
            "Network '{0}' derives from {1}");

        public static readonly DiagnosticDescriptor FileLocalNetwork = Error(
            DiagnosticIds.FileLocalNetwork,
            "Network class cannot be file-local",
            "Network '{0}' cannot get generated members because {1} declared 'file', and a generated part cannot join a file-local type from another file; remove 'file' (use 'internal' or 'private' to limit its visibility)");

        public static readonly DiagnosticDescriptor SoftmaxHiddenLayer = Error(
            DiagnosticIds.SoftmaxHiddenLayer,
            "Softmax on a hidden layer",
            "Layer {0} of network '{1}' is a hidden layer with Activation.Softmax, but softmax turns the units of the output layer (layer {2}) into class probabilities and is supported there only; use Activation.ReLU or Activation.Tanh");

        public static readonly DiagnosticDescriptor SoftmaxSingleUnit = Error(
            DiagnosticIds.SoftmaxSingleUnit,
            "Softmax output with one unit",
            "The output layer (layer {0}) of network '{1}' has Activation.Softmax and 1 unit, so it always outputs 1 and cannot learn; use Activation.Sigmoid for one output, or one unit per class");

        public static readonly DiagnosticDescriptor SoftmaxLossMismatch = Error(
            DiagnosticIds.SoftmaxLossMismatch,
            "Loss does not suit softmax",
            "Network '{0}' uses Loss.{1} with an Activation.{2} output layer (layer {3}, {4}); {5}");

        public static readonly DiagnosticDescriptor GeneratorFailure = Error(
            DiagnosticIds.GeneratorFailure,
            "NnGen failed to generate a network",
            "NnGen failed to generate network '{0}' ({1}); the other networks are unaffected. Please report this with the declaration");

        public static readonly DiagnosticDescriptor WeightsFileNotFound = Error(
            DiagnosticIds.WeightsFileNotFound,
            "Weights file not among the AdditionalFiles",
            "Network '{0}' bakes its weights from '{1}', but {2}");

        public static readonly DiagnosticDescriptor WeightsFileUnreadable = Error(
            DiagnosticIds.WeightsFileUnreadable,
            "Weights file is unreadable or corrupt",
            "The weights file '{0}' of network '{1}' cannot be baked: {2}");

        public static readonly DiagnosticDescriptor WeightsTensorMismatch = Error(
            DiagnosticIds.WeightsTensorMismatch,
            "Weights tensor does not fit the network",
            "Tensor '{0}' in '{1}' does not fit network '{2}': {3}");

        public static readonly DiagnosticDescriptor WeightsArchitectureMismatch = Error(
            DiagnosticIds.WeightsArchitectureMismatch,
            "Weights file is for another architecture",
            "The weights file '{0}' holds {1}, but network '{2}' has {3} ({4})");

        public static readonly DiagnosticDescriptor WeightsFileTooLarge = Error(
            DiagnosticIds.WeightsFileTooLarge,
            "Weights file too large to bake",
            "The weights file '{0}' of network '{1}' is {2} bytes; at most {3} bytes (4 MiB) are baked into an assembly, so load a larger file at run time with LoadWeights");

        // {0} "Dropout layer 3", {2} the argument, {3} its value, {4} the range and what it means.
        public static readonly DiagnosticDescriptor LayerArgumentOutOfRange = Error(
            DiagnosticIds.LayerArgumentOutOfRange,
            "Layer argument out of range",
            "{0} of network '{1}' has {2} = {3}; {4}");

        public static readonly DiagnosticDescriptor LastLayerNotDense = Error(
            DiagnosticIds.LastLayerNotDense,
            "The last layer must be Dense",
            "The last layer of network '{0}' is {1} (layer {2}); a network ends with a Dense layer, whose units and activation are the outputs the loss compares with the labels: add a [Dense] after it or remove it");

        public static readonly DiagnosticDescriptor BiasBeforeBatchNorm = Create(
            DiagnosticIds.BiasBeforeBatchNorm,
            "Bias cancelled by batch normalization",
            "The bias b{0} of linear Dense layer {0} of network '{1}' is cancelled by BatchNorm layer {2}, which subtracts each feature's batch mean; BatchNorm's β already shifts each feature, so b{0} only adds parameters that never learn",
            DesignCategory,
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor RecurrentAfterLastStep = Error(
            DiagnosticIds.RecurrentAfterLastStep,
            "Recurrent layer after one that returns only its last step",
            "{0} layer {1} of network '{2}' runs over time steps, but {3} layer {4} before it returns only its last step (ReturnSequences = false), so no sequence reaches layer {1}: set ReturnSequences = true on layer {4}, or make layer {4} the last recurrent layer");

        public static readonly DiagnosticDescriptor KindInRecurrentNetwork = Error(
            DiagnosticIds.KindInRecurrentNetwork,
            "Layer kind not supported in a recurrent network",
            "{0} layer {1} of network '{2}' is in a recurrent network (layer {3} is {4}); a recurrent network takes Dense, Lstm, Gru and causal Conv1D layers");

        public static readonly DiagnosticDescriptor InvalidInputShape = Error(
            DiagnosticIds.InvalidInputShape,
            "Input is not the shape of one example",
            "Network '{0}' {1}");

        public static readonly DiagnosticDescriptor LayerShapeMismatch = Error(
            DiagnosticIds.LayerShapeMismatch,
            "Layer gets a shape it cannot take",
            "{0} of network '{1}' {2}");

        public static readonly DiagnosticDescriptor WindowLeavesNoOutput = Error(
            DiagnosticIds.WindowLeavesNoOutput,
            "Window does not fit its input",
            "{0} of network '{1}' {2}");

        /// <summary>The baking descriptors by id: baking problems travel through the pipeline as ids and arguments.</summary>
        public static DiagnosticDescriptor? Baking(string id) => id switch
        {
            DiagnosticIds.WeightsFileNotFound => WeightsFileNotFound,
            DiagnosticIds.WeightsFileUnreadable => WeightsFileUnreadable,
            DiagnosticIds.WeightsTensorMismatch => WeightsTensorMismatch,
            DiagnosticIds.WeightsArchitectureMismatch => WeightsArchitectureMismatch,
            DiagnosticIds.WeightsFileTooLarge => WeightsFileTooLarge,
            _ => null,
        };

        // Errors are NotConfigurable: #pragma warning disable, NoWarn or an .editorconfig severity would otherwise hide the
        // one diagnostic that says why a network has no generated code (issue 11, defect 5).
        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            Create(id, title, message, DeclarationCategory, DiagnosticSeverity.Error);

        private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
            new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id.ToLowerInvariant(),
                customTags: severity == DiagnosticSeverity.Error ? NotConfigurable : System.Array.Empty<string>());
    }
}
