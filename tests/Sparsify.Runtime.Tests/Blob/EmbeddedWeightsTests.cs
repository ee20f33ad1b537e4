using System.Security.Cryptography;
using Sparsify.Runtime.Blob;

namespace Sparsify.Runtime.Tests.Blob;

[TestClass]
public sealed class EmbeddedWeightsTests
{
    private const string ResourceName = "Sparsify.Runtime.Tests.empty.weights.bin";

    private static byte[] EmbeddedBytes()
    {
        using var stream = typeof(EmbeddedWeightsTests).Assembly.GetManifestResourceStream(ResourceName)!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    [TestMethod]
    public void Load_MatchingLengthAndHash_ParsesTheBlob()
    {
        var bytes = EmbeddedBytes();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var reader = EmbeddedWeights.Load(typeof(EmbeddedWeightsTests).Assembly, ResourceName, bytes.Length, sha);

        Assert.AreEqual(0, reader.Entries.Count);
    }

    [TestMethod]
    public void Load_MissingResource_ListsTheWeightBlobsPresent()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => EmbeddedWeights.Load(typeof(EmbeddedWeightsTests).Assembly, "Other.weights.bin", 16, new string('0', 64)));

        StringAssert.Contains(error.Message, "'Other.weights.bin'");
        StringAssert.Contains(error.Message, ResourceName);
    }

    [TestMethod]
    public void Load_WrongLength_SaysTheBlobDoesNotMatch()
    {
        var bytes = EmbeddedBytes();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => EmbeddedWeights.Load(typeof(EmbeddedWeightsTests).Assembly, ResourceName, bytes.Length + 16, sha));

        StringAssert.Contains(error.Message, "does not match the manifest the code was generated from");
        StringAssert.Contains(error.Message, $"{bytes.Length} bytes");
        StringAssert.Contains(error.Message, "rebuild");
    }

    [TestMethod]
    public void Load_WrongHash_SaysTheBlobDoesNotMatch()
    {
        var bytes = EmbeddedBytes();
        var wrong = new string('a', 64);

        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => EmbeddedWeights.Load(typeof(EmbeddedWeightsTests).Assembly, ResourceName, bytes.Length, wrong));

        StringAssert.Contains(error.Message, "SHA-256");
        StringAssert.Contains(error.Message, wrong);
        StringAssert.Contains(error.Message, "Sparsify.Runtime.Tests");
    }
}
