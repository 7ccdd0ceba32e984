using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Emit.Strategies;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// <c>Freeze()</c> and the nested <c>Frozen</c> class of a network without recurrent layers: an immutable copy of the
    /// parameters and of the state (running statistics) for inference. Its forward code is not a second copy: the class
    /// declares private members named as the network's (<c>_parameters</c>, <c>_state</c>, W1, b1, RunningMean2, …) over its
    /// own buffers, laid out and aligned as the network's, and the network's own emitters write its Predict, PredictBatch,
    /// ForwardSingle and ForwardBatch, which bind to those members by name. So every output has the network's bits at every
    /// width and thread count, and a change to how the network predicts reaches the frozen form with it. The one
    /// difference: its ForwardSingle runs each dense layer that calls MatVec from a copy of W packed once for the
    /// machine's width (<c>PackedMatVec</c>, members declared here), which sums in MatVec's order with fewer
    /// instructions and falls back to MatVec itself at any other width; a network of dense layers only runs all of
    /// them in one call of a <c>PackedDenseStack</c> built the same way, whose checks and dispatch are paid once per
    /// example instead of once per layer.
    /// </summary>
    internal static class FrozenEmitter
    {
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        /// <summary>The method name prefix in the frozen form's error messages ("Frozen.Predict").</summary>
        public const string Owner = "Frozen.";

        public static void Emit(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy)
        {
            string name = NetworkEmitter.Xml(plan.Spec.Name);
            bool hasState = plan.StateCount > 0;
            string copied = hasState ? "parameters and running statistics" : "parameters";
            writer.Summary($"An immutable copy of this network for inference (<see cref=\"Frozen\"/>): the same outputs as <see cref=\"Predict(in Input)\"/> and <see cref=\"PredictBatch\"/>, bit for bit.");
            writer.WriteLine($"/// <returns>A new <see cref=\"Frozen\"/> holding the {copied} as they are now; later changes to this network (training, LoadWeights, writes through its spans) do not reach it.</returns>");
            writer.WriteLine($"public {GeneratedNames.Frozen} {GeneratedNames.Freeze}() => new(this);");
            writer.WriteLine();
            string sizes = $"<see cref=\"ParameterCount\"/> = {Int(plan.ParameterCount)} floats" + (hasState ? $", <see cref=\"StateCount\"/> = {Int(plan.StateCount)} state floats" : string.Empty);
            string dropout = plan.Layers.Any(layer => layer.Kind == Model.LayerKind.Dropout) ? " (dropout is the identity, as in the network's Predict)" : string.Empty;
            writer.Summary(
                $"{name} frozen for inference: its {copied} copied once into buffers of its own ({sizes}), laid out as the network's, " +
                $"so Predict and PredictBatch run the network's own forward code and give its bits at every vector width and thread count{dropout}" +
                (OneExampleEmitter.IsDenseStackWhenFrozen(plan) ? "; Predict runs all its layers in one call, its products from copies of W packed for this machine's vectors where those are faster, summed in the network's order. " :
                 plan.Layers.Any(OneExampleEmitter.IsPackedWhenFrozen) ? "; Predict's dense products read a copy of W packed for this machine's vectors, summed in the network's order. " : ". ") +
                "Immutable, allocation-free per call once warm, and safe to call from many threads at once.");
            using (writer.Block($"public sealed class {GeneratedNames.Frozen} : {RuntimeNames.ChunkedPredictor}"))
            {
                NetworkEmitter.Constant(writer, "n[0]: the number of input features of one example, as the network's <c>InputSize</c>.", GeneratedNames.InputSize, plan.InputSize);
                writer.WriteLine();
                NetworkEmitter.Constant(writer, "n[L]: the number of outputs of one example, as the network's <c>OutputSize</c>.", GeneratedNames.OutputSize, plan.OutputSize);
                writer.WriteLine();
                writer.WriteLine("// Named as the network's buffers and views, so the forward code below (the network's emitters) binds to these copies.");
                writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _parameters = new(ParameterCount);");
                if (hasState)
                {
                    writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _state = new(StateCount);");
                }

                bool stack = OneExampleEmitter.IsDenseStackWhenFrozen(plan);
                var packed = stack ? new List<LayerPlan>() : plan.Layers.Where(OneExampleEmitter.IsPackedWhenFrozen).ToList();
                if (stack)
                {
                    writer.WriteLine();
                    writer.WriteLine("// Predict's layers built once for this machine's width (packed copies of the W it packs, each layer's kernel chosen): the");
                    writer.WriteLine("// network's bits in one call.");
                    writer.WriteLine($"private readonly {RuntimeNames.PackedDenseStack} {OneExampleEmitter.DenseStackMember};");
                }

                foreach (LayerPlan layer in packed)
                {
                    writer.WriteLine();
                    writer.WriteLine($"// {layer.W} packed once for Predict's product at this machine's width: the network's bits in fewer instructions.");
                    writer.WriteLine($"private readonly {RuntimeNames.PackedMatVec} {LayerEmitter.PackedMember(layer)};");
                }

                writer.WriteLine();
                using (writer.Block($"internal {GeneratedNames.Frozen}({plan.Spec.DisplayName} network)"))
                {
                    writer.WriteLine("network._parameters.Span.CopyTo(_parameters.Span);");
                    if (hasState)
                    {
                        writer.WriteLine("network._state.Span.CopyTo(_state.Span);");
                    }

                    if (stack)
                    {
                        writer.WriteLine($"{OneExampleEmitter.DenseStackMember} = new(_parameters, Architecture);");
                    }

                    foreach (LayerPlan layer in packed)
                    {
                        writer.WriteLine($"{LayerEmitter.PackedMember(layer)} = new({layer.W}, {layer.UnitsConstant}, {layer.InputsConstant}, {LayerEmitter.ProductActivation(layer)});");
                    }
                }

                foreach (LayerPlan layer in plan.Layers)
                {
                    foreach (TensorPlan tensor in layer.Tensors)
                    {
                        writer.WriteLine();
                        writer.WriteLine($"// {tensor.Member} {tensor.ShapeText}, as the network's.");
                        writer.WriteLine($"private {ReadOnlySpan} {tensor.Member} => {(tensor.IsState ? "_state" : "_parameters")}.Slice({tensor.OffsetConstant}, {ParameterViews.LengthExpression(layer, tensor)});");
                    }
                }

                writer.WriteLine();
                NetworkEmitter.EmitPrediction(writer, plan, strategy, Owner);
                OneExampleEmitter.EmitForwardSingle(writer, plan, frozen: true);
                writer.WriteLine();
                strategy.EmitForwardBatch(writer, plan, withTraining: false);
            }

            writer.WriteLine();
        }
    }
}
