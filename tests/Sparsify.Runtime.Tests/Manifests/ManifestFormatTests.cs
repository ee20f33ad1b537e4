using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime.Tests.Manifests;

[TestClass]
public sealed class ManifestFormatTests
{
    [TestMethod]
    [DataRow("conv1", "conv1")]
    [DataRow("with space", "with%20space")]
    [DataRow("100%", "100%25")]
    [DataRow("line\nbreak\r\n", "line%0Abreak%0D%0A")]
    [DataRow("sep\u2028\u0085", "sep%E2%80%A8%C2%85")]
    [DataRow("bidi\u202e", "bidi%E2%80%AE")]
    [DataRow("ünï层😀\"\\'", "ünï层😀\"\\'")]
    public void NamesEncodeToOneTokenAndBack(string name, string token)
    {
        Assert.AreEqual(token, ManifestFormat.EncodeName(name));
        Assert.IsTrue(ManifestFormat.IsName(token));
        Assert.IsTrue(ManifestFormat.TryDecodeName(token, out var decoded));
        Assert.AreEqual(name, decoded);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("two words")]
    [DataRow("tab\t")]
    [DataRow("%")]
    [DataRow("%2")]
    [DataRow("%zz")]
    [DataRow("%61")]
    [DataRow("%2a")]
    [DataRow("%FF")]
    [DataRow("%C3")]
    [DataRow("raw\u2028")]
    [DataRow("raw\u202e")]
    public void TokensTheWriterNeverWritesAreRefused(string token) =>
        Assert.IsFalse(ManifestFormat.TryDecodeName(token, out _), token);

    [TestMethod]
    public void TheDigestCoversEveryLineAndOnlyTheLastLineHoldsIt()
    {
        var signed = ManifestFormat.Sign("sparsify-manifest 2\nmodel m\n");
        Assert.IsTrue(ManifestFormat.HasValidDigest(signed));
        Assert.IsTrue(ManifestFormat.HasValidDigest(signed.Replace("\n", "\r\n", StringComparison.Ordinal)));
        Assert.IsTrue(ManifestFormat.HasValidDigest(signed + "\n\n"));
        Assert.IsFalse(ManifestFormat.HasValidDigest(signed.Replace("model m", "model n", StringComparison.Ordinal)));
        Assert.IsFalse(ManifestFormat.HasValidDigest(signed + "model m\n"));
        Assert.IsFalse(ManifestFormat.HasValidDigest("sparsify-manifest 2\nmodel m\n"));
        Assert.IsFalse(ManifestFormat.HasValidDigest(string.Empty));
        Assert.IsFalse(ManifestFormat.HasValidDigest(signed[..^10] + "\n"));
    }
}
