using System;
using System.Threading.Tasks;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// A recurrent layer stepped with its linear Dense readout in one call (<c>RecurrentKernels.*DenseSteps</c>): the readout
/// close to the double-precision reference and to the layer's step followed by <c>Gemm.MatVec</c>, the state bit for bit
/// the layer's own step's, the outputs the same bits at every forced width, packed or not, in one call or a call per
/// step; 0 B per call; one state per thread on many threads the bits of one; clear errors.
/// </summary>
public sealed class RecurrentReadoutTests
{
    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    public static TheoryData<RecurrentKind, int, int, int> Shapes() => new()
    {
        // kind, inputs, units, outputs: H at the edges of what the fused cell takes in one call and in registers (8 and
        // 16: one vector; 32: one 512-bit pair; 33: a lane past it; 40: LSTM's general step, GRU's fused one over
        // several blocks), readouts of 1, 2 and 7 outputs, several inputs (the input products in the scratch), and a
        // layer of one unit (one lane).
        { RecurrentKind.Lstm, 1, 8, 1 },
        { RecurrentKind.Gru, 1, 8, 2 },
        { RecurrentKind.Lstm, 1, 16, 7 },
        { RecurrentKind.Gru, 1, 16, 1 },
        { RecurrentKind.Lstm, 1, 32, 1 },
        { RecurrentKind.Lstm, 1, 32, 2 },
        { RecurrentKind.Gru, 1, 32, 7 },
        { RecurrentKind.Lstm, 1, 33, 7 },
        { RecurrentKind.Gru, 1, 33, 1 },
        { RecurrentKind.Lstm, 1, 40, 1 },
        { RecurrentKind.Gru, 1, 40, 2 },
        { RecurrentKind.Lstm, 3, 32, 2 },
        { RecurrentKind.Gru, 2, 33, 7 },
        { RecurrentKind.Lstm, 1, 1, 1 },
        { RecurrentKind.Gru, 1, 5, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseSteps_EveryWidth_MatchesDoubleReferenceOverThousandSteps(RecurrentKind kind, int inputs, int units, int outputs)
    {
        var data = new ReadoutCase(kind, inputs, units, outputs, steps: 1000, seed: 2100 + units + outputs);
        double[] expected = data.Reference();
        foreach (SimdWidth width in AllWidths)
        {
            float[] y = data.Run(width, packed: false, perStep: false, out _);
            for (int i = 0; i < y.Length; i++)
            {
                double error = Math.Abs(y[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
                Assert.True(error <= 1e-5, $"{data} at {width}: y[{i}] (step {i / outputs}, output {i % outputs}) is {y[i]:R}, the double reference {expected[i]:R} (error {error:E2}).");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseSteps_EveryWidthPackedOrNotBlockOrStep_SameBits(RecurrentKind kind, int inputs, int units, int outputs)
    {
        var data = new ReadoutCase(kind, inputs, units, outputs, steps: 300, seed: 2300 + units + outputs);
        float[] expected = data.Run(SimdWidth.Auto, packed: false, perStep: false, out float[] expectedState);
        foreach (SimdWidth width in AllWidths)
        {
            foreach (bool packed in new[] { false, true })
            {
                foreach (bool perStep in new[] { false, true })
                {
                    string where = $"{data} at {width}, {(packed ? "packed" : "unpacked")}, {(perStep ? "a call per step" : "one call")}";
                    KernelDeterminismTests.AssertBitIdentical(expected, data.Run(width, packed, perStep, out float[] state), where + ": y");
                    KernelDeterminismTests.AssertBitIdentical(expectedState, state, where + ": the state after the last step");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseSteps_StateIsTheLayersStep_ReadoutCloseToStepThenMatVec(RecurrentKind kind, int inputs, int units, int outputs)
    {
        var data = new ReadoutCase(kind, inputs, units, outputs, steps: 300, seed: 2500 + units + outputs);
        foreach (SimdWidth width in AllWidths)
        {
            float[] fused = data.Run(width, packed: false, perStep: true, out _, out float[] fusedStates);
            float[] unfused = data.RunUnfused(width, out float[] unfusedStates);
            KernelDeterminismTests.AssertBitIdentical(unfusedStates, fusedStates, $"{data} at {width}: every step's state against the layer's own step");
            for (int i = 0; i < fused.Length; i++)
            {
                double error = Math.Abs(fused[i] - unfused[i]) / Math.Max(1.0, Math.Abs(unfused[i]));
                Assert.True(error <= 1e-6, $"{data} at {width}: y[{i}] is {fused[i]:R} fused, {unfused[i]:R} through Gemm.MatVec (error {error:E2}).");
            }
        }
    }

    [Theory]
    [InlineData(RecurrentKind.Gru, 33)]
    [InlineData(RecurrentKind.Lstm, 32)]
    [InlineData(RecurrentKind.Lstm, 7)]
    [InlineData(RecurrentKind.Lstm, 40)]
    public void DenseSteps_EveryWidth_SumInTheDocumentedOrder(RecurrentKind kind, int units)
    {
        // Given each step's h', y is bit for bit the order the remarks of RecurrentKernels.Readout.cs define (lane sums
        // over j mod 16 from zero, the fixed tree, b last), written out here one float at a time.
        var data = new ReadoutCase(kind, 1, units, 1, steps: 50, seed: 2700 + units);
        foreach (SimdWidth width in AllWidths)
        {
            float[] y = data.Run(width, packed: false, perStep: true, out _, out float[] states);
            for (int t = 0; t < data.Steps; t++)
            {
                ReadOnlySpan<float> h = states.AsSpan(t * data.StateFloats, data.Units);
                float expected = DocumentedOrder(h, data.ReadoutWeights, data.ReadoutBias[0]);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y[t]), $"{data} at {width}, step {t}: y is {y[t]:R}, the documented order gives {expected:R}.");
            }
        }
    }

    [Theory]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.Gru)]
    public void DenseSteps_AfterWarmUp_AllocatesNothing(RecurrentKind kind)
    {
        // (1, 600): the general step past the fixed scratch block and the stack's share, so its scratch is rented.
        foreach ((int inputs, int units, int outputs) in new[] { (1, 8, 1), (1, 32, 2), (3, 40, 7), (1, 33, 1), (1, 600, 1) })
        {
            var data = new ReadoutCase(kind, inputs, units, outputs, steps: 4, seed: 2900);
            float[] parameters = data.Parameters, packed = data.Packed(), state = new float[data.StateFloats], y = new float[4 * outputs];
            bool lstm = kind == RecurrentKind.Lstm;
            void Steps()
            {
                if (lstm)
                {
                    RecurrentKernels.LstmDenseSteps(parameters, data.X, state, y, 4, inputs, units, outputs);
                    RecurrentKernels.LstmDenseStepsPacked(packed, data.X.AsSpan(0, inputs), state, y.AsSpan(0, outputs), 1, inputs, units, outputs);
                }
                else
                {
                    RecurrentKernels.GruDenseSteps(parameters, data.X, state, y, 4, inputs, units, outputs);
                    RecurrentKernels.GruDenseStepsPacked(packed, data.X.AsSpan(0, inputs), state, y.AsSpan(0, outputs), 1, inputs, units, outputs);
                }
            }

            AllocationAssert.NoAllocation(Steps, calls: 5, $"{data}: the dense steps");
        }
    }

    [Theory]
    [InlineData(RecurrentKind.Lstm, 1, 32, 1)]
    [InlineData(RecurrentKind.Gru, 1, 16, 2)]
    [InlineData(RecurrentKind.Lstm, 3, 40, 7)]
    public void DenseSteps_ManyThreadsOneStateEach_SameBitsAsOneThread(RecurrentKind kind, int inputs, int units, int outputs)
    {
        var data = new ReadoutCase(kind, inputs, units, outputs, steps: 300, seed: 3100 + units);
        float[] expected = data.Run(SimdWidth.Auto, packed: false, perStep: true, out _);
        float[][] results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = data.Run(SimdWidth.Auto, packed: i % 2 == 1, perStep: i % 4 < 2, out _));
        for (int i = 0; i < results.Length; i++)
        {
            KernelDeterminismTests.AssertBitIdentical(expected, results[i], $"{data}: thread task {i}");
        }
    }

    [Fact]
    public void DenseSteps_WrongLengthsOrOverlaps_NameExpectedAndActual_AndWriteNothing()
    {
        var data = new ReadoutCase(RecurrentKind.Lstm, inputs: 2, units: 3, outputs: 2, steps: 4, seed: 3300);
        float[] parameters = data.Parameters, x = data.X, state = new float[6], y = new float[8];
        const string Kernel = "RecurrentKernels.LstmDenseSteps";
        Assert.Equal(4 * 3 * (2 + 3 + 2) + (2 * (3 + 1)), parameters.Length);

        var wrongParameters = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters.AsSpan(1), x, state, y, 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: parameters has 91 floats, expected 92 (wIh, wHh, bIh and bHh of 4 gates x 3 units over 2 inputs, then W and b of 2 outputs).", wrongParameters.Message, StringComparison.Ordinal);
        var wrongX = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, x.AsSpan(1), state, y, 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: x has 7 floats, expected 8 (steps 4 x inputs 2).", wrongX.Message, StringComparison.Ordinal);
        var wrongY = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, x, state, new float[7], 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: y has 7 floats, expected 8 (steps 4 x outputs 2).", wrongY.Message, StringComparison.Ordinal);
        var wrongState = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, x, new float[3], y, 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: state has 3 floats, expected 6 (h and c 2 x units 3).", wrongState.Message, StringComparison.Ordinal);
        var gruState = Assert.Throws<ArgumentException>(() => RecurrentKernels.GruDenseSteps(new float[3 * 3 * 7 + 8], x, new float[6], y, 4, 2, 3, 2));
        Assert.Contains("RecurrentKernels.GruDenseSteps: state has 6 floats, expected 3 (units).", gruState.Message, StringComparison.Ordinal);

        float[] shared = new float[20];
        var yOverState = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, x, shared.AsSpan(0, 6), shared.AsSpan(4, 8), 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: y overlaps state", yOverState.Message, StringComparison.Ordinal);
        var stateOverParameters = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, x, parameters.AsSpan(10, 6), y, 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: state overlaps parameters", stateOverParameters.Message, StringComparison.Ordinal);
        float[] both = new float[16];
        var yOverX = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseSteps(parameters, both.AsSpan(0, 8), state, both.AsSpan(7, 8), 4, 2, 3, 2));
        Assert.Contains($"{Kernel}: y overlaps x", yOverX.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.LstmDenseSteps(parameters, x, state, y, -1, 2, 3, 2));
        Assert.Equal(new float[6], state);
        Assert.Equal(new float[8], y);

        float[] packed = data.Packed();
        var wrongPacked = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseStepsPacked(packed.AsSpan(1), x, state, y, 4, 2, 3, 2));
        Assert.Contains($"RecurrentKernels.LstmDenseStepsPacked: packed has {packed.Length - 1} floats, expected {packed.Length} (RecurrentKernels.LstmDensePackedLength(inputs 2, units 3, outputs 2)).", wrongPacked.Message, StringComparison.Ordinal);
        var packTooShort = Assert.Throws<ArgumentException>(() => RecurrentKernels.PackLstmDense(parameters, new float[packed.Length + 1], 2, 3, 2));
        Assert.Contains($"RecurrentKernels.PackLstmDense: packed has {packed.Length + 1} floats, expected {packed.Length}", packTooShort.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.GruDensePackedLength(1, 2, -3));
    }

    /// <summary>
    /// The one-sample entries (<c>LstmDenseStep</c>, <c>GruDenseStep</c> and their packed forms, a generated network's
    /// <c>Step(float, ref State)</c>) give the span form's bits at every width, one input and one output, on every H
    /// the span form's tests take: the fused cell in one call, over several blocks, and the general step.
    /// </summary>
    [Theory]
    [InlineData(RecurrentKind.Lstm, 1)]
    [InlineData(RecurrentKind.Lstm, 8)]
    [InlineData(RecurrentKind.Lstm, 16)]
    [InlineData(RecurrentKind.Lstm, 32)]
    [InlineData(RecurrentKind.Lstm, 33)]
    [InlineData(RecurrentKind.Lstm, 40)]
    [InlineData(RecurrentKind.Gru, 5)]
    [InlineData(RecurrentKind.Gru, 8)]
    [InlineData(RecurrentKind.Gru, 16)]
    [InlineData(RecurrentKind.Gru, 33)]
    [InlineData(RecurrentKind.Gru, 40)]
    public void DenseStep_OneSample_EveryWidthPackedOrNot_TheSpanFormsBits(RecurrentKind kind, int units)
    {
        var data = new ReadoutCase(kind, 1, units, 1, steps: 200, seed: 3500 + units);
        float[] packedParameters = data.Packed();
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = data.Run(width, packed: false, perStep: true, out float[] expectedState);
            foreach (bool packed in new[] { false, true })
            {
                float[] state = new float[data.StateFloats];
                float[] y = new float[data.Steps];
                for (int t = 0; t < data.Steps; t++)
                {
                    y[t] = (kind == RecurrentKind.Lstm, packed) switch
                    {
                        (true, false) => RecurrentKernels.LstmDenseStep(data.Parameters, data.X[t], state, units, width),
                        (true, true) => RecurrentKernels.LstmDenseStepPacked(packedParameters, data.X[t], state, units, width),
                        (false, false) => RecurrentKernels.GruDenseStep(data.Parameters, data.X[t], state, units, width),
                        _ => RecurrentKernels.GruDenseStepPacked(packedParameters, data.X[t], state, units, width),
                    };
                }

                string where = $"{data} at {width}, {(packed ? "packed" : "unpacked")}, one sample a call";
                KernelDeterminismTests.AssertBitIdentical(expected, y, where + ": y");
                KernelDeterminismTests.AssertBitIdentical(expectedState, state, where + ": the state after the last step");
            }
        }
    }

    [Fact]
    public void DenseStep_OneSample_AllocatesNothingAndRefusesWrongLengthsOrOverlap()
    {
        var data = new ReadoutCase(RecurrentKind.Lstm, 1, 16, 1, steps: 4, seed: 3600);
        float[] parameters = data.Parameters, state = new float[32];
        AllocationAssert.NoAllocation(() => RecurrentKernels.LstmDenseStep(parameters, 0.25f, state, 16), 100, "RecurrentKernels.LstmDenseStep");

        Array.Fill(state, 3f);
        var wrongParameters = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseStep(parameters.AsSpan(1), 0.25f, state, 16));
        Assert.Contains($"RecurrentKernels.LstmDenseStep: parameters has {parameters.Length - 1} floats, expected {parameters.Length}", wrongParameters.Message, StringComparison.Ordinal);
        var wrongState = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseStep(parameters, 0.25f, state.AsSpan(1), 16));
        Assert.Contains("RecurrentKernels.LstmDenseStep: state has 31 floats, expected 32 (h and c 2 x units 16).", wrongState.Message, StringComparison.Ordinal);
        var gruState = Assert.Throws<ArgumentException>(() => RecurrentKernels.GruDenseStep(new float[(3 * 16 * 19) + 17], 0.25f, state, 16));
        Assert.Contains("RecurrentKernels.GruDenseStep: state has 32 floats, expected 16 (units).", gruState.Message, StringComparison.Ordinal);
        var stateOverParameters = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseStep(parameters, 0.25f, parameters.AsSpan(10, 32), 16));
        Assert.Contains("RecurrentKernels.LstmDenseStep: state overlaps parameters", stateOverParameters.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.LstmDenseStep(parameters, 0.25f, state, -1));
        Assert.All(state, value => Assert.Equal(3f, value));

        float[] packed = data.Packed();
        var wrongPacked = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmDenseStepPacked(packed.AsSpan(1), 0.25f, state, 16));
        Assert.Contains($"RecurrentKernels.LstmDenseStepPacked: packed has {packed.Length - 1} floats, expected {packed.Length}", wrongPacked.Message, StringComparison.Ordinal);
    }

    /// <summary>The sum the remarks of RecurrentKernels.Readout.cs define, written out lane by lane.</summary>
    private static float DocumentedOrder(ReadOnlySpan<float> h, float[] w, float b)
    {
        var s = new float[16];
        for (int j = 0; j < h.Length; j++)
        {
            s[j % 16] = MathF.FusedMultiplyAdd(w[j], h[j], s[j % 16]);
        }

        var t = new float[8];
        for (int l = 0; l < 8; l++)
        {
            t[l] = s[l] + s[l + 8];
        }

        var u = new float[4];
        for (int l = 0; l < 4; l++)
        {
            u[l] = t[l] + t[l + 4];
        }

        return ((u[0] + u[2]) + (u[1] + u[3])) + b;
    }

    /// <summary>A layer and its readout in the network's layout, a stream of inputs, and every way to step it.</summary>
    private sealed class ReadoutCase
    {
        private readonly RecurrentCase _layer;

        public ReadoutCase(RecurrentKind kind, int inputs, int units, int outputs, int steps, int seed)
        {
            _layer = new RecurrentCase(kind, inputs, units, steps, batch: 1, seed, weightScale: 0.4f);
            Outputs = outputs;
            ReadoutWeights = KernelTestSupport.RandomFloats(outputs * units, seed + 20, 1f / MathF.Sqrt(units));
            ReadoutBias = KernelTestSupport.RandomFloats(outputs, seed + 21, 0.3f);
            Parameters = [.. _layer.WIh, .. _layer.WHh, .. _layer.BIh, .. _layer.BHh, .. ReadoutWeights, .. ReadoutBias];
        }

        public RecurrentKind Kind => _layer.Kind;

        public int Inputs => _layer.Inputs;

        public int Units => _layer.Units;

        public int Outputs { get; }

        public int Steps => _layer.Steps;

        public int StateFloats => Kind == RecurrentKind.Lstm ? 2 * Units : Units;

        public float[] X => _layer.X;

        /// <summary>W (O × H), row-major.</summary>
        public float[] ReadoutWeights { get; }

        public float[] ReadoutBias { get; }

        /// <summary>The network's layout: W_ihᵀ, W_hhᵀ, b_ih, b_hh, W, b.</summary>
        public float[] Parameters { get; }

        public float[] Packed()
        {
            bool lstm = Kind == RecurrentKind.Lstm;
            var packed = new float[lstm ? RecurrentKernels.LstmDensePackedLength(Inputs, Units, Outputs) : RecurrentKernels.GruDensePackedLength(Inputs, Units, Outputs)];
            if (lstm)
            {
                RecurrentKernels.PackLstmDense(Parameters, packed, Inputs, Units, Outputs);
            }
            else
            {
                RecurrentKernels.PackGruDense(Parameters, packed, Inputs, Units, Outputs);
            }

            return packed;
        }

        /// <summary>Every step's y from the zero state; the state after the last step.</summary>
        public float[] Run(SimdWidth width, bool packed, bool perStep, out float[] state) => Run(width, packed, perStep, out state, out _);

        /// <summary>As the other overload, with the state after every step (T × state floats) when stepping one call per step.</summary>
        public float[] Run(SimdWidth width, bool packed, bool perStep, out float[] state, out float[] states)
        {
            float[] source = packed ? Packed() : Parameters;
            state = new float[StateFloats];
            states = new float[Steps * StateFloats];
            var y = new float[Steps * Outputs];
            int calls = perStep ? Steps : 1, stepsPerCall = perStep ? 1 : Steps;
            for (int call = 0; call < calls; call++)
            {
                ReadOnlySpan<float> x = X.AsSpan(call * stepsPerCall * Inputs, stepsPerCall * Inputs);
                Span<float> yCall = y.AsSpan(call * stepsPerCall * Outputs, stepsPerCall * Outputs);
                switch (Kind == RecurrentKind.Lstm, packed)
                {
                    case (true, false): RecurrentKernels.LstmDenseSteps(source, x, state, yCall, stepsPerCall, Inputs, Units, Outputs, width); break;
                    case (true, true): RecurrentKernels.LstmDenseStepsPacked(source, x, state, yCall, stepsPerCall, Inputs, Units, Outputs, width); break;
                    case (false, false): RecurrentKernels.GruDenseSteps(source, x, state, yCall, stepsPerCall, Inputs, Units, Outputs, width); break;
                    default: RecurrentKernels.GruDenseStepsPacked(source, x, state, yCall, stepsPerCall, Inputs, Units, Outputs, width); break;
                }

                state.CopyTo(states, call * stepsPerCall * StateFloats);
            }

            if (!perStep)
            {
                // One call runs every step; step again one at a time for the states along the way (the same bits, as the other tests show).
                var again = new float[StateFloats];
                for (int t = 0; t < Steps; t++)
                {
                    var yStep = new float[Outputs];
                    if (Kind == RecurrentKind.Lstm)
                    {
                        RecurrentKernels.LstmDenseSteps(Parameters, X.AsSpan(t * Inputs, Inputs), again, yStep, 1, Inputs, Units, Outputs, width);
                    }
                    else
                    {
                        RecurrentKernels.GruDenseSteps(Parameters, X.AsSpan(t * Inputs, Inputs), again, yStep, 1, Inputs, Units, Outputs, width);
                    }

                    again.CopyTo(states, t * StateFloats);
                }
            }

            return y;
        }

        /// <summary>The layer's own step (with its scratch on the stack), then Gemm.MatVec on h: the path a layered network takes.</summary>
        public float[] RunUnfused(SimdWidth width, out float[] states)
        {
            float[] h = new float[Units], c = new float[Kind == RecurrentKind.Lstm ? Units : 0];
            states = new float[Steps * StateFloats];
            var y = new float[Steps * Outputs];
            for (int t = 0; t < Steps; t++)
            {
                ReadOnlySpan<float> x = X.AsSpan(t * Inputs, Inputs);
                if (Kind == RecurrentKind.Lstm)
                {
                    RecurrentKernels.LstmStep(_layer.WIh, _layer.WHh, _layer.BIh, _layer.BHh, x, h, c, Inputs, Units, width);
                }
                else
                {
                    RecurrentKernels.GruStep(_layer.WIh, _layer.WHh, _layer.BIh, _layer.BHh, x, h, Inputs, Units, width);
                }

                Gemm.MatVec(ReadoutWeights, h, ReadoutBias, y.AsSpan(t * Outputs, Outputs), Outputs, Units, Activation.Linear, width);
                h.CopyTo(states, t * StateFloats);
                c.CopyTo(states, (t * StateFloats) + Units);
            }

            return y;
        }

        /// <summary>y at every step in double precision, from the zero state.</summary>
        public double[] Reference()
        {
            (double[] hs, _, _) = RecurrentReference.Forward(WithZeroState());
            var y = new double[Steps * Outputs];
            for (int t = 0; t < Steps; t++)
            {
                for (int o = 0; o < Outputs; o++)
                {
                    double sum = ReadoutBias[o];
                    for (int j = 0; j < Units; j++)
                    {
                        sum += (double)ReadoutWeights[(o * Units) + j] * hs[(t * Units) + j];
                    }

                    y[(t * Outputs) + o] = sum;
                }
            }

            return y;
        }

        public override string ToString() => $"{Kind} I={Inputs} H={Units} O={Outputs} T={Steps}";

        /// <summary>The layer with its first states zeroed, as the kernels here start.</summary>
        private RecurrentCase WithZeroState()
        {
            Array.Clear(_layer.H0);
            Array.Clear(_layer.C0);
            return _layer;
        }
    }
}
