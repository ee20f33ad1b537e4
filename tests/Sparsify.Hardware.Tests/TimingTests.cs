using Sparsify.Runtime.Kernels;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Hardware.Zc706.Timing;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class TimingTests
{
    // 2 PEs × G = 2 × 2 positions; 100 MHz and 0.4 GB/s make DDR exactly 4 bytes per cycle.
    private static readonly Zc706Config Tiny = new()
    {
        Name = "tiny",
        ClockMHz = 100,
        PeCount = 2,
        GroupSize = 2,
        PixelsPerPe = 2,
        DdrBandwidthGBps = 0.4,
        BurstBytes = 64,
        BurstOverheadCycles = 1,
        PipelineDepth = 3,
        WeightBufferBytesPerPe = 1024,
        InputBufferBytesPerPe = 1024,
        OutputBufferBytesPerPe = 1024,
    };

    [TestMethod]
    public void AFoldedResidualCostsItsDdrReadAndNoComputeCycle()
    {
        // The layer of the test above with an Add and a ReLU folded in: the residual (as large as the
        // output, 32 B) is read beside the output band, one more transfer, and the adders cost no cycle.
        var values = new float[4 * 9];
        values[0] = 1; values[4] = 1; values[9 + 4] = 1; values[9 + 8] = 1; values[18 + 1] = 1;
        var layer = Conv(values, storedDense: false) with { Residual = "skip", Relu = true };

        var t = ArrayLayerTimer.Time(layer, GroupMapper.Map(layer, Tiny), Tiny);

        Assert.AreEqual(new DdrTraffic(20, 32, 32, 0, 32), t.Traffic);
        Assert.AreEqual((116 / 4) + 4, t.DdrCycles); // 116 B at 4 B a cycle, plus four bursts
        Assert.AreEqual(4, t.ComputeCycles);
        Assert.AreEqual(2, t.StallCycles);
        Assert.AreEqual(33 + 6 + 3, t.TotalCycles);
        Assert.AreEqual("Conv+Add+Relu", t.Label);
    }

    [TestMethod]
    public void SparseConvOnTwoPesCountsComputeStallMemoryAndFill()
    {
        // Conv 1x4x4 → 4x2x2, 3x3 kernel, no padding. Columns are kernel positions 0..8.
        // Group 0 (rows 0, 1) → PE 0: row 0 keeps {0, 4}, row 1 {4, 8}: union {0, 4, 8} = 3 entries.
        // Group 1 (rows 2, 3) → PE 1: row 2 keeps {1}, row 3 nothing: 1 entry.
        var values = new float[4 * 9];
        values[0] = 1; values[4] = 1; values[9 + 4] = 1; values[9 + 8] = 1; values[18 + 1] = 1;
        var layer = Conv(values, storedDense: false);
        var mapping = GroupMapper.Map(layer, Tiny);

        var t = ArrayLayerTimer.Time(layer, mapping, Tiny);

        // Tiles: 2 output rows × ceil(2 / 2) = 2. Busiest PE: 3 entries → 6 cycles; mean 2 → 4 compute, 2 stall.
        Assert.AreEqual(4, t.ComputeCycles);
        Assert.AreEqual(2, t.StallCycles);
        // DDR: weights 4 entries × (2 × 16 + 8) bits = 20 B; inputs: both output rows fit one band, reading
        // all 4 input rows of 4 × 2 B = 32 B; outputs 4 × 2 × 2 × 2 B = 32 B. 84 B / 4 = 21 cycles,
        // plus one burst per transfer (weights, the input band, the output band) × 1 cycle = 24 cycles.
        Assert.AreEqual(new DdrTraffic(20, 32, 32, 0, 0), t.Traffic);
        Assert.AreEqual(24, t.DdrCycles);
        // One step (1 pass × 1 band): fill 3; total = m + c + fill = 24 + 6 + 3 = 33; exposed memory 24.
        Assert.AreEqual(3, t.FillDrainCycles);
        Assert.AreEqual(33, t.TotalCycles);
        Assert.AreEqual(24, t.MemoryCycles);
        Assert.AreEqual(20, t.NonZeroMacs); // 5 nonzeros × 4 positions
        Assert.AreEqual(144, t.DenseMacs);
        Assert.AreEqual(20.0 / (8 * 33), t.Utilisation, 1e-12);
        Assert.AreEqual(0.5, t.Imbalance, 1e-12); // busiest 3 over mean 2
        CollectionAssert.AreEqual(new long[] { 4, 1 }, t.NonZerosPerPe.ToArray());
    }

    [TestMethod]
    public void StreamedFullyConnectedLayerOverlapsTransfersWithCompute()
    {
        // FC 8 → 2 on one PE, stored dense (32-bit entries = 4 B): 32 B of weights, a 16 B buffer
        // double-buffered holds 8 B per load → 4 passes of 2 input channels.
        var config = Tiny with { PeCount = 1, PixelsPerPe = 1, PipelineDepth = 1, BurstOverheadCycles = 0, WeightBufferBytesPerPe = 16, InputBufferBytesPerPe = 64, OutputBufferBytesPerPe = 64 };
        var layer = new ArrayLayer("fc", ArrayOp.FullyConnected, ["x"], "y", [[1, 8]], [1, 2])
        {
            Weights = new LayerWeights(2, 8, "dense", 16, true, Enumerable.Repeat(1f, 16).ToArray(), null),
        };

        var t = ArrayLayerTimer.Time(layer, GroupMapper.Map(layer, config), config);

        // Traffic: weights 32, inputs 8 × 2 = 16, outputs 2 × 2 = 4 → 52 B = 13 cycles (bursts cost nothing here).
        Assert.AreEqual(4, t.Passes);
        Assert.AreEqual("channels-outer", t.LoopOrder);
        Assert.AreEqual(13, t.DdrCycles);
        // 4 steps of c = 8 / 4 = 2 and m = 13 / 4 = 3.25: 3.25 + 3 × 3.25 + 2 = 15, plus 4 × 1 fill = 19.
        Assert.AreEqual(8, t.ComputeCycles);
        Assert.AreEqual(4, t.FillDrainCycles);
        Assert.AreEqual(19, t.TotalCycles);
        Assert.AreEqual(7, t.MemoryCycles);
        Assert.IsTrue(t.MemoryBound);

        // Without double buffering each load may fill the whole 16 B, so 2 passes, nothing overlaps: 13 + 8 + 2 × 1 = 23.
        var serialConfig = config with { DoubleBuffering = false };
        var serial = ArrayLayerTimer.Time(layer, GroupMapper.Map(layer, serialConfig), serialConfig);
        Assert.AreEqual(2, serial.Passes);
        Assert.AreEqual(23, serial.TotalCycles);
    }

    [TestMethod]
    public void RelativeIndexGapsOverTheIndexWidthCostPaddingEntries()
    {
        // Gaps of 300 and 10 with 8-bit indices: 300 >> 8 = 1 padding entry, 10 >> 8 = 0.
        Assert.AreEqual(1, GroupMapper.Padding([300, 311], 8));
        Assert.AreEqual(0, GroupMapper.Padding([0, 1, 255], 8));
        Assert.AreEqual(2, GroupMapper.Padding([16, 33], 4)); // gaps 16 and 16 with 4 bits
    }

    [TestMethod]
    public void WeightsThatCannotFitAnyBufferAreAClearError()
    {
        var values = Enumerable.Repeat(1f, 4 * 9).ToArray();
        var layer = Conv(values, storedDense: true);
        var config = Tiny with { WeightBufferBytesPerPe = 8 }; // one input channel of a PE's weights is 9 × 4 B = 36 B

        var e = Assert.ThrowsExactly<BufferCapacityException>(() => ArrayLayerTimer.Time(layer, GroupMapper.Map(layer, config), config));

        StringAssert.Contains(e.Message, "layer 'conv'");
        StringAssert.Contains(e.Message, "36 bytes");
        StringAssert.Contains(e.Message, "holds 4 per load");
    }

    [TestMethod]
    public void InputRowsThatCannotFitTheInputBufferAreAClearError()
    {
        var layer = Conv(Enumerable.Repeat(1f, 4 * 9).ToArray(), storedDense: true);
        var config = Tiny with { InputBufferBytesPerPe = 16 }; // 3 rows × 4 × 2 B = 24 B > 8

        var e = Assert.ThrowsExactly<BufferCapacityException>(() => ArrayLayerTimer.Time(layer, GroupMapper.Map(layer, config), config));

        StringAssert.Contains(e.Message, "input rows");
    }

    private static ArrayLayer Conv(float[] values, bool storedDense) =>
        new("conv", ArrayOp.Conv, ["x"], "y", [[1, 1, 4, 4]], [1, 4, 2, 2])
        {
            Window = Window2D.Create(3, 1, Padding2D.None),
            Weights = new LayerWeights(4, 9, "test", values.Count(v => v != 0), storedDense, values, null),
        };
}
