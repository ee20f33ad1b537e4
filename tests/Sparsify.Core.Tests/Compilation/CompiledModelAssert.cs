using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Tests.Compilation;

/// <summary>Checks that a compiled model carries exactly the pruned graph's weights, wherever they live.</summary>
internal static class CompiledModelAssert
{
    public static void WeightsMatch(ModelGraph pruned, CompiledModel compiled)
    {
        var manifest = compiled.Manifest;
        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(compiled.Blob.Span)), manifest.BlobSha256);
        Assert.AreEqual((long)compiled.Blob.Length, manifest.BlobLength);
        var blob = new WeightBlobReader(compiled.Blob);
        foreach (var layer in pruned.Layers)
        {
            var described = manifest.Layers.Single(l => l.Name == layer.Name);
            if (!WeightMatrix.IsPrunable(layer))
            {
                Assert.IsNull(described.Weights, layer.Name);
                continue;
            }

            var matrix = WeightMatrix.Of(layer);
            var w = described.Weights!;
            float[] actual;
            if (described.Plan == LayerExecution.SparseUnrolled)
            {
                Assert.IsNull(w.WeightsBlob, $"{layer.Name}: unrolled weights belong in the manifest only");
                Assert.AreEqual(w.NonZeros, (long)w.Unrolled.Count, layer.Name);
                actual = new float[matrix.Values.Length];
                foreach (var nz in w.Unrolled)
                {
                    actual[(nz.Row * matrix.Columns) + nz.Column] = nz.Value;
                }
            }
            else
            {
                Assert.AreEqual(0, w.Unrolled.Count, layer.Name);
                actual = blob.DecodeWeights(w.WeightsBlob!);
            }

            BitsEqual(matrix.Values, actual, layer.Name);
            var bias = layer switch { ConvLayer c => c.Bias, FullyConnectedLayer f => f.Bias, _ => null };
            if (bias is null)
            {
                Assert.IsNull(w.BiasBlob, layer.Name);
            }
            else
            {
                BitsEqual(bias.Data, blob.ReadFloats(w.BiasBlob!), $"{layer.Name} bias");
            }
        }
    }

    public static void BitsEqual(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        Assert.IsTrue(
            MemoryMarshal.Cast<float, uint>(expected).SequenceEqual(MemoryMarshal.Cast<float, uint>(actual)),
            $"{what}: decoded weights differ from the pruned weights");
    }
}
