using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>
/// The 512-bit table-driven kernels against the 256-bit ones. Where the runtime does not accelerate
/// 512-bit vectors it emulates them, so this runs on any machine with AVX2 and FMA.
/// </summary>
[TestClass]
public sealed class TileKernelWidthTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var rows in new[] { 8, 7, 4, 1 })
        {
            foreach (var pixels in new[] { 64, 56, 48, 40, 32, 24, 16, 8 })
            {
                foreach (var taps in new[] { 0, 37, 64, 130 })
                {
                    yield return [rows, pixels, taps];
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public unsafe void Vector512KernelsGiveTheVector256SumsBitForBit(int rows, int pixels, int taps)
    {
        if (!SparseTileKernels.UseAvx2)
        {
            Assert.Inconclusive("the 256-bit kernels need AVX2 and FMA");
        }

        var random = new Random((rows * 1000) + (pixels * 10) + taps);
        var input = SparseTestData.RandomValues(4096, random);
        // The kernels read the offset PrefetchTaps ahead of each tap: tap lists carry as many more.
        var offsets = Enumerable.Range(0, taps + SparseTileKernels.PrefetchTaps).Select(_ => random.Next(0, 4096 - SparseConvolution.TilePixels)).ToArray();
        var weights = SparseTestData.RandomValues(Math.Max(1, taps * rows), random);
        var narrow = Enumerable.Repeat(float.NaN, rows * SparseConvolution.TilePixels).ToArray();
        var wide = Enumerable.Repeat(float.NaN, narrow.Length).ToArray();
        fixed (float* x = input, w = weights, n = narrow, v = wide)
        fixed (int* o = offsets)
        {
            SparseTileKernels.Compute256(x, o, taps, w, rows, rows, n, pixels);
            SparseTileKernels.Compute512(x, o, taps, w, rows, rows, v, pixels);
        }

        // Only the first `pixels` of every row are the kernels' to compute (one row, the CSR case, computes all 64).
        var computed = rows == 1 ? SparseConvolution.TilePixels : pixels;
        for (var r = 0; r < rows; r++)
        {
            for (var p = 0; p < computed; p++)
            {
                var i = (r * SparseConvolution.TilePixels) + p;
                Assert.AreEqual(BitConverter.SingleToInt32Bits(narrow[i]), BitConverter.SingleToInt32Bits(wide[i]), $"row {r}, pixel {p}: {narrow[i]} vs {wide[i]}");
            }
        }

        Assert.IsFalse(narrow.Take(computed).Any(float.IsNaN), "the 256-bit kernels left pixels uncomputed");
    }
}
