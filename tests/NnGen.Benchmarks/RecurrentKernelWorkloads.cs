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

    private Vector512<float> _sigmoidChain = Vector512.Create(0.25f), _tanhChain = Vector512.Create(0.25f);

    [Benchmark]
    public float RecurrentLstm32Step() => _lstm32.Step();

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
