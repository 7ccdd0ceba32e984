using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// The runtime's recurrent kernels on their own (issue 24), one stream at input 1 as the RTNeural harness runs GRU and
/// LSTM: <see cref="RecurrentKernels.LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
/// per sample, each input fed back from the previous output (x = x0 + 1e-7·h[0], so calls cannot overlap), and the batch
/// forward over a block of <see cref="BlockSteps"/> samples of one sequence (divide by the block for a per-sample
/// figure). Weights are PyTorch's default initialization from a fixed seed; <see cref="Setup"/> checks that the block
/// and the streamed steps agree (to 1e-5: the step has products of its own) before anything is timed. The generated networks' Step and Process
/// rows (with the Dense layer after) belong beside RTNeural's; these rows time the kernels they call.
/// </summary>
[MemoryDiagnoser]
public unsafe class RecurrentKernelWorkloads
{
    /// <summary>Samples per block in the block rows.</summary>
    public const int BlockSteps = 2048;

    private Layer _lstm32 = null!;
    private Layer _gru16 = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _lstm32 = new Layer(lstm: true, units: 32, seed: 32);
        _gru16 = new Layer(lstm: false, units: 16, seed: 16);
        _lstm32.CheckBlockAgreesWithSteps();
        _gru16.CheckBlockAgreesWithSteps();
    }

    private readonly Product _whh64x16 = new(64, 16), _whh128x32 = new(128, 32), _whh160x40 = new(160, 40);
    private Vector512<float> _sigmoidChain = Vector512.Create(0.25f), _tanhChain = Vector512.Create(0.25f);

    [Benchmark]
    public float RecurrentLstm32Step() => _lstm32.Step();

    /// <summary>The streaming step's W_hh·h + b_hh of LSTM-16 (64 × 16) alone, calls independent (a throughput).</summary>
    [Benchmark]
    public float RecurrentWhh64x16Product() => _whh64x16.Run();

    /// <summary>The same for LSTM-32 (128 × 32).</summary>
    [Benchmark]
    public float RecurrentWhh128x32Product() => _whh128x32.Run();

    /// <summary>The same for LSTM-40 (160 × 40: a column tail, rows that straddle cache lines).</summary>
    [Benchmark]
    public float RecurrentWhh160x40Product() => _whh160x40.Run();

    /// <summary>The frozen form's W_hh·h + b_hh of LSTM-40 from its padded rows (every load aligned; the same bits as the row above).</summary>
    [Benchmark]
    public float RecurrentWhhPadded160x40Product() => _whh160x40.RunPadded();

    /// <summary>The latency of the gates' σ on one 512-bit vector: each call's input is the previous call's output.</summary>
    [Benchmark]
    public float RecurrentSigmoidLatency512()
    {
        _sigmoidChain = VectorMath.Sigmoid<Simd512, Vector512<float>>(_sigmoidChain);
        return _sigmoidChain.ToScalar();
    }

    /// <summary>The latency of tanh on one 512-bit vector (fed back plus 0.5, so it stays away from the tiny-input path).</summary>
    [Benchmark]
    public float RecurrentTanhLatency512()
    {
        _tanhChain = VectorMath.Tanh<Simd512, Vector512<float>>(_tanhChain) + Vector512.Create(0.5f);
        return _tanhChain.ToScalar();
    }

    [Benchmark]
    public float RecurrentGru16Step() => _gru16.Step();

    [Benchmark]
    public float RecurrentLstm32Block2048() => _lstm32.Block();

    [Benchmark]
    public float RecurrentGru16Block2048() => _gru16.Block();

    /// <summary>
    /// The recurrent layer's share of one training step of LSTM-32 on 16 sequences × 2,048 steps (issue 24's training
    /// row, whose Dense layer, loss and Adam update come on top): the training forward pass and backpropagation through
    /// time, on the calling thread.
    /// </summary>
    [Benchmark]
    public float RecurrentLstm32Train16x2048()
    {
        TrainingWindow window = _training ??= new TrainingWindow();
        return window.Run();
    }

    private TrainingWindow? _training;

    /// <summary>y = W·x + b through <see cref="SmallMatVec"/> at the widest width, on 64-byte-aligned buffers as a generated network's parameters are.</summary>
    private sealed class Product
    {
        private readonly AlignedBuffer _w, _x, _bias, _y, _padded;
        private readonly int _rows, _cols;

        public Product(int rows, int cols)
        {
            (_rows, _cols) = (rows, cols);
            (_w, _x, _bias, _y) = (new AlignedBuffer(rows * cols), new AlignedBuffer(cols), new AlignedBuffer(rows), new AlignedBuffer(rows));
            var random = new Random(rows + cols);
            foreach (AlignedBuffer buffer in new[] { _w, _x, _bias })
            {
                Span<float> values = buffer.Span;
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = random.NextSingle() - 0.5f;
                }
            }

            _padded = new AlignedBuffer(rows * SmallMatVec.PaddedRowStride(cols));
            SmallMatVec.Pad(_w.Span, _padded.Span, rows, cols);
        }

        public float RunPadded()
        {
            fixed (float* w = _padded.Span, x = _x.Span, bias = _bias.Span, y = _y.Span)
            {
                if (!SmallMatVec.TryForwardPadded(SimdWidths.Best, w, x, bias, y, _rows, _cols))
                {
                    throw new InvalidOperationException($"SmallMatVec declined {_rows} x {_cols} padded at {SimdWidths.Best}.");
                }

                return y[0];
            }
        }

        public float Run()
        {
            fixed (float* w = _w.Span, x = _x.Span, bias = _bias.Span, y = _y.Span)
            {
                if (!SmallMatVec.TryForward(SimdWidths.Best, w, x, bias, y, _rows, _cols))
                {
                    throw new InvalidOperationException($"SmallMatVec declined {_rows} x {_cols} at {SimdWidths.Best}.");
                }

                return y[0];
            }
        }
    }

    /// <summary>LSTM-32 at input 1 over 16 × 2,048 steps with its cache, gradients and scratch.</summary>
    private sealed class TrainingWindow
    {
        private const int Units = 32, Batch = 16, Steps = 2048, GateRows = RecurrentKernels.LstmGateCount * Units;
        private readonly float[] _wIh, _wHh, _bIh, _bHh, _x, _h0, _c0, _h, _c, _hs, _cache, _dhs, _scratch;
        private readonly float[] _dWih = new float[GateRows], _dWhh = new float[GateRows * Units], _dbIh = new float[GateRows], _dbHh = new float[GateRows];

        public TrainingWindow()
        {
            var random = new Random(2048);
            float bound = 1f / MathF.Sqrt(Units);
            float[] Uniform(int count, float scale)
            {
                var values = new float[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = scale * ((2f * random.NextSingle()) - 1f);
                }

                return values;
            }

            (_wIh, _wHh, _bIh, _bHh) = (Uniform(GateRows, bound), Uniform(GateRows * Units, bound), Uniform(GateRows, bound), Uniform(GateRows, bound));
            (_x, _dhs) = (Uniform(Steps * Batch, 1f), Uniform(Steps * Batch * Units, 1e-3f));
            (_h0, _c0, _h, _c) = (new float[Batch * Units], new float[Batch * Units], new float[Batch * Units], new float[Batch * Units]);
            _hs = new float[Steps * Batch * Units];
            _cache = new float[RecurrentKernels.LstmCacheLength(Steps, Batch, Units)];
            _scratch = new float[RecurrentKernels.LstmBackwardScratch(Steps, Batch, 1, Units)];
        }

        public float Run()
        {
            Array.Clear(_h);
            Array.Clear(_c);
            RecurrentKernels.LstmForwardTraining(_wIh, _wHh, _bIh, _bHh, _x, Steps, Batch, 1, Units, _h, _c, _hs, _cache);
            RecurrentKernels.LstmBackward(
                _wIh, _wHh, _bIh, _bHh, _x, _h0, _c0, _hs, _cache, _dhs, Steps, Batch, 1, Units, _dWih, _dWhh, _dbIh, _dbHh, [], _scratch);
            return _dWhh[0];
        }
    }

    /// <summary>One layer with input 1, its streaming state and a block of inputs.</summary>
    private sealed class Layer
    {
        private readonly bool _lstm;
        private readonly int _units;
        private readonly float[] _wIh, _wHh, _bIh, _bHh;
        private readonly float[] _h, _c, _stepScratch, _x = new float[1];
        private readonly float[] _block, _blockH, _blockC, _hs, _blockScratch;
        private readonly float _x0 = 0.25f;

        public Layer(bool lstm, int units, int seed)
        {
            _lstm = lstm;
            _units = units;
            int gh = (lstm ? RecurrentKernels.LstmGateCount : RecurrentKernels.GruGateCount) * units;
            var random = new Random(seed);
            float bound = 1f / MathF.Sqrt(units);
            float[] Uniform(int count, float scale)
            {
                var values = new float[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = scale * ((2f * random.NextSingle()) - 1f);
                }

                return values;
            }

            (_wIh, _wHh, _bIh, _bHh) = (Uniform(gh, bound), Uniform(gh * units, bound), Uniform(gh, bound), Uniform(gh, bound));
            (_h, _c) = (new float[units], new float[units]);
            _stepScratch = new float[lstm ? RecurrentKernels.LstmStepScratch(units) : RecurrentKernels.GruStepScratch(units)];
            _block = Uniform(BlockSteps, 1f);
            (_blockH, _blockC, _hs) = (new float[units], new float[units], new float[BlockSteps * units]);
            _blockScratch = new float[lstm ? RecurrentKernels.LstmForwardScratch(BlockSteps, 1, units) : RecurrentKernels.GruForwardScratch(BlockSteps, 1, units)];
        }

        public float Step()
        {
            if (_lstm)
            {
                RecurrentKernels.LstmStep(_wIh, _wHh, _bIh, _bHh, _x, _h, _c, _stepScratch, 1, _units);
            }
            else
            {
                RecurrentKernels.GruStep(_wIh, _wHh, _bIh, _bHh, _x, _h, _stepScratch, 1, _units);
            }

            float y = _h[0];
            _x[0] = _x0 + (PeerNetwork.Feedback * y);
            return y;
        }

        public float Block()
        {
            if (_lstm)
            {
                RecurrentKernels.LstmForward(_wIh, _wHh, _bIh, _bHh, _block, BlockSteps, 1, 1, _units, _blockH, _blockC, _hs, _blockScratch);
            }
            else
            {
                RecurrentKernels.GruForward(_wIh, _wHh, _bIh, _bHh, _block, BlockSteps, 1, 1, _units, _blockH, _hs, _blockScratch);
            }

            return _hs[^1];
        }

        /// <summary>From zero states, the block's every h must agree with the streamed steps' to 1e-5.</summary>
        public void CheckBlockAgreesWithSteps()
        {
            Array.Clear(_blockH);
            Array.Clear(_blockC);
            Block();
            Array.Clear(_h);
            Array.Clear(_c);
            for (int t = 0; t < BlockSteps; t++)
            {
                _x[0] = _block[t];
                Step();
                for (int j = 0; j < _units; j++)
                {
                    if (!(Math.Abs(_h[j] - _hs[(t * _units) + j]) <= 1e-5f))
                    {
                        throw new InvalidOperationException($"Step {t}, unit {j}: streamed {_h[j]:R}, block {_hs[(t * _units) + j]:R}.");
                    }
                }
            }

            Array.Clear(_h);
            Array.Clear(_c);
            _x[0] = _x0;
        }
    }
}
