using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// The convolution and pooling kernels of issue 25 on LeNet-5's layers at the training batch (m = 128) and for one
/// example (m = 1, what Predict calls): conv1 (1, 28, 28) → (6, 28, 28), kernel 5, padding 2; conv2 (6, 14, 14) →
/// (16, 10, 10), kernel 5; the 2×2 pools after them. Conv1 is the first layer, so its backward pass skips dInput as the
/// generated code does. <see cref="Conv1ForwardDirect"/> is a hand-written direct loop for Cin = 1 (each output a 25-tap
/// chain over whole input rows of m floats, eight 512-bit accumulators, no copy), checked against the kernel before it is
/// timed: the measurement that first made ConvKernels read the input in place. Both convolutions' forward rows now run
/// its register-tiled direct kernel (ConvKernels.Direct.cs); im2col remains for batches under 24 and the backward pass.
/// The <c>*172</c> rows are the inference chunk <c>PredictBatch</c> runs (172 examples: ten whole 512-bit vectors and 12
/// lanes), with the activation fused as the generated code calls it.
/// One thread (the target is one thread's epoch). `dotnet run -c Release --project tests/NnGen.Benchmarks --
/// --filter '*ConvKernelWorkloads*'`.
/// </summary>
[MemoryDiagnoser]
public class ConvKernelWorkloads
{
    private const int Batch = 128;

    /// <summary>The examples per chunk LeNet-5's generated PredictBatch runs (NetworkPlan's BatchChunk).</summary>
    private const int InferenceChunk = 172;

