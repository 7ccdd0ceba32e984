using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;

namespace NnGen.Generator.Validation
{
    /// <summary>
    /// Pure <see cref="NetworkSpec"/> → diagnostics. The analyzer reports what this returns; the generator emits
    /// nothing for a spec with an error, so the user sees one clear diagnostic instead of a cascade.
    /// </summary>
    internal static class NetworkValidator
    {
        public static ImmutableArray<DiagnosticInfo> Validate(NetworkSpec spec)
        {
            var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
            NetworkLocations? at = spec.Locations;
            string name = spec.DisplayName;

            // The compiler already reports a declaration without a name (CS1001); anything said about it would be a cascade.
            if (!spec.HasName)
            {
                return diagnostics.ToImmutable();
            }

            if (spec.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticNetwork, at?.Attribute, name));
            }

            if (!spec.IsPartial)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkNotPartial, at?.Attribute, name));
            }

            foreach (ContainingTypeSpec outer in spec.ContainingTypes.Where(outer => !outer.IsPartial))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, at?.Attribute, outer.Name, name));
            }

            if (spec.IsFileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.FileLocalNetwork, at?.Attribute, name, spec.FileLocalContainingType is { } outer ? "its containing type '" + outer + "' is" : "it is"));
            }

            if (spec.HasPrimaryConstructor)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PrimaryConstructor, at?.PrimaryConstructor ?? at?.Attribute, name));
            }

            if (spec.BaseNetwork is { } baseNetwork)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedBaseType, at?.Identifier ?? at?.Attribute, name, "network '" + baseNetwork + "', whose generated members every member of '" + name + "' would hide; share a base class that is not a network instead"));
            }
            else if (spec.BaseWithoutParameterlessConstructor is { } baseType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedBaseType, at?.Identifier ?? at?.Attribute, name, "'" + baseType + "', which has no accessible parameterless constructor for the generated constructors to call; add one"));
            }

            if (spec.BaseNetwork is null)
            {
                foreach (NameConflict conflict in spec.NameConflicts)
                {
                    string generated = conflict.BindsVar
                        ? "code that declares locals with 'var', which would bind to that type"
                        : "a member with that name in every such network";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratedNameConflict, conflict.Location ?? at?.Attribute, conflict.Name, conflict.What, name, generated));
                }
            }

            // The compiler already rejects the attribute arguments; what the parser read from them is incomplete, so
            // judging it would only add a cascade ("Inputs is missing" after a mistyped Inputs).
            if (spec.HasAttributeErrors)
            {
                return diagnostics.ToImmutable();
            }

            if (spec.InputShape.Count > 0)
            {
                // Input's shape is judged with the layers' shapes below.
            }
            else if (spec.Inputs is not { } inputs)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputs, at?.Attribute, name, "Inputs is missing (or Input, the shape of one example for convolutional layers)"));
            }
            else if (inputs < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputs, at?.Inputs ?? at?.Attribute, name, "found " + Format(inputs)));
            }
            else if (inputs > NetworkLimits.MaxUnits)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, at?.Inputs ?? at?.Attribute, "Inputs", name, Format(inputs), "inputs", Format(NetworkLimits.MaxUnits)));
            }

            CheckEnum<LossKind>(diagnostics, spec.LossValue, "Loss", name, "Loss", at?.Loss ?? at?.Attribute);
            CheckEnum<InitKind>(diagnostics, spec.InitValue, "Init", name, "Init", at?.Init ?? at?.Attribute);

            if (spec.Layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, at?.Attribute, name));
            }

            if (spec.LayerDeclarationCount > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LayersInSeveralDeclarations, at?.SecondLayerDeclaration ?? at?.Attribute, name, Format(spec.LayerDeclarationCount)));
            }

            if (spec.Layers.Count > NetworkLimits.MaxLayers)
            {
                LayerSpec first = spec.Layers[NetworkLimits.MaxLayers];
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.NetworkTooLarge, first.Locations?.Attribute ?? at?.Attribute, "The layer count", name, Format(spec.Layers.Count), "layers", Format(NetworkLimits.MaxLayers)));
            }

            // A recurrent network judges its kinds itself (NNG0035); shapes there are features throughout.
            bool recurrent = LayerRules.IsSequenceNetwork(spec);
            (List<LayerShape> shapes, ShapeProblem? shapeProblem) = recurrent ? (new List<LayerShape>(), null) : ShapeRules.Infer(spec);
            if (shapeProblem is not null)
            {
                diagnostics.Add(ShapeDiagnostic(shapeProblem, name));
            }
            else if (recurrent && spec.InputShape.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputShape, at?.Input ?? at?.Attribute, name,
                    "has Input = " + ShapeRules.Text(spec.InputShape) + " but runs over time steps (it has a recurrent layer); declare Inputs, the features of one step, instead"));
            }

            long parameters = 0;
            long previousUnits = Math.Max(spec.Inputs ?? 1, 1);
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                LayerLocations? layerAt = layer.Locations;
                string layerName = "Layer " + Format(i + 1);
                if (i < shapes.Count)
                {
                    previousUnits = shapes[i].InputFeatures;
                }

                if (recurrent && LayerRules.IsCausalConvolution(layer))
                {
                    // A causal Conv1D of a sequence network: Cin = the previous layer's features at each step, stride 1.
                    int inChannels = (int)Math.Min(previousUnits, int.MaxValue);
                    if (ShapeRules.ArgumentProblem(layer, "Conv1D layer " + Format(i + 1), inChannels) is { } problem)
                    {
                        diagnostics.Add(ShapeDiagnostic(problem, name));
                    }
                    else if (layer.Stride != 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.LayerArgumentOutOfRange, layerAt?.Stride ?? layerAt?.Attribute, "Conv1D layer " + Format(i + 1), name, "Stride", Format(layer.Stride),
                            "a causal Conv1D in a network over time steps streams one output per input sample, which needs stride 1"));
                    }

                    CheckEnum<ActivationKind>(diagnostics, layer.ActivationValue, layerName + " activation", name, "Activation", layerAt?.Activation ?? layerAt?.Attribute);
                    CheckEnum<InitKind>(diagnostics, layer.InitValue, layerName + " Init", name, "Init", layerAt?.Init ?? layerAt?.Attribute);
                    long channels = Math.Max(layer.Units, 1);
                    parameters += (channels * (previousUnits / Math.Max(layer.Groups, 1)) * Math.Max(layer.Kernel, 1)) + channels;
                    previousUnits = channels;
                    continue;
                }

                if (ShapeRules.IsShaped(layer.Kind))
                {
                    // Their arguments and sizes were judged with the shapes; what is left is the activation and init.
                    if (ShapeRules.IsConvolution(layer.Kind))
                    {
                        CheckEnum<ActivationKind>(diagnostics, layer.ActivationValue, layerName + " activation", name, "Activation", layerAt?.Activation ?? layerAt?.Attribute);
                        CheckEnum<InitKind>(diagnostics, layer.InitValue, layerName + " Init", name, "Init", layerAt?.Init ?? layerAt?.Attribute);
                    }

                    if (i < shapes.Count && shapes[i].Conv is { } conv)
                    {
                        parameters += ((long)conv.OutChannels * conv.KernelVolume) + conv.OutChannels;
                    }

                    continue;
                }

                if (!LayerRules.HasUnits(layer.Kind))
                {
                    // The other kinds keep the features they are given and carry only their own arguments.
                    CheckLayerArguments(diagnostics, layer, i + 1, name);
                    parameters += LayerRules.ParameterCount(layer.Kind, previousUnits, previousUnits);
                    continue;
                }

                if (layer.Units < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidUnits, layerAt?.Units, Format(i + 1), name, Format(layer.Units)));
                }
                else if (layer.Units > NetworkLimits.MaxUnits)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, layerAt?.Units, layerName, name, Format(layer.Units), "units", Format(NetworkLimits.MaxUnits)));
                }

                if (layer.Kind == LayerKind.Dense)
                {
                    CheckEnum<ActivationKind>(diagnostics, layer.ActivationValue, layerName + " activation", name, "Activation", layerAt?.Activation);
                    CheckEnum<InitKind>(diagnostics, layer.InitValue, layerName + " Init", name, "Init", layerAt?.Init ?? layerAt?.Attribute);
                }

                long units = Math.Max(layer.Units, 1);
                parameters += LayerRules.ParameterCount(layer.Kind, previousUnits, units);
                previousUnits = units;
            }

            AddRecurrentErrors(spec, diagnostics);
            if (spec.Layers.Count > 0 && spec.Layers[spec.Layers.Count - 1] is { Kind: not LayerKind.Dense } last)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LastLayerNotDense, last.Locations?.Attribute ?? at?.Attribute, name, LayerRules.KindName(last.Kind), Format(spec.Layers.Count)));
            }

            if (parameters > NetworkLimits.MaxParameters)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.NetworkTooLarge, at?.Attribute, "The parameter count", name, parameters.ToString(CultureInfo.InvariantCulture), "parameters", NetworkLimits.MaxParameters.ToString(CultureInfo.InvariantCulture)));
            }

            // A network that does not end in a Dense layer has no output activation to judge the loss by.
            if (HasOnlyDefinedValues(spec) && spec.Layers.Count > 0 && spec.Layers[spec.Layers.Count - 1].Kind == LayerKind.Dense)
            {
                AddSoftmaxErrors(spec, diagnostics);
                AddDesignWarnings(spec, diagnostics);
            }

            return diagnostics.ToImmutable();
        }

        /// <summary>The diagnostic of the first problem <see cref="ShapeRules.Infer"/> found.</summary>
        private static DiagnosticInfo ShapeDiagnostic(ShapeProblem problem, string network) => problem.Kind switch
        {
            ShapeProblemKind.Input => DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputShape, problem.Location, network, problem.Detail),
            ShapeProblemKind.Argument => DiagnosticInfo.Create(
                DiagnosticDescriptors.LayerArgumentOutOfRange, problem.Location, problem.Subject, network, problem.Argument, Format(problem.Value), problem.Detail),
            ShapeProblemKind.Rank => DiagnosticInfo.Create(DiagnosticDescriptors.LayerShapeMismatch, problem.Location, problem.Subject, network, problem.Detail),
            _ => DiagnosticInfo.Create(DiagnosticDescriptors.WindowLeavesNoOutput, problem.Location, problem.Subject, network, problem.Detail),
        };

        /// <summary>True when no diagnostic is an error and the compiler does not already reject the attributes themselves.</summary>
        public static bool CanGenerate(NetworkSpec spec, ImmutableArray<DiagnosticInfo> diagnostics) =>
            Decide(spec, diagnostics) == GenerationKind.Network;

        /// <summary>
        /// What the generator emits for <paramref name="spec"/>: the network; only its public surface (members that throw,
        /// so call sites show the one NNG error and no CS1061/CS1729 cascade) when the class itself can take a generated
        /// part but its architecture is wrong; or nothing, when even a surface would not compile (not partial, static,
        /// file-local, a primary constructor, a clashing name, an unusable base class, no name).
        /// </summary>
        public static GenerationKind Decide(NetworkSpec spec, ImmutableArray<DiagnosticInfo> diagnostics)
        {
            if (!spec.HasName || diagnostics.Any(diagnostic => ClassShapeErrors.Contains(diagnostic.Descriptor.Id)))
            {
                return GenerationKind.None;
            }

            // EmissionSupport guards the emitters should a rule above be missing: better a surface than wrong code.
            return spec.HasAttributeErrors || diagnostics.Any(diagnostic => diagnostic.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) ||
                   !Planning.EmissionSupport.CanEmit(spec)
                ? GenerationKind.Surface
                : GenerationKind.Network;
        }

        // Errors about the class rather than its architecture: no generated part of the class could compile.
        private static readonly string[] ClassShapeErrors =
        {
            DiagnosticIds.NetworkNotPartial, DiagnosticIds.ContainingTypeNotPartial, DiagnosticIds.StaticNetwork,
            DiagnosticIds.GeneratedNameConflict, DiagnosticIds.PrimaryConstructor, DiagnosticIds.UnsupportedBaseType,
            DiagnosticIds.FileLocalNetwork,
        };

        /// <summary>
        /// Softmax normalizes the output units into class probabilities, and its simple backward dZ = A − Y holds only with
        /// categorical cross-entropy; on a hidden layer, with one unit, or with another loss it is an error.
        /// </summary>
        private static void AddSoftmaxErrors(NetworkSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
        {
            NetworkLocations? at = spec.Locations;
            string name = spec.DisplayName;
            int count = spec.Layers.Count;
            if (count == 0)
            {
                return;
            }

            for (int l = 1; l < count; l++)
            {
                LayerSpec hidden = spec.Layers[l - 1];
                if (hidden.Activation == ActivationKind.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxHiddenLayer, hidden.Locations?.Activation ?? hidden.Locations?.Attribute, Format(l), name, Format(count)));
                }
            }

            LayerSpec output = spec.Layers[count - 1];
            LocationInfo? outputActivationAt = output.Locations?.Activation ?? output.Locations?.Attribute;
            if (output.Activation == ActivationKind.Softmax && output.Units == 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxSingleUnit, outputActivationAt, Format(count), name));
            }

            var loss = (LossKind)spec.LossValue;
            string? advice =
                output.Activation == ActivationKind.Softmax && loss is LossKind.BinaryCrossEntropy or LossKind.MeanSquaredError
                    ? "a softmax output is trained with categorical cross-entropy, whose gradient through the softmax is dZ = A − Y: use Loss.CategoricalCrossEntropy (the default for a softmax output)"
                : output.Activation != ActivationKind.Softmax && loss == LossKind.CategoricalCrossEntropy
                    ? "categorical cross-entropy takes the log of class probabilities that sum to 1 over the output units: use Activation.Softmax on the output layer, or the default loss for an Activation." + output.Activation + " output"
                : null;
            if (advice is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SoftmaxLossMismatch, at?.Loss ?? at?.Attribute, name, loss.ToString(), output.Activation.ToString(), Format(count), Units(output.Units), advice));
            }
        }

        /// <summary>
        /// Architectures that build but train badly. Layers are numbered from 1 as in the course: layer l &lt; L is hidden,
        /// W[l] are the weights into layer l and W[l+1] the weights out of it.
        /// </summary>
        private static void AddDesignWarnings(NetworkSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
        {
            NetworkLocations? at = spec.Locations;
            string name = spec.DisplayName;
            int count = spec.Layers.Count;
            if (count == 0)
            {
                return;
            }

            AddZeroInitWarnings(spec, diagnostics);
            AddBatchNormHints(spec, diagnostics);

            // The other kinds have no activation of their own: only Dense layers are judged for theirs.
            bool allHiddenLinear = spec.Layers.Take(count - 1).All(layer => layer.Kind != LayerKind.Dense || layer.Activation == ActivationKind.Linear);
            for (int l = 1; l < count; l++)
            {
                LayerSpec hidden = spec.Layers[l - 1];
                LocationInfo? activationAt = hidden.Locations?.Activation ?? hidden.Locations?.Attribute;
                if (hidden.Kind != LayerKind.Dense)
                {
                    continue;
                }

                if (hidden.Activation == ActivationKind.Linear)
                {
                    string consequence = allHiddenLinear
                        ? "the whole network reduces to a single layer: a linear model followed by the output activation"
                        : "W" + Format(NextDense(spec, l)) + "·W" + Format(l) + " collapse into one matrix and layer " + Format(l) + " adds no nonlinearity";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LinearHiddenLayer, activationAt, Format(l), name, consequence));
                }
                else if (hidden.Activation == ActivationKind.Sigmoid)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmoidHiddenLayer, activationAt, Format(l), name));
                }
            }

            // Only an explicit Loss can disagree: Loss.Default resolves from the output activation.
            LayerSpec output = spec.Layers[count - 1];
            var loss = (LossKind)spec.LossValue;
            // Softmax outputs and categorical cross-entropy are judged (as errors) by AddSoftmaxErrors.
            string? advice =
                output.Activation == ActivationKind.Softmax || loss == LossKind.CategoricalCrossEntropy
                    ? null
                : loss == LossKind.BinaryCrossEntropy && output.Activation != ActivationKind.Sigmoid
                    ? "binary cross-entropy takes log(a) and log(1 - a), so it needs outputs in (0, 1): use Activation.Sigmoid on the output layer, or Loss.MeanSquaredError"
                : loss == LossKind.MeanSquaredError && output.Activation == ActivationKind.Sigmoid
                    ? "the sigmoid's gradient a(1 - a) vanishes when it saturates, so mean squared error learns slowly from confident mistakes: use Loss.BinaryCrossEntropy (the default for a sigmoid output)"
                : null;
            if (advice is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LossOutputMismatch, at?.Loss ?? at?.Attribute, name, loss.ToString(), output.Activation.ToString(), Format(count), Units(output.Units), advice));
            }
        }

        /// <summary>
        /// Zero weights only lock a hidden layer when they sit on both sides of it. With W[l] = 0 and b[l] = 0 every unit
        /// of layer l computes g(0), but a random W[l+1] sends each unit a different dA[l], so the rows of W[l] part
        /// after one step. With W[l+1] = 0 as well, dA[l] = W[l+1]ᵀ·dZ[l+1] is the same for every unit and the columns
        /// of dW[l+1] = dZ[l+1]·A[l]ᵀ are equal, so by induction the units stay identical forever. Each Init argument
        /// that takes part is reported once, naming the first hidden layer it locks.
        /// </summary>
        private static void AddZeroInitWarnings(NetworkSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
        {
            // Layers of other kinds between two Dense layers keep the symmetry (a normalized constant is still the same
            // for every unit), so consecutive Dense layers are judged as if nothing stood between them.
            int[] dense = Enumerable.Range(0, spec.Layers.Count).Where(index => spec.Layers[index].Kind == LayerKind.Dense).ToArray();
            var reported = new HashSet<int>();
            for (int d = 1; d < dense.Length; d++)
            {
                int l = dense[d];
                int into = InitSource(spec, dense[d - 1]);
                int outOf = InitSource(spec, l);
                if (!IsZeros(spec, into) || !IsZeros(spec, outOf))
                {
                    continue;
                }

                foreach (int source in new[] { into, outOf })
                {
                    if (reported.Add(source))
                    {
                        LocationInfo? location = source < 0
                            ? spec.Locations?.Init ?? spec.Locations?.Attribute
                            : spec.Layers[source].Locations?.Init ?? spec.Layers[source].Locations?.Attribute;
                        string where = source < 0 ? "the network" : "layer " + Format(source + 1);
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.ZeroInitSymmetry, location, where, "W" + Format(dense[d - 1] + 1), "W" + Format(l + 1), Units(spec.Layers[dense[d - 1]].Units), Format(dense[d - 1] + 1), spec.DisplayName));
                    }
                }
            }
        }

        /// <summary>
        /// Batch norm subtracts each feature's batch mean, so a constant added just before it, the bias of a linear Dense
        /// layer, has no effect on anything and its gradient is zero. After a nonlinear activation the bias still matters.
        /// </summary>
        private static void AddBatchNormHints(NetworkSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
        {
            for (int l = 1; l < spec.Layers.Count; l++)
            {
                LayerSpec dense = spec.Layers[l - 1];
                if (dense.Kind == LayerKind.Dense && dense.Activation == ActivationKind.Linear && spec.Layers[l].Kind == LayerKind.BatchNorm)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.BiasBeforeBatchNorm, dense.Locations?.Attribute, Format(l), spec.DisplayName, Format(l + 1)));
                }
            }
        }

        /// <summary>The range rules of the arguments of the kinds other than Dense.</summary>
        /// <summary>
        /// A recurrent network runs Dense, Lstm and Gru layers over time steps; no sequence is left after a layer that
        /// returns only its last step, so no recurrent layer may follow one.
        /// </summary>
        private static void AddRecurrentErrors(NetworkSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
        {
            int firstRecurrent = -1;
            int lastStepOnly = -1;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                if (!LayerRules.IsRecurrent(layer.Kind) && !(LayerRules.IsCausalConvolution(layer) && LayerRules.IsSequenceNetwork(spec)))
                {
                    continue;
                }

                if (firstRecurrent < 0)
                {
                    firstRecurrent = i;
                }

                if (lastStepOnly >= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.RecurrentAfterLastStep, layer.Locations?.Attribute, LayerRules.KindName(layer.Kind), Format(i + 1), spec.DisplayName,
                        LayerRules.KindName(spec.Layers[lastStepOnly].Kind), Format(lastStepOnly + 1)));
                }
                else if (!layer.ReturnSequences)
                {
                    lastStepOnly = i;
                }
            }

            if (firstRecurrent < 0)
            {
                return;
            }

            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                if (!LayerRules.HasUnits(layer.Kind) && !LayerRules.IsCausalConvolution(layer))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.KindInRecurrentNetwork, layer.Locations?.Attribute, LayerRules.KindName(layer.Kind), Format(i + 1), spec.DisplayName,
                        Format(firstRecurrent + 1), LayerRules.KindName(spec.Layers[firstRecurrent].Kind)));
                }
            }
        }

        private static void CheckLayerArguments(ImmutableArray<DiagnosticInfo>.Builder diagnostics, LayerSpec layer, int index, string network)
        {
            string layerName = LayerRules.KindName(layer.Kind) + " layer " + Format(index);
            LayerLocations? at = layer.Locations;
            if (layer.Kind == LayerKind.Dropout && !(layer.Rate >= 0 && layer.Rate < 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LayerArgumentOutOfRange, at?.Units ?? at?.Attribute, layerName, network, "rate", Format(layer.Rate),
                    "the rate is the probability that a feature is dropped in training, in [0, 1) (1 would drop every feature)"));
            }

            if (layer.Kind is LayerKind.BatchNorm or LayerKind.LayerNorm && !(layer.Epsilon > 0 && layer.Epsilon <= 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LayerArgumentOutOfRange, at?.Epsilon ?? at?.Attribute, layerName, network, "Epsilon", Format(layer.Epsilon),
                    "ε keeps the division by the standard deviation finite, in (0, 1] (PyTorch's default 1e-5)"));
            }

            if (layer.Kind == LayerKind.BatchNorm && !(layer.Momentum >= 0 && layer.Momentum <= 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LayerArgumentOutOfRange, at?.Momentum ?? at?.Attribute, layerName, network, "Momentum", Format(layer.Momentum),
                    "the momentum is the weight of each batch in the running statistics, in [0, 1] (PyTorch's default 0.1)"));
            }
        }

        /// <summary>The number of the first Dense layer after layer <paramref name="layer"/> (1-based), whose W follows its output.</summary>
        private static int NextDense(NetworkSpec spec, int layer)
        {
            for (int next = layer; next < spec.Layers.Count; next++)
            {
                if (spec.Layers[next].Kind == LayerKind.Dense)
                {
                    return next + 1;
                }
            }

            return layer + 1;
        }

        /// <summary>-1 when layer <paramref name="index"/> takes the network's Init, else the layer's own index.</summary>
        private static int InitSource(NetworkSpec spec, int index) =>
            spec.Layers[index].InitValue != (int)InitKind.Default ? index : -1;

        private static bool IsZeros(NetworkSpec spec, int source) =>
            (source < 0 ? spec.InitValue : spec.Layers[source].InitValue) == (int)InitKind.Zeros;

        private static bool HasOnlyDefinedValues(NetworkSpec spec) =>
            Enum.IsDefined(typeof(LossKind), spec.LossValue) &&
            Enum.IsDefined(typeof(InitKind), spec.InitValue) &&
            spec.Layers.All(layer => Enum.IsDefined(typeof(ActivationKind), layer.ActivationValue) && Enum.IsDefined(typeof(InitKind), layer.InitValue));

        private static void CheckEnum<TEnum>(ImmutableArray<DiagnosticInfo>.Builder diagnostics, int value, string what, string network, string enumName, LocationInfo? location)
            where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(typeof(TEnum), value))
            {
                string expected = string.Join(", ", Enum.GetNames(typeof(TEnum)).Select(valueName => enumName + "." + valueName));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, location, what, network, Format(value), enumName, expected));
            }
        }

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Units(int units) => Format(units) + (units == 1 ? " unit" : " units");
    }
}
