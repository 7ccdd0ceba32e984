using System;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// Layers 1 (64 × 16) and 2 (64 × 64) of [16,64,64,1], ReLU, alone, one example at a time, each input depending on
/// the previous output as in <see cref="LatencyWorkloads"/>: the row-major product every network runs
/// (<see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>)
/// beside the frozen form's lane-major copy (<see cref="PackedMatVec"/>), which gives the same bits (checked in setup).
/// </summary>
[MemoryDiagnoser]
public class OneExampleKernelWorkloads
{
    private readonly Layer _layer1 = new(64, 16);
    private readonly Layer _layer2 = new(64, 64);

    [GlobalSetup]
    public void Setup()
    {
        _layer1.Check();
        _layer2.Check();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("One example, 64 x 16 ReLU, latency")]
    public float MatVec64x16Latency() => _layer1.RowMajor();

    [Benchmark, BenchmarkCategory("One example, 64 x 16 ReLU, latency")]
    public float PackedMatVec64x16Latency() => _layer1.Packed();

    [Benchmark(Baseline = true), BenchmarkCategory("One example, 64 x 64 ReLU, latency")]
    public float MatVec64x64Latency() => _layer2.RowMajor();

    [Benchmark, BenchmarkCategory("One example, 64 x 64 ReLU, latency")]
    public float PackedMatVec64x64Latency() => _layer2.Packed();

    private sealed class Layer
    {
        private readonly int _rows;
        private readonly int _cols;

        // Aligned as a network's parameters are, so no vector load spans two cache lines.
        private readonly AlignedBuffer _buffers;
        private readonly PackedMatVec _packed;
        private readonly float _x0;

        public Layer(int rows, int cols)
        {
            (_rows, _cols) = (rows, cols);
            _buffers = new AlignedBuffer((rows * cols) + (2 * rows) + cols);
            var random = new Random(rows + cols);
            foreach (ref float value in _buffers.Span)
            {
                value = (float)((random.NextDouble() * 2) - 1) * 0.3f;
            }

            _packed = new PackedMatVec(W, rows, cols, Activation.ReLU);
            _x0 = X[0];
        }

        private Span<float> W => _buffers.Slice(0, _rows * _cols);

        private Span<float> B => _buffers.Slice(_rows * _cols, _rows);

        private Span<float> Y => _buffers.Slice((_rows * _cols) + _rows, _rows);

        private Span<float> X => _buffers.Slice((_rows * _cols) + (2 * _rows), _cols);

        public void Check()
        {
            float[] expected = new float[_rows];
            Gemm.MatVec(W, X, B, expected, _rows, _cols, Activation.ReLU);
            _packed.Forward(W, X, B, Y);
            if (!_packed.IsPacked || !expected.AsSpan().SequenceEqual(Y))
            {
                throw new InvalidOperationException($"PackedMatVec ({_rows} x {_cols}) is not packed or differs from Gemm.MatVec's bits.");
            }
        }

        public float RowMajor()
        {
            Span<float> x = X, y = Y;
            Gemm.MatVec(W, x, B, y, _rows, _cols, Activation.ReLU);
            x[0] = _x0 + (PeerNetwork.Feedback * y[_rows - 1]);
            return y[0];
        }

        public float Packed()
        {
            Span<float> x = X, y = Y;
            _packed.Forward(W, x, B, y);
            x[0] = _x0 + (PeerNetwork.Feedback * y[_rows - 1]);
            return y[0];
        }
    }
}
