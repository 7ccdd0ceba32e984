using System;
using System.Numerics;
using System.Threading;
using NnGen.Kernels;

namespace NnGen;

/// <summary>Which element-wise rule an <see cref="UpdateRule"/> applies.</summary>
internal enum UpdateKind
{
    /// <summary>Δ = α·g.</summary>
    Descent,

    /// <summary>v := β·v + (1 − β)·g; Δ = α·v, or α·(β·v + (1 − β)·g) with Nesterov's look-ahead.</summary>
    Momentum,

    /// <summary>m := β₁·m + (1 − β₁)·g; v := β₂·v + (1 − β₂)·g²; Δ = s·m / (√v·c + ε), plus λα·θ on the weights (AdamW).</summary>
    Adam,
}

/// <summary>
/// The element-wise rule of one optimizer update with its constants for that update (the learning rate after any
/// schedule, Adam's bias corrections), produced by <see cref="Optimizer.Rule"/>. It holds no references, so the threads
/// that share one update read it through a pointer.
/// </summary>
internal readonly struct UpdateRule
{
    public UpdateKind Kind { get; init; }

    /// <summary>Gradient descent and momentum: α. Adam: α/(1 − β₁ᵗ).</summary>
    public float StepSize { get; init; }

    /// <summary>Momentum's β or Adam's β₁.</summary>
    public float Beta1 { get; init; }

    /// <summary>Adam's β₂.</summary>
    public float Beta2 { get; init; }

    /// <summary>Adam's 1/√(1 − β₂ᵗ).</summary>
    public float InverseRootCorrection { get; init; }

    /// <summary>Adam's ε.</summary>
    public float Epsilon { get; init; }

    /// <summary>AdamW: α·λ, added to Δ times θ on the weight ranges; 0 otherwise.</summary>
    public float Decay { get; init; }

    /// <summary>Momentum: whether to take Nesterov's look-ahead step.</summary>
    public bool Nesterov { get; init; }

    /// <summary>The number of state slots per parameter the rule reads and writes (0, 1 or 2).</summary>
    public int Slots => Kind switch { UpdateKind.Descent => 0, UpdateKind.Momentum => 1, _ => 2 };
}

/// <summary>
/// One optimizer update of every parameter in a single pass: the state advances, Δ is computed, and θ − Δ replaces θ
/// where it is finite, while θ's old values are kept aside so that a refused update can be undone. Large parameter sets
/// are cut into fixed parts shared out over the threads <see cref="KernelParallelism"/> allows.
/// </summary>
/// <remarks>
/// Every element is computed with the same float operations in the same order by the vector body and by the scalar
/// tail (no fused multiply-add), and the parts depend on the parameter count alone, so the result is bit-for-bit the
/// same at every vector width, for every number of threads, wherever the buffers sit.
/// </remarks>
internal static unsafe class OptimizerUpdate
{
    /// <summary>Parameters per part of a shared update (128 KB of each buffer): enough work to pay for a hand-off.</summary>
    internal const int PartLength = 1 << 15;

    private const int StepNotFinite = 1;
    private const int UpdateNotFinite = 2;

    /// <summary>What an update found: whether every step Δ and every updated parameter θ − Δ was finite.</summary>
    internal enum Outcome
    {
        /// <summary>Every θ − Δ was finite and replaced θ.</summary>
        Applied,

        /// <summary>Some Δ was NaN or infinite (the gradient or the optimizer's arithmetic).</summary>
        StepNotFinite,

        /// <summary>Every Δ was finite, but some θ − Δ overflowed.</summary>
        UpdateNotFinite,
    }

    /// <summary>
    /// Applies <paramref name="rule"/> to every parameter. Where θ − Δ is not finite θ keeps its value, so nothing
    /// non-finite is ever written; unless the outcome is <see cref="Outcome.Applied"/> the caller puts
    /// <paramref name="backup"/> back with <see cref="Undo"/>.
    /// </summary>
    /// <param name="rule">The rule and its constants for this update.</param>
    /// <param name="parameters">θ, P floats, updated in place.</param>
    /// <param name="gradients">g, P floats (including any L2 term).</param>
    /// <param name="state">The rule's state, <see cref="UpdateRule.Slots"/> × P floats, slot after slot.</param>
    /// <param name="backup">Receives θ's values before the update, P floats.</param>
    /// <param name="weights">The weight ranges (AdamW's decay), in order and within P.</param>
    /// <param name="degree">The most threads to use.</param>
    internal static Outcome Apply(
        in UpdateRule rule, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, Span<float> backup, ReadOnlySpan<Range> weights, int degree)
    {
        int length = parameters.Length;
        fixed (UpdateRule* pRule = &rule)
        fixed (float* pParameters = parameters)
        fixed (float* pGradients = gradients)
        fixed (float* pState = state)
        fixed (float* pBackup = backup)
        fixed (Range* pWeights = weights)
        {
            var pass = new Pass
            {
                Rule = pRule,
                Parameters = pParameters,
                Gradients = pGradients,
                First = rule.Slots > 0 ? pState : null,
                Second = rule.Slots > 1 ? pState + length : null,
                Backup = pBackup,
                Weights = pWeights,
                WeightCount = rule.Decay == 0f ? 0 : weights.Length,
                Length = length,
                Parts = (int)(((long)length + PartLength - 1) / PartLength),
            };

            int threads = Math.Min(degree, pass.Parts);
            if (threads > 1)
            {
                KernelWorkers.Run(&ClaimParts, &pass, threads);
            }
            else
            {
                pass.Run(0, length);
            }

            return (pass.Problems & StepNotFinite) != 0 ? Outcome.StepNotFinite
                : (pass.Problems & UpdateNotFinite) != 0 ? Outcome.UpdateNotFinite
                : Outcome.Applied;
        }
    }

