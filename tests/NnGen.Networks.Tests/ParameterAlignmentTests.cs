using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>
/// The generated networks keep their parameters and gradients on a 64-byte boundary, so W1 (and every layer whose
/// offset is a multiple of 16 floats) is read by vector loads that never span two cache lines; the views stay where
/// the offsets say.
/// </summary>
public sealed class ParameterAlignmentTests
{
    [Fact]
    public void Parameters_EveryGeneratedNetwork_StartOn64ByteBoundary()
    {
        for (int i = 0; i < 20; i++)
        {
            // Garbage of odd sizes between the networks, so the allocator's next address varies.
            _ = new byte[(i * 40) + 8];
            Assert.Equal(0, Misalignment(new PlanarNet().Parameters));
            Assert.Equal(0, Misalignment(new MixedNet().Parameters));
            Assert.Equal(0, Misalignment(new PlanarNet.Gradients().Values));
            Assert.Equal(0, Misalignment(new MixedNet.Gradients().Values));
        }

        var deep = new DeepCatNet(1);
        Assert.Equal(0, Misalignment(deep.Parameters));
        Assert.Equal(0, Misalignment(deep.W1));
    }

    [Fact]
    public void Views_SitAtTheirOffsetsInParameters()
    {
        var network = new MixedNet(3);
        Span<float> parameters = network.Parameters;
        Assert.Equal(MixedNet.ParameterCount, parameters.Length);
        Assert.True(Unsafe.AreSame(ref parameters[MixedNet.W2Offset], ref MemoryMarshal.GetReference(network.W2)));
        Assert.True(Unsafe.AreSame(ref parameters[MixedNet.b3Offset], ref MemoryMarshal.GetReference(network.b3)));
        Assert.Equal(MixedNet.Layer2Units * MixedNet.Layer2Inputs, network.W2.Length);

        var gradients = new MixedNet.Gradients();
        Assert.True(Unsafe.AreSame(ref gradients.Values[MixedNet.W3Offset], ref MemoryMarshal.GetReference(gradients.dW3)));
    }

    private static unsafe int Misalignment(Span<float> span) =>
        (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)) % AlignedBuffer.Alignment);
}
