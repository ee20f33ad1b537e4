namespace Sparsify.Core.Tests;

[TestClass]
public sealed class SettingErrorsTests
{
    [TestMethod]
    public void OutOfRangeReadsAsOneLineWithoutTheParameterSuffix()
    {
        var error = new ArgumentOutOfRangeException("Sparsity", 1.5, "sparsity must be in [0, 1); got 1.5");

        Assert.AreEqual("sparsity must be in [0, 1); got 1.5", SettingErrors.Describe(error));
    }

    [TestMethod]
    public void MessageWithoutParameterIsKept() =>
        Assert.AreEqual("unknown scheme 'x'", SettingErrors.Describe(new ArgumentException("unknown scheme 'x'")));
}
