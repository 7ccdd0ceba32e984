using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The outer-product tiles cover a strip's rows with five-row and four-row tiles so that no row is computed twice
/// wherever m allows (every m from 12 on): a row computed twice also runs its epilogue (tanh, sigmoid) twice.
/// </summary>
public class OuterRowTilesTests
{
    [Fact]
    public void FiveRowEnd_EveryMFrom12_FiveAndFourRowTilesCoverTheRowsOnce()
    {
        for (int m = 12; m <= 1000; m++)
        {
            int end = GemmKernels.FiveRowEnd(m);
            Assert.True(end % GemmKernels.OuterRowBlock == 0 && end <= m, $"m = {m}: the five-row tiles end at {end}");
            Assert.True((m - end) % 4 == 0, $"m = {m}: the five-row tiles end at {end}, leaving {m - end} rows, not a whole number of four-row tiles");
            Assert.True(m - end < 20, $"m = {m}: {m - end} rows left to four-row tiles where five-row ones could take more");
        }

        // [4,32,16,4]'s layers, [784,256,128,10]'s, and the course's [12288,20,7,5,1] whose 7 rows keep one overlap.
        Assert.Equal(20, GemmKernels.FiveRowEnd(32));
        Assert.Equal(0, GemmKernels.FiveRowEnd(16));
        Assert.Equal(240, GemmKernels.FiveRowEnd(256));
        Assert.Equal(120, GemmKernels.FiveRowEnd(128));
        Assert.Equal(5, GemmKernels.FiveRowEnd(7));
        Assert.Equal(0, GemmKernels.FiveRowEnd(4));
    }
}