    /// <summary>Puts back the parameters an update saved, after an outcome other than <see cref="Outcome.Applied"/>.</summary>
    internal static void Undo(ReadOnlySpan<float> backup, Span<float> parameters) => backup.CopyTo(parameters);

    private static void ClaimParts(void* state, int thread, int threads)
    {
        ref Pass pass = ref *(Pass*)state;
        for (int part = Interlocked.Increment(ref pass.Claimed) - 1; part < pass.Parts; part = Interlocked.Increment(ref pass.Claimed) - 1)
        {
            int start = part * PartLength;
            pass.Run(start, Math.Min(start + PartLength, pass.Length));
        }
    }

    /// <summary>One update shared (on the caller's stack) by the threads that run its parts.</summary>
    private struct Pass
    {
        public UpdateRule* Rule;
        public float* Parameters;
        public float* Gradients;
        public float* First;
        public float* Second;
        public float* Backup;
        public Range* Weights;
        public int WeightCount;
        public int Length;
        public int Parts;

        /// <summary>Parts handed out so far; only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;

        /// <summary>A union of <see cref="StepNotFinite"/> and <see cref="UpdateNotFinite"/> over the parts.</summary>
        public int Problems;

        /// <summary>Elements [start, end): the stretches inside weight ranges take the decay, the others not.</summary>
        public void Run(int start, int end)
        {
            int position = start;
            for (int w = 0; w < WeightCount && position < end; w++)
            {
                int from = Math.Max(Weights[w].Start.Value, position);
                int to = Math.Min(Weights[w].End.Value, end);
                if (to <= from)
                {
                    continue;
                }

                Stretch(position, from, decayed: false);
                Stretch(from, to, decayed: true);
                position = to;
            }

            Stretch(position, end, decayed: false);
        }

        private void Stretch(int start, int end, bool decayed)
        {
            if (end <= start)
            {
                return;
            }

            // Σ Δ·0 and Σ (θ − Δ)·0 are 0 when every value is finite and NaN otherwise.
            float stepCheck, updateCheck;
            switch (Rule->Kind)
            {
                case UpdateKind.Descent:
                    (stepCheck, updateCheck) = Descent(start, end);
                    break;
                case UpdateKind.Momentum:
                    (stepCheck, updateCheck) = Momentum(start, end);
                    break;
                default:
                    (stepCheck, updateCheck) = Adam(start, end, decayed);
                    break;
            }

            int problems = (stepCheck == 0f ? 0 : StepNotFinite) | (updateCheck == 0f ? 0 : UpdateNotFinite);
            if (problems != 0)
            {
                Interlocked.Or(ref Problems, problems);
            }
        }

        private readonly (float Step, float Update) Descent(int start, int end)
        {
            float alpha = Rule->StepSize;
            var stepChecks = Vector<float>.Zero;
            var updateChecks = Vector<float>.Zero;
            int i = start;
            if (Vector.IsHardwareAccelerated)
            {
                var vAlpha = new Vector<float>(alpha);
                for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector<float> step = vAlpha * Vector.Load(Gradients + i);
                    Store(i, step, ref stepChecks, ref updateChecks);
                }
            }

            float stepCheck = Vector.Sum(stepChecks), updateCheck = Vector.Sum(updateChecks);
            for (; i < end; i++)
            {
                Store(i, alpha * Gradients[i], ref stepCheck, ref updateCheck);
            }

            return (stepCheck, updateCheck);
        }

