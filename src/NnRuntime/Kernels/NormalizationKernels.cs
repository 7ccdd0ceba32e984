using System;

namespace NnGen.Kernels;

/// <summary>
/// Batch and layer normalization over the feature-major (features × examples) layout of the generated networks: row
/// i holds feature i of every example. Called only by generated code.
/// </summary>
/// <remarks>
/// <para>
/// Batch statistics are row reductions and layer statistics column reductions. Both are summed in double, one value
/// at a time in index order, so they do not depend on the vector width, the thread count or where the buffers sit;
/// they are a small part of a training step next to the matrix products around them.
/// </para>
/// <para>
/// Backward kernels follow the generated code's convention for deltas: dY holds m·∂J/∂Y (the course's dZ[L] = A − Y
/// carries no 1/m), so dX is returned in the same convention and the parameter gradients take the 1/m as
/// <c>inverseM</c>. With x̂ = (x − μ)·r, r = 1/√(σ² + ε): batch norm's dX = γ·r·(dY − mean(dY) − x̂·mean(dY·x̂)) over
/// the examples of a feature, layer norm's dX = r·(g − mean(g) − x̂·mean(g·x̂)) with g = γ·dY over the features of an
/// example; dγ = (1/m) Σ dY·x̂ and dβ = (1/m) Σ dY over the examples in both.
/// </para>
/// </remarks>
public static class NormalizationKernels
{
    /// <summary>
    /// Batch norm in training: each feature normalized with its batch mean and biased variance; the running statistics
    /// move towards the batch's (PyTorch's rule: the unbiased variance, weighted by <paramref name="momentum"/>).
    /// </summary>
    /// <param name="x">A[l-1], features × examples.</param>
    /// <param name="y">A[l] = γ·x̂ + β, same shape; may not overlap <paramref name="x"/>.</param>
    /// <param name="normalized">Receives x̂, same shape, for the backward pass.</param>
    /// <param name="inverseStd">Receives 1/√(σ² + ε) per feature.</param>
    /// <param name="gamma">γ, one per feature.</param>
    /// <param name="beta">β, one per feature.</param>
    /// <param name="runningMean">The running mean, one per feature, updated in place.</param>
    /// <param name="runningVariance">The running variance, one per feature, updated in place.</param>
    /// <param name="features">n[l-1].</param>
    /// <param name="examples">m, at least 1.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="momentum">How far the running statistics move.</param>
    public static void BatchNormTraining(
        ReadOnlySpan<float> x, Span<float> y, Span<float> normalized, Span<float> inverseStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> runningMean, Span<float> runningVariance,
        int features, int examples, float epsilon, float momentum)
    {
        CheckShape(x.Length, y.Length, features, examples);
        for (int i = 0; i < features; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * examples, examples);
            double sum = 0;
            foreach (float value in row)
            {
                sum += value;
            }

            float mean = (float)(sum / examples);
            double squares = 0;
            foreach (float value in row)
            {
                double centered = value - mean;
                squares += centered * centered;
            }

            float variance = (float)(squares / examples);
            float r = 1f / MathF.Sqrt(variance + epsilon);
            inverseStd[i] = r;
            Span<float> xhat = normalized.Slice(i * examples, examples);
            Span<float> output = y.Slice(i * examples, examples);
            float g = gamma[i];
            float b = beta[i];
            for (int e = 0; e < examples; e++)
            {
                float h = (row[e] - mean) * r;
                xhat[e] = h;
                output[e] = (g * h) + b;
            }

            // PyTorch updates the running variance with the unbiased estimate; one example has none, so it keeps its own.
            float unbiased = examples > 1 ? (float)(squares / (examples - 1)) : runningVariance[i];
            runningMean[i] = ((1f - momentum) * runningMean[i]) + (momentum * mean);
            runningVariance[i] = ((1f - momentum) * runningVariance[i]) + (momentum * unbiased);
        }
    }

    /// <summary>Batch norm in inference: y = γ·(x − running mean)/√(running variance + ε) + β for every example.</summary>
    /// <param name="x">A[l-1], features × examples.</param>
    /// <param name="y">A[l], same shape; may be the same span as <paramref name="x"/>.</param>
    /// <param name="gamma">γ, one per feature.</param>
    /// <param name="beta">β, one per feature.</param>
    /// <param name="runningMean">The running mean, one per feature.</param>
    /// <param name="runningVariance">The running variance, one per feature.</param>
    /// <param name="features">n[l-1].</param>
    /// <param name="examples">m, at least 1.</param>
    /// <param name="epsilon">ε.</param>
    public static void BatchNormInference(
        ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, int features, int examples, float epsilon)
    {
        CheckShape(x.Length, y.Length, features, examples);
        for (int i = 0; i < features; i++)
        {
            // One scale and shift per feature, so the row is a single multiply-add: y = x·s + t.
            float scale = gamma[i] / MathF.Sqrt(runningVariance[i] + epsilon);
            float shift = beta[i] - (runningMean[i] * scale);
            ReadOnlySpan<float> row = x.Slice(i * examples, examples);
            Span<float> output = y.Slice(i * examples, examples);
            for (int e = 0; e < examples; e++)
            {
                output[e] = (row[e] * scale) + shift;
            }
        }
    }

    /// <summary>The backward pass of <see cref="BatchNormTraining"/>.</summary>
    /// <param name="dy">m·∂J/∂A[l], features × examples.</param>
    /// <param name="normalized">x̂ from the forward pass.</param>
    /// <param name="inverseStd">1/√(σ² + ε) per feature from the forward pass.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="dGamma">Receives dγ = (1/m) Σ dY·x̂.</param>
    /// <param name="dBeta">Receives dβ = (1/m) Σ dY.</param>
    /// <param name="dx">Receives m·∂J/∂A[l-1], same shape as <paramref name="dy"/>; empty when the layer below needs none.</param>
    /// <param name="features">n[l-1].</param>
    /// <param name="examples">m.</param>
    /// <param name="inverseM">1/m.</param>
    public static void BatchNormBackward(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> normalized, ReadOnlySpan<float> inverseStd, ReadOnlySpan<float> gamma,
        Span<float> dGamma, Span<float> dBeta, Span<float> dx, int features, int examples, float inverseM)
    {
        CheckShape(dy.Length, normalized.Length, features, examples);
        for (int i = 0; i < features; i++)
        {
            ReadOnlySpan<float> d = dy.Slice(i * examples, examples);
            ReadOnlySpan<float> xhat = normalized.Slice(i * examples, examples);
            double sum = 0, dot = 0;
            for (int e = 0; e < examples; e++)
            {
                sum += d[e];
                dot += (double)d[e] * xhat[e];
            }

            dGamma[i] = (float)dot * inverseM;
            dBeta[i] = (float)sum * inverseM;
            if (dx.IsEmpty)
            {
                continue;
            }

            float meanD = (float)(sum / examples);
            float meanDX = (float)(dot / examples);
            float scale = gamma[i] * inverseStd[i];
            Span<float> output = dx.Slice(i * examples, examples);
            for (int e = 0; e < examples; e++)
            {
                output[e] = scale * (d[e] - meanD - (xhat[e] * meanDX));
            }
        }
    }

    /// <summary>
    /// Layer norm (training and inference alike): each example normalized over its features, y = γ·x̂ + β.
    /// </summary>
    /// <param name="x">A[l-1], features × examples.</param>
    /// <param name="y">A[l], same shape; may not overlap <paramref name="x"/>.</param>
    /// <param name="normalized">Receives x̂ for the backward pass; empty in inference.</param>
    /// <param name="inverseStd">Receives 1/√(σ² + ε) per example; empty in inference.</param>
    /// <param name="gamma">γ, one per feature.</param>
    /// <param name="beta">β, one per feature.</param>
    /// <param name="features">n[l-1].</param>
    /// <param name="examples">m.</param>
    /// <param name="epsilon">ε.</param>
    public static void LayerNorm(
        ReadOnlySpan<float> x, Span<float> y, Span<float> normalized, Span<float> inverseStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int features, int examples, float epsilon)
    {
        CheckShape(x.Length, y.Length, features, examples);
        bool keep = !normalized.IsEmpty;
        for (int e = 0; e < examples; e++)
        {
            double sum = 0;
            for (int i = 0; i < features; i++)
            {
                sum += x[(i * examples) + e];
            }

            float mean = (float)(sum / features);
            double squares = 0;
            for (int i = 0; i < features; i++)
            {
                double centered = x[(i * examples) + e] - mean;
                squares += centered * centered;
            }

            float r = 1f / MathF.Sqrt((float)(squares / features) + epsilon);
            if (keep)
            {
                inverseStd[e] = r;
            }

            for (int i = 0; i < features; i++)
            {
                int at = (i * examples) + e;
                float h = (x[at] - mean) * r;
                if (keep)
                {
                    normalized[at] = h;
                }

                y[at] = (gamma[i] * h) + beta[i];
            }
        }
    }

    /// <summary>The backward pass of <see cref="LayerNorm"/>.</summary>
    /// <param name="dy">m·∂J/∂A[l], features × examples.</param>
    /// <param name="normalized">x̂ from the forward pass.</param>
    /// <param name="inverseStd">1/√(σ² + ε) per example from the forward pass.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="dGamma">Receives dγ = (1/m) Σ dY·x̂ over the examples.</param>
    /// <param name="dBeta">Receives dβ = (1/m) Σ dY over the examples.</param>
    /// <param name="dx">Receives m·∂J/∂A[l-1]; empty when the layer below needs none.</param>
    /// <param name="features">n[l-1].</param>
    /// <param name="examples">m.</param>
    /// <param name="inverseM">1/m.</param>
    public static void LayerNormBackward(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> normalized, ReadOnlySpan<float> inverseStd, ReadOnlySpan<float> gamma,
        Span<float> dGamma, Span<float> dBeta, Span<float> dx, int features, int examples, float inverseM)
    {
        CheckShape(dy.Length, normalized.Length, features, examples);
        for (int i = 0; i < features; i++)
        {
            ReadOnlySpan<float> d = dy.Slice(i * examples, examples);
            ReadOnlySpan<float> xhat = normalized.Slice(i * examples, examples);
            double sum = 0, dot = 0;
            for (int e = 0; e < examples; e++)
            {
                sum += d[e];
                dot += (double)d[e] * xhat[e];
            }

            dGamma[i] = (float)dot * inverseM;
            dBeta[i] = (float)sum * inverseM;
        }

        if (dx.IsEmpty)
        {
            return;
        }

        for (int e = 0; e < examples; e++)
        {
            double sum = 0, dot = 0;
            for (int i = 0; i < features; i++)
            {
                int at = (i * examples) + e;
                double g = (double)gamma[i] * dy[at];
                sum += g;
                dot += g * normalized[at];
            }

            float meanG = (float)(sum / features);
            float meanGX = (float)(dot / features);
            float r = inverseStd[e];
            for (int i = 0; i < features; i++)
            {
                int at = (i * examples) + e;
                dx[at] = r * ((gamma[i] * dy[at]) - meanG - (normalized[at] * meanGX));
            }
        }
    }

    private static void CheckShape(int first, int second, int features, int examples)
    {
        if (first != features * examples || second != features * examples)
        {
            throw new ArgumentException($"Expected {features} x {examples} = {features * examples} floats; found {first} and {second}.");
        }
    }
}