    private static readonly ConvGeometry Conv1 = new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1);
    private static readonly ConvGeometry Conv2 = new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    private static readonly PoolGeometry Pool1 = new(6, 28, 28, 2, 2, 2, 2, 0, 0);
    private static readonly PoolGeometry Pool2 = new(16, 10, 10, 2, 2, 2, 2, 0, 0);

    private Layer _conv1 = null!, _conv2 = null!, _conv1One = null!, _conv2One = null!, _conv1Chunk = null!, _conv2Chunk = null!;
    private float[] _pool1ChunkIn = null!, _pool1ChunkOut = null!;
    private float[] _pool1In = null!, _pool1Out = null!, _pool1Grad = null!, _pool2In = null!, _pool2Out = null!, _pool2Grad = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _conv1 = new Layer(Conv1, Batch, seed: 1);
        _conv2 = new Layer(Conv2, Batch, seed: 2);
        _conv1One = new Layer(Conv1, 1, seed: 3);
        _conv2One = new Layer(Conv2, 1, seed: 4);
        _conv1Chunk = new Layer(Conv1, InferenceChunk, seed: 9);
        _conv2Chunk = new Layer(Conv2, InferenceChunk, seed: 10);
        _pool1ChunkIn = Random(Pool1.InputFeatures * InferenceChunk, 11);
        _pool1ChunkOut = new float[Pool1.OutputFeatures * InferenceChunk];
        _pool1In = Random(Pool1.InputFeatures * Batch, 5);
        _pool1Out = Random(Pool1.OutputFeatures * Batch, 6);
        _pool1Grad = new float[_pool1In.Length];
        _pool2In = Random(Pool2.InputFeatures * Batch, 7);
        _pool2Out = Random(Pool2.OutputFeatures * Batch, 8);
        _pool2Grad = new float[_pool2In.Length];

        // The direct loop must compute what the kernel does before its time means anything.
        _conv1.Forward();
        float[] kernel = (float[])_conv1.Z.Clone();
        Conv1ForwardDirect();
        for (int i = 0; i < kernel.Length; i++)
        {
            if (Math.Abs(kernel[i] - _conv1.Z[i]) > 1e-4f * (1 + Math.Abs(kernel[i])))
            {
                throw new InvalidOperationException($"The direct conv1 disagrees with ConvKernels at {i}: {_conv1.Z[i]} against {kernel[i]}.");
            }
        }
    }

    /// <summary>LeNet-5 conv1 at m = 128: ConvKernels' direct path (one input channel).</summary>
    [Benchmark]
    public float Conv1Forward() => _conv1.Forward();

    /// <summary>LeNet-5 conv1's dW and db at m = 128 (no dInput: it is the first layer): im2col in chunks of 2,560 columns and dZ·colᵀ.</summary>
    [Benchmark]
    public float Conv1Backward() => _conv1.Backward(withInput: false);

    /// <summary>LeNet-5 conv2 at m = 128: the direct kernel (tiles of 4 channels × 4 vectors of examples, 150 taps).</summary>
    [Benchmark]
    public float Conv2Forward() => _conv2.Forward();

    /// <summary>LeNet-5 conv2's dW, db and dInput at m = 128.</summary>
    [Benchmark]
    public float Conv2Backward() => _conv2.Backward(withInput: true);

    /// <summary>LeNet-5 conv1 and its ReLU at PredictBatch's chunk of 172 examples.</summary>
    [Benchmark]
    public float Conv1ForwardReLU172() => _conv1Chunk.Forward(Activation.ReLU);

    /// <summary>LeNet-5 conv2 and its ReLU at PredictBatch's chunk of 172 examples.</summary>
    [Benchmark]
    public float Conv2ForwardReLU172() => _conv2Chunk.Forward(Activation.ReLU);

    /// <summary>The 2×2 max pool after conv1, forward only, at PredictBatch's chunk of 172 examples.</summary>
    [Benchmark]
    public float Pool1MaxForward172()
    {
        ConvKernels.MaxPoolForward(Pool1, _pool1ChunkIn, _pool1ChunkOut, InferenceChunk);
        return _pool1ChunkOut[0];
    }

    /// <summary>LeNet-5 conv1 for one example (Predict).</summary>
    [Benchmark]
    public float Conv1ForwardOne() => _conv1One.Forward();

    /// <summary>LeNet-5 conv2 for one example (Predict).</summary>
    [Benchmark]
    public float Conv2ForwardOne() => _conv2One.Forward();

    /// <summary>The 2×2 max pool after conv1, forward and backward, m = 128.</summary>
    [Benchmark]
    public float Pool1MaxForwardBackward()
    {
        ConvKernels.MaxPoolForward(Pool1, _pool1In, _pool1Out, Batch);
        ConvKernels.MaxPoolBackward(Pool1, _pool1In, _pool1Out, _pool1Grad, Batch);
        return _pool1Grad[0];
    }

    /// <summary>The 2×2 average pool after conv2, forward and backward, m = 128.</summary>
    [Benchmark]
    public float Pool2AvgForwardBackward()
    {
        ConvKernels.AvgPoolForward(Pool2, _pool2In, _pool2Out, Batch);
        ConvKernels.AvgPoolBackward(Pool2, _pool2Out, _pool2Grad, Batch);
        return _pool2Grad[0];
    }

    /// <summary>
    /// Conv1 forward without im2col: for each output position and channel, eight 512-bit accumulators (m = 128) take the
    /// 25 taps' input rows straight from the input. No copy, but each input row is loaded once per tap and channel.
    /// </summary>
    [Benchmark]
    public unsafe float Conv1ForwardDirect()
    {
        ConvGeometry g = Conv1;
        fixed (float* x = _conv1.X)
        fixed (float* w = _conv1.W)
        fixed (float* b = _conv1.B)
        fixed (float* z = _conv1.Z)
        {
            for (int co = 0; co < g.OutChannels; co++)
            {
                float* wc = w + (co * 25);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        Vector512<float> a0 = Vector512.Create(b[co]), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                        for (int ky = 0; ky < 5; ky++)
                        {
                            int y = oy + ky - 2;
                            if ((uint)y >= 28u)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < 5; kx++)
                            {
                                int xx = ox + kx - 2;
                                if ((uint)xx >= 28u)
                                {
                                    continue;
                                }

                                Vector512<float> weight = Vector512.Create(wc[(ky * 5) + kx]);
                                float* row = x + ((((y * 28) + xx)) * Batch);
                                a0 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row), a0);
                                a1 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 16), a1);
                                a2 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 32), a2);
                                a3 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 48), a3);
                                a4 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 64), a4);
                                a5 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 80), a5);
                                a6 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 96), a6);
                                a7 = Vector512.FusedMultiplyAdd(weight, Vector512.Load(row + 112), a7);
                            }
                        }

                        float* target = z + ((((co * 28) + oy) * 28) + ox) * Batch;
                        a0.Store(target);
                        a1.Store(target + 16);
                        a2.Store(target + 32);
                        a3.Store(target + 48);
                        a4.Store(target + 64);
                        a5.Store(target + 80);
                        a6.Store(target + 96);
                        a7.Store(target + 112);
                    }
                }
            }
        }

        return _conv1.Z[0];
    }

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (2 * random.NextSingle()) - 1;
        }

        return values;
    }

    /// <summary>One layer's buffers, PyTorch-initialized weights and its scratch.</summary>
    private sealed class Layer(ConvGeometry g, int batch, int seed)
    {
        public float[] X { get; } = Random(g.InputFeatures * batch, seed);

        public float[] W { get; } = Scaled(Random(g.WeightCount, seed + 1), 1f / MathF.Sqrt(g.KernelVolume));

        public float[] B { get; } = Scaled(Random(g.OutChannels, seed + 2), 1f / MathF.Sqrt(g.KernelVolume));

        public float[] Z { get; } = new float[g.OutputFeatures * batch];

        private readonly float[] _dz = Random(g.OutputFeatures * batch, seed + 3);
        private readonly float[] _dw = new float[g.WeightCount];
        private readonly float[] _db = new float[g.OutChannels];
        private readonly float[] _dx = new float[g.InputFeatures * batch];
        private readonly float[] _forwardScratch = new float[ConvKernels.ConvForwardScratch(g, batch)];
        private readonly float[] _backwardScratch = new float[ConvKernels.ConvBackwardScratch(g, batch)];

        public float Forward()
        {
            ConvKernels.ConvForward(g, X, W, B, Z, batch, _forwardScratch);
            return Z[0];
        }

        public float Forward(Activation activation)
        {
            ConvKernels.ConvForward(g, X, W, B, Z, batch, _forwardScratch, activation);
            return Z[0];
        }

        public float Backward(bool withInput)
        {
            ConvKernels.ConvBackward(g, X, W, _dz, batch, 1f / batch, _dw, _db, withInput ? _dx : [], _backwardScratch);
            return _dw[0];
        }

        private static float[] Scaled(float[] values, float scale)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] *= scale;
            }

            return values;
        }
    }
}
