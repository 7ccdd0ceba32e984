using System;
using System.Buffers;
using System.Numerics.Tensors;

namespace NnGen.Kernels;

/// <summary>
/// Batch and layer normalization over the feature-major (features × examples) layout of the generated networks: row
/// i holds feature i of every example. Called only by generated code.
/// </summary>
/// <remarks>
/// <para>
/// Batch statistics are row reductions (TensorPrimitives over each feature's row); layer statistics are column
/// reductions, accumulated row by row into per-example vectors, so every pass runs over contiguous memory. Results
/// depend on the vector width (as any SIMD sum) but never on the thread count or where the buffers sit: nothing here
/// peels by address, and each call runs on the calling thread.
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
    // Per-example scratch of layer norm: three rows of m floats on the stack up to this many floats, rented beyond.
    private const int StackScratchFloats = 3 * 1024;

    /// <summary>
    /// Batch norm in training: each feature normalized with its batch mean and biased variance; the running statistics
    /// move towards the batch's (PyTorch's rule: the unbiased variance, weighted by <paramref name="momentum"/>).
    /// </summary>
    /// <param name="x">A[l-1], features × examples.</param>
    /// <param name="y">A[l] = γ·x̂ + β, same shape; may be the same span as <paramref name="x"/>.</param>
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
            Span<float> xhat = normalized.Slice(i * examples, examples);
            Span<float> output = y.Slice(i * examples, examples);
            float mean = TensorPrimitives.Sum(row) / examples;
            TensorPrimitives.Subtract(row, mean, xhat);
            float squares = TensorPrimitives.SumOfSquares<float>(xhat);
            float r = 1f / MathF.Sqrt((squares / examples) + epsilon);
            inverseStd[i] = r;
            TensorPrimitives.Multiply(xhat, r, xhat);
            TensorPrimitives.Multiply(xhat, gamma[i], output);
            TensorPrimitives.Add(output, beta[i], output);

            // PyTorch updates the running variance with the unbiased estimate; one example has none, so it keeps its own.
            float unbiased = examples > 1 ? squares / (examples - 1) : runningVariance[i];
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
            // One scale and shift per feature, so the row is a multiply and an add: y = x·s + t.
            float scale = gamma[i] / MathF.Sqrt(runningVariance[i] + epsilon);
            float shift = beta[i] - (runningMean[i] * scale);
            Span<float> output = y.Slice(i * examples, examples);
            TensorPrimitives.Multiply(x.Slice(i * examples, examples), scale, output);
            TensorPrimitives.Add(output, shift, output);
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
            float sum = TensorPrimitives.Sum(d);
            float dot = TensorPrimitives.Dot(d, xhat);
            dGamma[i] = dot * inverseM;
            dBeta[i] = sum * inverseM;
            if (dx.IsEmpty)
            {
                continue;
            }

            // dX = s·dY − s·mean(dY·x̂)·x̂ − s·mean(dY), s = γ·r: three passes over contiguous rows.
            float scale = gamma[i] * inverseStd[i];
            Span<float> output = dx.Slice(i * examples, examples);
            TensorPrimitives.Multiply(d, scale, output);
            TensorPrimitives.MultiplyAdd(xhat, -scale * (dot / examples), output, output);
            TensorPrimitives.Add(output, -scale * (sum / examples), output);
        }
    }

    /// <summary>
    /// Layer norm (training and inference alike): each example normalized over its features, y = γ·x̂ + β.
    /// </summary>
    /// <param name="x">A[l-1], features × examples.</param>
    /// <param name="y">A[l], same shape; may be the same span as <paramref name="x"/>.</param>
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
        float[]? rented = null;
        Span<float> scratch = 3 * examples <= StackScratchFloats
            ? stackalloc float[3 * examples]
            : (rented = ArrayPool<float>.Shared.Rent(3 * examples));
        Span<float> mean = scratch.Slice(0, examples);
        Span<float> r = normalized.IsEmpty ? scratch.Slice(examples, examples) : inverseStd.Slice(0, examples);
        Span<float> centered = scratch.Slice(2 * examples, examples);

        // Column statistics as row sweeps: every pass reads one feature of all the examples, contiguous.
        mean.Clear();
        for (int i = 0; i < features; i++)
        {
            TensorPrimitives.Add(mean, x.Slice(i * examples, examples), mean);
        }

        TensorPrimitives.Multiply(mean, 1f / features, mean);
        r.Clear();
        for (int i = 0; i < features; i++)
        {
            TensorPrimitives.Subtract(x.Slice(i * examples, examples), mean, centered);
            TensorPrimitives.MultiplyAdd(centered, centered, r, r);
        }

        TensorPrimitives.Multiply(r, 1f / features, r);
        TensorPrimitives.Add(r, epsilon, r);
        TensorPrimitives.Sqrt(r, r);
        TensorPrimitives.Reciprocal(r, r);
        for (int i = 0; i < features; i++)
        {
            Span<float> h = normalized.IsEmpty ? centered : normalized.Slice(i * examples, examples);
            Span<float> output = y.Slice(i * examples, examples);
            TensorPrimitives.Subtract(x.Slice(i * examples, examples), mean, h);
            TensorPrimitives.Multiply(h, r, h);
            TensorPrimitives.Multiply(h, gamma[i], output);
            TensorPrimitives.Add(output, beta[i], output);
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
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
            dGamma[i] = TensorPrimitives.Dot(d, normalized.Slice(i * examples, examples)) * inverseM;
            dBeta[i] = TensorPrimitives.Sum(d) * inverseM;
        }

        if (dx.IsEmpty)
        {
            return;
        }

        float[]? rented = null;
        Span<float> scratch = 3 * examples <= StackScratchFloats
            ? stackalloc float[3 * examples]
            : (rented = ArrayPool<float>.Shared.Rent(3 * examples));
        Span<float> meanG = scratch.Slice(0, examples);
        Span<float> meanGX = scratch.Slice(examples, examples);
        Span<float> product = scratch.Slice(2 * examples, examples);

        // g = γ·dY per example: mean(g) and mean(g·x̂) over the features, as row sweeps.
        meanG.Clear();
        meanGX.Clear();
        for (int i = 0; i < features; i++)
        {
            ReadOnlySpan<float> d = dy.Slice(i * examples, examples);
            TensorPrimitives.MultiplyAdd(d, gamma[i], meanG, meanG);
            TensorPrimitives.Multiply(d, normalized.Slice(i * examples, examples), product);
            TensorPrimitives.MultiplyAdd(product, gamma[i], meanGX, meanGX);
        }

        TensorPrimitives.Multiply(meanG, 1f / features, meanG);
        TensorPrimitives.Multiply(meanGX, 1f / features, meanGX);
        for (int i = 0; i < features; i++)
        {
            // dX = r·(g − mean(g) − x̂·mean(g·x̂)).
            Span<float> output = dx.Slice(i * examples, examples);
            TensorPrimitives.Multiply(dy.Slice(i * examples, examples), gamma[i], output);
            TensorPrimitives.Subtract(output, meanG, output);
            TensorPrimitives.Multiply(normalized.Slice(i * examples, examples), meanGX, product);
            TensorPrimitives.Subtract(output, product, output);
            TensorPrimitives.Multiply(output, inverseStd.Slice(0, examples), output);
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
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