        private readonly (float Step, float Update) Momentum(int start, int end)
        {
            UpdateRule* rule = Rule;
            float beta = rule->Beta1, oneMinusBeta = 1f - rule->Beta1, alpha = rule->StepSize;
            bool nesterov = rule->Nesterov;
            var stepChecks = Vector<float>.Zero;
            var updateChecks = Vector<float>.Zero;
            int i = start;
            if (Vector.IsHardwareAccelerated)
            {
                var vBeta = new Vector<float>(beta);
                var vOneMinusBeta = new Vector<float>(oneMinusBeta);
                var vAlpha = new Vector<float>(alpha);
                for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector<float> g = Vector.Load(Gradients + i);
                    Vector<float> v = (vBeta * Vector.Load(First + i)) + (vOneMinusBeta * g);
                    v.Store(First + i);
                    Vector<float> direction = nesterov ? (vBeta * v) + (vOneMinusBeta * g) : v;
                    Store(i, vAlpha * direction, ref stepChecks, ref updateChecks);
                }
            }

            float stepCheck = Vector.Sum(stepChecks), updateCheck = Vector.Sum(updateChecks);
            for (; i < end; i++)
            {
                float g = Gradients[i];
                float v = (beta * First[i]) + (oneMinusBeta * g);
                First[i] = v;
                float direction = nesterov ? (beta * v) + (oneMinusBeta * g) : v;
                Store(i, alpha * direction, ref stepCheck, ref updateCheck);
            }

            return (stepCheck, updateCheck);
        }

        private readonly (float Step, float Update) Adam(int start, int end, bool decayed)
        {
            UpdateRule* rule = Rule;
            float beta1 = rule->Beta1, beta2 = rule->Beta2, oneMinusBeta1 = 1f - rule->Beta1, oneMinusBeta2 = 1f - rule->Beta2;
            float stepSize = rule->StepSize, inverseRoot = rule->InverseRootCorrection, epsilon = rule->Epsilon;
            float decay = decayed ? rule->Decay : 0f;
            var stepChecks = Vector<float>.Zero;
            var updateChecks = Vector<float>.Zero;
            int i = start;
            if (Vector.IsHardwareAccelerated)
            {
                var vBeta1 = new Vector<float>(beta1);
                var vBeta2 = new Vector<float>(beta2);
                var vOneMinusBeta1 = new Vector<float>(oneMinusBeta1);
                var vOneMinusBeta2 = new Vector<float>(oneMinusBeta2);
                var vStepSize = new Vector<float>(stepSize);
                var vInverseRoot = new Vector<float>(inverseRoot);
                var vEpsilon = new Vector<float>(epsilon);
                var vDecay = new Vector<float>(decay);
                for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector<float> g = Vector.Load(Gradients + i);
                    Vector<float> m = (vBeta1 * Vector.Load(First + i)) + (vOneMinusBeta1 * g);
                    Vector<float> v = (vBeta2 * Vector.Load(Second + i)) + (vOneMinusBeta2 * (g * g));
                    m.Store(First + i);
                    v.Store(Second + i);
                    Vector<float> denominator = (Vector.SquareRoot(v) * vInverseRoot) + vEpsilon;
                    Vector<float> step = vStepSize * m / denominator;
                    if (decayed)
                    {
                        step += vDecay * Vector.Load(Parameters + i);
                    }

                    Store(i, step, ref stepChecks, ref updateChecks);
                }
            }

            float stepCheck = Vector.Sum(stepChecks), updateCheck = Vector.Sum(updateChecks);
            for (; i < end; i++)
            {
                float g = Gradients[i];
                float m = (beta1 * First[i]) + (oneMinusBeta1 * g);
                float v = (beta2 * Second[i]) + (oneMinusBeta2 * (g * g));
                First[i] = m;
                Second[i] = v;
                float denominator = (MathF.Sqrt(v) * inverseRoot) + epsilon;
                float step = stepSize * m / denominator;
                if (decayed)
                {
                    step += decay * Parameters[i];
                }

                Store(i, step, ref stepCheck, ref updateCheck);
            }

            return (stepCheck, updateCheck);
        }

        /// <summary>Saves θ, writes θ − Δ where it is finite, and adds Δ·0 and (θ − Δ)·0 to the checks.</summary>
        private readonly void Store(int i, Vector<float> step, ref Vector<float> stepChecks, ref Vector<float> updateChecks)
        {
            Vector<float> theta = Vector.Load(Parameters + i);
            theta.Store(Backup + i);
            Vector<float> updated = theta - step;
            Vector<float> updateCheck = updated * Vector<float>.Zero;
            Vector.ConditionalSelect(Vector.Equals(updateCheck, Vector<float>.Zero), updated, theta).Store(Parameters + i);
            stepChecks += step * Vector<float>.Zero;
            updateChecks += updateCheck;
        }

        private readonly void Store(int i, float step, ref float stepCheck, ref float updateCheck)
        {
            float theta = Parameters[i];
            Backup[i] = theta;
            float updated = theta - step;
            if (float.IsFinite(updated))
            {
                Parameters[i] = updated;
            }

            stepCheck += step * 0f;
            updateCheck += updated * 0f;
        }
    }
}
