using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Resources;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class ConfigTests
{
    [TestMethod]
    public void JsonRoundTripKeepsEverySetting()
    {
        var config = Zc706Config.Qiu2016Dense with { ClockMHz = 175, Arithmetic = Arithmetic.Fp32, ActivationFractionBits = 6, DoubleBuffering = false };

        var back = Zc706ConfigJson.Parse(Zc706ConfigJson.Serialize(config));

        Assert.AreEqual(config, back);
    }

    [TestMethod]
    public void JsonLeavesOmittedSettingsAtTheirDefaults()
    {
        var config = Zc706ConfigJson.Parse("""{ "peCount": 8, "arithmetic": "fp32" }""");

        Assert.AreEqual(Zc706Config.Default with { PeCount = 8, Arithmetic = Arithmetic.Fp32 }, config);
    }

    [TestMethod]
    public void JsonRejectsAnUnknownSetting()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Zc706ConfigJson.Parse("""{ "peCounts": 8 }"""));

        StringAssert.Contains(e.Message, "peCounts");
    }

    [TestMethod]
    [DataRow("peCount", "0", "PeCount")]
    [DataRow("clockMHz", "-150", "ClockMHz")]
    [DataRow("ddrBandwidthGBps", "0", "DdrBandwidthGBps")]
    [DataRow("weightBufferBytesPerPe", "-1", "WeightBufferBytesPerPe")]
    [DataRow("indexBits", "0", "IndexBits")]
    public void ZeroOrNegativeParametersAreRejectedByName(string property, string value, string name)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Zc706ConfigJson.Parse($$"""{ "{{property}}": {{value}} }"""));

        Assert.AreEqual(name, e.ParamName);
        StringAssert.Contains(e.Message, name);
    }

    [TestMethod]
    public void DefaultAndAnchorResourcesAreAsDocumented()
    {
        var sparse = ResourceModel.CheckBudget(Zc706Config.Default);
        var dense = ResourceModel.CheckBudget(Zc706Config.Qiu2016Dense);

        Assert.AreEqual((528, 338, 153_760), (sparse.Dsp, sparse.Bram36, sparse.Lut));
        // Qiu et al. report 780 DSP, 486 BRAM36 and 182,616 LUT.
        Assert.AreEqual((780, 486), (dense.Dsp, dense.Bram36));
        Assert.AreEqual(182_616, dense.Lut, 182_616 * 0.01);
    }

    [TestMethod]
    public void ABudgetOverrunNamesEachResourceAndByHowMuch()
    {
        var config = Zc706Config.Default with { Name = "big", PeCount = 32 };

        var e = Assert.ThrowsExactly<ResourceBudgetException>(() => ResourceModel.CheckBudget(config));

        // 32 × 32 MACs + 32 address DSPs = 1,056; 32 × 20 + 18 = 658 BRAM36; 184,320 + 83,200 + 20,000 LUT.
        StringAssert.Contains(e.Message, "DSP48E1 1,056 > 900 (over by 156");
        StringAssert.Contains(e.Message, "BRAM36 658 > 545 (over by 113");
        StringAssert.Contains(e.Message, "LUT 287,520 > 218,600 (over by 68,920");
        CollectionAssert.AreEqual(new[] { "DSP48E1", "BRAM36", "LUT" }, e.Exceeded.ToArray());
    }

    [TestMethod]
    public void PowerGrowsWithUtilisationAndDdrTraffic()
    {
        var r = ResourceModel.Estimate(Zc706Config.Default);

        Assert.IsGreaterThan(PowerModel.Watts(r, 150, 0.1), PowerModel.Watts(r, 150, 0.9));
        Assert.AreEqual(PowerModel.Joules(r, 150, 0.5, 1e-3, 0) + (1e6 * 160e-12), PowerModel.Joules(r, 150, 0.5, 1e-3, 1_000_000), 1e-12);
    }
}
