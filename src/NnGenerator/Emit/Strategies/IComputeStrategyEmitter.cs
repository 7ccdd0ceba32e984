using NnGen.Generator.Planning;

namespace NnGen.Generator.Emit.Strategies
{
    /// <summary>
    /// The private compute members of one <see cref="ComputeStrategy"/>: everything that depends on how m examples are
    /// laid out and computed. The public surface calls only these members, so it is written once for every strategy.
    /// </summary>
    internal interface IComputeStrategyEmitter
    {
        /// <summary>
        /// An expression for the number of example columns a training workspace holds for <paramref name="m"/>
        /// examples; the workspace is <c>WorkspacePerExample</c> times this many floats.
        /// </summary>
        string WorkspaceColumns(string m);

        /// <summary>
        /// <c>WorkspacePerExample</c>, the floats per example of a training workspace, and the named parts it is made of,
        /// each with what it holds; the training members slice the workspace by these names.
        /// </summary>
        void EmitWorkspaceConstants(SourceWriter writer, NetworkPlan plan);

        /// <summary>Whether the compute members spell the vector types through the file's aliases (<see cref="VectorAliases"/>).</summary>
        bool UsesVectorAliases { get; }

        /// <summary>
        /// <c>ForwardBatch(x, m, cache)</c>: A[L] of m examples, returned as a span inside <c>cache</c>; with
        /// <paramref name="withTraining"/>, also the training forward where the plan needs one (the frozen form, which
        /// never trains, asks without).
        /// </summary>
        void EmitForwardBatch(SourceWriter writer, NetworkPlan plan, bool withTraining);

        /// <summary>
        /// Inside PredictChunk: copies <c>outputActivations</c> (A[L] of <c>count</c> examples from ForwardBatch) to
        /// the chunk's <c>outputs</c>, one example per row.
        /// </summary>
        void EmitOutputsToRows(SourceWriter writer, NetworkPlan plan);

        /// <summary>
        /// <c>Backpropagate(x, y, m, gradients, workspace, computeCost)</c>: forward with a cache, the cost when asked
        /// for (NaN otherwise), and the backward pass writing dW[l], db[l] into <c>gradients</c>.
        /// </summary>
        void EmitBackpropagate(SourceWriter writer, NetworkPlan plan);
    }

    /// <summary>The emitter of each <see cref="ComputeStrategy"/>.</summary>
    internal static class ComputeStrategyEmitters
    {
        public static IComputeStrategyEmitter For(ComputeStrategy strategy) =>
            strategy == ComputeStrategy.Tiny ? TinyStrategyEmitter.Instance : KernelStrategyEmitter.Instance;
    }
}
