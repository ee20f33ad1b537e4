namespace Sparsify.Core.Tests.Support;

internal static class AssertTensor
{
    /// <summary>max |expected - actual| ≤ relative · max |expected|.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        double maxAbs = 0, maxDiff = 0;
        var worst = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.IsFalse(float.IsNaN(actual[i]), $"{what}: NaN at {i}");
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
            var diff = Math.Abs(expected[i] - actual[i]);
            if (diff > maxDiff)
            {
                maxDiff = diff;
                worst = i;
            }
        }

        Assert.IsTrue(maxAbs > 0, $"{what}: the expected output is all zeros, which proves nothing");
        Assert.IsTrue(maxDiff <= relative * maxAbs,
            $"{what}: max |diff| {maxDiff:G4} at {worst} (expected {(worst >= 0 ? expected[worst] : 0)}, got {(worst >= 0 ? actual[worst] : 0)}) exceeds {relative:G2} x max |output| {maxAbs:G4}");
    }
}
